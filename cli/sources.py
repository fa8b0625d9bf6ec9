"""Commands about pages and sources: `sources list|check`, `extract FILE|URL`."""

from __future__ import annotations

import json

import click

from cli.common import app_of, out_option, output
from pipeline.redact import mask_text


@click.group()
def sources() -> None:
    """List and check the configured sources."""


@sources.command("list")
@click.pass_context
def sources_list(ctx: click.Context) -> None:
    """List configured sources with their entry points.

    Example: atrisk --sources sources.toml sources list
    """
    from pipeline.sources import load_sources

    for src in load_sources(app_of(ctx).sources_path):
        click.echo(f"{src.name}\t{src.kind}\tfeeds={len(src.feeds)} sitemaps={len(src.sitemaps)} "
                   f"start_urls={len(src.start_urls)}\tevery={src.every or '-'}")


@sources.command("check")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
@click.pass_context
def sources_check(ctx: click.Context, timeout: float) -> None:
    """Validate sources.toml and report whether each entry URL can be reached.

    Example: atrisk sources check --timeout 5
    """
    from crawler.oneoff import check_url
    from pipeline.sources import load_sources

    app = app_of(ctx)
    srcs = load_sources(app.sources_path)
    ua = app.config.crawl.user_agent_string
    bad = 0
    for src in srcs:
        for url in src.entry_urls:
            ok, detail = check_url(url, timeout=timeout, user_agent=ua, allow_private=src.allow_private,
                                   domains=src.allowed_domains)
            bad += not ok
            click.echo(f"{'ok  ' if ok else 'FAIL'}\t{src.name}\t{mask_text(url)}\t{mask_text(detail)}")
    click.echo(f"{len(srcs)} sources valid; {bad} entry URL(s) unreachable or refused", err=True)


@click.command()
@click.argument("target")
@click.option("--analyse/--no-analyse", default=True, help="Also find people, organizations and events.")
@out_option
@click.option("--allow-private", is_flag=True,
              help="Allow a loopback, private or link-local address (a local site, an intranet).")
@click.pass_context
def extract(ctx: click.Context, target: str, analyse: bool, out: str | None, allow_private: bool) -> None:
    """Extract one page (a FILE or an http(s) URL) and print its JSON.

    Example: atrisk extract statement.html
    """
    from crawler.oneoff import extract_one

    app = app_of(ctx)
    crawl = app.config.crawl
    record = extract_one(target, app.watchlist if analyse else None, user_agent=crawl.user_agent_string,
                         allow_private=allow_private, timeout=crawl.timeout,
                         max_bytes=crawl.max_page_bytes)
    with output(out) as fh:
        fh.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
