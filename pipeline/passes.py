"""One full pass as a library function: crawl, analyse, alert, digest when due.

`atrisk run` (cron), `atrisk demo` and the scheduler's jobs all call :func:`run_pass`,
each with its own crawl runner (``crawler.crawl.run_crawl``, or the scheduler's, which
keeps the child's process handle to stop it on shutdown). Every pass takes the pass lock, writes
a ``runs`` row with its counters, and leaves nothing half-written: documents are
stored one transaction each, pending analysis is a database state, alerts go through a
claimed outbox, operator and digest notices through the ``notices`` table. A pass killed
at any point is completed by the next one; its ``runs`` row is marked ``interrupted``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.analysis.analyse import analyse_pending
from pipeline.app import App
from pipeline.redact import mask_text
from pipeline.sources import load_sources
from pipeline.storage.items import CrawlError, CrawlResult
from pipeline.storage.lock import PassLock
from pipeline.storage.models import FetchState, Run
from pipeline.storage.store import sync_sources, utcnow

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, dict[str, Any]], None]


class CrawlRunner(Protocol):
    """Crawls once (every source, or those in ``only``) and reports per-source counters.

    ``crawler.crawl.run_crawl`` is one; it raises :class:`CrawlError` when the crawl
    could not run, and records source health and the pass's ``SourceRun`` rows.
    """

    def __call__(self, db_url: str, sources_path: str | None, config_path: str | None,
                 run_id: int | None, on_progress: Callable[[dict], None] | None = None, *,
                 only: Sequence[str] = ()) -> CrawlResult: ...

CRAWL_COUNTERS = ("fetched", "not_modified", "new_documents", "changed_documents", "unchanged",
                  "failed", "capped", "entry_ok", "entry_failed")
OK, FAILED, STOPPED, INTERRUPTED, CRAWL_FAILED = "ok", "failed", "stopped", "interrupted", "crawl_failed"


class Stopping(Exception):
    """The scheduler is shutting down; the pass stops between two committed documents."""


@dataclass
class PassResult:
    run_id: int
    status: str
    counters: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {"run": self.run_id, "status": self.status, "seconds": round(self.seconds, 2),
                **self.counters, "errors": self.errors}


def _start_run(app: App, command: str) -> int:
    with app.db.session() as s:
        run = Run(started_at=utcnow(), status="running", command=command[:30], counters={},
                  errors={})
        s.add(run)
        s.flush()
        return run.id


def _finish_run(app: App, run_id: int, status: str, counters: dict, errors: dict, *,
                refetch: bool = False) -> None:
    with app.db.session() as s:
        run = s.get(Run, run_id)
        if run is None:
            return
        if refetch:  # the crawl may have stopped half-way
            _refetch_in_full(s, run.started_at)
        run.finished_at = utcnow()
        run.status = status
        run.counters = counters
        run.errors = errors


def close_abandoned_runs(app: App) -> int:
    """Runs left 'running' by a killed process are marked 'interrupted' (we hold the lock).

    Pages that pass fetched may not have had their links followed yet. A conditional
    request would get a 304 for them and follow nothing, and an unchanged body would
    only have its never-requested links followed (not those of a half-read child
    sitemap), so their validators and body hashes are dropped: the next crawl reads
    them in full once more. Stored documents are matched by content hash, so nothing is
    stored or analysed twice.
    """
    with app.db.session() as s:
        rows = list(s.scalars(select(Run).where(Run.status == "running")))
        for run in rows:
            run.status = INTERRUPTED
            run.finished_at = run.finished_at or utcnow()
            reset = _refetch_in_full(s, run.started_at)
            log.warning("pass %d (%s, started %s) was interrupted; this pass completes its work "
                        "(%d page(s) it fetched are requested again in full)", run.id, run.command,
                        run.started_at.isoformat(timespec="seconds"), reset)
        return len(rows)


def _refetch_in_full(s: Session, since: datetime) -> int:
    """Forget validators and body hashes of pages fetched since ``since`` by an unfinished pass."""
    res = s.execute(
        update(FetchState)
        .where(FetchState.last_fetched_at >= since)
        .values(etag=None, last_modified=None, body_hash=None)
        .execution_options(synchronize_session=False)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def run_pass(
    app: App,
    crawl: CrawlRunner | None,
    *,
    progress: ProgressFn | None = None,
    command: str = "run",
    only: Sequence[str] = (),
    analyse: bool = True,
    alerts: bool = True,
    digest: bool = True,
    stop: threading.Event | None = None,
) -> PassResult:
    """Crawl with ``crawl`` (every source, or those in ``only``; ``None``: no crawl), analyse
    what is pending, deliver alerts, send the digest when due, purge old page text when
    ``[storage] retain_text_days`` is set.

    The stage flags let the scheduler run each stage as its own job. ``stop``, when set,
    ends the pass early at a point where nothing is half-written (status ``stopped``).
    Raises AlreadyRunning when another pass holds the lock.
    """
    notify = progress or (lambda _stage, _info: None)
    # invalid sources, config or watchlist stop the pass before any page is fetched
    sources = load_sources(app.sources_path)
    _ = app.config
    if analyse:
        _ = app.watchlist
    started = time.monotonic()
    with PassLock(app.db, app.data_dir):
        close_abandoned_runs(app)
        run_id = _start_run(app, command)
        counters: dict[str, Any] = {}
        errors: dict[str, int] = {}
        status = OK
        if only:
            counters["sources"] = list(only)
        try:
            sync_sources(app.db, sources)
            if crawl is not None and sources and analyse:
                status = _crawl_beside_analysis(app, crawl, run_id, only, notify, stop, counters,
                                                    errors)
            elif crawl is not None and sources:
                status = _crawl_stage(app, crawl, run_id, only, notify, counters, errors)
            _check(stop)
            if crawl is not None or analyse:
                _notices_stage(app, counters)
            if analyse and not (crawl is not None and sources):
                _analyse_stage(app, notify, stop, counters, errors)
            _check(stop)
            if alerts:
                counters.update(deliver(app))
                if counters.get("alerts_failed"):
                    errors["alert_delivery"] = counters["alerts_failed"]
            if digest:
                counters.update(deliver_digest_if_due(app))
            if analyse and app.config.storage.retain_text_days is not None:
                from pipeline.storage.retention import purge_old_text

                counters["text_purged"] = purge_old_text(app.db, app.config.storage.retain_text_days)
        except Stopping:
            status = STOPPED
            log.warning("pass %d stopped early for shutdown; the rest is left pending", run_id)
        except BaseException as exc:
            _finish_run(app, run_id, INTERRUPTED if isinstance(exc, KeyboardInterrupt) else FAILED,
                        counters, errors, refetch=crawl is not None)
            raise
        _finish_run(app, run_id, status, counters, errors)
    return PassResult(run_id, status, counters, errors, time.monotonic() - started)


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise Stopping


def _crawl_stage(app: App, crawl: CrawlRunner, run_id: int, only: Sequence[str],
                 notify: ProgressFn, counters: dict[str, Any], errors: dict[str, int]) -> str:
    """Crawl (in a child process), then update source health. Returns the pass status so far."""
    from pipeline.delivery.health import update_health

    try:
        result = crawl(app.db_url or "", app.sources_path, app.config_path, run_id,
                       on_progress=lambda ev: notify("crawl", ev), only=tuple(only))
    except CrawlError as exc:
        # analysis and delivery of what earlier passes stored still run
        log.error("%s", mask_text(str(exc)))
        errors["crawl_process"] = 1
        with app.db.session() as s:
            _refetch_in_full(s, s.get_one(Run, run_id).started_at)
        return CRAWL_FAILED
    counters.update({k: result.total(k) for k in CRAWL_COUNTERS})
    for kind, n in result.errors().items():
        errors[kind] = errors.get(kind, 0) + n
    counters["crawl_seconds"] = round(result.elapsed, 2)
    report = update_health(app.db, app.config, list(result.counters))
    counters.update(report.as_counters())
    if result.reason == "closespider_timeout":
        # the deadline cut the crawl short: the pass goes on, the next crawl completes it
        errors["crawl_deadline"] = 1
        counters["crawl_deadline_seconds"] = app.config.crawl.max_seconds
        with app.db.session() as s:
            _refetch_in_full(s, s.get_one(Run, run_id).started_at)
        log.warning("crawl stopped at its deadline ([crawl] max_seconds = %s); the next crawl "
                    "completes it", app.config.crawl.max_seconds)
        return OK
    if result.reason == "shutdown":
        # stopped by a signal: links of the pages it fetched may not all be followed
        with app.db.session() as s:
            started = s.get_one(Run, run_id).started_at
            _refetch_in_full(s, started)
        log.warning("crawl stopped before the end; the next crawl completes it")
        return STOPPED
    return OK


def _crawl_beside_analysis(app: App, crawl: CrawlRunner, run_id: int, only: Sequence[str],
                           notify: ProgressFn, stop: threading.Event | None, counters: dict[str, Any],
                           errors: dict[str, int]) -> str:
    """Crawl (its own process) while this process analyses the documents it stores.

    The crawl child and the model each keep one core busy, so the pass takes about as
    long as the analysis alone. Analysis follows the crawl until it has ended and
    everything it stored is analysed. Returns the crawl's status.
    """
    outcome: dict[str, Any] = {}

    def crawl_job() -> None:
        try:
            outcome["status"] = _crawl_stage(app, crawl, run_id, only, notify, counters, errors)
        except BaseException as exc:  # re-raised in the pass's own thread
            outcome["error"] = exc

    crawling = threading.Thread(target=crawl_job, name="crawl", daemon=True)
    crawling.start()
    try:
        _analyse_stage(app, notify, stop, counters, errors, follow=crawling.is_alive)
    finally:
        crawling.join()
    if "error" in outcome:
        raise outcome["error"]
    return str(outcome["status"])


def _notices_stage(app: App, counters: dict[str, Any]) -> None:
    from pipeline.delivery.health import send_pending_notices

    sent = send_pending_notices(app.db, app.config)
    if sent:
        counters["operator_notices_sent"] = counters.get("operator_notices_sent", 0) + sent


def _analyse_stage(app: App, notify: ProgressFn, stop: threading.Event | None,
                   counters: dict[str, Any], errors: dict[str, int],
                   follow: Callable[[], bool] | None = None) -> None:
    def on_progress(done: int, total: int) -> None:
        notify("analyse", {"done": done, "total": total})
        _check(stop)  # after a committed document: stopping here loses nothing

    analysed = analyse_pending(app.db, app.watchlist, app.config, on_progress=on_progress,
                               follow=follow)
    counters.update({"analysed": analysed.documents, "mentions": analysed.mentions,
                     "events": analysed.events, "new_events": analysed.new_events,
                     "alerts_queued": analysed.alerts,
                     "not_analysed_language": analysed.skipped_language,
                     "analysis_failed": analysed.errors, "analysis_parked": analysed.parked,
                     "analysis_truncated": analysed.truncated,
                     "model_loaded": analysed.model_loaded})
    if analysed.errors:
        errors["analysis"] = errors.get("analysis", 0) + analysed.errors


def deliver(app: App) -> dict[str, Any]:
    """Alert delivery from the outbox (which also writes the alert feed)."""
    from pipeline.delivery import alerts

    res = alerts.deliver_pending(app.db, app.config)
    return {"alerts_sent": res.sent, "alerts_failed": res.failed, "alerts_pending": res.pending}


def deliver_digest_if_due(app: App, now: datetime | None = None) -> dict[str, Any]:
    """The daily digest, once its time has passed; at most once per day (``notices``)."""
    from pipeline.delivery import digests as digest

    day = digest.digest_due(app.db, app.config, now)
    if day is None:
        return {}
    delivered = digest.deliver_digest(app.db, app.config, day)
    return {"digest": day.isoformat(), "digest_delivered": delivered}
