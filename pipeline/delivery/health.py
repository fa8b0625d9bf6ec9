"""Source health: is each watched site still yielding pages, and new ones?

The crawl keeps each source's counters (``consecutive_failures``: passes in a row in
which none of its entry points answered; ``last_success_at``; ``last_new_document_at``).
After each crawl this module turns them into incidents. The operator is told
(``[operator] urls`` / ``ATRISK_OPERATOR_URLS``, never the campaigners' alert channels)
when a source fails ``fail_after`` passes in a row or yields no new document for
``stale_days`` days, once per incident, and again once when it recovers.

Once-only: the incident is stored on the source and its notices are rows of the
``notices`` table (unique key per incident and channel) written in the same transaction,
then sent. A process killed between the two leaves the rows pending and the next pass
sends them; it never opens the same incident twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.config import Config
from pipeline.delivery.outbox import (
    LOG_CHANNEL,
    OPERATOR_ROUTE,
    Message,
    Retry,
    cancel,
    deliver,
    enqueue,
    route_rows,
)
from pipeline.delivery.sender import channel_of
from pipeline.redact import mask_text, mask_url
from pipeline.storage.db import Database
from pipeline.storage.models import FetchState, Notice, Run, Source, SourceRun
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)

FAILING, STALE = "failing", "stale"
RECOVERED = "recovered"
NOTICE_KIND = "operator"
MAX_NOTICE_ATTEMPTS = 10
NOTICE_RETRY_SECONDS = 60  # first wait after a failed notice; doubled after each failure


@dataclass
class HealthReport:
    """What one health update found and which notices it queued."""

    checked: int = 0
    failed: list[str] = field(default_factory=list)
    opened: list[tuple[str, str]] = field(default_factory=list)  # (source, incident)
    recovered: list[tuple[str, str]] = field(default_factory=list)

    def as_counters(self) -> dict[str, int]:
        return {"sources_failed": len(self.failed), "incidents_opened": len(self.opened),
                "incidents_recovered": len(self.recovered)}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%f")


def _notice_id(source_id: int, what: str, since: datetime) -> str:
    """Stable id of one notice: one source, one incident (or recovery), its start."""
    return f"health:{source_id}:{what}:{_stamp(since)}"


def _parse_legacy_key(key: str) -> tuple[int, str, datetime, str] | None:
    try:
        _, sid, what, since, channel = key.split(":")
        return int(sid), what, datetime.strptime(since, "%Y%m%dT%H%M%S%f"), channel
    except ValueError:
        return None


def _queue(s: Session, config: Config, source: Source, what: str, since: datetime,
           now: datetime) -> None:
    """The notice, rendered now, in the outbox once per operator channel (or for the log)."""
    title, body, kind = render_notice(s, source, what, since, config)
    notice_id = _notice_id(source.id, what, since)
    payload = {"id": notice_id, "title": title, "body": body, "notify_type": kind, "source": source.name}
    for channel in [channel_of(u) for u in config.operator.urls] or [LOG_CHANNEL]:
        enqueue(s, notice_id, channel, OPERATOR_ROUTE, payload, now)


def _first_crawl(s: Session, source_id: int) -> datetime | None:
    return s.scalar(
        select(func.min(Run.started_at))
        .join(SourceRun, SourceRun.run_id == Run.id)
        .where(SourceRun.source_id == source_id)
    )


def update_health(
    db: Database,
    config: Config,
    source_names: Iterable[str],
    *,
    now: datetime | None = None,
) -> HealthReport:
    """Open or close incidents of the sources just crawled; queue their operator notices.

    Reads what the crawl recorded on each source row: ``consecutive_failures`` (0 when
    an entry point answered in this pass), ``last_success_at`` and
    ``last_new_document_at``. One transaction per source: its incident and its notice
    rows change together.
    """
    now = now or utcnow()
    report = HealthReport()
    op = config.operator
    for name in source_names:
        with db.session() as s:
            source = s.scalar(select(Source).where(Source.name == name))
            if source is None:
                continue
            report.checked += 1
            failures = source.consecutive_failures or 0
            if failures:
                report.failed.append(name)
                log.warning("source %s: nothing could be fetched (%d failed pass(es) in a row)",
                            name, failures)
                if op.fail_after and failures >= op.fail_after and source.incident != FAILING:
                    _open(s, config, source, FAILING, now, report)
                continue
            if source.incident == FAILING:
                _close(s, config, source, now, report)
            elif source.incident == STALE and source.last_new_document_at is not None \
                    and source.incident_since is not None \
                    and source.last_new_document_at > source.incident_since:
                _close(s, config, source, now, report)
            if op.stale_days and source.incident is None:
                ref = source.last_new_document_at or _first_crawl(s, source.id)
                if ref is not None and now - ref >= timedelta(days=op.stale_days):
                    _open(s, config, source, STALE, now, report)
    return report


def _open(s: Session, config: Config, source: Source, incident: str, now: datetime,
          report: HealthReport) -> None:
    source.incident = incident
    source.incident_since = now
    _queue(s, config, source, incident, now, now)
    report.opened.append((source.name, incident))
    log.warning("source %s: %s incident opened", source.name, incident)


def _close(s: Session, config: Config, source: Source, now: datetime,
           report: HealthReport) -> None:
    incident, since = source.incident or FAILING, source.incident_since or now
    _queue(s, config, source, f"{RECOVERED}-{incident}", since, now)
    report.recovered.append((source.name, incident))
    log.warning("source %s: recovered from %s incident (open since %s)", source.name, incident,
                since.isoformat(timespec="minutes"))
    source.incident = None
    source.incident_since = None


def _entry_errors(s: Session, source_id: int) -> list[str]:
    rows = s.execute(
        select(FetchState.kind, FetchState.url, FetchState.last_status, FetchState.last_error)
        .where(FetchState.source_id == source_id, FetchState.kind != "article")
        .order_by(FetchState.url)
        .limit(10)
    ).all()
    out = []
    for kind, url, status, error in rows:
        what = error or (f"HTTP {status}" if status and status >= 400 else None)
        if what:
            out.append(f"  {kind} {mask_url(url)}: {what}")
    return out


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def render_notice(s: Session, source: Source, what: str, since: datetime,
                  config: Config) -> tuple[str, str, str]:
    """(title, body, apprise notify type) for one operator notice; secrets masked."""
    name = source.name
    if what == FAILING:
        title = f"atrisk: source '{name}' is failing"
        errors = _entry_errors(s, source.id)
        lines = [
            f"Nothing could be fetched from source '{name}' ({source.kind}) in "
            f"{source.consecutive_failures} pass(es) in a row; no feed, sitemap or start page "
            "answered.",
            f"Last success: {_when(source.last_success_at)}.",
            *(["Last errors:", *errors] if errors else []),
            "Check it with `atrisk sources check`; fix or remove its URLs in sources.toml.",
            "You will be told once when it works again.",
        ]
        kind = "failure"
    elif what == STALE:
        title = f"atrisk: no new documents from '{name}'"
        lines = [
            f"Source '{name}' ({source.kind}) still answers but has yielded no new document for "
            f"{config.operator.stale_days} day(s) or more.",
            f"Last new document: {_when(source.last_new_document_at)}.",
            "The site may have moved its feed, changed its page layout, or be quiet; check that "
            "its feeds and listing pages still link to new statements.",
        ]
        kind = "warning"
    else:
        incident = what.removeprefix(f"{RECOVERED}-")
        title = f"atrisk: source '{name}' works again"
        detail = ("pages can be fetched again" if incident == FAILING
                  else "it yields new documents again")
        lines = [
            f"Source '{name}' ({source.kind}) has recovered: {detail}.",
            f"The {incident} incident was open since {_when(since)}.",
            f"Last success: {_when(source.last_success_at)}; last new document: "
            f"{_when(source.last_new_document_at)}.",
        ]
        kind = "success"
    return mask_text(title), mask_text("\n".join(lines)), kind


def send_pending_notices(db: Database, config: Config, *, now: datetime | None = None) -> int:
    """Deliver due operator notices through the outbox; returns how many were sent (or logged).

    A notice whose operator URL is no longer configured is cancelled. A failed one is
    tried again with backoff, up to MAX_NOTICE_ATTEMPTS.
    """
    _adopt_legacy_notices(db, config, now or utcnow())
    channels: dict[str, str | None] = {channel_of(u): u for u in config.operator.urls}
    channels[LOG_CHANNEL] = None

    def compose(payload: dict, url: str) -> Message:
        title = str(payload.get("title"))
        if not url:
            title += " (no [operator] urls configured)"
        return Message(url, title, str(payload.get("body")), notify_type=str(payload.get("notify_type")))

    res = deliver(db, route_rows(OPERATOR_ROUTE), channels, compose,
                  Retry(MAX_NOTICE_ATTEMPTS, NOTICE_RETRY_SECONDS), now=now,
                  describe=lambda payload: f"operator notice {payload.get('title')!r}")
    if res.unknown:
        cancel(db, route_rows(OPERATOR_ROUTE), list(res.unknown), "operator URL no longer configured")
    return res.sent


def _adopt_legacy_notices(db: Database, config: Config, now: datetime) -> None:
    """Operator notices left pending in ``notices`` by an older version join the outbox once."""
    with db.session() as s:
        for notice in s.scalars(select(Notice).where(Notice.kind == NOTICE_KIND, Notice.status == "pending")):
            parsed = _parse_legacy_key(notice.key)
            source = s.get(Source, parsed[0]) if parsed else None
            notice.status = "moved"
            if parsed is None or source is None:
                continue
            _, what, since, channel = parsed
            title, body, kind = render_notice(s, source, what, since, config)
            notice_id = _notice_id(source.id, what, since)
            enqueue(s, notice_id, channel, OPERATOR_ROUTE,
                    {"id": notice_id, "title": title, "body": body, "notify_type": kind,
                     "source": source.name}, now)
