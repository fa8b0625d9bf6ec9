"""The daily digest delivered: written to ``[digest].dir`` and sent to ``[digest].urls`` once a day.

Each day's message for each URL is a row of the one outbox (``pipeline.delivery.outbox``),
so a digest reaches each channel once and a failed channel is tried again with backoff
(up to ``MAX_ATTEMPTS``); a ``notices`` row records that the day is handled.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from pipeline.config import Config
from pipeline.delivery.outbox import (
    CANCELLED,
    DIGEST_ROUTE,
    FAILED,
    PENDING,
    SENT,
    Message,
    Retry,
    deliver,
    enqueue,
    route_rows,
)
from pipeline.delivery.sender import HTML, channel_of
from pipeline.reports.digest import (
    Digest,
    DigestError,
    build_digest,
    naive_utc,
    render_html,
    render_json,
    render_markdown,
    zone,
)
from pipeline.storage.db import Database
from pipeline.storage.models import Alert, Notice

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # failed deliveries of one day's digest to one channel before it is given up
RETRY_SECONDS = 60  # first wait after a failed delivery; doubled after each failure
_DONE = ("sent", "written", "failed")


def notice_key(day: date) -> str:
    return f"digest:{day.isoformat()}"


def write_digest(d: Digest, directory: str | Path) -> dict[str, Path]:
    """Write DATE.md, DATE.html and DATE.json (atomically) and return their paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stem = (d.day or d.local(d.end).date()).isoformat()
    bodies = {"md": render_markdown(d), "html": render_html(d),
              "json": json.dumps(render_json(d), ensure_ascii=False, indent=2) + "\n"}
    paths = {}
    for ext, body in bodies.items():
        path = folder / f"{stem}.{ext}"
        tmp = path.with_suffix(f".{ext}.tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)
        paths[ext] = path
    return paths


def _at(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise DigestError(f"[digest].at must be HH:MM, got {value!r}") from None


def digest_due(db: Database, config: Config, now: datetime | None = None) -> date | None:
    """The day whose digest is due: yesterday (local), once ``at`` has passed, unless handled."""
    current = now or datetime.now(UTC)
    if current.tzinfo is None:
        current = current.replace(tzinfo=UTC)
    local = current.astimezone(zone(config.digest.timezone))
    if local.time().replace(tzinfo=None) < _at(config.digest.at):
        return None
    day = local.date() - timedelta(days=1)
    with db.sessions() as s:
        status = s.scalar(select(Notice.status).where(Notice.key == notice_key(day)))
    return None if status in _DONE else day


def _notice(s: Session, key: str, now: datetime) -> Notice:
    row = s.scalar(select(Notice).where(Notice.key == key))
    if row is None:
        row = Notice(key=key, kind="digest", status="pending", attempts=0, created_at=now)
        s.add(row)
        s.flush()
    return row


def deliver_digest(db: Database, config: Config, day: date, *, now: datetime | None = None) -> bool:
    """Write the day's digest to ``[digest].dir`` and send it to the ``[digest]`` URLs, once.

    Each URL gets one outbox row for the day (claims, leases and backoff as for alerts);
    the ``notices`` row ``digest:DAY`` records that the day is handled. Returns True
    when it was delivered by this call (or written, with no URLs set); False when it had
    been handled already or a channel failed (tried again on a later call, up to
    MAX_ATTEMPTS). Each channel is sent to at most once per day.
    """
    current = naive_utc(now) if now else datetime.now(UTC).replace(tzinfo=None)
    key = notice_key(day)
    with db.session() as s:
        if _notice(s, key, current).status in _DONE:
            return False
    digest = build_digest(db, day=day, now=current, timezone=config.digest.timezone,
                          include_confidential=False)
    digest.base_url = config.web.base_url.rstrip("/")
    paths = write_digest(digest, config.digest.dir)
    log.info("digest for %s written to %s", day, paths["html"])
    title = f"atrisk digest {day.isoformat()}: {len(digest.events)} new event(s), " \
            f"{digest.document_count} new document(s)"
    channels: dict[str, str | None] = {channel_of(url): url for url in config.digest.urls}
    rows = and_(route_rows(DIGEST_ROUTE), Alert.alert_id == key)
    with db.session() as s:
        for channel in channels:
            legacy = s.scalar(select(Notice.status).where(Notice.key == f"{key}:{channel}"))
            enqueue(s, key, channel, DIGEST_ROUTE, {"id": key, "title": title, "body": render_html(digest)},
                    current, status=SENT if legacy == SENT else PENDING)  # sent by an older version

    def compose(payload: dict, url: str) -> Message:
        return Message(url, str(payload["title"]), str(payload["body"]), body_format=HTML, cache=False)

    deliver(db, rows, channels, compose, Retry(MAX_ATTEMPTS, RETRY_SECONDS), now=current,
            describe=lambda payload: f"digest for {day}")
    with db.session() as s:
        states = dict(s.execute(select(Alert.channel, Alert.status).where(rows)).tuples().all())
        errors = [e for (e,) in s.execute(select(Alert.last_error).where(rows, Alert.status != SENT)) if e]
        row = _notice(s, key, current)
        row.attempts += 1
        if all(states.get(c) == SENT for c in channels):
            row.status = "sent" if channels else "written"
            row.sent_at, row.last_error = current, None
            return True
        row.last_error = "; ".join(errors)[:2000] or "not delivered yet"
        if all(states.get(c) in (SENT, FAILED, CANCELLED) for c in channels):  # none left to try
            row.status = "failed"
            log.error("digest for %s given up after %s attempts: %s", day, MAX_ATTEMPTS, row.last_error)
        return False
