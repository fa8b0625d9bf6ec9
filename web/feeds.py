"""Atom feeds of reported events per person, tag, country and event type.

People flagged confidential and dismissed events never appear; links point at the
workbench (``[web] base_url``) and at the reporting document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pipeline.config import EVENT_TYPES
from pipeline.reports.casefile import _members, _resolve
from pipeline.storage.users import Principal, utcnow
from web import queries

if TYPE_CHECKING:
    from web.app import Workbench

ATOM = "http://www.w3.org/2005/Atom"


def _time(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def atom(wb: Workbench, feed_id: str, title: str, self_path: str, rows: list[dict[str, Any]]) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"urn:atrisk:feed:{feed_id}")
    _sub(feed, "title", title)
    _sub(feed, "updated", _time(rows[0]["created_at"] if rows else utcnow()))
    _sub(feed, "link", rel="self", href=wb.link(self_path))
    _sub(_sub(feed, "author"), "name", "atrisk")
    for r in rows:
        entry = _sub(feed, "entry")
        what = r["type"].replace("_", " ")
        _sub(entry, "id", f"urn:atrisk:event:{r['id']}")
        _sub(entry, "title", f"{what.upper()} — {r['person']}")
        _sub(entry, "updated", _time(r["created_at"]))
        _sub(entry, "link", rel="alternate", href=r["url"])
        _sub(entry, "link", rel="related", href=wb.link(f"/people/{quote(r['person'], safe='')}"))
        _sub(entry, "category", term=r["type"])
        when = r["date"].isoformat() if r["date"] else "date not stated"
        body = (f"{r['person']}: {what}" + (f" ({r['term']})" if r["term"] else "") + f", {when}.\n"
                f"“{r['sentence']}”\nSource: {r['source'] or 'unknown'}\nReview: {r['review']}"
                + ("\nBackground (not news)" if r["background"] else ""))
        _sub(entry, "content", body, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def feed_user(wb: Workbench, request: Request) -> Principal:
    """A session (browser) or a bearer token (feed reader)."""
    user = wb.session_user(request)
    if user is not None:
        return user
    if request.headers.get("authorization"):
        return wb.api_user(request)
    raise HTTPException(401, "sign in, or send Authorization: Bearer TOKEN",
                        headers={"WWW-Authenticate": "Bearer"})


def routes(wb: Workbench) -> list[Route]:
    def feed(request: Request) -> Response:
        feed_user(wb, request)
        kind, value = request.path_params["kind"], request.path_params["value"]
        with wb.db.sessions() as s:
            if kind == "person":
                root = _resolve(s, value, "person")
                if root is None or root.confidential:
                    raise HTTPException(404, f"no person named {value!r}")
                rows = queries.feed_events(s, person_ids=[m.id for m in _members(s, root)])
                title = f"atrisk: {root.name}"
            elif kind == "tag":
                rows, title = queries.feed_events(s, tag=value), f"atrisk: tag {value}"
            elif kind == "type":
                if value not in EVENT_TYPES:
                    raise HTTPException(404, f"unknown event type {value!r}")
                rows, title = queries.feed_events(s, etype=value), f"atrisk: {value.replace('_', ' ')}"
            elif kind == "country":
                rows, title = queries.feed_events(s, country=value), f"atrisk: {value}"
            else:
                raise HTTPException(404, "feeds: person, tag, country, type")
        body = atom(wb, f"{kind}:{value}", title, f"/feeds/{kind}/{quote(value, safe='')}.atom", rows)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    return [Route("/feeds/{kind}/{value}.atom", feed, methods=["GET"])]
