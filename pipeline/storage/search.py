"""Find documents and sentences by text.

On SQLite the FTS5 index created by migration 0002 ranks documents (bm25); on
PostgreSQL the GIN index of migration 0004 does (``ts_rank``), with the same rules:
whole words, case and accents folded, every word required. On other backends, or
when the SQLite index is missing, a plain case-insensitive query requires every
word of the search to appear in the title or text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import and_, inspect, or_, select, text
from sqlalchemy.orm import Session

from pipeline.storage.db import Database
from pipeline.storage.models import Document, Source

log = logging.getLogger(__name__)

FTS_TABLE = "documents_fts"
SNIPPET_CHARS = 300
_TERM = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class SearchError(ValueError):
    """The search text has no word to look for."""


@dataclass(frozen=True)
class Hit:
    """One document that matches, with the sentence where the words occur."""

    url: str
    title: str | None
    published: date | None
    source: str | None
    snippet: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


def terms(query: str) -> list[str]:
    """The words of a search (punctuation and FTS operators are not special)."""
    return _TERM.findall(query)


def search(db: Database, query: str, limit: int = 50) -> list[Hit]:
    """Documents whose title or text contains every word of ``query``, best first."""
    words = terms(query)
    if not words:
        raise SearchError("give at least one word to search for")
    with db.sessions() as s:
        if db.is_sqlite and _has_fts(s):
            rows = _fts_rows(s, words, limit)
        elif db.engine.dialect.name == "postgresql":
            rows = _pg_rows(s, words, limit)
        else:
            rows = _plain_rows(s, words, limit)
        return [_hit(doc, source, words) for doc, source in rows]


def documents_containing(db: Database, phrases: list[str]) -> set[int]:
    """Ids of the documents whose title or text contains one of ``phrases`` (each as
    consecutive words, case and accents folded), through the search index.

    Meant as a superset: it finds every document where a name could match as written
    (the analysis may still decide the words are not that name).
    """
    found: set[int] = set()
    with db.sessions() as s:
        fts = db.is_sqlite and _has_fts(s)
        pg = db.engine.dialect.name == "postgresql"
        for phrase in dict.fromkeys(p for p in phrases if terms(p)):
            if fts:
                q = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q")
                found.update(s.execute(q, {"q": _fts_phrase(terms(phrase))}).scalars())
            elif pg:
                q = text("SELECT id FROM documents WHERE atrisk_search_vector(title, text) "
                         "@@ phraseto_tsquery('simple', atrisk_unaccent(:p))")
                found.update(s.execute(q, {"p": " ".join(terms(phrase))}).scalars())
            else:
                pattern = "%" + "%".join(_escape_like(w) for w in terms(phrase)) + "%"
                found.update(s.execute(select(Document.id).where(or_(
                    Document.title.ilike(pattern, escape="\\"),
                    Document.text.ilike(pattern, escape="\\")))).scalars())
    return found


def _fts_phrase(words: list[str]) -> str:
    # one FTS5 phrase of quoted words: never FTS5 syntax from the watchlist
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _has_fts(s: Session) -> bool:
    return inspect(s.connection()).has_table(FTS_TABLE)


def _fts_query(words: list[str]) -> str:
    # each word as a quoted string: user input never reaches FTS5 syntax
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _fts_rows(s: Session, words: list[str], limit: int) -> list[tuple[Document, str | None]]:
    ranked = s.execute(
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY bm25({FTS_TABLE}) LIMIT :n"),
        {"q": _fts_query(words), "n": limit},
    ).scalars().all()
    return _rows_in_order(s, list(ranked))


def _pg_rows(s: Session, words: list[str], limit: int) -> list[tuple[Document, str | None]]:
    # one plainto_tsquery per word: user input is only ever a bound value, never tsquery syntax
    params = {f"w{i}": w for i, w in enumerate(words)}
    query = " && ".join(f"plainto_tsquery('simple', atrisk_unaccent(:w{i}))" for i in range(len(words)))
    ranked = s.execute(
        text(f"SELECT id FROM documents, ({'SELECT ' + query}) AS q(query) "
             "WHERE atrisk_search_vector(title, text) @@ q.query "
             "ORDER BY ts_rank(atrisk_search_vector(title, text), q.query) DESC, id LIMIT :n"),
        {**params, "n": limit},
    ).scalars().all()
    return _rows_in_order(s, list(ranked))


def _rows_in_order(s: Session, ranked: list[int]) -> list[tuple[Document, str | None]]:
    if not ranked:
        return []
    found = {
        doc.id: (doc, name)
        for doc, name in s.execute(
            select(Document, Source.name)
            .outerjoin(Source, Source.id == Document.source_id)
            .where(Document.id.in_(ranked))
        )
    }
    return [found[i] for i in ranked if i in found]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _plain_rows(s: Session, words: list[str], limit: int) -> list[tuple[Document, str | None]]:
    conditions = []
    for w in words:
        pattern = f"%{_escape_like(w)}%"
        conditions.append(
            or_(Document.title.ilike(pattern, escape="\\"), Document.text.ilike(pattern, escape="\\"))
        )
    q = (
        select(Document, Source.name)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(and_(*conditions))
        .order_by(Document.published.desc().nulls_last(), Document.first_seen_at.desc())
        .limit(limit)
    )
    return [(doc, name) for doc, name in s.execute(q)]


def _hit(doc: Document, source: str | None, words: list[str]) -> Hit:
    return Hit(
        url=doc.url,
        title=doc.title,
        published=doc.published,
        source=source,
        snippet=best_sentence(doc.text or doc.title or "", words),
    )


def best_sentence(body: str, words: list[str]) -> str:
    """The sentence holding most of the words (the first such), shortened if long."""
    folded = [w.casefold() for w in words]
    best, best_score = "", -1
    for sentence in _SENTENCE_END.split(body):
        low = sentence.casefold()
        score = sum(1 for w in folded if w in low)
        if score > best_score:
            best, best_score = sentence, score
        if score == len(folded):
            break
    best = " ".join(best.split())
    if len(best) <= SNIPPET_CHARS:
        return best
    # centre the cut on the first word found
    low = best.casefold()
    at = min((low.find(w) for w in folded if w in low), default=0)
    start = max(0, at - SNIPPET_CHARS // 3)
    cut = best[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + cut + ("…" if start + SNIPPET_CHARS < len(best) else "")
