"""The JSON API (bearer tokens only), as DESIGN.md states it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.analysis import decisions
from pipeline.reports.casefile import build_case_file, render_json
from web import queries

if TYPE_CHECKING:
    from web.app import Workbench

REVIEWS = ("pending", "confirmed", "corrected")


def routes(wb: Workbench) -> list[Route]:
    from web.app import json_body

    def list_events(request: Request) -> Response:
        user = wb.api_user(request)
        review = request.query_params.get("review") or None
        if review is not None and review not in REVIEWS:
            raise HTTPException(400, f"review must be one of {', '.join(REVIEWS)}")
        try:
            limit = min(max(int(request.query_params.get("limit", "1000")), 1), 10000)
            offset = max(int(request.query_params.get("offset", "0")), 0)
        except ValueError:
            raise HTTPException(400, "limit and offset are numbers") from None
        with wb.db.sessions() as s:
            rows = queries.events(s, review=review, limit=limit, offset=offset,
                                  hide_confidential=not user.may("analyst"))
        keys = ("id", "type", "person", "date", "sentence", "url", "source", "new", "review", "incident")
        return JSONResponse([{k: r[k] for k in keys} for r in rows])

    async def review_event(request: Request) -> Response:
        user = wb.api_user(request, write=True)
        body = json_body(await request.body())
        try:
            event_id = int(request.path_params["id"])
            when = date.fromisoformat(body["date"]) if body.get("date") else None
        except ValueError:
            raise HTTPException(400, "the event id is a number and date is YYYY-MM-DD") from None
        for field in ("decision", "type", "person"):
            if body.get(field) is not None and not isinstance(body[field], str):
                raise HTTPException(400, f"{field} must be a string")
        try:
            view = decisions.review_event(wb.db, wb.config, event_id, str(body.get("decision", "")),
                                          user.name, type=body.get("type"), person=body.get("person"),
                                          when=when)
        except decisions.ReviewError as exc:
            status = 404 if str(exc).startswith("no event") else 400
            raise HTTPException(status, str(exc)) from None
        return JSONResponse(view)

    def person(request: Request) -> Response:
        user = wb.api_user(request)
        case = build_case_file(wb.db, request.path_params["name"])
        if case is None or (case.confidential and not user.may("analyst")):
            raise HTTPException(404, f"no person named {request.path_params['name']!r}")
        return JSONResponse(render_json(case))

    return [
        Route("/api/events", list_events, methods=["GET"]),
        Route("/api/events/{id}/review", review_event, methods=["POST"]),
        Route("/api/people/{name:path}", person, methods=["GET"]),
    ]

