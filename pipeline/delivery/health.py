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
from pipeline.delivery.sender import channel_of, send
from pipeline.redact import mask_text, mask_url
from pipeline.storage.db import Database
from pipeline.storage.models import FetchState, Notice, Run, Source, SourceRun
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)

FAILING, STALE = "failing", "stale"
RECOVERED = "recovered"
NOTICE_KIND = "operator"
LOG_CHANNEL = "log"  # no operator URL configured: the notice goes to the log only
MAX_NOTICE_ATTEMPTS = 10


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


def _notice_key(source_id: int, what: str, since: datetime, channel: str) -> str:
    return f"health:{source_id}:{what}:{_stamp(since)}:{channel}"


def _parse_key(key: str) -> tuple[int, str, datetime] | None:
    try:
        _, sid, what, since, _channel = key.split(":")
        return int(sid), what, datetime.strptime(since, "%Y%m%dT%H%M%S%f")
    except ValueError:
        return None


def _queue(s: Session, config: Config, source: Source, what: str, since: datetime,
           now: datetime) -> None:
    channels = [channel_of(u) for u in config.operator.urls] or [LOG_CHANNEL]
    for channel in channels:
        key = _notice_key(source.id, what, since, channel)
        if s.scalar(select(Notice.id).where(Notice.key == key)) is None:
            s.add(Notice(key=key, kind=NOTICE_KIND, status="pending", attempts=0, created_at=now))


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
    """Send every pending operator notice; returns how many were sent (or logged).

    Runs under the pass lock, so no other process sends the same row.
    """
    by_channel = {channel_of(u): u for u in config.operator.urls}
    sent = 0
    with db.sessions() as s:
        ids = list(s.scalars(select(Notice.id).where(Notice.kind == NOTICE_KIND,
                                                     Notice.status == "pending")
                             .order_by(Notice.id)))
    for notice_id in ids:
        with db.session() as s:
            notice = s.get(Notice, notice_id)
            if notice is None or notice.status != "pending":
                continue
            parsed = _parse_key(notice.key)
            source = s.get(Source, parsed[0]) if parsed else None
            if parsed is None or source is None:
                notice.status = "cancelled"
                continue
            _, what, since = parsed
            title, body, kind = render_notice(s, source, what, since, config)
            channel = notice.key.rsplit(":", 1)[1]
        if channel == LOG_CHANNEL:
            log.warning("%s (no [operator] urls configured)\n%s", title, body)
            error = None
        elif channel not in by_channel:
            error = "operator URL no longer configured"
        else:
            error = send(by_channel[channel], title, body, notify_type=kind)
        with db.session() as s:
            notice = s.get(Notice, notice_id)
            if notice is None:
                continue
            notice.attempts = (notice.attempts or 0) + 1
            if error is None:
                notice.status = "sent"
                notice.sent_at = now or utcnow()
                notice.last_error = None
                sent += 1
                log.info("operator notice sent: %s", title)
            elif channel not in by_channel and channel != LOG_CHANNEL:
                notice.status = "cancelled"
                notice.last_error = error
            else:
                notice.last_error = mask_text(error)
                if notice.attempts >= MAX_NOTICE_ATTEMPTS:
                    notice.status = "failed"
                log.warning("operator notice %r not delivered (attempt %d): %s", title,
                            notice.attempts, mask_text(error))
    return sent
