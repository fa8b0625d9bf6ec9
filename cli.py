"""The `atrisk` command: parse options, call the library, print. Logs go to stderr.

Exit codes: 0 done (pages that failed are counted, not fatal); 1 error (bad config,
database unreachable...); 2 usage error; 75 another pass is already running.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.redact import RedactingFilter, mask_text

if TYPE_CHECKING:
    from pipeline.app import App

EXIT_ALREADY_RUNNING = 75
log = logging.getLogger("atrisk")


def setup_logging(verbose: int, quiet: bool, log_file: str | None) -> None:
    """Configure logging once, for the whole process; every handler masks secrets."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else
                                           logging.INFO if verbose == 1 else logging.WARNING)
    root = logging.getLogger()
    root.setLevel(min(level, logging.INFO) if log_file else level)
    for h in list(root.handlers):
        root.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(level)
    err.setFormatter(fmt)
    err.addFilter(RedactingFilter())
    root.addHandler(err)
    if log_file:
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setLevel(logging.INFO if verbose < 2 else logging.DEBUG)
        fh.setFormatter(fmt)
        fh.addFilter(RedactingFilter())
        root.addHandler(fh)
    for noisy in ("scrapy", "twisted", "trafilatura", "htmldate", "filelock", "apprise", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """A date (``2026-11-01``) or a duration back from now (``24h``, ``7d``, ``30m``)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if m:
        n, unit = int(m[1]), m[2]
        return now - {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n),
                      "w": timedelta(weeks=n)}[unit]
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
    except ValueError:
        raise click.BadParameter(f"{text!r}: use a date (2026-11-01) or a duration (24h, 7d)") from None


@contextmanager
def output(path: str | None) -> Any:
    """Standard output, or ``--out FILE`` (written whole, then moved into place)."""
    if not path:
        yield sys.stdout
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        yield fh
    tmp.replace(target)


def _app(ctx: click.Context) -> App:
    return ctx.obj["app"]


def _fail(exc: BaseException) -> click.ClickException:
    return click.ClickException(mask_text(str(exc)))


def _known_errors() -> tuple[type[BaseException], ...]:
    from crawler.oneoff import FetchError
    from extract.nlp import ModelNotFound
    from extract.watchlist import WatchlistError
    from pipeline.config import ConfigError
    from pipeline.reports.digest import DigestError
    from pipeline.sources import SourcesError
    from pipeline.storage.db import DatabaseError
    from pipeline.storage.entities import EntityNotFound

    return (FetchError, SourcesError, WatchlistError, ConfigError, DatabaseError, ModelNotFound,
            EntityNotFound, DigestError)


class AtriskGroup(click.Group):
    """Turns the project's own errors into one clear line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _known_errors() as exc:
            raise _fail(exc) from None


@click.group(cls=AtriskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="atrisk")
@click.option("--db", "db_url", envvar="ATRISK_DB",
              help="Database URL [ATRISK_DB] (default sqlite:///data/atrisk.db).")
@click.option("--sources", "sources_path", envvar="ATRISK_SOURCES", help="sources.toml [ATRISK_SOURCES].")
@click.option("--watchlist", "watchlist_path", envvar="ATRISK_WATCHLIST",
              help="watchlist.toml [ATRISK_WATCHLIST].")
@click.option("--config", "config_path", envvar="ATRISK_CONFIG", help="Config file, TOML [ATRISK_CONFIG].")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors (for cron mail).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also write the log to this file.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, sources_path: str | None, watchlist_path: str | None,
         config_path: str | None, verbose: int, quiet: bool, log_file: str | None) -> None:
    """atrisk: watch sites for statements about filmmakers, artists and writers at risk.

    \b
    Example:
      atrisk run                       # one pass: crawl, analyse, alert, digest when due
      atrisk export --format jsonl --since 7d > week.jsonl
    """
    from pipeline.app import App

    setup_logging(verbose, quiet, log_file)
    ctx.ensure_object(dict)
    ctx.obj["app"] = App(db_url, sources_path, watchlist_path, config_path)
    ctx.obj["quiet"] = quiet
    ctx.call_on_close(ctx.obj["app"].close)


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or upgrade the database schema.

    Example: atrisk --db sqlite:///data/atrisk.db init
    """
    app = _app(ctx)
    app.db.upgrade()
    click.echo(f"database ready: {app.db.safe_url}", err=True)


@main.command()
@click.option("--no-crawl", is_flag=True, help="Skip crawling: analyse and deliver only.")
@click.option("--json-summary/--no-json-summary", default=True,
              help="Print a one-line JSON summary on stdout.")
@click.pass_context
def run(ctx: click.Context, no_crawl: bool, json_summary: bool) -> None:
    """One full pass: crawl every source, analyse, alert; the digest when due.

    Exits 0 when the pass completed even if some pages failed (they are counted in the
    summary and logged), 75 when another pass is running, 1 when it could not run.

    Example (crontab): */30 * * * * cd /srv/atrisk && .venv/bin/atrisk -q run >> data/cron.log
    """
    from pipeline.storage.lock import AlreadyRunning
    from scheduler import run_pass

    app = _app(ctx)
    try:
        with progress_display(enabled=not ctx.obj["quiet"]) as progress:
            result = run_pass(app, crawl=not no_crawl, progress=progress)
    except AlreadyRunning as exc:
        click.echo(f"atrisk: {exc}", err=True)
        ctx.exit(EXIT_ALREADY_RUNNING)
        return
    if json_summary:
        click.echo(json.dumps(result.summary(), sort_keys=True))
    if result.status == "crawl_failed":
        ctx.exit(1)


@contextmanager
def progress_display(enabled: bool = True) -> Any:
    """A rich progress display on stderr; yields the callback a pass reports to."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        def plain(stage: str, info: dict[str, Any]) -> None:
            if enabled and stage == "analyse" and info.get("done") == info.get("total"):
                log.info("analysed %s documents", info.get("total"))
        yield plain
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[note]}"), console=console, transient=False) as bar:
        crawl_task = bar.add_task("crawl", total=None, note="")
        analyse_task = None

        def report(stage: str, info: dict[str, Any]) -> None:
            nonlocal analyse_task
            if stage == "crawl":
                if info.get("event") == "page":
                    bar.advance(crawl_task)
                    bar.update(crawl_task, note=mask_text(str(info.get("url", "")))[-60:])
                elif info.get("event") == "done":
                    done = bar.tasks[crawl_task].completed
                    bar.update(crawl_task, total=done or 1, completed=done or 1, note="done")
            elif stage == "analyse":
                if analyse_task is None:
                    analyse_task = bar.add_task("analyse", total=info["total"], note="")
                bar.update(analyse_task, completed=info["done"])
        yield report


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", help="Only documents stored or changed since WHEN (2026-11-01, 24h, 7d).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, since: str | None, out: str | None) -> None:
    """Export every stored document with its people, organizations and events.

    Example: atrisk export --format csv --since 7d --out week.csv
    """
    from pipeline.reports.export import iter_records, write_csv, write_jsonl

    app = _app(ctx)
    records = iter_records(app.db, parse_when(since) if since else None)
    with output(out) as fh:
        n = (write_jsonl if fmt == "jsonl" else write_csv)(records, fh)
    log.info("exported %d documents", n)


@main.group()
def sources() -> None:
    """List and check the configured sources."""


@sources.command("list")
@click.pass_context
def sources_list(ctx: click.Context) -> None:
    """List configured sources with their entry points.

    Example: atrisk --sources sources.toml sources list
    """
    from pipeline.sources import load_sources

    for src in load_sources(_app(ctx).sources_path):
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

    app = _app(ctx)
    srcs = load_sources(app.sources_path)
    ua = app.config.crawl.user_agent_string
    bad = 0
    for src in srcs:
        for url in src.entry_urls:
            ok, detail = check_url(url, timeout=timeout, user_agent=ua)
            bad += not ok
            click.echo(f"{'ok  ' if ok else 'FAIL'}\t{src.name}\t{mask_text(url)}\t{detail}")
    click.echo(f"{len(srcs)} sources valid; {bad} entry URL(s) unreachable", err=True)


@main.command()
@click.argument("target")
@click.option("--analyse/--no-analyse", default=True, help="Also find people, organizations and events.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.pass_context
def extract(ctx: click.Context, target: str, analyse: bool, out: str | None) -> None:
    """Extract one page (a FILE or an http(s) URL) and print its JSON.

    Example: atrisk extract statement.html
    """
    from crawler.oneoff import extract_one

    app = _app(ctx)
    record = extract_one(target, app.watchlist if analyse else None,
                         user_agent=app.config.crawl.user_agent_string)
    with output(out) as fh:
        fh.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")


@main.command()
@click.pass_context
def reprocess(ctx: click.Context) -> None:
    """Re-analyse every stored document (after a watchlist or model change).

    Mentions and events are replaced, never duplicated; dismissed events stay dismissed.

    Example: atrisk --watchlist my-watchlist.toml reprocess
    """
    from pipeline.analysis.analyse import analyse_pending, mark_all_pending
    from pipeline.storage.lock import AlreadyRunning, PassLock

    app = _app(ctx)
    try:
        with PassLock(app.db, app.data_dir):
            n = mark_all_pending(app.db)
            with progress_display() as progress:
                res = analyse_pending(app.db, app.watchlist, app.config,
                                      on_progress=lambda d, t: progress("analyse", {"done": d, "total": t}))
    except AlreadyRunning as exc:
        click.echo(f"atrisk: {exc}", err=True)
        ctx.exit(EXIT_ALREADY_RUNNING)
        return
    click.echo(json.dumps({"queued": n, **res.as_dict()}, sort_keys=True))


@main.group(invoke_without_command=True)
@click.option("--kind", type=click.Choice(["person", "organization"]), help="Only this kind.")
@click.option("--limit", default=50, show_default=True, help="How many to list.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def entities(ctx: click.Context, kind: str | None, limit: int, fmt: str) -> None:
    """List people and organizations with mention counts; merge or unmerge identities.

    \b
    Example:
      atrisk entities --kind person
      atrisk entities merge "Mohammad Rasoulof" "Mohammad Rasulof"
      atrisk entities unmerge "Mohammad Rasulof"
    """
    if ctx.invoked_subcommand:
        return
    from pipeline.storage.entities import list_entities

    rows = list_entities(_app(ctx).db, kind=kind, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        mark = "*" if r["watchlisted"] else " "
        click.echo(f"{r['mentions']:>6} {r['documents']:>5} {mark} {r['kind']:<12} {r['name']}"
                   + (f"  (aliases: {', '.join(r['aliases'])})" if r["aliases"] else ""))


@entities.command("merge")
@click.argument("keep")
@click.argument("other")
@click.pass_context
def entities_merge(ctx: click.Context, keep: str, other: str) -> None:
    """Record that OTHER is the same as KEEP: an alias, mentions and events moved.

    Later mentions and `reprocess` follow the decision.

    Example: atrisk entities merge "Jafar Panahi" "J. Panahi"
    """
    from pipeline.storage.entities import merge_entities

    with _app(ctx).db.session() as s:
        target, source = merge_entities(s, keep, other)
        click.echo(f"merged {source.name!r} into {target.name!r}")


@entities.command("unmerge")
@click.argument("name")
@click.pass_context
def entities_unmerge(ctx: click.Context, name: str) -> None:
    """Undo a merge: NAME stands alone again.

    Example: atrisk entities unmerge "J. Panahi"
    """
    from pipeline.storage.entities import unmerge_entity

    with _app(ctx).db.session() as s:
        ent = unmerge_entity(s, name)
        click.echo(f"{ent.name!r} is its own entity again")


@main.group()
def events() -> None:
    """Review detected events."""


@events.command("dismiss")
@click.argument("event_id", type=int)
@click.pass_context
def events_dismiss(ctx: click.Context, event_id: int) -> None:
    """Dismiss a wrong event: it leaves alerts, digests and case files, also after `reprocess`.

    Example: atrisk events dismiss 42
    """
    from pipeline.delivery.alerts import EventNotFound, dismiss_event

    try:
        cancelled = dismiss_event(_app(ctx).db, event_id)
    except EventNotFound as exc:
        raise _fail(exc) from None
    click.echo(f"event {event_id} dismissed; {cancelled} pending alert(s) cancelled")


@main.command("alerts")
@click.pass_context
def alerts_cmd(ctx: click.Context) -> None:
    """Deliver pending alerts now (retries included) and rewrite the alert feed.

    Safe to run beside `run` or another `alerts`: each alert goes out once per channel.

    Example: ATRISK_ALERT_URLS="json://127.0.0.1:8080/hook" atrisk alerts
    """
    from pipeline.delivery.alerts import deliver_pending

    app = _app(ctx)
    res = deliver_pending(app.db, app.config, feed_path=app.config.alerts.feed)
    click.echo(json.dumps({"sent": res.sent, "failed": res.failed, "pending": res.pending}))


@main.command()
@click.option("--date", "day", help="The day to report (YYYY-MM-DD, in the digest timezone).")
@click.option("--since", help="Instead of a day: everything since WHEN (24h, 7d, 2026-11-01).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.pass_context
def digest(ctx: click.Context, day: str | None, since: str | None, fmt: str, out: str | None) -> None:
    """What is new: events, documents by source, people and organizations with trends, source health.

    Without --date or --since it covers the last 24 hours.

    Example: atrisk digest --date 2026-11-21 --format html --out digest.html
    """
    from pipeline.reports.digest import build_digest, render_html, render_json, render_markdown

    app = _app(ctx)
    if day and since:
        raise click.UsageError("give --date or --since, not both")
    try:
        the_day = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter(f"{day!r}: use YYYY-MM-DD", param_hint="--date") from None
    d = build_digest(app.db, day=the_day, since=parse_when(since) if since else None,
                     timezone=app.config.digest.timezone)
    with output(out) as fh:
        if fmt == "json":
            fh.write(json.dumps(render_json(d), ensure_ascii=False, indent=2) + "\n")
        else:
            fh.write((render_markdown if fmt == "md" else render_html)(d))


@main.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.pass_context
def person(ctx: click.Context, name: str, fmt: str, out: str | None) -> None:
    """The case file of one person: aliases, timeline of events, latest status, documents.

    Example: atrisk person "Jafar Panahi" --format md
    """
    from pipeline.reports.casefile import build_case_file, render_json, render_markdown, suggest_names

    app = _app(ctx)
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


@main.command("search")
@click.argument("text")
@click.option("--limit", default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def search_cmd(ctx: click.Context, text: str, limit: int, fmt: str) -> None:
    """Find documents and sentences by text (full-text index on SQLite).

    Example: atrisk search "travel ban"
    """
    from pipeline.storage.search import SearchError, search

    try:
        hits = search(_app(ctx).db, text, limit=limit)
    except SearchError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    for h in hits:
        click.echo(f"{h.published or '?'}  {h.source or '?'}  {h.title or ''}\n    {h.url}\n    {h.snippet}")
    if not hits:
        click.echo(f"no documents match {text!r}", err=True)


@main.command()
@click.option("--crawl-every", metavar="DURATION",
              help="Crawl every source at this interval instead of its own `every` (e.g. 30m).")
@click.option("--analyse-every", metavar="DURATION",
              help="Interval of analysis and alert delivery (default 5m).")
@click.pass_context
def schedule(ctx: click.Context, crawl_every: str | None, analyse_every: str | None) -> None:
    """Run the long-lived scheduler until SIGTERM or Ctrl-C.

    Each source is crawled on its own `every` interval (default [crawl] every), analysis
    and alert delivery run every few minutes, the digest daily at [digest] at. Jobs are
    kept in the database, so a restart does not duplicate them; passes share the lock
    with `atrisk run`, so cron and the scheduler never overlap.

    Example: atrisk -v --log-file data/atrisk.log schedule
    """
    from scheduler import interval_overrides_from, serve

    try:
        overrides = interval_overrides_from(crawl_every, analyse_every)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    serve(_app(ctx), interval_overrides=overrides)


@main.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--runs", default=10, show_default=True, help="How many recent passes to show.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.pass_context
def status_cmd(ctx: click.Context, fmt: str, runs: int, out: str | None) -> None:
    """Show the last passes, each source's health, and work waiting in the database.

    Example: atrisk status --format json
    """
    from pipeline.reports.status import render_status, status

    data = status(_app(ctx), runs=runs)
    with output(out) as fh:
        fh.write(json.dumps(data, indent=2, sort_keys=True) + "\n" if fmt == "json" else render_status(data))


@main.command("crawl-worker")
@click.option("--redis", "redis_url", envvar="ATRISK_REDIS_URL",
              help="Redis URL of the shared frontier [ATRISK_REDIS_URL] (default: [scale] redis_url).")
@click.option("--frontier", help="Name of the shared frontier (default: [scale] frontier, else atrisk).")
@click.option("--new-pass", is_flag=True,
              help="Forget the finished pass first, so this worker and those after it crawl again.")
@click.option("--source", "only", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.pass_context
def crawl_worker(ctx: click.Context, redis_url: str | None, frontier: str | None, new_pass: bool,
                 only: tuple[str, ...]) -> None:
    """Crawl as one of several workers that share one frontier in Redis.

    Workers on any number of machines, pointed at the same Redis and database, take
    requests from one queue; no URL is fetched twice in a pass. A worker exits when the
    queue is empty and no other worker is busy; then run `atrisk analyse` (any number).
    Start the first worker of a pass with --new-pass, the others without.

    Example: atrisk --db postgresql+psycopg://atrisk@db/atrisk crawl-worker --redis redis://queue:6379/0
    """
    from crawler.crawl import CrawlError
    from crawler.distributed import (
        DEFAULT_FRONTIER,
        FrontierBusy,
        RedisUnavailable,
        resolve_redis_url,
        run_crawl_worker,
    )
    from crawler.distributed import new_pass as clear_frontier

    app = _app(ctx)
    name = frontier or app.config.scale.frontier or DEFAULT_FRONTIER
    try:
        url = resolve_redis_url(redis_url, app.config)
        if new_pass:
            clear_frontier(url, name)
        result = run_crawl_worker(app.db.url, url, app.sources_path, app.config_path, frontier=name,
                                  only=only)
    except (RedisUnavailable, FrontierBusy, CrawlError, ValueError) as exc:
        raise _fail(exc) from None
    click.echo(json.dumps({"fetched": result.total("fetched"), "not_modified": result.total("not_modified"),
                           "new_documents": result.total("new_documents"),
                           "changed_documents": result.total("changed_documents"),
                           "errors": result.errors(), "seconds": round(result.elapsed, 1)}, sort_keys=True))


@main.command("analyse")
@click.option("--watch", is_flag=True, help="Keep waiting for new documents until SIGTERM or Ctrl-C.")
@click.option("--chunk", default=16, show_default=True, help="Documents claimed at a time.")
@click.option("--max-documents", type=int, help="Stop after this many documents.")
@click.pass_context
def analyse_cmd(ctx: click.Context, watch: bool, chunk: int, max_documents: int | None) -> None:
    """Analyse pending documents; run several at once (processes or machines) on PostgreSQL.

    Workers claim documents with SELECT ... FOR UPDATE SKIP LOCKED, so none is analysed
    twice; alerts are queued in the outbox, for `atrisk alerts` (or `run`) to deliver.
    Prints this worker's counters as JSON.

    Example: atrisk --db postgresql+psycopg://atrisk@db/atrisk analyse --watch
    """
    import signal
    import threading

    from pipeline.analysis.workers import analyse_worker

    app = _app(ctx)
    stop = threading.Event()
    if watch:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    res = analyse_worker(app.db, app.watchlist, app.config, chunk=chunk, watch=watch, stop=stop,
                         max_documents=max_documents)
    click.echo(json.dumps(res.as_dict(), sort_keys=True))


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Serve the bundled sample site on 127.0.0.1 and run a full pass into a fresh database.

    Example: atrisk demo
    """
    from crawler.demo import run_demo

    run_demo(ctx.obj["app"], progress_display)


if __name__ == "__main__":
    main()
