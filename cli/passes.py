"""Commands that run work: `init`, `run`, `reprocess`, `alerts`, `analyse`, `crawl-worker`,
`schedule`, `demo`."""

from __future__ import annotations

import json

import click

from cli.common import EXIT_ALREADY_RUNNING, app_of, fail, progress_display


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or upgrade the database schema.

    Example: atrisk --db sqlite:///data/atrisk.db init
    """
    app = app_of(ctx)
    app.db.upgrade()
    click.echo(f"database ready: {app.db.safe_url}", err=True)


@click.command()
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
    from crawler.crawl import run_crawl
    from pipeline.passes import run_pass
    from pipeline.storage.lock import AlreadyRunning

    app = app_of(ctx)
    try:
        with progress_display(enabled=not ctx.obj["quiet"]) as progress:
            result = run_pass(app, None if no_crawl else run_crawl, progress=progress)
    except AlreadyRunning as exc:
        click.echo(f"atrisk: {exc}", err=True)
        ctx.exit(EXIT_ALREADY_RUNNING)
        return
    if json_summary:
        click.echo(json.dumps(result.summary(), sort_keys=True))
    if result.status == "crawl_failed":
        ctx.exit(1)


@click.command()
@click.option("--changed", is_flag=True,
              help="Only the documents a watchlist change since the last analysis can touch.")
@click.pass_context
def reprocess(ctx: click.Context, changed: bool) -> None:
    """Re-analyse stored documents (after a watchlist or model change).

    Without options every stored document is analysed again (it says how long that
    takes first); with --changed only those that contain a name or alias added,
    removed or edited in the watchlist since the last analysis (a pass does this by
    itself). Mentions and events are replaced, never duplicated; dismissed events stay
    dismissed.

    Example: atrisk --watchlist my-watchlist.toml reprocess --changed
    """
    from pipeline.analysis import reanalysis
    from pipeline.analysis.analyse import analyse_pending, mark_all_pending
    from pipeline.storage.lock import AlreadyRunning, PassLock

    app = app_of(ctx)
    extra: dict = {}
    try:
        with PassLock(app.db, app.data_dir):
            if changed:
                queued = reanalysis.queue_changed(app.db, app.watchlist)
                n = queued.documents
                extra["watchlist"] = queued.change.as_dict()
                if not queued.change.recorded:
                    click.echo("no record of the watchlist the stored analyses used: the current one is "
                               "recorded now; run `atrisk reprocess` once to be sure", err=True)
            else:
                n = mark_all_pending(app.db)
                reanalysis.record_watchlist(app.db, app.watchlist)
            click.echo(reanalysis.describe_estimate(app.db, n), err=True)
            with progress_display() as progress:
                res = analyse_pending(app.db, app.watchlist, app.config,
                                      on_progress=lambda d, t: progress("analyse", {"done": d, "total": t}))
    except AlreadyRunning as exc:
        click.echo(f"atrisk: {exc}", err=True)
        ctx.exit(EXIT_ALREADY_RUNNING)
        return
    click.echo(json.dumps({"queued": n, **extra, **res.as_dict()}, sort_keys=True))


@click.command("alerts")
@click.pass_context
def alerts_cmd(ctx: click.Context) -> None:
    """Deliver pending alerts now (retries included) and rewrite the alert feed.

    Safe to run beside `run` or another `alerts`: each alert goes out once per channel.

    Example: ATRISK_ALERT_URLS="json://127.0.0.1:8080/hook" atrisk alerts
    """
    from pipeline.delivery.alerts import deliver_pending

    app = app_of(ctx)
    res = deliver_pending(app.db, app.config, feed_path=app.config.alerts.feed)
    click.echo(json.dumps({"sent": res.sent, "failed": res.failed, "pending": res.pending}))


@click.command("analyse")
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

    app = app_of(ctx)
    stop = threading.Event()
    if watch:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    res = analyse_worker(app.db, app.watchlist, app.config, chunk=chunk, watch=watch, stop=stop,
                         max_documents=max_documents)
    click.echo(json.dumps(res.as_dict(), sort_keys=True))


@click.command("crawl-worker")
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
    from crawler.distributed import (
        DEFAULT_FRONTIER,
        FrontierBusy,
        RedisUnavailable,
        resolve_redis_url,
        run_crawl_worker,
    )
    from crawler.distributed import new_pass as clear_frontier
    from pipeline.storage.items import CrawlError

    app = app_of(ctx)
    name = frontier or app.config.scale.frontier or DEFAULT_FRONTIER
    try:
        url = resolve_redis_url(redis_url, app.config)
        if new_pass:
            clear_frontier(url, name)
        result = run_crawl_worker(app.db.url, url, app.sources_path, app.config_path, frontier=name,
                                  only=only)
    except (RedisUnavailable, FrontierBusy, CrawlError, ValueError) as exc:
        raise fail(exc) from None
    click.echo(json.dumps({"fetched": result.total("fetched"), "not_modified": result.total("not_modified"),
                           "new_documents": result.total("new_documents"),
                           "changed_documents": result.total("changed_documents"),
                           "errors": result.errors(), "seconds": round(result.elapsed, 1)}, sort_keys=True))


@click.command()
@click.option("--crawl-every", metavar="DURATION",
              help="Crawl every source at this interval instead of its own `every` (e.g. 30m).")
@click.option("--analyse-every", metavar="DURATION",
              help="Interval of analysis and alert delivery (default 5m).")
@click.option("--digest-every", metavar="DURATION", hidden=True,
              help="Send the digest on this interval instead of daily (tests).")
@click.option("--stop-after", type=float, metavar="SECONDS", hidden=True,
              help="Stop by itself after SECONDS (tests).")
@click.pass_context
def schedule(ctx: click.Context, crawl_every: str | None, analyse_every: str | None,
             digest_every: str | None, stop_after: float | None) -> None:
    """Run the long-lived scheduler until SIGTERM or Ctrl-C.

    Each source is crawled on its own `every` interval (default [crawl] every), analysis
    and alert delivery run every few minutes, the digest daily at [digest] at. Jobs are
    kept in the database, so a restart does not duplicate them; passes share the lock
    with `atrisk run`, so cron and the scheduler never overlap.

    Example: atrisk -v --log-file data/atrisk.log schedule
    """
    from scheduler import interval_overrides_from, serve

    try:
        overrides = interval_overrides_from(crawl_every, analyse_every, digest_every)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    serve(app_of(ctx), interval_overrides=overrides, stop_after=stop_after)


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Serve the bundled sample site on 127.0.0.1 and run a full pass into a fresh database.

    Example: atrisk demo
    """
    from cli.demo import run_demo

    run_demo(ctx.obj["app"], progress_display)

