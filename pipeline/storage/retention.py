"""Keeping the database small: stored page text of old documents can be dropped.

Only the text goes. Mentions, events, alerts and the content hash stay, so an old page
seen again is recognised as unchanged (not re-fetched into storage, not re-analysed)
and every export, digest and case file still shows what it reported.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, update

from pipeline.storage.db import Database
from pipeline.storage.models import Document
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)


def purge_old_text(db: Database, days: int, *, now: datetime | None = None) -> int:
    """Clear the stored text of documents first seen and last changed more than ``days`` ago.

    Documents still waiting for analysis keep their text (analysis needs it); they are
    purged by a later pass once analysed. Returns the number of documents purged.
    """
    if days < 0:
        raise ValueError("retain_text_days must be zero or more")
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.session() as s:
        res = s.execute(
            update(Document)
            .where(
                and_(
                    Document.text_purged.is_(False),
                    Document.text.is_not(None),
                    Document.first_seen_at < cutoff,
                    Document.updated_at < cutoff,
                    # analysed (or settled as unanalysable) for the text it has now
                    Document.analysed_hash == Document.content_hash,
                )
            )
            .values(text=None, text_purged=True)
            .execution_options(synchronize_session=False)
        )
        n = int(res.rowcount or 0)  # type: ignore[attr-defined]
    if n:
        log.info("stored text of %d document(s) older than %d days removed", n, days)
    return n
