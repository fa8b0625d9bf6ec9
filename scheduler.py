"""`atrisk schedule`: the long-running APScheduler daemon.

Jobs (one crawl per source, analysis and delivery, the daily digest) live in the
database (``apscheduler_jobs``), so a restart neither loses nor duplicates them. Each
job is one :func:`pipeline.passes.run_pass` with some stages; they run one at a time
in a thread of this process and take the pass lock like `atrisk run`, so cron and the
scheduler never overlap. The daemon holds the process handle of the crawl child it
started, and on SIGTERM asks that child to stop (Scrapy closes cleanly), lets analysis
stop after the document being written, and leaves jobs not yet started for the next start.

The job store refers to job functions by module path: ``scheduler:crawl_source_job``,
``scheduler:analyse_job`` and ``scheduler:digest_job`` are stable entry points. They
only say which pass a job wants (a :class:`PassRequest`); the daemon's executor runs it.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor

from pipeline.app import App
from pipeline.durations import parse_duration
from pipeline.passes import PassResult, run_pass
from pipeline.redact import mask_text
from pipeline.sources import load_sources
from pipeline.storage.items import CrawlResult
from pipeline.storage.lock import AlreadyRunning

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
ANALYSE_EVERY = 300  # seconds between analysis + alert delivery jobs
LOCK_RETRY = timedelta(minutes=5)  # a crawl skipped because the lock was held is retried
DIGEST_GRACE = 6 * 3600


@dataclass(frozen=True)
class PassRequest:
    """What one job asks for: a pass with some stages (the arguments of ``run_pass``)."""

    job_id: str
    command: str
    crawl: bool = False
    only: tuple[str, ...] = ()
    analyse: bool = False
    alerts: bool = False
    digest: bool = False


# -- stable job entry points (the job store names them by module path) -----------------

def crawl_source_job(source_name: str) -> PassRequest:
    """Scheduled job: crawl one source and update its health."""
    return PassRequest(f"crawl:{source_name}", "crawl", crawl=True, only=(source_name,))


def analyse_job() -> PassRequest:
    """Scheduled job: analyse pending documents, deliver alerts, retry operator notices."""
    return PassRequest("analyse", "analyse", analyse=True, alerts=True)


def digest_job() -> PassRequest:
    """Scheduled job: the daily digest (sent once per day whatever triggers it)."""
    return PassRequest("digest", "digest", digest=True)


class _BoundJob:
    """A job whose function's request is run by ``run`` (everything else is the job's own)."""

    def __init__(self, job: Any, run: Callable[[PassRequest], None]) -> None:
        self._job = job
        self._run = run

    @property
    def func(self) -> Callable[..., None]:
        return lambda *args, **kwargs: self._run(self._job.func(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class DaemonExecutor(ThreadPoolExecutor):
    """One thread; each job's :class:`PassRequest` goes to the daemon that owns the executor."""

    def __init__(self, run: Callable[[PassRequest], None]) -> None:
        super().__init__(max_workers=1)
        self._run = run

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        super()._do_submit_job(_BoundJob(job, self._run), run_times)


def _brief(result: PassResult) -> str:
    keys = ("fetched", "new_documents", "changed_documents", "analysed", "events", "alerts_sent",
            "digest")
    return " ".join(f"{k}={result.counters[k]}" for k in keys if result.counters.get(k))



@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[..., PassRequest]
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


def open_job_store(app: App, run: Callable[[PassRequest], None] | None = None) -> Any:
    """A started, paused scheduler whose jobs live in the app's database (``apscheduler_jobs``).

    Jobs run one at a time in a thread of this process: SQLite has one writer, and passes
    share one lock anyway. Their requests go to ``run`` (without it, a job only returns its
    request: the store can be read and reconciled). Call ``resume()`` to start processing.
    """
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.db.engine, tablename=JOBS_TABLE)},
        executors={"default": DaemonExecutor(run) if run else ThreadPoolExecutor(max_workers=1)},
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


@dataclass
class Daemon:
    """The scheduler process: its job store, its stop flag and its crawl child's handle."""

    app: App
    interval_overrides: dict[str, float] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    scheduler: Any = None
    _child: subprocess.Popen | None = None
    _child_lock: threading.Lock = field(default_factory=threading.Lock)

    def fresh_app(self) -> App:
        # a fresh App per job: config and watchlist edits apply without a restart
        a = self.app
        return App(a.db_url, a.sources_path, a.watchlist_path, a.config_path)

    # the crawl runner of this daemon's passes: run_crawl, keeping the child's handle
    def crawl(self, db_url: str, sources_path: str | None, config_path: str | None,
              run_id: int | None, on_progress: Callable[[dict], None] | None = None, *,
              only: Sequence[str] = ()) -> CrawlResult:
        from crawler.crawl import run_crawl

        try:
            return run_crawl(db_url, sources_path, config_path, run_id, on_progress, only=only,
                             on_start=self._crawl_started)
        finally:
            with self._child_lock:
                self._child = None

    def _crawl_started(self, proc: subprocess.Popen) -> None:
        with self._child_lock:
            self._child = proc
        if self.stopping.is_set():  # the stop signal came while the child was starting
            self.stop_crawl()

    def stop_crawl(self) -> None:
        """Ask the running crawl child (if any) to stop: SIGTERM, Scrapy closes cleanly."""
        with self._child_lock:
            proc = self._child
        if proc is not None and proc.poll() is None:
            log.info("asking crawl process %d to stop", proc.pid)
            try:
                proc.send_signal(signal.SIGTERM)
            except OSError:
                pass

    def run(self, request: PassRequest) -> None:
        """Body of every job: one pass with some stages, skipped when the lock is held."""
        if self.stopping.is_set():
            return  # queued before shutdown began: leave it for the next start
        app = self.fresh_app()
        try:
            result = run_pass(app, self.crawl if request.crawl else None, command=request.command,
                              stop=self.stopping, only=request.only, analyse=request.analyse,
                              alerts=request.alerts, digest=request.digest)
            log.info("job %s: pass %d %s in %.1fs %s", request.job_id, result.run_id, result.status,
                     result.seconds, _brief(result))
        except AlreadyRunning as exc:
            log.warning("job %s skipped: %s", request.job_id, exc)
            if request.command == "crawl":
                self._retry_later(request.job_id)
        except Exception as exc:
            log.exception("job %s failed: %s", request.job_id, mask_text(str(exc)))
        finally:
            app.close()

    def _retry_later(self, job_id: str) -> None:
        if self.scheduler is None or self.stopping.is_set():
            return
        retry = datetime.now(UTC) + LOCK_RETRY
        try:
            self.scheduler.modify_job(job_id, next_run_time=retry)
            log.info("job %s will try again at %s", job_id, retry.isoformat(timespec="seconds"))
        except Exception as exc:  # the job may have been removed meanwhile
            log.warning("job %s: cannot reschedule: %s", job_id, exc)

    def serve(self, stop_after: float | None = None) -> None:
        """Run until SIGTERM or SIGINT (or ``stop_after`` seconds)."""
        specs = planned_jobs(self.app, self.interval_overrides)  # bad sources or config: fail first
        _ = self.app.watchlist  # and a bad watchlist, not hours later in the first analysis job
        self.stopping.clear()
        self.scheduler = scheduler = open_job_store(self.app, run=self.run)
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
            self.stopping.set()
            self.stop_crawl()
            log.info("scheduler stopping: waiting for the running job to reach a safe point")
            close_job_store(scheduler)
            _restore_signal_handlers(previous)
            self.scheduler = None
            log.info("scheduler stopped")


def serve(app: App, *, interval_overrides: dict[str, float] | None = None,
          stop_after: float | None = None) -> None:
    """Run the scheduler for ``app`` until SIGTERM or SIGINT (or ``stop_after`` seconds)."""
    Daemon(app, dict(interval_overrides or {})).serve(stop_after)


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


def interval_overrides_from(crawl_every: str | None = None, analyse_every: str | None = None,
                            digest_every: str | None = None) -> dict[str, float]:
    """Durations such as ``10m`` from command-line options, as ``serve`` overrides."""
    out: dict[str, float] = {}
    for key, value in (("crawl", crawl_every), ("analyse", analyse_every), ("digest", digest_every)):
        if value:
            out[key] = float(parse_duration(value))
    return out
