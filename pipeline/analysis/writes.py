"""One document's analysis written to the database: mentions, events, incidents, alerts.

Each document is written in one transaction that replaces its earlier analysis, so
re-running adds nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from extract.analyse import Analysis, cut_text
from extract.entities import entity_key
from extract.watchlist import Watchlist
from pipeline.analysis import decisions, incidents
from pipeline.analysis.counters import AnalyseCounters
from pipeline.config import Config
from pipeline.delivery import alerts
from pipeline.storage.db import Database
from pipeline.storage.entities import EntityResolver
from pipeline.storage.models import Document, Entity, Event, Mention
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)


def _truncate(db: Database, doc_id: int, text: str, limit: int) -> str:
    """The part of a long text that is analysed; the document gets a note saying so."""
    cut = cut_text(text, limit)
    note = (f"text cut for analysis at {len(cut):,} of {len(text):,} characters "
            "([analysis] max_text_chars)")
    with db.session() as s:
        s.execute(update(Document).where(Document.id == doc_id).values(analysis_note=note))
    log.warning("document %s: %s", doc_id, note)
    return cut


def _fresh_resolver(db: Database, watchlist: Watchlist) -> EntityResolver:
    # entity rows created in a rolled-back transaction must not stay cached
    with db.sessions() as s:
        return EntityResolver(s, watchlist)


def _mark_unanalysable(db: Database, doc_id: int, reason: str) -> None:
    with db.session() as s:
        s.execute(
            update(Document)
            .where(Document.id == doc_id)
            .values(analysed=False, analysed_hash=Document.content_hash, analysis_error=reason,
                    analysed_at=utcnow(), claimed_by=None, claimed_at=None)
        )
        s.execute(delete(Mention).where(Mention.document_id == doc_id))
        s.execute(delete(Event).where(Event.document_id == doc_id))


def _store_analysis(
    s: Session,
    doc_id: int,
    token: str,
    analysis: Analysis,
    resolver: EntityResolver,
    config: Config,
    counters: AnalyseCounters,
) -> bool:
    doc = s.get(Document, doc_id)
    if doc is None or doc.claimed_by != token:
        return False  # deleted, or the claim expired and another worker took it
    s.execute(delete(Mention).where(Mention.document_id == doc_id))
    old_events = {(e.person_id, e.type, e.sent_start): e for e in
                  s.scalars(select(Event).where(Event.document_id == doc_id))}
    person_ids: dict[str, int] = {}
    mention_rows: list[dict[str, Any]] = []
    first_of_span: dict[tuple[int, int], Any] = {}
    for m in analysis.mentions:
        first_of_span.setdefault((m.start, m.end), m)
    mentions = list(first_of_span.values())
    resolver.create_missing(s, ((m.kind, m.name) for m in mentions))  # one INSERT, not one each
    for m in mentions:  # the first of each span
        eid = resolver.resolve(s, m.kind, m.name)
        if m.kind == "person":
            person_ids[m.name] = eid
        mention_rows.append({"document_id": doc_id, "entity_id": eid, "text": m.text[:500],
                             "name": m.name[:500], "start": m.start, "end": m.end,
                             "sentence": m.sentence})
    if mention_rows:  # one executemany instead of an ORM object per mention
        s.execute(insert(Mention), mention_rows)
        counters.mentions += len(mention_rows)
    # the (person, type) pairs this document assigns, locked at once and in order (PostgreSQL)
    incidents.lock_assignment(s, [(person_ids.get(ev.person), ev.type) for ev in analysis.events]
                              + [(e.person_id, e.type) for e in old_events.values()])

    now = utcnow()
    kept: set[int] = set()
    first_of: set[tuple[int, str]] = set()
    for ev in analysis.events:
        if not ev.asserted:
            continue
        pid = person_ids.get(ev.person) or resolver.resolve(s, "person", ev.person)
        # an analyst's correction of this detection (type, person) survives re-analysis
        fix = decisions.review_for(s, doc_id, pid, ev.type)
        etype, pid = fix.identity(ev.type, pid) if fix else (ev.type, pid)
        ident = (pid, etype, ev.sent_start)
        if ident in kept:
            continue
        person = s.get(Entity, pid)
        row = old_events.get(ident)
        if row is None:
            row = Event(document_id=doc_id, person_id=pid, type=etype, sent_start=ev.sent_start,
                        created_at=now)
            s.add(row)
        row.person_name = ev.person[:500]
        row.date, row.term, row.sentence = ev.date, ev.term, ev.sentence
        row.background = ev.background
        decisions.apply_review(row, fix)
        row.language = (analysis.event_language(ev) or doc.language or "")[:16] or None
        row.method = analysis.event_method(ev)
        # dismissals are keyed by the resolved entity, so aliases and merges keep them
        row.dismissed = alerts.is_dismissed(s, doc_id, person.key if person else entity_key(ev.person),
                                            etype)
        first = (pid, etype) not in first_of
        first_of.add((pid, etype))
        row.is_new = first and not row.background and _is_new(s, doc, pid, etype, config)
        opened = person is not None and _place_in_incident(s, row, doc, person, ev, analysis, config)
        row.is_new = row.is_new and opened
        s.flush()
        kept.add(row.id)
        counters.events += 1
        counters.new_events += int(row.is_new)
        if person is not None and not row.dismissed:
            counters.alerts += _incident_alerts(s, row, doc, person, config, opened)
    for row in old_events.values():
        if row.id not in kept:
            s.delete(row)
    incidents.after_document(s, [r for r in old_events.values() if r.id not in kept])
    for name, profession in analysis.facts.professions.items():
        incidents.note_profession(s, person_ids.get(name), profession)
    doc.analysed = True
    doc.analysed_hash = doc.content_hash
    doc.analysed_at = now
    doc.analysis_error = None
    doc.analysis_attempts = 0
    doc.analysis_parked_at = None
    doc.claimed_by = doc.claimed_at = None
    return True


def _place_in_incident(s: Session, row: Event, doc: Document, person: Entity, ev: Any,
                       analysis: Analysis, config: Config) -> bool:
    """The event's facts, then its incident; True when it opened that incident."""
    incidents.apply_facts(row, ev.date_precision, analysis.facts.for_sentence(ev.sent_start),
                          analysis.facts.country, person)
    s.flush()
    return incidents.attach(s, row, doc, person, config)


def _incident_alerts(s: Session, row: Event, doc: Document, person: Entity, config: Config,
                     opened: bool) -> int:
    """Only an incident's first report alerts; a later one may send the corroboration."""
    inc = incidents.resolve(s, row.incident_id)
    if inc is None:
        return 0
    if opened:
        return alerts.enqueue_alerts(s, row, doc, person, config, details=incidents.alert_details(s, inc))
    return incidents.follow_up(s, inc, config)


def _is_new(s: Session, doc: Document, person_id: int, etype: str, config: Config) -> bool:
    """No earlier stored document reported this person and type within the window, and no
    other document's report of it is already the new one (documents can be analysed out of
    order when several workers share the queue).

    A background recollection does not count as an earlier report: it never alerts, and a
    crawl may store a later page recalling the event before the page that reported it
    (else the report would alert or not by the order the two were crawled in). For the
    same reason the window runs both ways: a page published more than the window after
    this one, crawled first, does not make this one old.
    """
    ref = doc.published or doc.first_seen_at.date()
    window = timedelta(days=config.alerts.new_window_days)
    same = (
        select(func.count())
        .select_from(Event)
        .join(Document, Document.id == Event.document_id)
        .where(Event.person_id == person_id, Event.type == etype, Event.document_id != doc.id,
               Event.dismissed.is_(False), Event.background.is_(False),
               or_(Document.published.is_(None),
                   and_(Document.published >= ref - window, Document.published <= ref + window)))
    )
    earlier = s.scalar(same.where(Document.first_seen_at <= doc.first_seen_at, Document.id < doc.id))
    return not earlier and not s.scalar(same.where(Event.is_new.is_(True)))
