"""The analysts' digest of one day (or of a period up to now), and its daily delivery.

Sections, in the order analysts read them: new events; new documents by source,
with a statement republished by several sites shown once and its copies listed;
people and organizations mentioned with their trend against the previous seven
days; source health; documents that could not be analysed. ``render_markdown``,
``render_html`` (works as an e-mail and as a page) and ``render_json`` present it
(they live in ``pipeline.reports.digest_render`` and are importable from here too).
``pipeline.delivery.digests`` writes and sends it once a day.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from extract import event_types
from pipeline.reports.digest_render import render_html, render_json, render_markdown  # noqa: F401 - re-exported
from pipeline.storage import neardup
from pipeline.storage.db import Database
from pipeline.storage.models import Document, Entity, Event, Mention, Run, Source, SourceRun

log = logging.getLogger(__name__)

TREND_DAYS = 7
# how events are worded in the digest and case files, and the gravest first, so a long
# list of events starts with what matters most: both from the event-type registry
EVENT_LABELS = event_types.labels()
_SEVERITY = list(event_types.by_gravity())


class DigestError(ValueError):
    """The digest cannot be built as asked (for example an unknown timezone)."""


@dataclass(frozen=True)
class DocRef:
    """A document as the digest cites it."""

    url: str
    title: str | None
    source: str | None
    published: date | None
    first_seen_at: datetime  # naive UTC
    language: str | None = None


@dataclass(frozen=True)
class DigestEvent:
    """A new event: who, what, when, and where it was reported."""

    person: str  # canonical name
    written_as: str
    type: str
    date: date | None
    term: str | None
    sentence: str
    document: DocRef
    also_reported_by: list[DocRef] = field(default_factory=list)
    language: str | None = None  # of the sentence
    method: str = "parse"  # or "lexicon": watchlist and trigger words, no parser
    review: str = "pending"  # pending | confirmed | corrected (an analyst's decision)

    @property
    def what(self) -> str:
        return EVENT_LABELS.get(self.type, self.type)


@dataclass(frozen=True)
class Statement:
    """One text, with the other sites that republished it in the period."""

    document: DocRef
    copies: list[DocRef] = field(default_factory=list)
    earlier: DocRef | None = None  # the same text first seen before the period


@dataclass(frozen=True)
class SourceDocuments:
    source: str
    statements: list[Statement]


@dataclass(frozen=True)
class EntityTrend:
    """How often an entity was named in the period against the week before."""

    name: str
    kind: str
    watchlisted: bool
    count: int  # documents naming it in the period
    previous: int  # documents naming it in the previous seven days
    previous_per_day: float
    expected: float  # previous_per_day scaled to the period length
    delta: float
    trend: str  # new | up | down | steady

    @property
    def arrow(self) -> str:
        return {"new": "new", "up": "↑", "down": "↓"}.get(self.trend, "→")


@dataclass(frozen=True)
class SourceHealth:
    source: str
    kind: str
    passes: int
    fetched: int
    new: int
    failed: int
    last_success_at: datetime | None
    status: str  # ok | failing | stale | no pass


@dataclass(frozen=True)
class Unanalysed:
    document: DocRef
    reason: str


@dataclass
class Digest:
    """Everything new in one period; ``start``/``end`` are naive UTC."""

    label: str
    day: date | None
    start: datetime
    end: datetime
    timezone: str
    generated_at: datetime
    events: list[DigestEvent]
    sources: list[SourceDocuments]
    people: list[EntityTrend]
    organizations: list[EntityTrend]
    health: list[SourceHealth]
    unanalysed: list[Unanalysed]
    incidents: dict = field(default_factory=dict)  # pipeline.reports.incidents.digest_summary
    base_url: str = ""  # the workbench ([web] base_url): people link to their case files

    @property
    def document_count(self) -> int:
        return sum(1 + len(st.copies) for src in self.sources for st in src.statements)

    @property
    def statement_count(self) -> int:
        return sum(len(src.statements) for src in self.sources)

    @property
    def empty(self) -> bool:
        return self.document_count == 0 and not self.events

    @property
    def no_documents_message(self) -> str:
        if self.day is not None:
            return f"No new documents on {self.day.isoformat()}"
        return f"No new documents since {self.local(self.start):%Y-%m-%d %H:%M} ({self.timezone})"

    def local(self, moment: datetime) -> datetime:
        """A stored naive-UTC time in the digest's timezone."""
        return moment.replace(tzinfo=UTC).astimezone(zone(self.timezone))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DigestError(f"unknown timezone {name!r}; use an IANA name such as 'Europe/Berlin'") from None


def naive_utc(moment: datetime) -> datetime:
    """Aware times converted to UTC; naive times are taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def day_bounds(day: date, timezone: str = "UTC") -> tuple[datetime, datetime]:
    """Start and end (naive UTC) of a calendar day in a timezone."""
    tz = zone(timezone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return naive_utc(start), naive_utc(end)


def build_digest(
    db: Database,
    *,
    day: date | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
    timezone: str = "UTC",
    include_confidential: bool = True,
    earlier_copies: bool = True,
) -> Digest:
    """The digest of one calendar day in ``timezone``, or from ``since`` up to ``now``.

    Without either, the last 24 hours. Signatures for near-duplicate detection are
    computed for documents that have none and stored. ``include_confidential=False``
    (the digest sent by email) leaves out people flagged confidential.
    ``earlier_copies=False`` skips the search for texts first seen before the period
    (the workbench's Today page, which does not show them, answers faster).
    """
    if day is not None and since is not None:
        raise DigestError("give either a day or a start time, not both")
    current = naive_utc(now) if now else datetime.now(UTC).replace(tzinfo=None)
    if day is not None:
        start, end = day_bounds(day, timezone)
        label = day.isoformat()
    else:
        start = naive_utc(since) if since else current - timedelta(hours=24)
        end = current
        if start >= end:
            raise DigestError("the start of the digest period must be before now")
        label = f"since {start.replace(tzinfo=UTC).astimezone(zone(timezone)):%Y-%m-%d %H:%M}"
    from pipeline.reports.incidents import digest_summary

    with db.session() as s:
        docs = _documents(s, start, end)
        roots = _roots(s)
        hidden = set() if include_confidential else set(
            s.scalars(select(Entity.name).where(Entity.confidential.is_(True))))
        return Digest(
            label=label,
            day=day,
            start=start,
            end=end,
            timezone=timezone,
            generated_at=current,
            events=[e for e in _events(s, start, end, roots) if e.person not in hidden],
            sources=_statements(s, docs, start, earlier_copies),
            people=[p for p in _trends(s, "person", start, end, roots) if p.name not in hidden],
            organizations=_trends(s, "organization", start, end, roots),
            health=_health(s, start, end),
            unanalysed=_unanalysed(s, docs, start, end),
            incidents=digest_summary(s, start, end, hidden),
        )


def _unanalysed(s: Session, docs: list[tuple[Document, str | None]], start: datetime,
                end: datetime) -> list[Unanalysed]:
    """Documents of the period not analysed, and documents parked in it whatever their age."""
    seen = {d.id for d, _ in docs}
    parked = s.execute(
        select(Document, Source.name).outerjoin(Source, Source.id == Document.source_id)
        .where(Document.analysis_parked_at >= start, Document.analysis_parked_at < end)
        .order_by(Document.analysis_parked_at, Document.id)
    ).all()
    rows = [(d, n) for d, n in docs if not d.analysed] + [(d, n) for d, n in parked if d.id not in seen]
    return [Unanalysed(_ref(d, name), _unanalysed_reason(d)) for d, name in rows]


def _unanalysed_reason(doc: Document) -> str:
    if doc.analysis_parked_at is not None:
        return (f"parked after {doc.analysis_attempts} failed analyses "
                f"(last: {doc.analysis_error or 'unknown error'})")
    if doc.analysis_attempts:
        return f"analysis failed {doc.analysis_attempts} time(s), tried again next pass: {doc.analysis_error}"
    return doc.analysis_error or "awaiting analysis"


def _ref(doc: Document, source: str | None) -> DocRef:
    return DocRef(doc.url, doc.title, source, doc.published, doc.first_seen_at, doc.language)


def _documents(s: Session, start: datetime, end: datetime) -> list[tuple[Document, str | None]]:
    q = (
        select(Document, Source.name)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(Document.first_seen_at >= start, Document.first_seen_at < end)
        .order_by(Document.first_seen_at, Document.id)
    )
    return [(d, n) for d, n in s.execute(q)]


class _Root(NamedTuple):
    """The canonical entity an entity id stands for, with what the digest shows of it."""

    id: int
    name: str
    watchlisted: bool


def _roots(s: Session) -> dict[int, _Root]:
    """Every entity id mapped to the entity it was merged into (itself when not merged)."""
    # plain columns: building thousands of ORM entities (with their JSON tags) cost more
    rows = s.execute(select(Entity.id, Entity.merged_into_id, Entity.name, Entity.watchlisted)).all()
    entities = {eid: (merged, _Root(eid, name, watchlisted)) for eid, merged, name, watchlisted in rows}
    out: dict[int, _Root] = {}
    for eid, (merged, root) in entities.items():
        seen = {eid}
        while merged is not None and merged in entities:
            if merged in seen:  # a merge loop must not hang the digest
                break
            seen.add(merged)
            merged, root = entities[merged]
        out[eid] = root
    return out


def _events(s: Session, start: datetime, end: datetime, roots: dict[int, _Root]) -> list[DigestEvent]:
    q = (
        select(Event, Document, Source.name)
        .join(Document, Document.id == Event.document_id)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(Event.created_at >= start, Event.created_at < end, Event.dismissed.is_(False))
        .order_by(Event.created_at, Event.id)
    )
    rows = s.execute(q).all()
    if not rows:
        return []
    reports: dict[tuple[int, str], list[DocRef]] = defaultdict(list)
    for ev, doc, source in rows:
        reports[(roots[ev.person_id].id, ev.type)].append(_ref(doc, source))
    out = []
    for ev, doc, source in rows:
        if not ev.is_new:
            continue
        person = roots[ev.person_id]
        others = [r for r in reports[(person.id, ev.type)] if r.url != doc.url]
        out.append(DigestEvent(
            person=person.name, written_as=ev.person_name, type=ev.type, date=ev.date, term=ev.term,
            sentence=ev.sentence, document=_ref(doc, source),
            also_reported_by=list({r.url: r for r in others}.values()), review=ev.review,
            language=ev.language or doc.language, method=ev.method or "parse",
        ))
    rank = {t: i for i, t in enumerate(_SEVERITY)}
    out.sort(key=lambda e: rank.get(e.type, len(rank)))
    return out


def _statements(
    s: Session, docs: list[tuple[Document, str | None]], start: datetime, earlier_copies: bool = True
) -> list[SourceDocuments]:
    if not docs:
        return []
    neardup.ensure_simhashes(s, [d for d, _ in docs])
    prints = [neardup.fingerprint(d) for d, _ in docs]
    groups = neardup.group_fingerprints(prints)
    earlier = _earlier_copies(s, [prints[g[0]] for g in groups], start) if earlier_copies else {}
    by_source: dict[str, list[Statement]] = defaultdict(list)
    for number, group in enumerate(groups):
        first, name = docs[group[0]]
        by_source[name or "(no source)"].append(Statement(
            _ref(first, name), [_ref(*docs[i]) for i in group[1:]], earlier.get(number)
        ))
    return [SourceDocuments(name, by_source[name]) for name in sorted(by_source, key=str.casefold)]


def _earlier_copies(s: Session, firsts: list[neardup.Fingerprint], start: datetime) -> dict[int, DocRef]:
    """For statements of the period (by position), the same text already seen in the week before.

    Only signatures and content hashes of the week are read; texts are read for the
    few documents whose signature makes them candidates, and the earliest copy wins.
    """
    rows = s.execute(
        select(Document.id, Document.simhash, Document.content_hash)
        .where(Document.first_seen_at >= start - timedelta(days=TREND_DAYS), Document.first_seen_at < start)
        .order_by(Document.first_seen_at, Document.id)
    ).all()
    if not rows or not firsts:
        return {}
    ids = [r[0] for r in rows]
    signatures = [r[1] for r in rows]
    missing = [ids[i] for i, sig in enumerate(signatures) if sig is None]
    if missing:
        computed = neardup.ensure_simhashes_of(s, missing)
        signatures = [computed.get(i) if sig is None else sig for i, sig in zip(ids, signatures, strict=True)]
    index = neardup.SignatureIndex(signatures, [r[2] for r in rows])
    candidates = [index.candidates(f.signature, f.content_hash) for f in firsts]
    wanted = sorted({ids[p] for found in candidates for p in found})
    if not wanted:
        return {}
    previous: dict[int, neardup.Fingerprint] = {}
    for chunk in neardup.chunks(wanted):
        for doc_id, sig, content_hash, title, text, purged in s.execute(
            select(Document.id, Document.simhash, Document.content_hash, Document.title, Document.text,
                   Document.text_purged).where(Document.id.in_(chunk))
        ):
            previous[doc_id] = neardup.fingerprint_of(sig, content_hash, title, text, purged)
    matches: dict[int, int] = {}
    for number, (first, found) in enumerate(zip(firsts, candidates, strict=True)):
        match = next((ids[p] for p in found if neardup.same(first, previous[ids[p]])), None)
        if match is not None:
            matches[number] = match
    refs = _refs(s, sorted(set(matches.values())))
    return {number: refs[doc_id] for number, doc_id in matches.items()}


def _refs(s: Session, ids: list[int]) -> dict[int, DocRef]:
    out: dict[int, DocRef] = {}
    for chunk in neardup.chunks(ids):
        q = (
            select(Document.id, Document.url, Document.title, Source.name, Document.published,
                   Document.first_seen_at, Document.language)
            .outerjoin(Source, Source.id == Document.source_id)
            .where(Document.id.in_(chunk))
        )
        out.update((row[0], DocRef(*row[1:])) for row in s.execute(q))
    return out


def _entity_counts(s: Session, kind: str, start: datetime, end: datetime,
                   roots: dict[int, _Root]) -> dict[int, int]:
    """Documents first seen in [start, end) naming each canonical entity of a kind.

    Counted by the database, one row per entity named; only entities merged into one
    canonical entity together are read as (entity, document) pairs, since a document
    naming two of them counts once.
    """
    period = (Document.first_seen_at >= start, Document.first_seen_at < end)
    q = (
        select(Mention.entity_id, func.count(distinct(Mention.document_id)))
        .join(Document, Document.id == Mention.document_id)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Entity.kind == kind, *period)
        .group_by(Mention.entity_id)
    )
    per_entity = dict(s.execute(q).tuples().all())
    members: dict[int, list[int]] = defaultdict(list)
    for eid in per_entity:
        members[roots[eid].id].append(eid)
    out = {rid: per_entity[eids[0]] for rid, eids in members.items() if len(eids) == 1}
    merged = sorted(eid for eids in members.values() if len(eids) > 1 for eid in eids)
    docs: dict[int, set[int]] = defaultdict(set)
    for chunk in neardup.chunks(merged):
        pairs = (select(Mention.entity_id, Mention.document_id)
                 .join(Document, Document.id == Mention.document_id)
                 .where(Mention.entity_id.in_(chunk), *period).distinct())
        for eid, did in s.execute(pairs):
            docs[roots[eid].id].add(did)
    out.update((rid, len(found)) for rid, found in docs.items())
    return out


def _trends(
    s: Session, kind: str, start: datetime, end: datetime, roots: dict[int, _Root]
) -> list[EntityTrend]:
    current = _entity_counts(s, kind, start, end, roots)
    if not current:
        return []
    previous = _entity_counts(s, kind, start - timedelta(days=TREND_DAYS), start, roots)
    period_days = (end - start).total_seconds() / 86400
    by_id = {e.id: e for e in roots.values()}
    out = []
    for rid, count in current.items():
        ent = by_id[rid]
        prev = previous.get(rid, 0)
        per_day = prev / TREND_DAYS
        expected = per_day * period_days
        out.append(EntityTrend(
            name=ent.name, kind=kind, watchlisted=ent.watchlisted, count=count, previous=prev,
            previous_per_day=round(per_day, 2), expected=round(expected, 2),
            delta=round(count - expected, 2), trend=_trend(count, prev, expected),
        ))
    out.sort(key=lambda t: (-t.count, not t.watchlisted, t.name.casefold()))
    return out


def _trend(count: int, previous: int, expected: float) -> str:
    if previous == 0:
        return "new"
    # a one-document wobble is noise, not a trend
    if count >= 1.5 * expected and count - expected >= 1:
        return "up"
    if count <= 0.5 * expected and expected - count >= 1:
        return "down"
    return "steady"


def _health(s: Session, start: datetime, end: datetime) -> list[SourceHealth]:
    finished = func.coalesce(SourceRun.finished_at, Run.finished_at, Run.started_at)
    q = (
        select(
            SourceRun.source_id,
            func.count(SourceRun.id),
            func.sum(SourceRun.fetched),
            func.sum(SourceRun.new_documents),
            func.sum(SourceRun.failed),
        )
        .join(Run, Run.id == SourceRun.run_id)
        .where(and_(finished >= start, finished < end))
        .group_by(SourceRun.source_id)
    )
    sums = {sid: (n, f or 0, nd or 0, fl or 0) for sid, n, f, nd, fl in s.execute(q)}
    out = []
    for src in s.scalars(select(Source).order_by(Source.name)):
        passes, fetched, new, failed = sums.get(src.id, (0, 0, 0, 0))
        if src.incident:
            status = src.incident
        elif src.consecutive_failures:
            status = "failing"
        else:
            status = "ok" if passes else "no pass"
        out.append(SourceHealth(src.name, src.kind, passes, fetched, new, failed,
                                src.last_success_at, status))
    return out
