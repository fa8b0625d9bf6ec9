"""The one outbox: every message atrisk sends (alerts, operator notices, digests) is a row of
the ``alerts`` table, delivered here with claims, leases and backoff through the one sender.

A row is claimed with a conditional UPDATE (pending -> sending) committed before
anything is sent, so two deliveries running at once never send the same row. A process
that dies after a send but before recording it leaves the row in 'sending'; once its
lease has expired a later delivery sends it again, with the same stable id, so receivers
can drop the repeat. A failed row waits ``base * 2**attempts`` (capped at MAX_BACKOFF)
and gives up after ``max_attempts``; the other rows of a channel that just failed wait
as long. Rows are told apart by ``route``: alert routes (``alerts`` or a
``[[alerts.routes]]`` name) and the reserved ``@operator`` and ``@digest``.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipeline.delivery.sender import Sender
from pipeline.redact import mask_text, mask_url
from pipeline.storage.db import Database
from pipeline.storage.models import DIGEST_ROUTE, OPERATOR_ROUTE, Alert  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
HELD = "held"  # waits for an analyst's confirmation ([alerts] review = "first")
# Every matching alert also gets a row on this pseudo-channel: it is what the Atom
# feed shows, so the feed has entries even when no URL is configured.
FEED_CHANNEL = "feed"
# No URL configured: the message goes to the log (operator notices)
LOG_CHANNEL = "log"
DEFAULT_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Retry:
    """How often a failed row is tried again: ``max_attempts`` in all, waiting base * 2**n."""

    max_attempts: int
    base_seconds: int


@dataclass(frozen=True)
class Message:
    """One send: where (the URL, possibly carrying the row's id), what, and how."""

    url: str
    title: str
    body: str
    body_format: str = "text"
    notify_type: str = "info"
    cache: bool = True  # False when the URL is this row's alone


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery pass did: rows sent and failed attempts in this pass, rows still pending."""

    sent: int
    failed: int
    pending: int
    unknown: Counter[str] = field(default_factory=Counter)  # channel -> rows without a URL


def alert_rows() -> Any:
    """Rows of alerts (not operator notices or digests)."""
    return ~Alert.route.startswith("@")


def route_rows(route: str) -> Any:
    return Alert.route == route


def utcnow() -> datetime:
    """Naive UTC timestamp (the database stores UTC without zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value



def insert_ignoring_duplicates(session: Session, row: dict[str, Any]) -> bool:
    """Insert an outbox row unless (alert_id, channel) exists; True when inserted."""
    table = cast(Table, Alert.__table__)
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(table).values(**row).on_conflict_do_nothing(
            index_elements=["alert_id", "channel"]
        ).returning(table.c.id)
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT that returns its key
        return session.execute(stmt).first() is not None
    found = session.scalar(
        select(Alert.id).where(Alert.alert_id == row["alert_id"], Alert.channel == row["channel"])
    )
    if found is not None:
        return False
    session.execute(table.insert().values(**row))
    return True


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due_rows(db: Database, kind: Any, now: datetime, lease: timedelta) -> list[tuple[int, str]]:
    with db.session() as s:
        rows = s.execute(
            select(Alert.id, Alert.channel)
            .where(kind, Alert.channel != FEED_CHANNEL, or_(_due(now), _abandoned(now, lease)))
            .order_by(Alert.id)
        ).all()
    return [(r[0], r[1]) for r in rows]


def _due(now: datetime) -> Any:
    return and_(
        Alert.status == PENDING,
        or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
    )


def _abandoned(now: datetime, lease: timedelta) -> Any:
    # a claim older than the lease belongs to a pass that died
    return and_(Alert.status == SENDING, Alert.claimed_at < now - lease)


def _claim(db: Database, row_id: int, worker: str, now: datetime,
           lease: timedelta) -> tuple[dict[str, Any], int, bool] | None:
    """Atomically take one row; (payload, attempts, reclaimed) when it is ours, else None."""
    with db.session() as s:
        reclaimed = False
        for condition in (_due(now), _abandoned(now, lease)):
            res = cast(CursorResult, s.execute(
                update(Alert)
                .where(Alert.id == row_id, condition)
                .values(status=SENDING, claimed_by=worker, claimed_at=now)
                .execution_options(synchronize_session=False)
            ))
            if res.rowcount == 1:
                break
            reclaimed = True
        else:
            return None
        payload, attempts = s.execute(
            select(Alert.payload, Alert.attempts).where(Alert.id == row_id)
        ).one()
    return dict(payload), int(attempts), reclaimed


def _mark_sent(db: Database, row_id: int, worker: str, now: datetime) -> None:
    with db.session() as s:
        s.execute(
            update(Alert)
            .where(Alert.id == row_id, Alert.claimed_by == worker, Alert.status == SENDING)
            .values(status=SENT, sent_at=now, attempts=Alert.attempts + 1, last_error=None,
                    next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )


def backoff(attempts_before: int, base_seconds: int) -> timedelta:
    """Wait before the next try after a failure: base * 2**attempts, capped at MAX_BACKOFF."""
    seconds = base_seconds * (2 ** min(attempts_before, 30))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def _mark_failed(db: Database, row_id: int, worker: str, now: datetime, attempts_before: int,
                 error: str, retry: Retry) -> tuple[str, datetime]:
    attempts = attempts_before + 1
    status = FAILED if attempts >= retry.max_attempts else PENDING
    next_at = now + backoff(attempts_before, retry.base_seconds)
    with db.session() as s:
        s.execute(
            update(Alert)
            .where(Alert.id == row_id, Alert.claimed_by == worker, Alert.status == SENDING)
            .values(status=status, attempts=attempts, last_error=mask_text(error),
                    next_attempt_at=None if status == FAILED else next_at,
                    claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
    return status, next_at


def _defer_channel(db: Database, kind: Any, channel: str, until: datetime) -> None:
    """Rows of a channel that just failed wait like the failed one (without using an attempt)."""
    with db.session() as s:
        s.execute(
            update(Alert)
            .where(kind, Alert.channel == channel, Alert.status == PENDING,
                   or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at < until))
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )


def deliver(
    db: Database,
    kind: Any,
    channels: dict[str, str | None],
    compose: Callable[[dict[str, Any], str], Message],
    retry: Retry,
    *,
    now: datetime | None = None,
    worker_id: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
    sender: Sender | None = None,
    describe: Callable[[dict[str, Any]], str] = lambda payload: str(payload.get("alert_id")),
) -> DeliveryResult:
    """Deliver every due row matching ``kind`` (see :func:`alert_rows`, :func:`route_rows`) once.

    ``channels`` maps a channel key to its URL (None: write the message to the log);
    rows of a channel not in it stay pending and are counted in ``unknown``.
    ``compose(payload, url)`` is the message of one row. Safe to run in several
    processes at once. A channel that fails is not tried again in the same pass.
    """
    worker = (worker_id or default_worker_id())[:64]
    sender = sender or Sender()
    unknown: Counter[str] = Counter()
    down: dict[str, datetime] = {}  # channel -> when to try it again
    sent = failed = 0

    for row_id, channel in _due_rows(db, kind, naive_utc(now), lease):
        if channel not in channels:
            unknown[channel] += 1
            continue
        if channel in down:
            continue
        claimed = _claim(db, row_id, worker, naive_utc(now), lease)
        if claimed is None:
            continue  # another delivery took it
        payload, attempts, reclaimed = claimed
        url = channels[channel]
        where = mask_url(url) if url else "the log"
        if reclaimed:
            log.warning("%s on %s was left unconfirmed by an interrupted delivery; sending it again "
                        "with the same id", describe(payload), where)
        if url is None:
            message = compose(payload, "")
            log.warning("%s\n%s", message.title, message.body)
            error = None
        else:
            message = compose(payload, url)
            error = sender.send(message.url, message.title, message.body, body_format=message.body_format,
                                notify_type=message.notify_type, cache=message.cache)
        done = naive_utc(now)
        if error is None:
            _mark_sent(db, row_id, worker, done)
            sent += 1
            log.info("%s sent to %s", describe(payload), where)
            continue
        failed += 1
        status, retry_at = _mark_failed(db, row_id, worker, done, attempts, error, retry)
        down[channel] = retry_at
        log.warning("%s to %s failed, attempt %d of %d: %s%s", describe(payload), where, attempts + 1,
                    retry.max_attempts, mask_text(error),
                    "; giving up" if status == FAILED else "; will retry")

    for channel, retry_at in down.items():
        _defer_channel(db, kind, channel, retry_at)
    with db.session() as s:
        pending = s.scalar(
            select(func.count()).select_from(Alert)
            .where(kind, Alert.status == PENDING, Alert.channel != FEED_CHANNEL)
        ) or 0
    return DeliveryResult(sent=sent, failed=failed, pending=int(pending), unknown=unknown)


def enqueue(session: Session, message_id: str, channel: str, route: str, payload: dict[str, Any],
            now: datetime, *, event_id: int | None = None, status: str = PENDING) -> bool:
    """Put one message for one channel in the outbox unless it is there; True when added."""
    return insert_ignoring_duplicates(session, {
        "alert_id": message_id, "event_id": event_id, "channel": channel, "route": route,
        "payload": payload, "status": status, "attempts": 0, "created_at": now,
        "sent_at": now if status == SENT else None,
    })


def cancel(db: Database, kind: Any, channels: list[str], reason: str) -> int:
    """Cancel the pending rows of ``kind`` on ``channels`` (their URL is gone); how many."""
    with db.session() as s:
        res = cast(CursorResult, s.execute(
            update(Alert)
            .where(kind, Alert.channel.in_(channels), Alert.status == PENDING)
            .values(status=CANCELLED, last_error=reason, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        ))
        return int(res.rowcount or 0)


def statuses(session: Session, kind: Any, message_id: str | None = None) -> dict[str, str]:
    """channel -> status of the rows matching ``kind`` (and ``message_id``)."""
    q = select(Alert.channel, Alert.status).where(kind)
    if message_id is not None:
        q = q.where(Alert.alert_id == message_id)
    return {c: st for c, st in session.execute(q).all()}


def outbox_counts(db: Database, kind: Any = None) -> dict[str, int]:
    """Number of delivery rows per status (feed entries not counted), of ``kind`` (default: alerts)."""
    with db.session() as s:
        rows = s.execute(
            select(Alert.status, func.count()).where(alert_rows() if kind is None else kind,
                                                     Alert.channel != FEED_CHANNEL)
            .group_by(Alert.status)
        ).all()
    return {status: int(n) for status, n in rows}
