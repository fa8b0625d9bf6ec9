"""Reads the workbench pages need, each bounded (a page of rows, indexed filters)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extract.event_lexicon import NOUN_TYPE, VERB_TYPE
from pipeline.delivery.alerts import FEED_CHANNEL
from pipeline.storage.db import Database
from pipeline.storage.models import Alert, Decision, Document, Entity, Event, Source
from pipeline.storage.users import utcnow

PAGE = 50
_WORD = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)


def events(s: Session, *, review: str | None = "pending", limit: int = PAGE, offset: int = 0,
           hide_confidential: bool = False) -> list[dict[str, Any]]:
    """Events with their document, person and source, newest first."""
    q = (select(Event, Document.url, Document.title, Source.name, Entity.name, Entity.confidential)
         .join(Document, Document.id == Event.document_id)
         .join(Entity, Entity.id == Event.person_id)
         .outerjoin(Source, Source.id == Document.source_id)
         .where(Event.dismissed.is_(False))
         .order_by(Event.id.desc()).limit(limit).offset(offset))
    if review:
        q = q.where(Event.review == review)
    if hide_confidential:
        q = q.where(Entity.confidential.is_(False))
    out = []
    for ev, url, title, source, person, confidential in s.execute(q):
        out.append({"id": ev.id, "type": ev.type, "person": person,
                    "date": ev.date.isoformat() if ev.date else None, "sentence": ev.sentence,
                    "url": url, "source": source, "new": bool(ev.is_new), "review": ev.review,
                    "incident": getattr(ev, "incident_id", None),
                    "title": title, "written_as": ev.person_name, "term": ev.term,
                    "background": bool(ev.background), "confidential": bool(confidential),
                    "created_at": ev.created_at})
    return out


def highlight(sentence: str, names: list[str], etype: str, term: str | None) -> list[tuple[str, str]]:
    """The sentence cut into (text, mark) pieces: mark is 'person', 'trigger' or ''."""
    spans: list[tuple[int, int, str]] = []
    low = sentence.casefold()
    candidates = sorted({n for n in names if n}, key=len, reverse=True)
    candidates += [n.split()[-1] for n in candidates if len(n.split()) > 1]  # then the surname alone
    for part in candidates:
        start = low.find(part.casefold())
        if start >= 0:
            spans.append((start, start + len(part), "person"))
            break
    for m in _WORD.finditer(sentence):
        w = m[0].casefold()
        if VERB_TYPE.get(w) == etype or NOUN_TYPE.get(w) == etype:
            spans.append((m.start(), m.end(), "trigger"))
    if term:
        start = low.find(term.casefold())
        if start >= 0:
            spans.append((start, start + len(term), "trigger"))
    spans.sort()
    out, at = [], 0
    for start, end, kind in spans:
        if start < at:
            continue
        out += [(sentence[at:start], ""), (sentence[start:end], kind)]
        at = end
    out.append((sentence[at:], ""))
    return [p for p in out if p[0]]


def held_alerts(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(Alert)
                        .where(Alert.status == "held", Alert.channel != FEED_CHANNEL)) or 0)


def documents(s: Session, *, source: str = "", language: str = "", analysed: str = "",
              since: date | None = None, until: date | None = None, limit: int = PAGE,
              offset: int = 0) -> list[dict[str, Any]]:
    q = (select(Document.id, Document.url, Document.title, Document.published, Document.language,
                Document.analysed, Document.first_seen_at, Source.name)
         .outerjoin(Source, Source.id == Document.source_id)
         .order_by(Document.first_seen_at.desc(), Document.id.desc()).limit(limit).offset(offset))
    if source:
        q = q.where(Source.name == source)
    if language:
        q = q.where(Document.language == language)
    if analysed in ("yes", "no"):
        q = q.where(Document.analysed.is_(analysed == "yes"))
    if since:
        q = q.where(Document.first_seen_at >= datetime.combine(since, datetime.min.time()))
    if until:
        q = q.where(Document.first_seen_at < datetime.combine(until + timedelta(days=1), datetime.min.time()))
    return [{"id": i, "url": u, "title": t, "published": p, "language": lang, "analysed": a,
             "first_seen_at": f, "source": src} for i, u, t, p, lang, a, f, src in s.execute(q)]


def source_names(s: Session) -> list[str]:
    return list(s.scalars(select(Source.name).order_by(Source.name)))


def sources(s: Session, stale_days: int, days: int = 30) -> dict[str, Any]:
    now = utcnow()
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    per_day: dict[tuple[int | None, str], int] = {}
    day_col = func.date(Document.first_seen_at)
    for sid, day, n in s.execute(select(Document.source_id, day_col, func.count())
                                 .where(Document.first_seen_at >= start)
                                 .group_by(Document.source_id, day_col)):
        per_day[(sid, str(day))] = int(n)
    axis = [(start + timedelta(days=i)).date().isoformat() for i in range(days)]
    out = []
    for src in s.scalars(select(Source).order_by(Source.name)):
        counts = [per_day.get((src.id, d), 0) for d in axis]
        stale = src.last_new_document_at is None or (now - src.last_new_document_at).days >= stale_days
        state = src.incident or ("failing" if src.consecutive_failures else "stale" if stale else "ok")
        if src.last_crawled_at is None:
            state = "never crawled"
        out.append({"name": src.name, "kind": src.kind, "state": state,
                    "failures": src.consecutive_failures, "last_success_at": src.last_success_at,
                    "last_new_document_at": src.last_new_document_at, "counts": counts,
                    "total": sum(counts), "peak": max(counts) or 1})
    out.sort(key=lambda r: (r["state"] == "ok", r["name"]))
    return {"sources": out, "axis": axis}


def alerts(s: Session, status: str = "", limit: int = 100) -> dict[str, Any]:
    counts = dict(s.execute(select(Alert.status, func.count()).where(Alert.channel != FEED_CHANNEL)
                            .group_by(Alert.status)).tuples().all())
    q = (select(Alert).where(Alert.channel != FEED_CHANNEL).order_by(Alert.id.desc()).limit(limit))
    if status:
        q = q.where(Alert.status == status)
    return {"counts": sorted(counts.items()), "rows": list(s.scalars(q))}


def activity(s: Session, user: str = "", limit: int = 100) -> list[Decision]:
    q = select(Decision).order_by(Decision.id.desc()).limit(limit)
    if user:
        q = q.where(Decision.user_name == user)
    return list(s.scalars(q))


def feed_events(s: Session, *, person_ids: list[int] | None = None, tag: str = "", etype: str = "",
                country: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """Reported events for an Atom feed: never dismissed, never about a confidential person."""
    q = (select(Event, Document.url, Document.title, Source.name, Entity.name, Entity.tags)
         .join(Document, Document.id == Event.document_id)
         .join(Entity, Entity.id == Event.person_id)
         .outerjoin(Source, Source.id == Document.source_id)
         .where(Event.dismissed.is_(False), Entity.confidential.is_(False))
         .order_by(Event.created_at.desc(), Event.id.desc()))
    if person_ids is not None:
        q = q.where(Event.person_id.in_(person_ids))
    if etype:
        q = q.where(Event.type == etype)
    if country:
        column = getattr(Entity, "country", None)
        if column is None:
            return []
        q = q.where(func.lower(column) == country.lower())
    rows = s.execute(q.limit(limit * 20 if tag else limit)).all()
    out = []
    for ev, url, title, source, person, tags in rows:
        if tag and tag.lower() not in {t.lower() for t in tags or []}:
            continue
        out.append({"id": ev.id, "type": ev.type, "person": person, "date": ev.date, "term": ev.term,
                    "sentence": ev.sentence, "url": url, "title": title, "source": source,
                    "review": ev.review, "background": ev.background, "created_at": ev.created_at})
    return out[:limit]


def search_documents(db: Database, text: str, limit: int = PAGE) -> list[Any]:
    from pipeline.storage.search import search

    return search(db, text, limit=limit)

