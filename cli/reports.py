"""Commands that read: `export`, `digest`, `person`, `search`, `status` (to stdout or --out)."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from cli.common import WHEN, app_of, fail, format_option, log, out_option, output


@click.command()
@format_option("jsonl", "csv")
@click.option("--since", type=WHEN, help="Only documents stored or changed since WHEN (2026-11-01, 24h, 7d).")
@out_option
@click.option("--include-confidential", is_flag=True, help="Also people flagged confidential.")
@click.pass_context
def export(ctx: click.Context, fmt: str, since: datetime | None, out: str | None,
           include_confidential: bool) -> None:
    """Export every stored document with its people, organizations and events.

    Example: atrisk export --format csv --since 7d --out week.csv
    """
    from pipeline.reports.export import iter_records, write_csv, write_jsonl

    app = app_of(ctx)
    records = iter_records(app.db, since, include_confidential=include_confidential)
    with output(out) as fh:
        n = (write_jsonl if fmt == "jsonl" else write_csv)(records, fh)
    log.info("exported %d documents", n)


@click.command()
@click.option("--date", "day", help="The day to report (YYYY-MM-DD, in the digest timezone).")
@click.option("--since", type=WHEN, help="Instead of a day: everything since WHEN (24h, 7d, 2026-11-01).")
@format_option("md", "html", "json")
@out_option
@click.pass_context
def digest(ctx: click.Context, day: str | None, since: datetime | None, fmt: str, out: str | None) -> None:
    """What is new: events, documents by source, people and organizations with trends, source health.

    Without --date or --since it covers the last 24 hours.

    Example: atrisk digest --date 2026-11-21 --format html --out digest.html
    """
    from pipeline.reports.digest import build_digest, render_html, render_json, render_markdown

    app = app_of(ctx)
    if day and since:
        raise click.UsageError("give --date or --since, not both")
    try:
        the_day = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter(f"{day!r}: use YYYY-MM-DD", param_hint="--date") from None
    d = build_digest(app.db, day=the_day, since=since,
                     timezone=app.config.digest.timezone)
    with output(out) as fh:
        if fmt == "json":
            fh.write(json.dumps(render_json(d), ensure_ascii=False, indent=2) + "\n")
        else:
            fh.write((render_markdown if fmt == "md" else render_html)(d))


@click.command()
@click.argument("name")
@format_option("md", "json")
@out_option
@click.pass_context
def person(ctx: click.Context, name: str, fmt: str, out: str | None) -> None:
    """The case file of one person: aliases, timeline of events, latest status, documents.

    Example: atrisk person "Jafar Panahi" --format md
    """
    from pipeline.reports.casefile import build_case_file, render_json, render_markdown, suggest_names

    app = app_of(ctx)
    case = build_case_file(app.db, name)
    if case is None:
        close = suggest_names(app.db, name)
        hint = f"; did you mean: {', '.join(close)}?" if close else "; see `atrisk entities --kind person`"
        raise click.ClickException(f"no person named {name!r} in the database{hint}")
    with output(out) as fh:
        if fmt == "json":
            fh.write(json.dumps(render_json(case), ensure_ascii=False, indent=2) + "\n")
        else:
            fh.write(render_markdown(case))


@click.command("search")
@click.argument("text")
@click.option("--limit", default=20, show_default=True)
@format_option("text", "json")
@click.pass_context
def search_cmd(ctx: click.Context, text: str, limit: int, fmt: str) -> None:
    """Find documents and sentences by text (full-text index on SQLite).

    Example: atrisk search "travel ban"
    """
    from pipeline.storage.search import SearchError, search

    try:
        hits = search(app_of(ctx).db, text, limit=limit)
    except SearchError as exc:
        raise fail(exc) from None
    if fmt == "json":
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    for h in hits:
        click.echo(f"{h.published or '?'}  {h.source or '?'}  {h.title or ''}\n    {h.url}\n    {h.snippet}")
    if not hits:
        click.echo(f"no documents match {text!r}", err=True)


@click.command("status")
@format_option("text", "json")
@click.option("--runs", default=10, show_default=True, help="How many recent passes to show.")
@out_option
@click.pass_context
def status_cmd(ctx: click.Context, fmt: str, runs: int, out: str | None) -> None:
    """Show the last passes, each source's health, and work waiting in the database.

    Example: atrisk status --format json
    """
    from pipeline.reports.status import render_status, status

    data = status(app_of(ctx), runs=runs)
    with output(out) as fh:
        fh.write(json.dumps(data, indent=2, sort_keys=True) + "\n" if fmt == "json" else render_status(data))
