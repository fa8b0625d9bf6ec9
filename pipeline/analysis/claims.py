"""The queue of pending documents: which are pending, claims that hand them to one worker,
and the record of a failed analysis."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update

from pipeline.storage.db import Database
from pipeline.storage.models import Document
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)

CHUNK = 256  # documents claimed at a time by default (callers pass their own size)


def _pending_filter():  # noqa: ANN202 - SQLAlchemy expression
    return or_(Document.analysed_hash.is_(None), Document.analysed_hash != Document.content_hash)


def count_pending(db: Database) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(Document).where(_pending_filter())) or 0


def mark_all_pending(db: Database) -> int:
    """Queue every stored document for re-analysis (after a watchlist or model change)."""
    with db.session() as s:
        res = s.execute(update(Document).where(Document.text.is_not(None))
                        .values(analysed_hash=None, analysis_attempts=0, analysis_parked_at=None,
                                analysis_note=None))
        return int(getattr(res, "rowcount", 0) or 0)


def record_failure(db: Database, doc_id: int, token: str | None, error: str,
                   max_attempts: int) -> tuple[bool, str | None]:
    """One failed analysis of a document: (parked now, its URL).

    The attempt and the error are recorded and the claim released; the document is
    tried again on a later pass (not in this one), and after ``max_attempts`` failures
    it is parked: left out of analysis until its text changes or ``atrisk reprocess``.
    """
    try:
        with db.session() as s:
            doc = s.get(Document, doc_id)
            if doc is None or (token is not None and doc.claimed_by != token):
                return False, None
            doc.analysis_attempts = (doc.analysis_attempts or 0) + 1
            doc.analysis_error = error[:2000]
            doc.claimed_by = doc.claimed_at = None
            parked = doc.analysis_attempts >= max_attempts
            if parked:
                doc.analysis_parked_at = utcnow()
                doc.analysed = False
                doc.analysed_hash = doc.content_hash  # not pending until the text changes
            url = doc.url
    except Exception as exc:  # the database itself failing: the claim's lease runs out
        log.error("cannot record the failed analysis of document %s: %s", doc_id, exc)
        return False, None
    if parked:
        log.error("analysis of %s failed %d times; parked until its text changes: %s",
                  url, max_attempts, error)
    else:
        log.error("analysis of %s failed (attempt %d of %d; tried again next pass): %s",
                  url, doc.analysis_attempts, max_attempts, error)
    return parked, url


class Claims:
    """Hands out chunks of pending documents to one worker, never to two at once.

    A chunk is claimed with one UPDATE (atomic on SQLite; ``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL), so several ``atrisk analyse`` workers can share one database. Claims of
    a worker that died expire after ``lease``; those of dead processes on this host are
    released at once.
    """

    def __init__(self, db: Database, lease: timedelta = timedelta(minutes=30)) -> None:
        self.db = db
        self.lease = lease
        # host:pid:random, so two workers in one process never share claims
        self.prefix = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._n = 0

    def release_dead_local_claims(self) -> int:
        host = socket.gethostname()
        released = 0
        with self.db.session() as s:
            rows = s.execute(select(Document.id, Document.claimed_by)
                             .where(Document.claimed_by.like(f"{host}:%"))).all()
            dead = [doc_id for doc_id, token in rows if not _alive(int(str(token).split(":")[1]))]
            if dead:
                s.execute(update(Document).where(Document.id.in_(dead))
                          .values(claimed_by=None, claimed_at=None))
                released = len(dead)
        return released

    def next_chunk(self, size: int = CHUNK, exclude: set[int] | None = None,
                   ) -> tuple[str, list[tuple[int, str, date | None, str | None]]]:
        """Claim up to ``size`` pending documents (never those in ``exclude``)."""
        self._n += 1
        token = f"{self.prefix}:{self._n}"
        now = utcnow()
        free = or_(Document.claimed_by.is_(None), Document.claimed_at < now - self.lease)
        candidates = select(Document.id).where(_pending_filter(), free)
        if exclude:
            candidates = candidates.where(Document.id.not_in(sorted(exclude)))
        candidates = candidates.order_by(Document.id).limit(size)
        if not self.db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        with self.db.session() as s:
            s.execute(update(Document).where(Document.id.in_(candidates.scalar_subquery()))
                      .values(claimed_by=token, claimed_at=now).execution_options(synchronize_session=False))
        with self.db.sessions() as s:
            rows = s.execute(
                select(Document.id, Document.text, Document.published, Document.language)
                .where(Document.claimed_by == token).order_by(Document.id)
            ).all()
        return token, [tuple(r) for r in rows]  # type: ignore[misc]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != 0
