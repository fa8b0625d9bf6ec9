"""One full pass for cron (`atrisk run`), and the long-running scheduler (`atrisk schedule`).

Every pass, whether started by cron or by a scheduled job, takes the pass lock, writes
a ``runs`` row with its counters, and leaves nothing half-written: documents are
stored one transaction each, pending analysis is a database state, alerts go through a
claimed outbox, operator and digest notices through the ``notices`` table. A pass killed
at any point is completed by the next one; its ``runs`` row is marked ``interrupted``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.analysis.analyse import analyse_pending
from pipeline.app import App
from pipeline.redact import RedactingFilter, mask_text
from pipeline.sources import load_sources, parse_duration
from pipeline.storage.lock import AlreadyRunning, PassLock
from pipeline.storage.models import FetchState, Run
from pipeline.storage.store import sync_sources, utcnow

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, dict[str, Any]], None]

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
    *,
    crawl: bool = True,
    progress: ProgressFn | None = None,
    command: str = "run",
    only: Sequence[str] = (),
    analyse: bool = True,
    alerts: bool = True,
    digest: bool = True,
    stop: threading.Event | None = None,
) -> PassResult:
    """Crawl (every source, or those in ``only``), analyse what is pending, deliver alerts,
    send the digest when due, purge old page text when ``[storage] retain_text_days`` is set.

    The stage flags let the scheduler run each stage as its own job. ``stop``, when set,
    ends the pass early at a point where nothing is half-written (status ``stopped``).
    Raises AlreadyRunning when another pass holds the lock.
    """
    notify = progress or (lambda _stage, _info: None)
    sources = load_sources(app.sources_path)  # invalid config stops before any work
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
            if crawl and sources and analyse:
                status = _crawl_beside_analysis(app, run_id, only, notify, stop, counters, errors)
            elif crawl and sources:
                status = _crawl_stage(app, run_id, only, notify, counters, errors)
            _check(stop)
            if crawl or analyse:
                _notices_stage(app, counters)
            if analyse and not (crawl and sources):
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
                        counters, errors, refetch=crawl)
            raise
        _finish_run(app, run_id, status, counters, errors)
    return PassResult(run_id, status, counters, errors, time.monotonic() - started)


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise Stopping


def _crawl_stage(app: App, run_id: int, only: Sequence[str], notify: ProgressFn,
                 counters: dict[str, Any], errors: dict[str, int]) -> str:
    """Crawl in a child process, then update source health. Returns the pass status so far."""
    from crawler.crawl import CrawlError, run_crawl
    from pipeline.delivery.health import update_health

    try:
        result = run_crawl(app.db_url or "", app.sources_path, app.config_path, run_id,
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
    if result.reason == "shutdown":
        # stopped by a signal: links of the pages it fetched may not all be followed
        with app.db.session() as s:
            started = s.get_one(Run, run_id).started_at
            _refetch_in_full(s, started)
        log.warning("crawl stopped before the end; the next crawl completes it")
        return STOPPED
    return OK


def _crawl_beside_analysis(app: App, run_id: int, only: Sequence[str], notify: ProgressFn,
                           stop: threading.Event | None, counters: dict[str, Any],
                           errors: dict[str, int]) -> str:
    """Crawl (its own process) while this process analyses the documents it stores.

    The crawl child and the model each keep one core busy, so the pass takes about as
    long as the analysis alone. Analysis follows the crawl until it has ended and
    everything it stored is analysed. Returns the crawl's status.
    """
    outcome: dict[str, Any] = {}

    def crawl_job() -> None:
        try:
            outcome["status"] = _crawl_stage(app, run_id, only, notify, counters, errors)
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
                     "model_loaded": analysed.model_loaded})
    if analysed.errors:
        errors["analysis"] = analysed.errors


def deliver(app: App) -> dict[str, Any]:
    """Alert delivery from the outbox (which also writes the alert feed)."""
    from pipeline.delivery import alerts

    res = alerts.deliver_pending(app.db, app.config)
    return {"alerts_sent": res.sent, "alerts_failed": res.failed, "alerts_pending": res.pending}


def deliver_digest_if_due(app: App, now: datetime | None = None) -> dict[str, Any]:
    """The daily digest, once its time has passed; at most once per day (``notices``)."""
    from pipeline.reports import digest

    day = digest.digest_due(app.db, app.config, now)
    if day is None:
        return {}
    delivered = digest.deliver_digest(app.db, app.config, day)
    return {"digest": day.isoformat(), "digest_delivered": delivered}


# --- the long-running scheduler ----------------------------------------------------------

JOBS_TABLE = "apscheduler_jobs"
ANALYSE_EVERY = 300  # seconds between analysis + alert delivery jobs
LOCK_RETRY = timedelta(minutes=5)  # a crawl skipped because the lock was held is retried
DIGEST_GRACE = 6 * 3600


@dataclass(frozen=True)
class _Context:
    """How jobs of this scheduler process open the project (never stored in the job store)."""

    db_url: str | None
    sources_path: str | None
    watchlist_path: str | None
    config_path: str | None

    def app(self) -> App:
        # a fresh App per job: config and watchlist edits apply without a restart
        return App(self.db_url, self.sources_path, self.watchlist_path, self.config_path)


_context: _Context | None = None
_scheduler: Any = None
_stop = threading.Event()


def _run_job(job_id: str, command: str, **stages: Any) -> None:
    """Body of every job: one pass with some stages, skipped when the lock is held."""
    if _stop.is_set():
        return  # queued before shutdown began: leave it for the next start
    if _context is None:
        log.error("job %s ran outside `atrisk schedule`; skipped", job_id)
        return
    app = _context.app()
    try:
        result = run_pass(app, command=command, stop=_stop, **stages)
        log.info("job %s: pass %d %s in %.1fs %s", job_id, result.run_id, result.status,
                 result.seconds, _brief(result))
    except AlreadyRunning as exc:
        log.warning("job %s skipped: %s", job_id, exc)
        if command == "crawl" and _scheduler is not None and not _stop.is_set():
            retry = datetime.now(UTC) + LOCK_RETRY
            try:
                _scheduler.modify_job(job_id, next_run_time=retry)
                log.info("job %s will try again at %s", job_id, retry.isoformat(timespec="seconds"))
            except Exception as exc2:  # the job may have been removed meanwhile
                log.warning("job %s: cannot reschedule: %s", job_id, exc2)
    except Exception as exc:
        log.exception("job %s failed: %s", job_id, mask_text(str(exc)))
    finally:
        app.close()


def _brief(result: PassResult) -> str:
    keys = ("fetched", "new_documents", "changed_documents", "analysed", "events", "alerts_sent",
            "digest")
    return " ".join(f"{k}={result.counters[k]}" for k in keys if result.counters.get(k))


def crawl_source_job(source_name: str) -> None:
    """Scheduled job: crawl one source and update its health."""
    _run_job(f"crawl:{source_name}", "crawl", crawl=True, only=(source_name,), analyse=False,
             alerts=False, digest=False)


def analyse_job() -> None:
    """Scheduled job: analyse pending documents, deliver alerts, retry operator notices."""
    _run_job("analyse", "analyse", crawl=False, analyse=True, alerts=True, digest=False)


def digest_job() -> None:
    """Scheduled job: the daily digest (sent once per day whatever triggers it)."""
    _run_job("digest", "digest", crawl=False, analyse=False, alerts=False, digest=True)


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[..., None]
    args: tuple
    trigger: Any
    grace: int
    run_now: bool  # first start: run at once instead of after one interval


def planned_jobs(app: App, interval_overrides: dict[str, float] | None = None) -> list[JobSpec]:
    """The jobs `atrisk schedule` keeps: one crawl per source, analysis, the digest.

    ``interval_overrides`` (seconds) replaces the intervals: key ``crawl`` for every
    source (or ``crawl:NAME``), ``analyse``, and ``digest`` (an interval instead of the
    daily time; for tests).
    """
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    over = interval_overrides or {}
    default_every = parse_duration(app.config.crawl.every)
    specs = []
    for src in load_sources(app.sources_path):
        every = over.get(f"crawl:{src.name}", over.get("crawl", src.every_seconds or default_every))
        specs.append(JobSpec(f"crawl:{src.name}", crawl_source_job, (src.name,),
                             IntervalTrigger(seconds=every, timezone=UTC),
                             max(int(every), 30), True))
    every = over.get("analyse", ANALYSE_EVERY)
    specs.append(JobSpec("analyse", analyse_job, (), IntervalTrigger(seconds=every, timezone=UTC),
                         max(int(every), 30), True))
    if "digest" in over:
        trigger: Any = IntervalTrigger(seconds=over["digest"], timezone=UTC)
    else:
        hour, minute = (int(x) for x in app.config.digest.at.split(":"))
        trigger = CronTrigger(hour=hour, minute=minute, timezone=app.config.digest.timezone)
    specs.append(JobSpec("digest", digest_job, (), trigger, DIGEST_GRACE, False))
    return specs


def _same_trigger(a: Any, b: Any) -> bool:
    if type(a) is not type(b) or str(a.timezone) != str(b.timezone):
        return False
    if hasattr(a, "interval"):
        return bool(a.interval == b.interval)
    return str(a) == str(b)


def reconcile_jobs(scheduler: Any, specs: list[JobSpec]) -> dict[str, str]:
    """Make the job store hold exactly ``specs``; unchanged jobs keep their next run time.

    Returns job id -> what happened (kept, added, replaced, removed).
    """
    now = datetime.now(UTC)
    done: dict[str, str] = {}
    wanted = {s.id for s in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
            done[job.id] = "removed"
    for spec in specs:
        opts = {"max_instances": 1, "coalesce": True, "misfire_grace_time": spec.grace}
        job = scheduler.get_job(spec.id)
        ref = f"{spec.func.__module__}:{spec.func.__qualname__}"
        if job is not None and job.func_ref == ref and tuple(job.args) == spec.args \
                and _same_trigger(job.trigger, spec.trigger):
            if any(getattr(job, k) != v for k, v in opts.items()):
                scheduler.modify_job(spec.id, **opts)
            done[spec.id] = "kept"
            continue
        if job is not None and job.next_run_time is not None:
            later = spec.trigger.get_next_fire_time(None, now)
            first = min(job.next_run_time, later) if later else job.next_run_time
        else:
            first = now if spec.run_now else spec.trigger.get_next_fire_time(None, now)
        scheduler.add_job(spec.func, spec.trigger, args=spec.args, id=spec.id, name=spec.id,
                          replace_existing=True, next_run_time=first, **opts)
        done[spec.id] = "replaced" if job is not None else "added"
    return done


def _crawl_children() -> list[int]:
    """Child processes running a crawl (Linux /proc), so a shutdown can stop them gracefully."""
    pids: list[int] = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    out = []
    for pid in pids:
        try:
            if b"crawler.crawl" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.append(pid)
        except OSError:
            continue
    return out


def open_job_store(app: App) -> Any:
    """A started, paused scheduler whose jobs live in the app's database (``apscheduler_jobs``).

    Jobs run one at a time in a thread of this process: SQLite has one writer, and passes
    share one lock anyway. Call :func:`resume` on it to start processing jobs.
    """
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.db.engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        timezone=UTC,
        daemon=False,
    )

    def on_event(event: Any) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s (the process was busy or down)",
                        event.job_id, event.scheduled_run_time)
        elif event.exception is not None:
            log.error("job %s raised: %s", event.job_id, mask_text(str(event.exception)))

    scheduler.add_listener(on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    return scheduler


def close_job_store(scheduler: Any, *, wait: bool = True) -> None:
    """Stop taking jobs, let the running one finish (``wait``), and shut down.

    The job store is detached first: APScheduler 3 looks for due jobs once more while
    shutting down, and would move their next run time past a run that never happens.
    """
    scheduler.pause()
    scheduler.remove_jobstore("default", shutdown=False)
    scheduler.shutdown(wait=wait)


def serve(app: App, *, interval_overrides: dict[str, float] | None = None,
          stop_after: float | None = None) -> None:
    """Run the scheduler until SIGTERM or SIGINT (or ``stop_after`` seconds).

    Jobs run one at a time in this process (crawls in a child process each), and take
    the pass lock like `atrisk run`, so cron passes and scheduled jobs never overlap. On
    a stop signal the running job finishes at a safe point: a crawl child is asked to
    stop (Scrapy closes cleanly), analysis stops after the document being written, and
    jobs not yet started are left for the next start.
    """
    global _context, _scheduler
    specs = planned_jobs(app, interval_overrides)  # bad sources or config: fail before starting
    _context = _Context(app.db_url, app.sources_path, app.watchlist_path, app.config_path)
    _stop.clear()
    scheduler = open_job_store(app)
    _scheduler = scheduler
    wakeup = threading.Event()
    previous = _install_signal_handlers(wakeup)
    try:
        changes = reconcile_jobs(scheduler, specs)
        for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
            log.info("job %s (%s): next run %s", job.id, changes.get(job.id, "kept"),
                     job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "-")
        for job_id, what in changes.items():
            if what == "removed":
                log.info("job %s removed: its source is no longer configured", job_id)
        scheduler.resume()
        log.info("scheduler running with %d jobs; stop with SIGTERM or Ctrl-C", len(specs))
        wakeup.wait(stop_after)
    finally:
        _stop.set()
        for pid in _crawl_children():
            log.info("asking crawl process %d to stop", pid)
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        log.info("scheduler stopping: waiting for the running job to reach a safe point")
        close_job_store(scheduler)
        _restore_signal_handlers(previous)
        _scheduler = None
        _context = None
        log.info("scheduler stopped")


def _install_signal_handlers(wakeup: threading.Event) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        if wakeup.is_set():
            return
        log.info("received %s; stopping", signal.Signals(signum).name)
        wakeup.set()

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for sig, old in previous.items():
        signal.signal(sig, old)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scheduler``: the scheduler without the `atrisk` command (same options)."""
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=serve.__doc__)
    parser.add_argument("--db")
    parser.add_argument("--sources")
    parser.add_argument("--watchlist")
    parser.add_argument("--config")
    parser.add_argument("--crawl-every", help="override every source's interval (e.g. 10m)")
    parser.add_argument("--analyse-every", help="interval of analysis and delivery (default 5m)")
    parser.add_argument("--digest-every", help="send the digest on an interval (tests)")
    parser.add_argument("--stop-after", type=float, help="stop by itself after SECONDS")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else logging.INFO,
                        handlers=[handler])
    logging.getLogger("apscheduler").setLevel(logging.INFO if args.verbose else logging.WARNING)
    overrides = interval_overrides_from(args.crawl_every, args.analyse_every, args.digest_every)
    app = App(args.db, args.sources, args.watchlist, args.config)
    try:
        serve(app, interval_overrides=overrides, stop_after=args.stop_after)
    finally:
        app.close()
    return 0


def interval_overrides_from(crawl_every: str | None = None, analyse_every: str | None = None,
                            digest_every: str | None = None) -> dict[str, float]:
    """Durations such as ``10m`` from command-line options, as ``serve`` overrides."""
    out: dict[str, float] = {}
    for key, value in (("crawl", crawl_every), ("analyse", analyse_every), ("digest", digest_every)):
        if value:
            out[key] = float(parse_duration(value))
    return out


if __name__ == "__main__":
    # run the imported module's main, so jobs refer to `scheduler:...`, not `__main__:...`
    from scheduler import main as _main

    sys.exit(_main())
