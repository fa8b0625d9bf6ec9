"""One crawl pass in a child process, with progress streamed back as JSON lines.

Scrapy's reactor cannot be restarted inside a process, and the scheduler runs
many passes, so :func:`run_crawl` starts ``python -m crawler.crawl`` for each
pass. The child writes one JSON object per line on its standard output:

* ``{"event": "start", "sources": [names]}``
* ``{"event": "page", "source", "url", "kind", "status", "outcome"}`` for each page
  (outcome: new, changed, unchanged, not_modified, recorded)
* ``{"event": "error", "source", "url", "kind", "status", "error", "message"}`` for
  each failure (error: a kind from ``pipeline.storage.items.FAILURE_KINDS``)
* ``{"event": "done", "counters": {source: counters}, "reason": ...}`` at the end

and logs on standard error. It exits 0 when the pass ran, whatever pages failed,
and 2 when the crawl could not run at all (bad sources, database unreachable).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from pipeline.redact import RedactingFilter, mask_text
from pipeline.storage.items import CrawlError, CrawlResult, FetchFailure

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Benchmarks only: no politeness delay towards loopback hosts.
BENCH_NO_DELAY_ENV = "ATRISK_BENCH_NO_DELAY"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
EXIT_CANNOT_RUN = 2


# -- parent side -----------------------------------------------------------------------

def read_events(
    lines: Iterable[str], on_progress: Callable[[dict], None] | None = None
) -> tuple[CrawlResult, bool]:
    """The result a crawl child reports on its standard output, and whether it said it was done.

    Every event also goes to ``on_progress`` as it arrives.
    """
    result = CrawlResult()
    done = False
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            log.warning("crawl: unexpected output: %s", mask_text(line.rstrip()))
            continue
        if event.get("event") == "error":
            result.failures.append(FetchFailure(event.get("source", ""), event.get("url", ""),
                                                event.get("error", ""), event.get("status"),
                                                event.get("message", "")))
        elif event.get("event") == "done":
            result.counters = event.get("counters", {})
            result.reason = event.get("reason", "")
            done = True
        if on_progress is not None:
            on_progress(event)
    return result, done


def run_crawl(
    db_url: str,
    sources_path: str | None = None,
    config_path: str | None = None,
    run_id: int | None = None,
    on_progress: Callable[[dict], None] | None = None,
    *,
    only: Sequence[str] = (),
    update_health: bool = True,
    on_start: Callable[[subprocess.Popen], None] | None = None,
) -> CrawlResult:
    """Crawl every source (or those in ``only``) once, in a child process.

    Progress events go to ``on_progress`` as they arrive. At the end the source
    rows get their health (``last_crawled_at``, ``last_success_at``,
    ``consecutive_failures``) and, when ``run_id`` is given, one ``SourceRun`` row
    each. Raises :class:`CrawlError` when the child could not run the pass.
    ``on_start`` receives the child's process handle as soon as it runs (the scheduler
    keeps it to stop the crawl gracefully on shutdown).
    """
    # the URL travels in the environment: a password on the command line shows in `ps`
    cmd = [sys.executable, "-m", "crawler.crawl"]
    if sources_path:
        cmd += ["--sources", str(sources_path)]
    if config_path:
        cmd += ["--config", str(config_path)]
    for name in only:
        cmd += ["--source", name]
    env = dict(os.environ)
    env["ATRISK_DB"] = db_url
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=os.getcwd(), text=True, encoding="utf-8", errors="replace")
    assert proc.stdout is not None and proc.stderr is not None
    if on_start is not None:
        on_start(proc)
    tail: list[str] = []
    relay = threading.Thread(target=_relay_log, args=(proc.stderr, tail), daemon=True)
    relay.start()
    watchdog = _watchdog(proc, config_path)
    try:
        result, done = read_events(proc.stdout, on_progress)
        code = proc.wait()
    finally:
        if watchdog is not None:
            watchdog.cancel()
    relay.join(timeout=5)
    result.elapsed = time.monotonic() - started
    if code != 0 or not done:
        detail = " | ".join(tail[-5:])
        raise CrawlError(f"the crawl process failed (exit code {code}): {mask_text(detail)}")
    if update_health:
        from pipeline.storage.store import record_source_runs

        record_source_runs(db_url, result.counters, run_id)
    return result


KILL_GRACE = 120  # seconds past the crawl deadline before a child that did not stop is killed


def _watchdog(proc: subprocess.Popen[str], config_path: str | None) -> threading.Timer | None:
    """Kill the child if it outlives ``[crawl] max_seconds`` (its own graceful stop) by KILL_GRACE."""
    from pipeline.config import load_config

    limit = load_config(config_path).crawl.max_seconds
    if not limit:
        return None

    def kill() -> None:
        if proc.poll() is None:
            log.error("the crawl process outlived its %ss deadline by %ss; killing it", limit, KILL_GRACE)
            proc.kill()

    timer = threading.Timer(limit + KILL_GRACE, kill)
    timer.daemon = True
    timer.start()
    return timer


def _relay_log(stream: IO[str], tail: list[str]) -> None:
    """Re-log the child's log lines ("LEVEL logger: message") through this process's logging."""
    child = logging.getLogger("crawler.child")
    level = logging.INFO
    for raw in stream:
        line = raw.rstrip("\n")
        if not line:
            continue
        level_name, _, rest = line.partition(" ")
        named = logging.getLevelName(level_name)
        if isinstance(named, int):
            level = named
        else:  # continuation of a multi-line record: keep its level
            rest = line
        child.log(level, "%s", rest)
        tail.append(line)
        del tail[:-20]


# -- child side ------------------------------------------------------------------------

def crawl_settings(config: Any, *, db_url: str, sources_path: str | None, only: Sequence[str],
                   log_level: str = "INFO") -> Any:
    """Scrapy settings: crawler/settings.py overridden from the config file."""
    from scrapy.settings import Settings

    c = config.crawl
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "USER_AGENT": c.user_agent_string,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_domain,
        "DOWNLOAD_DELAY": c.download_delay,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 0.0),
        "DOWNLOAD_TIMEOUT": c.timeout,
        "RETRY_TIMES": c.retries,
        "RETRY_ENABLED": c.retries > 0,
        "DOWNLOAD_MAXSIZE": c.max_page_bytes,
        "ATRISK_MAX_PAGES": c.max_pages,
        "ATRISK_MAX_DEPTH": c.max_depth,
        # Scrapy's CloseSpider extension: the crawl's overall deadline
        "CLOSESPIDER_TIMEOUT": c.max_seconds,
        "ATRISK_DB_URL": db_url,
        "ATRISK_SOURCES_PATH": sources_path,
        "ATRISK_SOURCE_NAMES": list(only),
        "LOG_LEVEL": log_level,
    }
    if os.environ.get(BENCH_NO_DELAY_ENV) == "1":
        overrides["ATRISK_NO_DELAY_HOSTS"] = list(LOOPBACK_HOSTS)
        overrides["DOWNLOAD_SLOTS"] = {
            h: {"delay": 0.0, "jitter": 0, "concurrency": 16} for h in LOOPBACK_HOSTS
        }
    settings.setdict(overrides, priority="cmdline")
    return settings


class _Events:
    """JSON lines on the real standard output; everything else printed goes to stderr."""

    def __init__(self) -> None:
        self._out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
        sys.stdout.flush()
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def emit(self, event: dict) -> None:
        self._out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
        self._out.flush()


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # one line per request is too much at INFO; failures are logged by the store
    for noisy in ("scrapy.core.engine", "scrapy.core.scraper", "scrapy.middleware", "scrapy.addons",
                  "scrapy.crawler", "scrapy.utils.log", "scrapy.statscollectors", "alembic",
                  "py.warnings"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _page_event(item: Any) -> dict:
    base = {"source": item.source, "url": item.url, "kind": item.kind, "status": item.status}
    if item.error:
        return {"event": "error", **base, "error": item.error, "message": mask_text(item.message)}
    return {"event": "page", **base, "outcome": item.outcome}


def child_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.crawl",
        description="Run one crawl pass over the configured sources and print progress as JSON lines.",
        epilog="Example: python -m crawler.crawl --db sqlite:///data/atrisk.db --sources sources.toml",
    )
    parser.add_argument("--db", help="database URL (default: ATRISK_DB or sqlite:///data/atrisk.db)")
    parser.add_argument("--sources", help="sources file (default: ATRISK_SOURCES or the packaged one)")
    parser.add_argument("--config", help="config file (default: ATRISK_CONFIG)")
    parser.add_argument("--source", action="append", default=[], metavar="NAME",
                        help="crawl only this source (repeatable)")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)

    events = _Events()
    _configure_logging(args.log_level.upper())
    try:
        # Scrapy's TLS modules build deprecated aliases with inspect.stack() when imported; here
        # the stack is 18 frames deep, inside the reactor 36 (0.07 s of CPU against 0.16 s)
        import scrapy.core.downloader.handlers.http11  # noqa: F401
        from scrapy.crawler import CrawlerProcess

        from crawler.spiders.watch import WatchSpider, select_sources
        from pipeline.config import load_config
        from pipeline.sources import load_sources
        from pipeline.storage.db import open_database, resolve_url

        db_url = resolve_url(args.db)
        config = load_config(args.config)
        names = [s.name for s in select_sources(load_sources(args.sources), args.source)]
        open_database(db_url).dispose()  # create or upgrade the schema before the reactor starts
        settings = crawl_settings(config, db_url=db_url, sources_path=args.sources, only=args.source,
                                  log_level=args.log_level.upper())
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(WatchSpider)
        _configure_logging(args.log_level.upper())  # Scrapy resets logger levels on start
    except Exception as exc:
        log.error("the crawl cannot run: %s", mask_text(str(exc)))
        events.emit({"event": "fatal", "message": mask_text(str(exc))})
        return EXIT_CANNOT_RUN

    return drive_crawler(process, crawler, events, names, what="the crawl")


def drive_crawler(process: Any, crawler: Any, events: _Events, names: list[str], *, what: str,
                  start: dict[str, Any] | None = None) -> int:
    """Run a prepared Scrapy crawler to its end, reporting each page and the final counters."""
    from scrapy import signals

    from crawler.pipelines import counters_from_stats, empty_counters

    outcome: dict[str, Any] = {}
    crawler.signals.connect(lambda item, response=None, spider=None: events.emit(_page_event(item)),
                            signal=signals.item_scraped, weak=False)
    crawler.signals.connect(lambda spider, reason: outcome.__setitem__("reason", reason),
                            signal=signals.spider_closed, weak=False)
    events.emit({"event": "start", "sources": names, **(start or {})})
    def failed(failure: Any) -> None:  # a spider that cannot start fails this Deferred silently
        outcome["error"] = mask_text(failure.getErrorMessage())
        log.error("%s: the spider could not start: %s", what, outcome["error"])

    try:
        process.crawl(crawler).addErrback(failed)
        process.start()
    except Exception as exc:
        log.exception("%s stopped: %s", what, mask_text(str(exc)))
        events.emit({"event": "fatal", "message": mask_text(str(exc))})
        return EXIT_CANNOT_RUN
    if "reason" not in outcome:
        message = "the spider did not run" + (f": {outcome['error']}" if "error" in outcome else "")
        events.emit({"event": "fatal", "message": message})
        return EXIT_CANNOT_RUN
    counters = counters_from_stats(crawler.stats.get_stats() if crawler.stats else {})
    for name in names:
        counters.setdefault(name, empty_counters())
    events.emit({"event": "done", "counters": counters, "reason": outcome["reason"]})
    return 0


if __name__ == "__main__":
    exit_code = child_main()
    logging.shutdown()
    sys.stderr.flush()
    # nothing is left to clean up (the store closed the database); interpreter
    # teardown of Scrapy, lxml and trafilatura would only add a second per pass
    os._exit(exit_code)
