"""Analysts' decisions: reviews of events, case-file edits, and the activity log.

Every action is a ``decisions`` row (who, when, what, before, after). A review is kept
in ``reviews`` keyed by what the analysis detected (document, person key, type), so
``reprocess``, which replaces event rows, applies it again (``review_for`` and
``apply_review``, called from the analysis stage). With ``[alerts] review = "first"``
the outbox holds an event's alerts until it is confirmed or corrected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from extract.entities import entity_key
from pipeline.analysis import incidents
from pipeline.config import EVENT_TYPES, Config
from pipeline.delivery import alerts
from pipeline.storage.db import Database
from pipeline.storage.entities import find_entity, merge_entities, unmerge_entity
from pipeline.storage.models import Alert, Decision, Document, Entity, Event, Incident, Note, Review
from pipeline.storage.users import utcnow

DECISIONS = ("confirm", "dismiss", "correct", "background")
HELD = alerts.HELD


class ReviewError(ValueError):
    """A decision that cannot be applied (unknown event, type or person)."""


class EventNotFound(LookupError):
    """No event has the given id."""


def log_decision(s: Session, user: str, action: str, target: str, target_id: int | None,
                 label: str | None, before: dict | None = None, after: dict | None = None) -> None:
    s.add(Decision(at=utcnow(), user_name=user, action=action, target=target, target_id=target_id,
                   label=label, before=before, after=after))


# --- events ----------------------------------------------------------------------------


def event_view(s: Session, ev: Event) -> dict[str, Any]:
    """An event as the JSON API shows it."""
    doc = s.get(Document, ev.document_id)
    person = s.get(Entity, ev.person_id)
    assert doc is not None and person is not None
    return {"id": ev.id, "type": ev.type, "person": person.name,
            "date": ev.date.isoformat() if ev.date else None, "sentence": ev.sentence,
            "url": doc.url, "source": doc.source.name if doc.source else None, "new": bool(ev.is_new),
            "review": "dismissed" if ev.dismissed else ev.review,
            "incident": getattr(ev, "incident_id", None)}


def _state(ev: Event, person: str) -> dict[str, Any]:
    return {"type": ev.type, "person": person, "date": ev.date.isoformat() if ev.date else None,
            "background": bool(ev.background), "review": "dismissed" if ev.dismissed else ev.review}


def _review_row(s: Session, ev: Event, person: Entity) -> Review:
    row = s.get(Review, ev.review_id) if ev.review_id else None
    if row is None:
        row = s.scalar(select(Review).where(Review.document_id == ev.document_id,
                                            Review.person_key == person.key, Review.type == ev.type))
    if row is None:
        row = Review(document_id=ev.document_id, person_key=person.key, type=ev.type, status="pending",
                     decided_by="", decided_at=utcnow())
        s.add(row)
    return row


def review_event(db: Database, config: Config, event_id: int, decision: str, user: str, *,
                 type: str | None = None, person: str | None = None, when: date | None = None,
                 ) -> dict[str, Any]:
    """Apply one decision to an event; returns the event as the API shows it (after)."""
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    if type is not None and type not in EVENT_TYPES:
        raise ReviewError(f"unknown event type {type!r}; known: {', '.join(EVENT_TYPES)}")
    if decision == "dismiss":
        return _dismiss(db, event_id, user)
    with db.session() as s:
        ev = s.get(Event, event_id)
        if ev is None:
            raise ReviewError(f"no event with id {event_id}")
        doc = s.get(Document, ev.document_id)
        old_person = s.get(Entity, ev.person_id)
        assert doc is not None and old_person is not None
        before = _state(ev, old_person.name)
        row = _review_row(s, ev, old_person)
        old_alert = alerts.make_alert_id(doc.url, old_person.key, ev.type)
        new_person = old_person
        if decision == "correct" and person:
            try:
                new_person = find_entity(s, person, "person")
            except LookupError:
                raise ReviewError(f"no person named {person!r}; add them to the watchlist first") from None
        if decision == "correct" and not (type or person or when):
            raise ReviewError("a correction needs a new type, person or date")
        if decision == "correct":
            if type and type != ev.type:
                clash = s.scalar(select(Event.id).where(
                    Event.document_id == ev.document_id, Event.person_id == new_person.id,
                    Event.type == type, Event.sent_start == ev.sent_start, Event.id != ev.id))
                if clash:
                    raise ReviewError(f"event {clash} already says that; dismiss this one instead")
                ev.type = row.new_type = type
            if new_person.id != old_person.id:
                ev.person_id = row.new_person_id = new_person.id
            if when:
                ev.date = row.new_date = when
            ev.review = row.status = "corrected"
        elif decision == "background":
            ev.background, row.background = True, True
            ev.is_new = False
            ev.review = row.status = "corrected"
        else:
            ev.review = "corrected" if row.status == "corrected" else "confirmed"
            row.status = ev.review
        row.decided_by, row.decided_at = user, utcnow()
        s.flush()
        ev.review_id = row.id
        new_alert = alerts.make_alert_id(doc.url, new_person.key, ev.type)
        if decision == "background" or new_alert != old_alert:
            _cancel(s, old_alert)
        if decision != "background":
            if new_alert != old_alert:
                alerts.enqueue_alerts(s, ev, doc, new_person, config)
            release_held(s, new_alert)
        log_decision(s, user, decision, "event", ev.id, f"{ev.type} — {new_person.name}", before,
                     _state(ev, new_person.name))
        s.flush()
        return event_view(s, ev)


def dismiss_event(db: Database, event_id: int) -> int:
    """Dismiss an event (see ``alerts.dismiss``) and regroup its incident without it.

    Returns the number of undelivered alerts cancelled.
    """
    with db.session() as s:
        event = s.get(Event, event_id)
        if event is None:
            raise EventNotFound(f"no event with id {event_id}; see event ids with `atrisk export`")
        cancelled = alerts.dismiss(s, event)
        incidents.after_document(s, [event])  # the incident's sources and facts without it
    return cancelled
def review_incident(db: Database, config: Config, incident_id: int, decision: str, user: str, *,
                    type: str | None = None, person: str | None = None, when: date | None = None,
                    ) -> dict[str, Any]:
    """Apply one decision to every live event of an incident (each one recorded as with
    :func:`review_event`), then to the incident itself: its review state, and with a
    correction of type or person its own type or person, so re-analysis keeps the events
    together. ``confirm`` leaves events already decided as they are."""
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    if type is not None and type not in EVENT_TYPES:
        raise ReviewError(f"unknown event type {type!r}; known: {', '.join(EVENT_TYPES)}")
    if decision == "correct" and not (type or person or when):
        raise ReviewError("a correction needs a new type, person or date")
    with db.sessions() as s:
        inc = s.get(Incident, incident_id)
        if inc is None or inc.merged_into_id is not None:
            raise ReviewError(f"no incident with id {incident_id}")
        if person:
            try:
                find_entity(s, person, "person")
            except LookupError:
                raise ReviewError(f"no person named {person!r}; add them to the watchlist first") from None
        live = select(Event.id).where(Event.incident_id == incident_id, Event.dismissed.is_(False))
        if decision == "confirm":
            live = live.where(Event.review == "pending")
        ids = list(s.scalars(live.order_by(Event.id)))
        before = {"review": inc.review, "type": inc.type, "events": ids}
    if not ids:
        raise ReviewError(f"incident {incident_id} has no event left to {decision}")
    views = []
    for event_id in ids:
        with db.sessions() as s:
            gone = s.scalar(select(Event.dismissed).where(Event.id == event_id))
        if gone is None or (gone and decision == "dismiss"):  # dismissed with an earlier one of its document
            continue
        views.append(review_event(db, config, event_id, decision, user, type=type, person=person, when=when))
    with db.session() as s:
        inc = s.get(Incident, incident_id)
        assert inc is not None
        if decision in ("correct", "background"):
            inc.review = "corrected"
        elif decision == "confirm" and inc.review != "corrected":
            inc.review = "confirmed"
        if decision == "correct":
            inc.type = type or inc.type
            if person:
                inc.person_id = find_entity(s, person, "person").id
        s.flush()
        incidents.refresh(s, inc)
        label = f"{inc.type} — {s.get(Entity, inc.person_id).name}"  # type: ignore[union-attr]
        log_decision(s, user, decision, "incident", inc.id, label, before,
                     {"review": inc.review, "type": inc.type, "events": [v["id"] for v in views]})
        return {"id": inc.id, "review": inc.review, "type": inc.type, "events": views}


def _dismiss(db: Database, event_id: int, user: str) -> dict[str, Any]:
    with db.session() as s:
        ev = s.get(Event, event_id)
        if ev is None:
            raise ReviewError(f"no event with id {event_id}; see event ids with `atrisk export`")
        person = s.get(Entity, ev.person_id)
        assert person is not None
        before = _state(ev, person.name)
    cancelled = dismiss_event(db, event_id)
    with db.session() as s:
        ev = s.get(Event, event_id)
        assert ev is not None
        row = _review_row(s, ev, person)
        row.status, row.decided_by, row.decided_at = "dismissed", user, utcnow()
        s.flush()
        ev.review_id = row.id
        log_decision(s, user, "dismiss", "event", ev.id, f"{ev.type} — {person.name}", before,
                     _state(ev, person.name))
        s.flush()
        return {**event_view(s, ev), "alerts_cancelled": cancelled}


def _cancel(s: Session, alert_id: str) -> None:
    s.execute(update(Alert).where(Alert.alert_id == alert_id,
                                  or_(Alert.status.in_((alerts.PENDING, alerts.FAILED, HELD)),
                                      Alert.channel == alerts.FEED_CHANNEL))
              .values(status=alerts.CANCELLED).execution_options(synchronize_session=False))


def release_held(s: Session, alert_id: str) -> None:
    """Alerts held for review go out: delivery rows to pending, the feed entry to sent."""
    now = utcnow()
    s.execute(update(Alert).where(Alert.alert_id == alert_id, Alert.status == HELD,
                                  Alert.channel != alerts.FEED_CHANNEL)
              .values(status=alerts.PENDING, created_at=now).execution_options(synchronize_session=False))
    s.execute(update(Alert).where(Alert.alert_id == alert_id, Alert.status == HELD,
                                  Alert.channel == alerts.FEED_CHANNEL)
              .values(status=alerts.SENT, sent_at=now).execution_options(synchronize_session=False))


# --- re-analysis ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """A stored review, as the analysis stage applies it to a new detection."""

    id: int
    status: str
    type: str | None
    person_id: int | None
    date: date | None
    background: bool | None

    def identity(self, etype: str, person_id: int) -> tuple[str, int]:
        return self.type or etype, self.person_id or person_id


def review_for(s: Session, document_id: int, person_id: int, etype: str) -> Fix | None:
    """The analyst's decision on this detection, if any."""
    person = s.get(Entity, person_id)
    key = person.key if person is not None else entity_key(str(person_id))
    row = s.scalar(select(Review).where(Review.document_id == document_id, Review.person_key == key,
                                        Review.type == etype))
    if row is None:
        return None
    return Fix(row.id, row.status, row.new_type, row.new_person_id, row.new_date, row.background)


def apply_review(ev: Event, fix: Fix | None) -> None:
    """Put a stored decision back on a freshly analysed event row."""
    if fix is None:
        ev.review = "pending"
        ev.review_id = None
        return
    ev.review_id = fix.id
    ev.review = fix.status if fix.status in ("confirmed", "corrected") else "pending"
    if fix.date is not None:
        ev.date = fix.date
    if fix.background:
        ev.background = True


def held_for_review(config: Config, ev: Event) -> bool:
    """With ``[alerts] review = "first"``, alerts of an unreviewed event wait."""
    return config.alerts.review == "first" and ev.review == "pending"


# --- people ----------------------------------------------------------------------------


def _person_state(s: Session, ent: Entity) -> dict[str, Any]:
    return {"name": ent.name, "watchlisted": ent.watchlisted, "tags": list(ent.tags or []),
            "confidential": ent.confidential, "merged_into": ent.merged_into_id}


def merge(db: Database, user: str, keep: str, other: str) -> tuple[str, str]:
    with db.session() as s:
        target, source = merge_entities(s, keep, other)
        log_decision(s, user, "merge", "person", target.id, f"{source.name} → {target.name}",
                     {"kept": target.name, "other": source.name}, {"merged_into": target.name})
        return target.name, source.name


def unmerge(db: Database, user: str, name: str) -> str:
    with db.session() as s:
        ent = unmerge_entity(s, name)
        s.flush()
        log_decision(s, user, "unmerge", "person", ent.id, ent.name, None, {"name": ent.name})
        return ent.name


def update_person(db: Database, user: str, name: str, *, watchlisted: bool | None = None,
                  tags: list[str] | None = None, confidential: bool | None = None,
                  kind: str = "person", file: str | None = None) -> str:
    """Watchlist flag, tags, confidential flag of an entity; logged with before and after
    (and ``file``, the watchlist file the change was written to)."""
    with db.session() as s:
        ent = find_entity(s, name, kind)
        before = _person_state(s, ent)
        if watchlisted is not None:
            ent.watchlisted = watchlisted
        if tags is not None:
            ent.tags = sorted({t.strip() for t in tags if t.strip()})
        if confidential is not None:
            ent.confidential = confidential
        after = _person_state(s, ent)
        if after != before:
            action = "confidential" if before["confidential"] != after["confidential"] else "watchlist"
            log_decision(s, user, action, kind, ent.id, ent.name, before,
                         {**after, "watchlist_file": file} if file else after)
        return ent.name


def add_note(db: Database, user: str, name: str, text: str, kind: str = "person") -> None:
    text = text.strip()
    if not text:
        raise ReviewError("an empty note")
    with db.session() as s:
        ent = find_entity(s, name, kind)
        s.add(Note(entity_id=ent.id, user_name=user, at=utcnow(), text=text[:20000]))
        log_decision(s, user, "note", kind, ent.id, ent.name, None, {"note": text[:200]})


def retry_alert(db: Database, user: str, row_id: int) -> None:
    """A failed or waiting delivery row is due now."""
    with db.session() as s:
        row = s.get(Alert, row_id)
        if row is None:
            raise ReviewError(f"no alert row {row_id}")
        before = {"status": row.status, "attempts": row.attempts}
        if row.status in (alerts.FAILED, alerts.PENDING):
            row.status, row.next_attempt_at = alerts.PENDING, None
        log_decision(s, user, "retry", "alert", row.id, row.alert_id, before, {"status": row.status})
