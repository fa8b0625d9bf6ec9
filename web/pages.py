"""The workbench pages: read with GET, change with POSTed forms (CSRF-checked), then redirect."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline import watchlist_edit
from pipeline.analysis import decisions
from pipeline.config import EVENT_TYPES
from pipeline.reports.casefile import build_case_file
from pipeline.reports.digest import build_digest
from pipeline.storage import users
from pipeline.storage.entities import EntityNotFound, find_entity
from pipeline.storage.search import SearchError
from web import facets, queries
from web.timeline import timeline_svg

if TYPE_CHECKING:
    from web.app import Workbench

DOCUMENTS_SHOWN = 200  # newest documents on a case page; the count says how many there are


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise HTTPException(400, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _back(fields: dict[str, str], default: str) -> RedirectResponse:
    nxt = fields.get("next", "")
    ok = nxt.startswith("/") and not nxt.startswith("//")
    return RedirectResponse(nxt if ok else default, status_code=303)


def person_path(name: str) -> str:
    return f"/people/{quote(name, safe='')}"


def routes(wb: Workbench) -> list[Route]:  # noqa: C901 - one closure per page
    # Pages that only read are plain functions: Starlette runs them in its thread pool, so
    # a slow database read never holds up the event loop (and other users' requests).
    def today(request: Request) -> Response:
        user = wb.page_user(request)
        day = parse_day(request.query_params.get("date")) or users.utcnow().date()
        d = build_digest(wb.db, day=day, timezone=wb.config.digest.timezone,
                         include_confidential=user.may("analyst"), earlier_copies=False)
        return wb.render(request, "today.html", user, d=d, day=day, prev=day - timedelta(days=1),
                         next_day=day + timedelta(days=1), types=EVENT_TYPES)

    def people(request: Request) -> Response:
        return _entities(request, "person")

    def organizations(request: Request) -> Response:
        return _entities(request, "organization")

    def _entities(request: Request, kind: str) -> Response:
        user = wb.page_user(request)
        p = request.query_params
        with wb.db.sessions() as s:
            found = facets.people(s, p, kind=kind, hide_confidential=not user.may("analyst"),
                                  today=users.utcnow().date())
        return wb.render(request, "people.html", user, found=found, kind=kind, params=p)

    def person(request: Request) -> Response:
        user = wb.page_user(request)
        name = request.path_params["name"]
        case = build_case_file(wb.db, name, documents_limit=DOCUMENTS_SHOWN)
        if case is None:
            case = build_case_file(wb.db, name, kind="organization", documents_limit=DOCUMENTS_SHOWN)
        if case is None or (case.confidential and not user.may("analyst")):
            raise HTTPException(404, f"nobody named {name!r}")
        if case.name != name:
            return RedirectResponse(person_path(case.name), status_code=303)
        path = wb.watchlist_path
        listed = watchlist_edit.entry(path, case.kind, case.name) if path and user.may("analyst") else None
        return wb.render(request, "person.html", user, case=case, svg=timeline_svg(case.timeline),
                         feed=f"/feeds/person/{quote(case.name, safe='')}.atom", watchlist_file=path,
                         watchlist_version=watchlist_edit.version(path) if path else "", listed=listed)

    async def person_post(request: Request) -> Response:
        user, fields = await wb.form(request)
        name, action = request.path_params["name"], request.path_params["action"]
        try:
            if action == "merge":
                name, _ = decisions.merge(wb.db, user.name, name, fields.get("other", ""))
            elif action == "unmerge":
                decisions.unmerge(wb.db, user.name, fields.get("other", ""))
            elif action == "watch":
                _watch(name, fields, user.name)
            elif action == "confidential":
                decisions.update_person(wb.db, user.name, name,
                                        confidential=fields.get("confidential") == "1",
                                        kind=fields.get("kind", "person"))
            elif action == "note":
                decisions.add_note(wb.db, user.name, name, fields.get("text", ""), kind=fields.get("kind",
                                                                                                   "person"))
            else:
                raise HTTPException(404, f"no action {action!r}")
        except (EntityNotFound, decisions.ReviewError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        return RedirectResponse(person_path(name), status_code=303)

    def _watch(name: str, fields: dict[str, str], user: str) -> None:
        """The watchlist file first (what analysis reads), then the database and the decision row."""
        if wb.watchlist_path is None:
            raise HTTPException(409, "no watchlist file is configured; start `atrisk serve` with --watchlist")
        if not fields.get("watchlist_version"):
            raise HTTPException(400, "the form lacks the watchlist version it was loaded with; reload it")
        kind, watched = fields.get("kind", "person"), fields.get("watchlisted") == "1"
        tags = fields.get("tags", "").split(",")
        with wb.db.sessions() as s:
            canonical = find_entity(s, name, kind).name
        try:
            watchlist_edit.set_entry(wb.watchlist_path, kind, canonical, watched=watched, tags=tags,
                                     expected=fields["watchlist_version"])
        except watchlist_edit.WatchlistEditError as exc:
            raise HTTPException(409, str(exc)) from None
        decisions.update_person(wb.db, user, canonical, watchlisted=watched, tags=tags, kind=kind,
                                file=str(wb.watchlist_path))

    def documents(request: Request) -> Response:
        user = wb.page_user(request)
        p = request.query_params
        text = p.get("q", "").strip()
        hits, rows, error = [], [], None
        if text:
            try:
                hits = queries.search_documents(wb.db, text)
            except SearchError as exc:
                error = str(exc)
        with wb.db.sessions() as s:
            if not text:
                rows = queries.documents(s, source=p.get("source", ""), language=p.get("language", ""),
                                         analysed=p.get("analysed", ""), since=parse_day(p.get("since")),
                                         until=parse_day(p.get("until")))
            names = queries.source_names(s)
        return wb.render(request, "documents.html", user, hits=hits, rows=rows, params=p, sources=names,
                         error=error, text=text)

    def sources(request: Request) -> Response:
        user = wb.page_user(request)
        with wb.db.sessions() as s:
            data = queries.sources(s, wb.config.operator.stale_days)
        return wb.render(request, "sources.html", user, **data)

    def alerts_page(request: Request) -> Response:
        user = wb.page_user(request)
        with wb.db.sessions() as s:
            data = queries.alerts(s, request.query_params.get("status", ""))
            return wb.render(request, "alerts.html", user, status=request.query_params.get("status", ""),
                             **data)

    async def alert_retry(request: Request) -> Response:
        user, fields = await wb.form(request)
        try:
            decisions.retry_alert(wb.db, user.name, int(request.path_params["id"]))
        except decisions.ReviewError as exc:
            raise HTTPException(404, str(exc)) from None
        return _back(fields, "/alerts")

    def activity(request: Request) -> Response:
        user = wb.page_user(request)
        with wb.db.sessions() as s:
            rows = queries.activity(s, request.query_params.get("user", ""))
            return wb.render(request, "activity.html", user, rows=rows)

    def admin(request: Request) -> Response:
        user = wb.page_user(request, "admin")
        return wb.render(request, "admin.html", user, users=users.list_users(wb.db), roles=users.ROLES,
                         token=request.session.pop("new_token", None))

    async def admin_post(request: Request) -> Response:
        user, fields = await wb.form(request, "admin")
        action, name = request.path_params["action"], fields.get("name", "")
        try:
            if action == "add":
                users.add_user(wb.db, name, fields.get("role", "viewer"), fields.get("password", ""))
            elif action == "disable":
                users.set_disabled(wb.db, name, True)
            elif action == "enable":
                users.set_disabled(wb.db, name, False)
            elif action == "passwd":
                users.set_password(wb.db, name, fields.get("password", ""))
            elif action == "role":
                users.set_role(wb.db, name, fields.get("role", ""))
            elif action == "token":
                request.session["new_token"] = users.new_token(wb.db, name)
            elif action == "revoke":
                users.revoke_tokens(wb.db, name)
            else:
                raise HTTPException(404, f"no action {action!r}")
        except users.UserError as exc:
            raise HTTPException(400, str(exc)) from None
        with wb.db.session() as s:
            decisions.log_decision(s, user.name, f"user {action}", "user", None, name, None,
                                   {"role": fields.get("role")} if action in ("add", "role") else None)
        return RedirectResponse("/admin", status_code=303)

    return [
        Route("/", today, methods=["GET"]),
        Route("/people", people, methods=["GET"]),
        Route("/people/{name}", person, methods=["GET"]),
        Route("/people/{name}/{action}", person_post, methods=["POST"]),
        Route("/organizations", organizations, methods=["GET"]),
        Route("/documents", documents, methods=["GET"]),
        Route("/sources", sources, methods=["GET"]),
        Route("/alerts", alerts_page, methods=["GET"]),
        Route("/alerts/{id:int}/retry", alert_retry, methods=["POST"]),
        Route("/activity", activity, methods=["GET"]),
        Route("/admin", admin, methods=["GET"]),
        Route("/admin/users/{action}", admin_post, methods=["POST"]),
    ]
