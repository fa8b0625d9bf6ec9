"""The People and Organizations pages: a name search and facets with counts.

Facets: tag, country, status (from incidents, as the case file states it), profession
and last event (how long ago the latest reported event was). Each facet's counts are
taken over the people the *other* filters keep, so a count is what a click on it shows.
Every facet value is a plain link carrying the other filters: no JavaScript needed.

An entity merged into another counts as that other one (its tags, incidents and events
go with it), as on the case page. Four reads, each over a whole table but of narrow
columns: entities, each person's latest event, and the live status-changing incidents.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Text, and_, cast, func, select
from sqlalchemy.orm import Session

from extract import places
from pipeline.reports.incidents import STATUS_OF, person_status
from pipeline.storage.models import Entity, Event, Incident

PAGE = 50
# last-event buckets: (value, label, days back; None = no event at all, -1 = older than a year)
LAST = (("7d", "within a week", 7), ("30d", "within 30 days", 30), ("365d", "within a year", 365),
        ("older", "more than a year ago", -1), ("none", "nothing reported", None))
FACETS = {"person": ("status", "last", "country", "tag", "profession"), "organization": ("country", "tag")}
LABELS = {"status": "Status", "last": "Last event", "country": "Country", "tag": "Tag",
          "profession": "Profession"}
PARAMS = ("q", "watchlisted", *LABELS)


@dataclass(slots=True)
class Row:
    id: int
    name: str
    watchlisted: bool = False
    confidential: bool = False
    tags: set[str] = field(default_factory=set)
    country: str | None = None
    profession: str | None = None
    status: str = "unknown"
    last_type: str | None = None
    last_day: date | None = None
    events: int = 0

    def values(self, facet: str, since: dict[str, date]) -> set[str]:
        """The facet values this row has (several for tags); ``since`` gives the last-event
        buckets' first days."""
        if facet == "tag":
            return self.tags
        if facet == "last":
            day = self.last_day
            if day is None:
                return {"none"}
            return {v for v, first in since.items() if day >= first} or {"older"}
        value = getattr(self, facet)
        return {value} if value else set()


def _rows(s: Session, kind: str) -> dict[int, Row]:
    """Every standing entity of the kind, its merged members folded in."""
    # tags as their JSON text, decoded only where there are some: most entities have none,
    # and the JSON column's own decoding of every row is most of this read's time
    ents = s.execute(select(Entity.id, Entity.name, Entity.merged_into_id, Entity.watchlisted,
                            Entity.confidential, cast(Entity.tags, Text).label("tags"), Entity.country,
                            Entity.profession)
                     .where(Entity.kind == kind)).all()
    parent = {e.id: e.merged_into_id for e in ents}

    def root(eid: int) -> int:
        seen: set[int] = set()
        while parent.get(eid) is not None and eid not in seen:
            seen.add(eid)
            eid = parent[eid]  # type: ignore[assignment]  # not None, by the loop test
        return eid

    rows = {e.id: Row(e.id, e.name) for e in ents if e.merged_into_id is None}
    for e in ents:
        row = rows.get(root(e.id))
        if row is None:
            continue
        row.watchlisted |= bool(e.watchlisted)
        row.confidential |= bool(e.confidential)
        if e.tags and e.tags not in ("[]", "null"):
            row.tags |= {t for t in json.loads(e.tags) if isinstance(t, str) and t}
        if e.id == row.id or not row.country:
            row.country = (places.country_named(e.country) or e.country) if e.country else row.country
        row.profession = row.profession or e.profession
    if kind == "person":
        _events(s, rows, root)
        _incidents(s, rows, root)
    return rows


def _events(s: Session, rows: dict[int, Row], root: Any) -> None:
    """Each person's latest reported event (type and day) and how many events they have."""
    live = and_(Event.dismissed.is_(False), Event.background.is_(False))
    latest = (select(Event.person_id, func.max(Event.created_at).label("at"), func.count().label("n"))
              .where(live).group_by(Event.person_id).subquery())
    q = (select(Event.person_id, Event.type, Event.date, Event.created_at, latest.c.n)
         .join(latest, and_(latest.c.person_id == Event.person_id, latest.c.at == Event.created_at))
         .where(live).order_by(Event.id))
    for pid, etype, day, created, n in s.execute(q):
        row = rows.get(root(pid))
        if row is None:
            continue
        when = day or created.date()
        row.events = max(row.events, int(n))  # merged members were moved onto the root's id
        if row.last_day is None or when >= row.last_day:
            row.last_type, row.last_day = etype, when


def _incidents(s: Session, rows: dict[int, Row], root: Any) -> None:
    """Status (and, where the watchlist is silent, country) from each person's live incidents."""
    has_live = select(Event.incident_id).where(Event.dismissed.is_(False), Event.incident_id.is_not(None))
    q = (select(Incident.id, Incident.person_id, Incident.type, Incident.date, Incident.first_reported,
                Incident.term, Incident.country)
         .where(Incident.merged_into_id.is_(None), Incident.id.in_(has_live)))
    records: dict[int, list[dict[str, Any]]] = defaultdict(list)
    countries: dict[int, Counter[str]] = defaultdict(Counter)
    for iid, pid, etype, day, first, term, country in s.execute(q):
        rid = root(pid)
        if etype in STATUS_OF:
            records[rid].append({"id": iid, "type": etype, "date": day.isoformat() if day else None,
                                 "term": term, "first_reported": {
                                     "published": first.isoformat() if first else None}})
        if country:
            countries[rid][country] += 1
    for rid, row in rows.items():
        if rid in records:
            row.status = person_status(records[rid])["status"]
        if not row.country and countries.get(rid):
            row.country = countries[rid].most_common(1)[0][0]


def _link(params: Mapping[str, str], **change: str | None) -> str:
    kept = {k: params[k] for k in PARAMS if params.get(k)}
    for k, v in change.items():
        if v:
            kept[k] = v
        else:
            kept.pop(k, None)
    return "?" + urlencode(kept) if kept else "?"


def people(s: Session, params: Mapping[str, str], *, kind: str = "person", hide_confidential: bool = False,
           today: date, limit: int = PAGE) -> dict[str, Any]:
    """The rows the filters keep (one page of them), the total, and each facet's values with counts."""
    facets = FACETS[kind]
    chosen = {f: params.get(f, "").strip() for f in facets if params.get(f, "").strip()}
    text = params.get("q", "").strip().casefold()
    rows = [r for r in _rows(s, kind).values()
            if not (hide_confidential and r.confidential) and (not text or text in r.name.casefold())
            and (params.get("watchlisted") != "1" or r.watchlisted)]
    since = {v: today - timedelta(days=days) for v, _, days in LAST if days and days > 0}
    have = {r.id: {f: r.values(f, since) for f in facets} for r in rows}
    # the chosen facets each row fails: it counts for facet f when it fails none but f
    fails = {r.id: {f for f, v in chosen.items() if v not in have[r.id][f]} for r in rows}

    def keeps(r: Row, skip: str | None = None) -> bool:
        missed = fails[r.id]
        return not missed or missed == {skip}

    out_facets = []
    for f in facets:
        counts: Counter[str] = Counter()
        for r in rows:
            if keeps(r, skip=f):
                counts.update(have[r.id][f])
        if f == "last":
            values = [(v, label, counts[v]) for v, label, _ in LAST if counts[v] or chosen.get(f) == v]
        else:
            if f in chosen and chosen[f] not in counts:
                counts[chosen[f]] = 0
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
            values = [(v, v.replace("_", " "), n) for v, n in ranked]
        label_of = {v: label for v, label, _ in values}
        out_facets.append({"name": f, "label": LABELS[f], "chosen": chosen.get(f),
                           "chosen_label": label_of.get(chosen.get(f, ""), chosen.get(f)),
                           "off": _link(params, **{f: None}),
                           "values": [{"value": v, "label": label, "count": n, "chosen": chosen.get(f) == v,
                                       "href": _link(params, **{f: None if chosen.get(f) == v else v})}
                                      for v, label, n in values]})
    picked = [r for r in rows if keeps(r)]
    # people with the most recent events first, then by name
    picked.sort(key=lambda r: (r.last_day is None, -(r.last_day.toordinal() if r.last_day else 0),
                               r.name.casefold()))
    try:
        page = max(int(params.get("page", "1")), 1)
    except ValueError:
        page = 1
    shown = picked[(page - 1) * limit: page * limit]
    return {
        "items": [{"name": r.name, "tags": sorted(r.tags, key=str.casefold), "watchlisted": r.watchlisted,
                   "confidential": r.confidential, "status": r.status, "last_type": r.last_type,
                   "last_event": r.last_day, "events": r.events, "country": r.country,
                   "profession": r.profession} for r in shown],
        "total": len(picked),
        "facets": out_facets,
        "chosen": chosen,
        "page": page,
        "prev": _link(params, page=str(page - 1)) if page > 1 else None,
        "next": _link(params, page=str(page + 1)) if page * limit < len(picked) else None,
        "clear_all": _link({k: v for k, v in params.items() if k in ("q", "watchlisted")}),
        "tags": sorted({t for r in rows for t in r.tags}, key=str.casefold),
    }
