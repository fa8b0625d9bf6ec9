"""The case file of one person: who, under which names, what happened when, where reported.

Each happening is listed once, at its first report; later reports of it (the same
type within a couple of days, from any site) are counted and named as sources.
The latest known status is the most recent happening on that timeline.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from extract import event_types
from extract.entities import entity_key
from pipeline.reports import incidents as reports
from pipeline.reports.digest import EVENT_LABELS
from pipeline.reports.digest_render import iso, md, md_link
from pipeline.reports.languages import sentence_label
from pipeline.storage.db import Database
from pipeline.storage.entities import notes_of
from pipeline.storage.models import Alias, Document, Entity, Event, Mention, Source

log = logging.getLogger(__name__)

# Reports of the same type this close together describe one happening: copies
# disagree by a day when one site dates it and another only has its own publication date.
SAME_HAPPENING_DAYS = 2

# the state a person is in after each kind of event (the event-type registry)
STATUS = event_types.statuses()


@dataclass(frozen=True)
class Report:
    """A document that reported a happening."""

    url: str
    title: str | None
    source: str | None
    published: date | None
    first_seen_at: datetime


@dataclass
class TimelineEntry:
    """One happening, as first reported, with how many later reports repeated it."""

    type: str
    date: date  # as reported, else the first report's publication date
    dated: bool  # False when the date is the report's own date
    term: str | None
    sentence: str
    background: bool
    first_report: Report
    later_reports: list[Report] = field(default_factory=list)
    language: str | None = None  # of the sentence
    method: str = "parse"
    review: str = "pending"  # the analyst's decision on the first report's event
    event_id: int = 0

    @property
    def what(self) -> str:
        return EVENT_LABELS.get(self.type, self.type)

    @property
    def copies(self) -> int:
        return len(self.later_reports)


@dataclass(frozen=True)
class CaseDocument:
    url: str
    title: str | None
    source: str | None
    published: date | None
    first_seen_at: datetime
    sentence: str  # where the person is named first


@dataclass
class CaseFile:
    name: str
    kind: str
    key: str
    watchlisted: bool
    tags: list[str]
    aliases: list[str]  # known other names (watchlist, analysts' merges)
    spellings: list[str]  # other forms found in documents
    status: str | None
    status_date: date | None
    status_term: str | None
    timeline: list[TimelineEntry]
    documents: list[CaseDocument]
    # from the incidents (pipeline.reports.incidents): status with the incident it rests on
    standing: dict = field(default_factory=dict)
    profession: str | None = None
    country: str | None = None
    incidents: list[dict] = field(default_factory=list)
    entity_id: int = 0
    document_count: int = 0
    confidential: bool = False
    notes: list[dict] = field(default_factory=list)


def _root(s: Session, entity: Entity) -> Entity:
    seen = {entity.id}
    while entity.merged_into_id is not None and entity.merged_into_id not in seen:
        parent = s.get(Entity, entity.merged_into_id)
        if parent is None:
            break
        seen.add(parent.id)
        entity = parent
    return entity


def resolve_entity(db: Database, name: str, kind: str = "person") -> Entity | None:
    """The canonical entity a name refers to: by key, then alias, then name ignoring case."""
    with db.sessions() as s:
        return _resolve(s, name, kind)


def _resolve(s: Session, name: str, kind: str) -> Entity | None:
    key = entity_key(name)
    if not key:
        return None
    found = s.scalar(select(Entity).where(Entity.kind == kind, Entity.key == key))
    if found is None:
        alias = s.scalar(select(Alias).where(Alias.kind == kind, Alias.key == key))
        found = s.get(Entity, alias.entity_id) if alias else None
    if found is None:
        found = s.scalar(
            select(Entity).where(Entity.kind == kind, func.lower(Entity.name) == name.strip().lower())
            .order_by(Entity.id).limit(1)
        )
    return _root(s, found) if found else None


def suggest_names(db: Database, name: str, kind: str = "person", limit: int = 5) -> list[str]:
    """Known names close to ``name``, for a helpful 'not found' message."""
    from rapidfuzz import fuzz, process

    with db.sessions() as s:
        q = select(Entity.name).where(Entity.kind == kind, Entity.merged_into_id.is_(None))
        names = list(s.scalars(q))
        names += list(s.scalars(select(Alias.alias).where(Alias.kind == kind)))
    matches = process.extract(name, set(names), scorer=fuzz.WRatio, limit=limit, score_cutoff=70)
    return [m[0] for m in matches]


def _members(s: Session, root: Entity) -> list[Entity]:
    """The entity and every entity merged into it, at any depth."""
    members, frontier = [root], [root.id]
    while frontier:
        children = list(s.scalars(select(Entity).where(Entity.merged_into_id.in_(frontier))))
        children = [c for c in children if c.id not in {m.id for m in members}]
        members += children
        frontier = [c.id for c in children]
    return members


def build_case_file(db: Database, name: str, *, kind: str = "person",
                    documents_limit: int | None = None) -> CaseFile | None:
    """The case file of the person ``name`` refers to, or None when nobody matches.

    ``documents_limit`` keeps only the documents stored last (a page); ``document_count``
    counts them all. Events of a database analysed before incidents existed are grouped by
    the entry points (``App.db``, the analysis stage), not here: this is a pure read.
    """
    with db.sessions() as s:
        root = _resolve(s, name, kind)
        if root is None:
            return None
        members = _members(s, root)
        ids = [m.id for m in members]
        aliases = set(s.scalars(select(Alias.alias).where(Alias.entity_id.in_(ids))))
        aliases |= {m.name for m in members if m.id != root.id}
        written: set[str] = set()  # the spellings, from every mention
        if documents_limit is None:
            documents = _case_documents(s, ids, spellings=written)
            count = len(documents)
        else:
            written.update(s.scalars(select(Mention.text).where(Mention.entity_id.in_(ids)).distinct()))
            documents, count = _newest_documents(s, ids, documents_limit)
        folded = {a.casefold() for a in aliases} | {root.name.casefold()}
        timeline = _timeline(s, ids)
        latest = _latest(timeline)
        incidents = reports.person_incidents(s, ids)
        return CaseFile(
            name=root.name,
            kind=root.kind,
            key=root.key,
            watchlisted=any(m.watchlisted for m in members),
            tags=sorted({t for m in members for t in (m.tags or [])}),
            aliases=sorted(aliases - {root.name}, key=str.casefold),
            spellings=sorted((w for w in written if w.casefold() not in folded), key=str.casefold),
            status=STATUS.get(latest.type, latest.type) if latest else None,
            status_date=latest.date if latest else None,
            status_term=latest.term if latest else None,
            timeline=timeline,
            documents=documents,
            document_count=count,
            entity_id=root.id,
            confidential=any(m.confidential for m in members),
            notes=notes_of(s, ids),
            standing=reports.person_status(incidents),
            profession=next((m.profession for m in members if m.profession), None),
            country=reports.person_country(root, incidents),
            incidents=incidents,
        )


def _report(doc: Document, source: str | None) -> Report:
    return Report(doc.url, doc.title, source, doc.published, doc.first_seen_at)


def _timeline(s: Session, ids: list[int]) -> list[TimelineEntry]:
    q = (
        select(Event, Document, Source.name)
        .join(Document, Document.id == Event.document_id)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(Event.person_id.in_(ids), Event.dismissed.is_(False))
        .order_by(Document.first_seen_at, Document.id, Event.sent_start)
    )
    entries: list[TimelineEntry] = []
    by_type: dict[str, list[TimelineEntry]] = defaultdict(list)
    for ev, doc, source in s.execute(q):
        when = ev.date or doc.published or doc.first_seen_at.date()
        report = _report(doc, source)
        same = next(
            (e for e in by_type[ev.type] if abs((e.date - when).days) <= SAME_HAPPENING_DAYS), None
        )
        if same is not None:
            if report.url != same.first_report.url and report.url not in {r.url for r in same.later_reports}:
                same.later_reports.append(report)
            if not same.dated and ev.date is not None:
                same.date, same.dated = ev.date, True  # a later report that knows the date
            if same.term is None and ev.term:
                same.term = ev.term
            continue
        entry = TimelineEntry(
            type=ev.type, date=when, dated=ev.date is not None, term=ev.term, sentence=ev.sentence,
            background=ev.background, first_report=report, review=ev.review, event_id=ev.id,
            language=ev.language or doc.language, method=ev.method or "parse",
        )
        entries.append(entry)
        by_type[ev.type].append(entry)
    entries.sort(key=lambda e: (e.date, e.first_report.first_seen_at))
    return entries


def _latest(timeline: list[TimelineEntry]) -> TimelineEntry | None:
    if not timeline:
        return None
    killed = [e for e in timeline if e.type == "killing"]
    return killed[-1] if killed else timeline[-1]


def _named_in(ids: list[int]) -> Any:
    """The ids of the documents that name any of these entities or report an event of them."""
    return union(select(Mention.document_id).where(Mention.entity_id.in_(ids)),
                 select(Event.document_id).where(Event.person_id.in_(ids)))


def _case_documents(s: Session, ids: list[int], page: list[int] | None = None,
                    spellings: set[str] | None = None) -> list[CaseDocument]:
    """The documents of ``page`` (ids; None: all the person's), newest published first, each
    with the sentence that names the person first: the first mention, else the first event's.
    ``spellings`` gets the text of every mention read (all of them when ``page`` is None)."""
    mentions = select(Mention.document_id, Mention.sentence, Mention.text).where(Mention.entity_id.in_(ids))
    events = select(Event.document_id, Event.sentence).where(Event.person_id.in_(ids))
    if page is not None:
        mentions = mentions.where(Mention.document_id.in_(page))
        events = events.where(Event.document_id.in_(page))
    first_sentence: dict[int, str] = {}
    spelled = spellings if spellings is not None else set()
    for doc_id, sentence, written in s.execute(mentions.order_by(Mention.document_id, Mention.start)):
        first_sentence.setdefault(doc_id, sentence)
        spelled.add(written)
    for doc_id, sentence in s.execute(events.order_by(Event.sent_start)):
        first_sentence.setdefault(doc_id, sentence)
    # only the columns shown: the texts of thousands of documents would dominate the time
    q = (
        select(Document.id, Document.url, Document.title, Source.name, Document.published,
               Document.first_seen_at)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(Document.id.in_(_named_in(ids) if page is None else page))
        # the id last: documents first seen in the same second, newest stored first
        .order_by(Document.published.desc().nulls_last(), Document.first_seen_at.desc(), Document.id.desc())
    )
    return [CaseDocument(*row[1:], first_sentence.get(row[0], "")) for row in s.execute(q)]


def _newest_documents(s: Session, ids: list[int], limit: int) -> tuple[list[CaseDocument], int]:
    """The ``limit`` documents naming the person that were stored last, and how many there are.

    Stored order (document id), not publication date: finding the newest by date would read
    every one of a much-named person's documents (15,000 rows for the most-named at 100k).
    Both come from the (entity, document) index alone.
    """
    named = _named_in(ids).subquery()
    count = s.scalar(select(func.count()).select_from(named)) or 0
    page = [doc_id for (doc_id,) in s.execute(
        select(named.c.document_id).order_by(named.c.document_id.desc()).limit(limit))]
    return _case_documents(s, ids, page), count


# ---------------------------------------------------------------- rendering

def _report_json(r: Report) -> dict:
    return {"url": r.url, "title": r.title, "source": r.source, "published": iso(r.published),
            "first_seen_at": iso(r.first_seen_at)}


def render_json(cf: CaseFile) -> dict:
    """A JSON-serialisable dict with stable keys."""
    return {
        "name": cf.name,
        "kind": cf.kind,
        "watchlisted": cf.watchlisted,
        "tags": cf.tags,
        "aliases": cf.aliases,
        "spellings": cf.spellings,
        **_status_json(cf),
        "profession": cf.profession,
        "country": cf.country,
        "timeline": [
            {"type": e.type, "what": e.what, "date": iso(e.date), "dated": e.dated, "term": e.term,
             "sentence": e.sentence, "background": e.background, "review": e.review,
             "language": e.language, "method": e.method,
             "first_report": _report_json(e.first_report), "copies": e.copies,
             "later_reports": [_report_json(r) for r in e.later_reports]}
            for e in cf.timeline
        ],
        "documents": [
            {"url": d.url, "title": d.title, "source": d.source, "published": iso(d.published),
             "first_seen_at": iso(d.first_seen_at), "sentence": d.sentence}
            for d in cf.documents
        ],
        "incidents": cf.incidents,
        "confidential": cf.confidential,
        "notes": cf.notes,
    }


def _status_json(cf: CaseFile) -> dict:
    """The status the incidents leave the person in (``status``, one of DESIGN.md's words),
    with the incident it rests on, since when and the term as sibling keys."""
    standing = cf.standing or {"status": "unknown", "incident": None}
    rests_on = next((i for i in cf.incidents if i["id"] == standing["incident"]), None)
    since = (rests_on["date"] or rests_on["first_reported"]["published"]) if rests_on else None
    return {"status": standing["status"], "status_incident": standing["incident"],
            "status_since": since, "status_term": rests_on["term"] if rests_on else None}


def render_markdown(cf: CaseFile) -> str:
    """The case file as Markdown; crawled text is escaped."""
    out = [f"# {md(cf.name)}", ""]
    if cf.aliases:
        out.append(f"Also known as: {', '.join(md(a) for a in cf.aliases)}")
    if cf.spellings:
        out.append(f"Written as: {', '.join(md(w) for w in cf.spellings)}")
    if cf.tags:
        out.append(f"Tags: {', '.join(md(t) for t in cf.tags)}")
    out.append(f"Watchlist: {'yes' if cf.watchlisted else 'no'}")
    if cf.profession or cf.country:
        out.append(f"Profession: {md(cf.profession or 'not stated')}; "
                   f"country: {md(cf.country or 'not stated')}")
    if cf.status:
        term = f" ({md(cf.status_term)})" if cf.status_term else ""
        since = f" since {cf.status_date.isoformat()}" if cf.status_date else ""
        out += ["", f"**Latest known status: {cf.status}{term}{since}**"]
    else:
        out += ["", "No events recorded."]
    out += ["", "## Timeline", ""]
    if not cf.timeline:
        out.append("Nothing reported yet.")
    for e in cf.timeline:
        day = e.date.isoformat() + ("" if e.dated else " (reported)")
        term = f", {md(e.term)}" if e.term else ""
        past = " (background)" if e.background else ""
        r = e.first_report
        out.append(f"- {day}: {e.what}{term}{past}; first reported by {md(r.source)}: "
                   f"{md_link(r.url, r.title)}")
        out.append(f"  > {md(sentence_label(e.language, e.method))}{md(e.sentence)}")
        if e.later_reports:
            names = ", ".join(sorted({md(x.source) for x in e.later_reports if x.source}))
            out.append(f"  Reported again {e.copies} time(s){': ' + names if names else ''}")
    out += ["", f"## Incidents ({len(cf.incidents)})", ""]
    for i in cf.incidents:
        where = ", ".join(md(p) for p in (i["place"], i["country"]) if p)
        by = f" by {md(i['authority'])}" if i["authority"] else ""
        out.append(f"- #{i['id']} {i['date'] or 'undated'}: {EVENT_LABELS.get(i['type'], i['type'])}"
                   f"{' in ' + where if where else ''}{by}; {i['sources']} source(s)")
    out += ["", f"## Documents ({len(cf.documents)})", ""]
    if not cf.documents:
        out.append("No document names this person.")
    for d in cf.documents:
        day = d.published.isoformat() if d.published else "undated"
        out.append(f"- {day} {md(d.source)}: {md_link(d.url, d.title)}")
    return "\n".join(out) + "\n"
