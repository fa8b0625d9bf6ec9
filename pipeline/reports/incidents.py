"""Incidents as records (pure reads): `atrisk incidents`, the case file and the digest.

The record is the public contract of DESIGN.md; the CSV is laid out for an Uwazi
(HURIDOCS) template: one column per template property, named by the property's key,
``title`` first, a link as ``label|url`` (see README, "Incidents in Uwazi").
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from extract import places
from pipeline.storage.db import Database
from pipeline.storage.models import Document, Entity, Event, Incident, Source

# Uwazi template property -> (record field, Uwazi property type); the order of the columns
UWAZI_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("title", "title", "title"),
    ("atrisk_id", "id", "numeric"),
    ("person", "person", "text"),
    ("event_type", "type", "select"),
    ("date", "date", "date"),
    ("date_precision", "date_precision", "select"),
    ("country", "country", "select"),
    ("place", "place", "text"),
    ("perpetrator", "authority", "text"),
    ("term", "term", "text"),
    ("sources", "sources", "numeric"),
    ("first_report", "first_reported", "link"),
    ("first_report_source", "first_reported", "select"),
    ("first_report_date", "first_reported", "date"),
    ("documents", "documents", "markdown"),
    ("new", "new", "select"),
    ("review", "review", "select"),
)
UWAZI_FIELDS = tuple(c[0] for c in UWAZI_COLUMNS)
STATUS_OF = {  # the status an incident of this type leaves a person in
    "arrest": "in_custody",
    "sentence": "sentenced",
    "release": "released",
    "ban": "banned",
    "killing": "killed",
}

# the precision an incident record shows ("week" is shown as "month")
PUBLIC_PRECISION = {"day": "day", "week": "month", "month": "month", "year": "year"}


def _live(s: Session) -> Any:
    """Incidents that stand on their own and have at least one live event."""
    has_events = select(Event.incident_id).where(Event.dismissed.is_(False), Event.incident_id.is_not(None))
    return select(Incident).where(Incident.merged_into_id.is_(None), Incident.id.in_(has_events))


def _records(s: Session, incidents: list[Incident]) -> list[dict[str, Any]]:
    if not incidents:
        return []
    sources: dict[int | None, str] = dict(s.execute(select(Source.id, Source.name)).tuples().all())
    ids = [i.id for i in incidents]
    urls: dict[int, list[str]] = defaultdict(list)
    docs: dict[int, Document] = {}
    rows = s.execute(
        select(Event.incident_id, Document)
        .join(Document, Document.id == Event.document_id)
        .where(Event.incident_id.in_(ids), Event.dismissed.is_(False))
        .order_by(Document.published.is_(None), Document.published, Document.first_seen_at, Document.id)
    ).tuples()
    for incident_id, doc in rows:
        docs[doc.id] = doc
        if incident_id is not None and doc.url not in urls[incident_id]:
            urls[incident_id].append(doc.url)
    names = dict(s.execute(select(Entity.id, Entity.name).where(
        Entity.id.in_({i.person_id for i in incidents}))).tuples().all())
    out = []
    for inc in incidents:
        first = docs.get(inc.first_document_id) if inc.first_document_id else None
        if first is None and inc.first_document_id is not None:
            first = s.get(Document, inc.first_document_id)
        out.append({
            "id": inc.id,
            "person": names.get(inc.person_id),
            "type": inc.type,
            "date": inc.date.isoformat() if inc.date else None,
            "date_precision": PUBLIC_PRECISION.get(inc.date_precision or "") if inc.date else None,
            "country": inc.country,
            "place": inc.place,
            "authority": inc.authority,
            "term": inc.term,
            "first_reported": {
                "url": first.url if first else None,
                "source": sources.get(first.source_id) if first else None,
                "published": inc.first_reported.isoformat() if inc.first_reported else None,
            },
            "sources": inc.sources,
            "documents": urls.get(inc.id, []),
            "new": bool(inc.is_new),
            "review": inc.review,
        })
    return out


def list_incidents(db: Database, *, since: datetime | None = None, country: str | None = None,
                   etype: str | None = None) -> list[dict[str, Any]]:
    """Incident records, the latest reported first; ``since`` keeps those reported since then."""
    with db.sessions() as s:
        q = _live(s)
        if since is not None:
            q = q.where(Incident.last_reported >= since.date())
        if etype:
            q = q.where(Incident.type == etype)
        found = list(s.scalars(q.order_by(Incident.last_reported.desc(), Incident.id.desc())))
        if country:
            wanted = {places.norm(country), places.norm(places.country_named(country) or country)}
            found = [i for i in found if i.country and places.norm(i.country) in wanted]
        return _records(s, found)


def person_incidents(s: Session, person_ids: Iterable[int]) -> list[dict[str, Any]]:
    """A person's incidents (all entities merged into them), the most recent first."""
    found = list(s.scalars(_live(s).where(Incident.person_id.in_(list(person_ids)))))
    found.sort(key=lambda i: (i.date or i.first_reported or date.min, i.id), reverse=True)
    return _records(s, found)


def person_status(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    """The status the latest incident that changes it leaves the person in, with that incident.

    Incidents are compared by their date (else their first report); a recollection of an
    old arrest does not outweigh a later release.
    """
    def when(rec: dict[str, Any]) -> str:
        return rec["date"] or rec["first_reported"]["published"] or ""

    ranked = sorted((r for r in incidents if r["type"] in STATUS_OF), key=lambda r: (when(r), r["id"]))
    if not ranked:
        return {"status": "unknown", "incident": None}
    last = ranked[-1]
    status = STATUS_OF[last["type"]]
    out: dict[str, Any] = {"status": status, "incident": last["id"]}
    if status == "sentenced" and last.get("term"):
        out["term"] = last["term"]
    return out


def person_country(person: Entity, incidents: list[dict[str, Any]]) -> str | None:
    """The watchlist's country, else the one most of the person's incidents happened in."""
    if person.country:
        return places.country_named(person.country) or person.country
    counts = Counter(r["country"] for r in incidents if r["country"])
    return counts.most_common(1)[0][0] if counts else None


def digest_summary(s: Session, start: datetime, end: datetime,
                   hidden: Iterable[str] = ()) -> dict[str, Any]:
    """Incidents reported in [start, end) (an event stored then): new ones first, then those
    first reported in the period, then the most corroborated; counts per country and type.
    The people named in ``hidden`` (confidential ones, for a digest sent by email) are left out."""
    reported = select(Event.incident_id).where(Event.created_at >= start, Event.created_at < end,
                                               Event.dismissed.is_(False))
    found = list(s.scalars(_live(s).where(Incident.id.in_(reported))))
    found.sort(key=lambda i: (not i.is_new, not (i.created_at >= start), -(i.sources or 0), i.id))
    leave_out = set(hidden)
    records = [r for r in _records(s, found) if r["person"] not in leave_out]
    by_country = Counter(r["country"] or "unknown" for r in records)
    by_type = Counter(r["type"] for r in records)
    return {
        "incidents": records,
        "per_country": dict(sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))),
        "per_type": dict(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _line(r: dict[str, Any]) -> tuple[str, str]:
    """(headline, details) of one incident in the digest, unescaped."""
    where = ", ".join(p for p in (r["place"], r["country"]) if p)
    head = f"{r['person']}: {r['type'].replace('_', ' ')}" + (f" ({r['date']})" if r["date"] else "")
    details = "; ".join(x for x in (
        "new" if r["new"] else "",
        f"in {where}" if where else "",
        f"by {r['authority']}" if r["authority"] else "",
        f"{r['sources']} source(s), {len(r['documents'])} document(s)",
    ) if x)
    return head, details


def digest_markdown(summary: dict[str, Any], md: Any) -> list[str]:
    """The digest's incidents section as Markdown lines (``md`` escapes crawled text)."""
    out = ["## Incidents", ""]
    if not summary["incidents"]:
        return out + ["No incidents reported.", ""]
    counts = ", ".join(f"{md(k)} {v}" for k, v in summary["per_country"].items())
    out += [f"Per country: {counts}",
            "Per type: " + ", ".join(f"{k} {v}" for k, v in summary["per_type"].items()), ""]
    for r in summary["incidents"]:
        head, details = _line(r)
        out.append(f"- #{r['id']} **{md(head)}**: {md(details)}")
    return out + [""]


def digest_html(summary: dict[str, Any], h: Any, styles: dict[str, str]) -> list[str]:
    """The digest's incidents section as HTML blocks (``h`` escapes)."""
    out = [f'<h2 style="{styles["h2"]}">Incidents</h2>']
    if not summary["incidents"]:
        return out + [f'<p style="{styles["muted"]}">No incidents reported.</p>']
    counts = ", ".join(f"{h(k)} {v}" for k, v in summary["per_country"].items())
    types = ", ".join(f"{h(k)} {v}" for k, v in summary["per_type"].items())
    out.append(f'<p style="{styles["muted"]}">Per country: {counts}. Per type: {types}.</p>')
    for r in summary["incidents"]:
        head, details = _line(r)
        out.append(f'<div style="{styles["item"]}"><strong>{h(head)}</strong> '
                   f'<span style="{styles["muted"]}">{h(details)}</span></div>')
    return out


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def uwazi_row(rec: dict[str, Any]) -> dict[str, str]:
    """One incident as a row of the Uwazi template (see README for the mapping)."""
    first = rec["first_reported"]
    when = rec["date"] or "date not stated"
    return {
        "title": f"{rec['type'].replace('_', ' ').capitalize()} of {rec['person']} ({when})",
        "atrisk_id": str(rec["id"]),
        "person": rec["person"] or "",
        "event_type": rec["type"],
        "date": rec["date"] or "",
        "date_precision": rec["date_precision"] or "",
        "country": rec["country"] or "",
        "place": rec["place"] or "",
        "perpetrator": rec["authority"] or "",
        "term": rec["term"] or "",
        "sources": str(rec["sources"]),
        "first_report": f"{first['source'] or first['url']}|{first['url']}" if first["url"] else "",
        "first_report_source": first["source"] or "",
        "first_report_date": first["published"] or "",
        "documents": "\n".join(f"- {url}" for url in rec["documents"]),
        "new": "yes" if rec["new"] else "no",
        "review": rec["review"],
    }


def write_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    w = csv.DictWriter(out, fieldnames=UWAZI_FIELDS)
    w.writeheader()
    n = 0
    for rec in records:
        w.writerow(uwazi_row(rec))
        n += 1
    return n
