"""One full pass (crawl, analyse, alert, digest) for cron, and the long-running scheduler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crawler.sources import load_sources
from pipeline import alerts
from pipeline.analyse import analyse_pending
from pipeline.app import App
from pipeline.lock import PassLock
from pipeline.models import Run
from pipeline.store import sync_sources, utcnow

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, dict[str, Any]], None]


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
        run = Run(started_at=utcnow(), status="running", command=command, counters={}, errors={})
        s.add(run)
        s.flush()
        return run.id


def _finish_run(app: App, run_id: int, status: str, counters: dict, errors: dict) -> None:
    with app.db.session() as s:
        run = s.get(Run, run_id)
        if run is None:
            return
        run.finished_at = utcnow()
        run.status = status
        run.counters = counters
        run.errors = errors


def close_abandoned_runs(app: App) -> int:
    """Runs left 'running' by a killed process are marked 'interrupted' (we hold the lock)."""
    with app.db.session() as s:
        rows = list(s.scalars(select(Run).where(Run.status == "running")))
        for run in rows:
            run.status = "interrupted"
            run.finished_at = run.finished_at or utcnow()
        return len(rows)


def run_pass(app: App, *, crawl: bool = True, progress: ProgressFn | None = None,
             command: str = "run") -> PassResult:
    """Crawl every source, analyse what is pending, deliver alerts, send the digest when due.

    Raises AlreadyRunning when another pass holds the lock.
    """
    notify = progress or (lambda _stage, _info: None)
    sources = load_sources(app.sources_path)  # invalid config stops before any work
    config, watchlist = app.config, app.watchlist
    started = time.monotonic()
    with PassLock(app.db, app.data_dir):
        close_abandoned_runs(app)
        run_id = _start_run(app, command)
        counters: dict[str, Any] = {}
        errors: dict[str, int] = {}
        status = "ok"
        try:
            sync_sources(app.db, sources)
            if crawl and sources:
                from crawler.crawl import run_crawl

                result = run_crawl(app.db_url, app.sources_path, app.config_path, run_id,
                                   on_progress=lambda ev: notify("crawl", ev))
                counters.update(result.totals())
                errors.update(result.errors())
            analysed = analyse_pending(
                app.db, watchlist, config,
                on_progress=lambda done, total: notify("analyse", {"done": done, "total": total}),
            )
            counters.update({"analysed": analysed.documents, "mentions": analysed.mentions,
                             "events": analysed.events, "new_events": analysed.new_events,
                             "alerts_queued": analysed.alerts,
                             "not_analysed_language": analysed.skipped_language,
                             "model_loaded": analysed.model_loaded})
            if analysed.errors:
                errors["analysis"] = analysed.errors
            counters.update(deliver(app))
        except BaseException:
            status = "failed"
            _finish_run(app, run_id, status, counters, errors)
            raise
        _finish_run(app, run_id, status, counters, errors)
    return PassResult(run_id, status, counters, errors, time.monotonic() - started)


def deliver(app: App) -> dict[str, Any]:
    """Alert delivery, the alert feed, and the digest when it is due."""
    out: dict[str, Any] = {}
    if hasattr(alerts, "deliver_pending"):
        res = alerts.deliver_pending(app.db, app.config)
        out["alerts_sent"] = res.sent
        out["alerts_failed"] = res.failed
        alerts.write_feed(app.db, app.data_dir / "alerts.xml")
    return out
