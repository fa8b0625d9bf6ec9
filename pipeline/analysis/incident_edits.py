"""Analysts' corrections of incidents: merge, split, set a field; each one recorded.

Every correction survives ``atrisk reprocess``: a merged incident forwards to the one
it was merged into (events regrouped into it land in the survivor), a split event is
pinned by (document, person, type) to its own incident, and a field set by hand is
kept in the incident's ``overrides`` and wins over what the texts say. Each change is
an ``incident_changes`` row with who made it and when.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.analysis import incidents
from pipeline.storage.db import Database
from pipeline.storage.models import Document, Entity, Event, Incident, IncidentChange, IncidentPin
from pipeline.storage.store import utcnow

CORRECTED = "corrected"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class IncidentError(ValueError):
    """A correction that cannot be made; the message says why."""


def _get(s: Session, incident_id: int) -> Incident:
    inc = s.get(Incident, incident_id)
    if inc is None:
        raise IncidentError(f"no incident with id {incident_id}; see ids with `atrisk incidents`")
    if inc.merged_into_id is not None:
        raise IncidentError(f"incident {incident_id} was merged into {inc.merged_into_id}")
    return inc


def _record(s: Session, inc: Incident | None, action: str, actor: str, **detail: Any) -> None:
    s.add(IncidentChange(incident_id=inc.id if inc else None, action=action, detail=detail,
                         actor=actor[:200], created_at=utcnow()))


def _pin(s: Session, ev: Event, incident_id: int) -> None:
    person = s.get(Entity, ev.person_id)
    assert person is not None  # foreign key
    pin = s.scalar(select(IncidentPin).where(IncidentPin.document_id == ev.document_id,
                                             IncidentPin.person_key == person.key,
                                             IncidentPin.type == ev.type))
    if pin is None:
        s.add(IncidentPin(document_id=ev.document_id, person_key=person.key, type=ev.type,
                          incident_id=incident_id))
        s.flush()
    else:
        pin.incident_id = incident_id


def merge(db: Database, keep: int, other: int, actor: str) -> dict[str, Any]:
    """Merge incident ``other`` into ``keep`` (same person and type)."""
    if keep == other:
        raise IncidentError("an incident cannot be merged into itself")
    with db.session() as s:
        a, b = _get(s, keep), _get(s, other)
        if (a.person_id, a.type) != (b.person_id, b.type):
            raise IncidentError(f"incidents {keep} and {other} are not about the same person and type")
        # pinned, so that re-analysis regroups every report of either into the survivor
        for ev in list(s.scalars(select(Event).where(Event.incident_id.in_((a.id, b.id))))):
            _pin(s, ev, a.id)
        s.execute(update(Event).where(Event.incident_id == b.id).values(incident_id=a.id)
                  .execution_options(synchronize_session=False))
        s.execute(update(IncidentPin).where(IncidentPin.incident_id == b.id).values(incident_id=a.id)
                  .execution_options(synchronize_session=False))
        b.merged_into_id = a.id
        a.is_new = a.is_new or b.is_new
        a.followup_sent = a.followup_sent or b.followup_sent
        a.overrides = {**(b.overrides or {}), **(a.overrides or {})}
        a.review = b.review = CORRECTED
        s.flush()
        incidents.refresh(s, a)
        _record(s, a, "merge", actor, merged=b.id, into=a.id)
        return {"id": a.id, "merged": b.id, "sources": a.sources, "documents": a.documents}


def split(db: Database, event_id: int, actor: str) -> dict[str, Any]:
    """Move an event (with the other events of its document, person and type) to a new incident."""
    with db.session() as s:
        ev = s.get(Event, event_id)
        if ev is None:
            raise IncidentError(f"no event with id {event_id}; see event ids with `atrisk export`")
        person = s.get(Entity, ev.person_id)
        doc = s.get(Document, ev.document_id)
        assert person is not None and doc is not None  # foreign keys
        old = incidents.resolve(s, ev.incident_id)
        now = utcnow()
        new = Incident(person_id=ev.person_id, type=ev.type, created_at=now, updated_at=now, sources=0,
                       documents=0, is_new=False, followup_sent=True, background=ev.background,
                       overrides={}, review=CORRECTED)
        s.add(new)
        s.flush()
        _pin(s, ev, new.id)
        s.execute(update(Event).where(Event.document_id == doc.id, Event.person_id == ev.person_id,
                                      Event.type == ev.type).values(incident_id=new.id)
                  .execution_options(synchronize_session=False))
        s.flush()
        incidents.refresh(s, new)
        if old is not None:
            old.review = CORRECTED
            incidents.refresh(s, old)
        _record(s, new, "split", actor, event=event_id, from_incident=old.id if old else None)
        return {"id": new.id, "from": old.id if old else None, "event": event_id}


def parse_date(value: str) -> dict[str, str] | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as the override of an incident's date."""
    if value.strip().lower() in ("", "none", "null"):
        return None
    m = _DATE.match(value.strip())
    if not m:
        raise IncidentError(f"date {value!r}: expected YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        start = date(year, month, day)
    except ValueError as exc:
        raise IncidentError(f"date {value!r}: {exc}") from exc
    precision = "day" if m.group(3) else "month" if m.group(2) else "year"
    return {"date": start.isoformat(), "precision": precision}


def set_field(db: Database, incident_id: int, field: str, value: str, actor: str) -> dict[str, Any]:
    """Set one field (date, country, place, authority, term) of an incident by hand."""
    if field not in incidents.EDITABLE:
        raise IncidentError(f"field {field!r} cannot be set; one of: {', '.join(incidents.EDITABLE)}")
    stored: Any = parse_date(value) if field == "date" else (value.strip() or None)
    with db.session() as s:
        inc = _get(s, incident_id)
        before = getattr(inc, field)
        inc.overrides = {**(inc.overrides or {}), field: stored}
        inc.review = CORRECTED
        incidents.refresh(s, inc)
        _record(s, inc, "set", actor, field=field, value=stored,
                before=before.isoformat() if isinstance(before, date) else before)
        return {"id": inc.id, field: stored}


def history(db: Database, incident_id: int) -> list[dict[str, Any]]:
    """The corrections made to an incident, oldest first."""
    with db.sessions() as s:
        rows = s.scalars(select(IncidentChange).where(IncidentChange.incident_id == incident_id)
                         .order_by(IncidentChange.id))
        return [{"action": r.action, "detail": r.detail, "by": r.actor,
                 "at": r.created_at.isoformat(timespec="seconds")} for r in rows]
