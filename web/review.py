"""The Review page: what waits for an analyst, one row per incident.

An incident (one thing that happened to one person, however many documents report it)
is reviewed as one: its row shows every waiting report's sentence with the person and
the trigger marked, and its buttons act on all of the incident's events. An event that
belongs to no incident yet (a database not yet regrouped) is a row of its own, acted on
through the per-event form. With ``[alerts] review = "first"`` the rows whose alerts are
held say so, and the page counts the held alerts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline.analysis import decisions
from pipeline.config import EVENT_TYPES
from pipeline.delivery.alerts import FEED_CHANNEL, HELD
from pipeline.storage.db import Database
from pipeline.storage.models import Alert, Event, Incident
from web import queries
from web.pages import parse_day

if TYPE_CHECKING:
    from web.app import Workbench

GROUPS = 50  # rows (incidents) on a page
SCAN = 1000  # waiting events read to fill them, newest first
STATES = ("pending", "confirmed", "corrected")


def waiting_count(db: Database) -> int:
    """What the header counts: incidents with a pending event, plus pending events outside any."""
    with db.sessions() as s:
        return int(s.scalar(select(func.count(func.distinct(func.coalesce(Event.incident_id, -Event.id))))
                            .where(Event.review == "pending", Event.dismissed.is_(False))) or 0)


def groups(s: Session, state: str, *, hide_confidential: bool, limit: int = GROUPS) -> list[dict[str, Any]]:
    """The incidents with events in ``state``, the latest first, each with those events."""
    rows = queries.events(s, review=state, limit=SCAN, hide_confidential=hide_confidential)
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = f"i{r['incident']}" if r["incident"] is not None else f"e{r['id']}"
        if key not in out:
            if len(out) >= limit:
                continue
            out[key] = {"key": key, "incident": r["incident"], "type": r["type"], "person": r["person"],
                        "confidential": r["confidential"], "events": [], "held": False,
                        "action": f"/review/incident/{r['incident']}" if r["incident"] is not None
                        else f"/review/{r['id']}"}
        r["pieces"] = queries.highlight(r["sentence"], [r["written_as"], r["person"]], r["type"], r["term"])
        out[key]["events"].append(r)
    found = list(out.values())
    _incident_facts(s, found)
    _held(s, found)
    for g in found:
        g["events"].sort(key=lambda e: e["id"])  # in the order they were reported
        g["new"] = any(e["new"] for e in g["events"])
    return found


def _incident_facts(s: Session, found: list[dict[str, Any]]) -> None:
    ids = [g["incident"] for g in found if g["incident"] is not None]
    if not ids:
        return
    facts = {i.id: i for i in s.scalars(select(Incident).where(Incident.id.in_(ids)))}
    for g in found:
        inc = facts.get(g["incident"])
        if inc is not None:
            cut = {"year": 4, "month": 7, "week": 7}.get(inc.date_precision or "day", 10)
            g.update(when=inc.date.isoformat()[:cut] if inc.date else None, place=inc.place,
                     country=inc.country, authority=inc.authority, sources=inc.sources,
                     documents=inc.documents, review=inc.review)


def _held(s: Session, found: list[dict[str, Any]]) -> None:
    ids = [e["id"] for g in found for e in g["events"]]
    held = set(s.scalars(select(Alert.event_id).where(Alert.event_id.in_(ids), Alert.status == HELD,
                                                      Alert.channel != FEED_CHANNEL))) if ids else set()
    for g in found:
        g["held"] = any(e["id"] in held for e in g["events"])


def _back(fields: dict[str, str]) -> RedirectResponse:
    nxt = fields.get("next", "")
    ok = nxt.startswith("/review") and not nxt.startswith("//")
    return RedirectResponse(nxt if ok else "/review", status_code=303)


def routes(wb: Workbench) -> list[Route]:
    def review(request: Request) -> Response:
        user = wb.page_user(request)
        state = request.query_params.get("review", "pending")
        if state not in STATES:
            state = "pending"
        with wb.db.sessions() as s:
            found = groups(s, state, hide_confidential=not user.may("analyst"))
            held = queries.held_alerts(s)
        return wb.render(request, "review.html", user, groups=found, state=state, held=held,
                         types=EVENT_TYPES, events=sum(len(g["events"]) for g in found))

    def decide(apply: Any) -> Any:
        """A POST handler applying ``apply`` (an event's or an incident's review) to the form."""
        async def handler(request: Request) -> Response:
            user, fields = await wb.form(request)
            try:
                apply(wb.db, wb.config, int(request.path_params["id"]), fields.get("decision", ""), user.name,
                      type=fields.get("type") or None, person=fields.get("person") or None,
                      when=parse_day(fields.get("date")))
            except decisions.ReviewError as exc:
                raise HTTPException(400, str(exc)) from None
            return _back(fields)
        return handler

    return [
        Route("/review", review, methods=["GET"]),
        Route("/review/{id:int}", decide(decisions.review_event), methods=["POST"]),
        Route("/review/incident/{id:int}", decide(decisions.review_incident), methods=["POST"]),
    ]
