"""Idempotent writes: sources, fetch state, documents. One transaction per document."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.sources import SourceConfig
from pipeline.storage.db import Database, conflict_insert
from pipeline.storage.models import Document, FetchState, Source, SourceRun

if TYPE_CHECKING:  # an annotation only: extract.article imports trafilatura and dateparser
    from extract.article import Article  # (~0.4 s of CPU), which only the crawl child needs

log = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def utcnow() -> datetime:
    """Naive UTC timestamp (the database stores UTC without zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class KnownURL:
    """What a conditional request needs to know about a URL seen before."""

    etag: str | None
    last_modified: str | None
    body_hash: str | None
    last_status: int | None


def sync_sources(db: Database, sources: Iterable[SourceConfig]) -> dict[str, int]:
    """Make sure every configured source has a row; return name -> id."""
    ids: dict[str, int] = {}
    with db.session() as s:
        existing = {src.name: src for src in s.scalars(select(Source))}
        insert = conflict_insert(s)
        for cfg in sources:
            row = existing.get(cfg.name)
            if row is None and insert is not None:
                # crawl workers starting at once each meet the new source: one row wins
                s.execute(insert(Source).values(name=cfg.name, kind=cfg.kind, consecutive_failures=0)
                          .on_conflict_do_nothing(index_elements=["name"]))
                row = s.scalars(select(Source).where(Source.name == cfg.name)).one()
            elif row is None:
                row = Source(name=cfg.name, kind=cfg.kind, consecutive_failures=0)
                s.add(row)
                s.flush()
            if row.kind != cfg.kind:
                row.kind = cfg.kind
            ids[cfg.name] = row.id
    return ids


def known_urls(db: Database, source_id: int | None = None) -> dict[str, KnownURL]:
    """Fetch state of every URL requested before (for one source, or all)."""
    q = select(FetchState.url, FetchState.etag, FetchState.last_modified, FetchState.body_hash,
               FetchState.last_status)
    if source_id is not None:
        q = q.where(FetchState.source_id == source_id)
    with db.sessions() as s:
        return {url: KnownURL(etag, lm, bh, st) for url, etag, lm, bh, st in s.execute(q)}


def record_fetch(
    session: Session,
    url: str,
    *,
    source_id: int | None,
    kind: str,
    status: int | None,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
    error: str | None = None,
) -> None:
    """Remember what a request returned. Validators are kept from earlier on a 304."""
    row = session.scalar(select(FetchState).where(FetchState.url == url))
    now = utcnow()
    if row is None:
        row = FetchState(url=url, source_id=source_id, kind=kind, failures=0)
        session.add(row)
    row.kind = kind
    row.last_status = status
    row.last_fetched_at = now
    row.last_error = error
    if error:
        row.failures = (row.failures or 0) + 1
        return
    row.failures = 0
    if status == 304:
        return
    row.etag = etag
    row.last_modified = last_modified
    if body_hash is not None:
        row.body_hash = body_hash


def save_article(session: Session, article: Article, *, source_id: int | None) -> str:
    """Store an extracted article; NEW, CHANGED (text differs) or UNCHANGED."""
    url = article.url
    new_hash = article.text_hash
    doc = session.scalar(select(Document).where(Document.url == url))
    now = utcnow()
    if doc is not None and doc.content_hash == new_hash:
        return UNCHANGED
    status = NEW if doc is None else CHANGED
    if doc is None:
        doc = Document(url=url, source_id=source_id, first_seen_at=now, analysed=False)
        session.add(doc)
    doc.title = article.title
    doc.author = article.author
    doc.published = article.published or doc.published
    doc.language = article.language
    doc.text = article.text
    doc.content_hash = new_hash
    doc.simhash = None  # near-duplicate signature, computed when a digest needs it
    doc.updated_at = now
    doc.text_purged = False
    # a new text gets a fresh analysis: earlier failures, parking and notes were about the old one
    doc.analysis_attempts = 0
    doc.analysis_parked_at = None
    doc.analysis_note = None
    if source_id is not None and doc.source_id is None:
        doc.source_id = source_id
    if status == NEW and source_id is not None:
        session.execute(update(Source).where(Source.id == source_id).values(last_new_document_at=now))
    return status



def refresh_statistics(db: Database) -> None:
    """Give SQLite's query planner current table statistics (PostgreSQL's autovacuum does this).

    Without them SQLite reads a day's mentions through the entity index, all of them:
    seconds instead of milliseconds on a year of documents. Sampling keeps this to a
    few tens of milliseconds however large the database.
    """
    if not db.is_sqlite:
        return
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")


def record_source_runs(db_url: str, counters: dict[str, dict[str, Any]], run_id: int | None) -> None:
    """Source health after a pass and, with a ``run_id``, one SourceRun row per source.

    A source succeeded when at least one of its entry points answered (200 or 304):
    its ``consecutive_failures`` is reset. Otherwise the count goes up by one.
    """
    db = Database(db_url)  # the crawl itself created or upgraded the schema
    try:
        now = utcnow()
        with db.session() as s:
            rows = {src.name: src for src in s.scalars(select(Source).where(Source.name.in_(list(counters))))}
            for name, c in counters.items():
                row = rows.get(name)
                if row is None:
                    continue
                row.last_crawled_at = now
                if c.get("entry_ok", 0) > 0:
                    row.consecutive_failures = 0
                    row.last_success_at = now
                else:
                    row.consecutive_failures = (row.consecutive_failures or 0) + 1
                if run_id is None:
                    continue
                run = s.scalar(select(SourceRun).where(SourceRun.run_id == run_id,
                                                       SourceRun.source_id == row.id))
                if run is None:
                    run = SourceRun(run_id=run_id, source_id=row.id)
                    s.add(run)
                run.fetched = c.get("fetched", 0)
                run.not_modified = c.get("not_modified", 0)
                run.new_documents = c.get("new_documents", 0)
                run.changed_documents = c.get("changed_documents", 0)
                run.failed = c.get("failed", 0)
                run.finished_at = now
    finally:
        db.dispose()
