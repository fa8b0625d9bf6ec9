"""Incidents: the events that report one thing that happened to one person.

Every stored event belongs to exactly one incident. An event joins an incident of the
same person and type when their dates are compatible at their precision ("in May 2026"
holds "on 3 May 2026"; two day-precise dates within ``[incidents] day_tolerance_days``),
when an undated report of a current event comes within ``[incidents] window_days`` of
the incident, or when an undated background mention recalls the person's latest earlier
incident of that type. Otherwise it opens a new incident; only the event that opens an
incident may alert (``pipeline.analysis`` calls :func:`attach` in the transaction that
stores the event).

An incident's facts are derived from its events by :func:`refresh`: the most precise
date, the most stated country, place, authority and term, the first report, and the
number of independent sources (distinct ``sources.toml`` entries once near-duplicate
republications are counted once, each copy going to the source that had it first).
Analysts' corrections (:mod:`pipeline.analysis.incident_edits`) are kept through re-analysis:
merged incidents forward to the one they were merged into, split events are pinned to
their own incident, and fields set by hand override the derived ones.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from extract import places
from extract.case_facts import SentenceFacts
from extract.event_time import period_end
from pipeline.config import Config
from pipeline.delivery import alerts
from pipeline.reports.incidents import PUBLIC_PRECISION
from pipeline.storage import neardup
from pipeline.storage.db import Database
from pipeline.storage.models import Document, Entity, Event, Incident, IncidentPin, Source
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)

PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
EDITABLE = ("date", "country", "place", "authority", "term")


def apply_facts(row: Event, precision: str | None, facts: SentenceFacts, doc_country: str | None,
                person: Entity | None) -> None:
    """Copy what the sentence (else the document, else the watchlist) says onto the event."""
    row.date_precision = precision if row.date is not None else None
    listed = person.country if person is not None else None
    row.country = facts.country or doc_country or (places.country_named(listed) or listed if listed else None)
    row.place = facts.place[:200] if facts.place else None
    row.authority = facts.authority[:300] if facts.authority else None


def reference_day(doc: Document) -> date:
    """The day a document speaks from: its publication date, else when it was first seen."""
    return doc.published or doc.first_seen_at.date()


@dataclass(frozen=True)
class _Span:
    start: date
    end: date


def _span(day: date, precision: str | None) -> _Span:
    return _Span(day, period_end(day, precision or "day"))


def _gap(a: _Span, b: _Span) -> int:
    """Days between two periods (0 when they overlap)."""
    if a.end < b.start:
        return (b.start - a.end).days
    if b.end < a.start:
        return (a.start - b.end).days
    return 0


def resolve(s: Session, incident_id: int | None) -> Incident | None:
    """The incident an id stands for now, following merges."""
    seen: set[int] = set()
    while incident_id is not None and incident_id not in seen:
        seen.add(incident_id)
        inc = s.get(Incident, incident_id)
        if inc is None:
            return None
        if inc.merged_into_id is None:
            return inc
        incident_id = inc.merged_into_id
    return None


def _distance(row: Event, doc: Document, inc: Incident, config: Config) -> int | None:
    """How far an event is from an incident (days), None when they cannot be one thing."""
    cfg = config.incidents
    ref = reference_day(doc)
    first = inc.first_reported or ref
    last = inc.last_reported or first
    if row.date is not None and inc.date is not None:
        gap = _gap(_span(row.date, row.date_precision), _span(inc.date, inc.date_precision))
        both_days = (row.date_precision or "day") == "day" and (inc.date_precision or "day") == "day"
        return gap if gap == 0 or both_days and gap <= cfg.day_tolerance_days else None
    if row.date is not None:  # an undated incident happened shortly before its first report
        gap = _gap(_span(row.date, row.date_precision), _Span(first - timedelta(days=cfg.window_days), last))
        return gap if gap == 0 else None
    if row.background:  # an undated recollection: of an earlier incident
        return (ref - first).days if first <= ref else None
    if inc.date is not None:
        gap = _gap(_Span(ref, ref), _Span(inc.date, period_end(inc.date, inc.date_precision or "day")
                                          + timedelta(days=cfg.window_days)))
        return gap if gap == 0 else None
    gap = abs((ref - first).days)
    return gap if gap <= cfg.window_days else None


def _pinned(s: Session, doc: Document, person: Entity, etype: str) -> Incident | None:
    pin = s.scalar(select(IncidentPin.incident_id).where(
        IncidentPin.document_id == doc.id, IncidentPin.person_key == person.key, IncidentPin.type == etype))
    return resolve(s, pin) if pin is not None else None


def find_incident(s: Session, row: Event, doc: Document, person: Entity, config: Config) -> Incident | None:
    """The existing incident an event belongs to, or None when it opens a new one."""
    pinned = _pinned(s, doc, person, row.type)
    if pinned is not None:
        return pinned
    if row.incident_id is not None:  # kept through re-analysis
        kept = resolve(s, row.incident_id)
        if kept is not None and kept.person_id == row.person_id and kept.type == row.type:
            return kept
    candidates = s.scalars(select(Incident).where(
        Incident.person_id == row.person_id, Incident.type == row.type, Incident.merged_into_id.is_(None)))
    best: tuple[int, int] | None = None
    found: Incident | None = None
    for inc in candidates:
        d = _distance(row, doc, inc, config)
        if d is not None and (best is None or (d, -inc.id) < best):
            best, found = (d, -inc.id), inc
    return found


def _lock_key(etype: str) -> int:
    """An event type as the second (signed 32-bit) key of a PostgreSQL advisory lock."""
    value = zlib.crc32(f"incident:{etype}".encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def lock_assignment(s: Session, pairs: Iterable[tuple[int | None, str]]) -> None:
    """Hold, until the transaction ends, the right to assign events of each (person, type).

    Two analysis workers storing reports of one happening at once would otherwise both
    find no incident and open one each. On PostgreSQL each pair has a transaction-scoped
    advisory lock; the analysis takes a document's pairs all at once, in sorted order, before
    storing its events, so two documents naming the same people do not wait for each other in
    a circle (a pair known only later, when an analyst's correction changes the person or the
    type, is locked by :func:`attach`). The worker that waits sees the other's incident once
    that is committed (read committed). SQLite has one writer at a time: nothing to do.
    """
    if s.get_bind().dialect.name != "postgresql":
        return
    for person_id, etype in sorted({(p, t) for p, t in pairs if p is not None}):
        s.execute(text("SELECT pg_advisory_xact_lock(CAST(:person AS integer), CAST(:type AS integer))"),
                  {"person": person_id, "type": _lock_key(etype)})


def attach(s: Session, row: Event, doc: Document, person: Entity, config: Config) -> bool:
    """Put a stored (flushed) event into its incident; True when it opened that incident."""
    lock_assignment(s, [(row.person_id, row.type)])  # held already when the caller locked them all
    was = row.incident_id
    inc = find_incident(s, row, doc, person, config)
    opened = False
    if inc is None:
        now = utcnow()
        inc = Incident(person_id=row.person_id, type=row.type, created_at=now, updated_at=now,
                       sources=0, documents=0, is_new=False, followup_sent=False,
                       background=row.background, overrides={}, review="pending")
        s.add(inc)
        s.flush()
        opened = True
    elif was == inc.id:
        # re-analysis of the event that opened it
        opened = inc.first_document_id == doc.id and _opened_by(s, inc) == row.id
    row.incident_id = inc.id
    s.flush()
    refresh(s, inc)
    if opened:
        inc.is_new = bool(row.is_new)
    return opened


def _opened_by(s: Session, inc: Incident) -> int | None:
    return s.scalar(select(Event.id).join(Document, Document.id == Event.document_id)
                    .where(Event.incident_id == inc.id)
                    .order_by(Document.published.is_(None), Document.published, Document.first_seen_at,
                              Document.id, Event.sent_start, Event.id).limit(1))


def _independent_sources(docs: list[Document]) -> int:
    """Distinct sources once copies go to the source that published them first."""
    ordered = sorted(docs, key=lambda d: (reference_day(d), d.first_seen_at, d.id))
    groups = neardup.group_fingerprints([
        neardup.fingerprint_of(d.simhash, d.content_hash, d.title, d.text, d.text_purged) for d in ordered])
    owners = set()
    for group in groups:
        first = ordered[group[0]]
        owners.add(("source", first.source_id) if first.source_id is not None else ("doc", first.id))
    return len(owners)


def _most_stated(values: list[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    best = max(counts.values())
    return next(v for v in counts if counts[v] == best)  # the earliest among equals


def refresh(s: Session, inc: Incident) -> None:
    """Derive an incident's facts from its events (dismissed ones do not count)."""
    rows = list(s.execute(
        select(Event, Document).join(Document, Document.id == Event.document_id)
        .where(Event.incident_id == inc.id, Event.dismissed.is_(False))
    ).tuples())
    rows.sort(key=lambda r: (reference_day(r[1]), r[1].first_seen_at, r[1].id, r[0].sent_start))
    docs = list({d.id: d for _, d in rows}.values())
    neardup.ensure_simhashes(s, docs)
    events = [e for e, _ in rows]
    dated = sorted((e for e in events if e.date is not None),
                   key=lambda e: PRECISION_RANK.get(e.date_precision or "day", 0))
    inc.date = dated[0].date if dated else None
    inc.date_precision = (dated[0].date_precision or "day") if dated else None
    inc.country = _most_stated([e.country for e in events])
    inc.place = _most_stated([e.place for e in events])
    inc.authority = _most_stated([e.authority for e in events])
    inc.term = _most_stated([e.term for e in events])
    inc.first_document_id = docs[0].id if docs else None
    inc.first_reported = reference_day(docs[0]) if docs else None
    inc.last_reported = max(reference_day(d) for d in docs) if docs else None
    inc.documents = len(docs)
    inc.sources = _independent_sources(docs) if docs else 0
    inc.background = bool(events) and all(e.background for e in events)
    for name, value in (inc.overrides or {}).items():
        if name == "date":
            inc.date = date.fromisoformat(value["date"]) if value else None
            inc.date_precision = value["precision"] if value else None
        elif name in EDITABLE:
            setattr(inc, name, value)
    inc.updated_at = utcnow()


def alert_details(s: Session, inc: Incident) -> dict[str, Any]:
    """What an alert adds from the incident: where, by whom, how many sources."""
    return {
        "incident": inc.id,
        "country": inc.country,
        "place": inc.place,
        "authority": inc.authority,
        "sources": inc.sources,
        "date": inc.date.isoformat() if inc.date else None,
        "date_precision": PUBLIC_PRECISION.get(inc.date_precision or "") if inc.date else None,
    }


def follow_up(s: Session, inc: Incident, config: Config) -> int:
    """With ``[alerts] corroborated``, one alert when a new incident has two independent sources."""
    if not config.alerts.corroborated or inc.followup_sent or not inc.is_new or inc.sources < 2:
        return 0
    opener_id = _opened_by(s, inc)
    opener = s.get(Event, opener_id) if opener_id is not None else None
    if opener is None or opener.dismissed:
        return 0
    doc = s.get(Document, opener.document_id)
    person = s.get(Entity, opener.person_id)
    if doc is None or person is None:
        return 0
    inc.followup_sent = True
    details = {**alert_details(s, inc), "followup": "corroborated"}
    return alerts.enqueue_alerts(s, opener, doc, person, config, details=details)


def has_unassigned(s: Session) -> bool:
    """Whether any event waits for its incident: one probe of the ``events.incident_id`` index."""
    return bool(s.scalar(select(exists().where(Event.incident_id.is_(None)))))


def backfill(db: Database, config: Config) -> int:
    """Build the incidents of events stored before incidents existed, queueing no alert.

    Events go in the order their documents were seen, so each incident's opener is the
    report that came first; an incident is new when one of its events was. Incidents
    that already have two sources need no corroboration follow-up.
    """
    with db.sessions() as s:  # the check alone: no write transaction when there is nothing to do
        if not has_unassigned(s):
            return 0
    done = 0
    with db.session() as s:
        rows = list(s.execute(
            select(Event, Document, Entity)
            .join(Document, Document.id == Event.document_id).join(Entity, Entity.id == Event.person_id)
            .where(Event.incident_id.is_(None))
            .order_by(Document.first_seen_at, Document.id, Event.sent_start, Event.id)
        ).tuples())
        touched: dict[int, Incident] = {}
        for row, doc, person in rows:
            attach(s, row, doc, person, config)
            inc = resolve(s, row.incident_id)
            if inc is not None:
                inc.is_new = inc.is_new or bool(row.is_new)
                touched[inc.id] = inc
            done += 1
        for inc in touched.values():
            inc.followup_sent = inc.sources >= 2
    if done:
        log.info("built incidents for %d event(s) stored before incidents existed", done)
    return done


def source_names(s: Session) -> dict[int | None, str]:
    return dict(s.execute(select(Source.id, Source.name)).tuples().all())


def after_document(s: Session, removed: list[Event]) -> None:
    """Refresh the incidents that lost events when a document was analysed again."""
    ids = {e.incident_id for e in removed if e.incident_id is not None}
    if not ids:
        return
    s.flush()
    for incident_id in ids:
        inc = resolve(s, incident_id)
        if inc is not None:
            refresh(s, inc)


def note_profession(s: Session, entity_id: int | None, profession: str) -> None:
    """A profession the text states, kept when neither the watchlist nor a text gave one."""
    person = s.get(Entity, entity_id) if entity_id is not None else None
    if person is not None and not person.profession:
        person.profession = profession[:100]
