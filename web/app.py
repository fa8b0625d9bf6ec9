"""The workbench application: authentication, the JSON API, and the page routes.

Starlette (not FastAPI): forms and templates are all it needs, without a schema layer
or pydantic models; Jinja2 autoescapes every crawled string; uvicorn serves it.
Browser pages use a signed session cookie (HttpOnly, SameSite=Lax, Secure when the
base URL is https) and a CSRF token in every form; the API takes bearer tokens only.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.config import Config
from pipeline.storage import users
from pipeline.storage.db import Database
from pipeline.storage.users import Principal
from web.security import LoginLimiter, SecurityHeaders, csrf_ok, csrf_token

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
Handler = Callable[[Request], Awaitable[Response]]


class Workbench:
    """What every request handler shares: the database, the config, templates, the login limiter."""

    def __init__(self, db: Database, config: Config, *, session_seconds: int | None = None,
                 watchlist_path: Path | None = None) -> None:
        self.db, self.config = db, config
        # the file "add to the watchlist" writes; None: such edits are refused
        self.watchlist_path = watchlist_path
        self.base_url = config.web.base_url.rstrip("/")
        self.session_seconds = session_seconds or config.web.session_hours * 3600
        self.limiter = LoginLimiter()
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html", "xml"]), trim_blocks=True,
                                     lstrip_blocks=True)
        self.templates.filters["q"] = lambda v: quote(str(v), safe="")

    def link(self, path: str) -> str:
        """An absolute link into the workbench when ``[web] base_url`` is set."""
        return f"{self.base_url}{path}" if self.base_url else path

    # --- who is calling ---------------------------------------------------------------

    def session_user(self, request: Request) -> Principal | None:
        sess = request.session
        uid, epoch, issued = sess.get("uid"), sess.get("epoch"), sess.get("iat")
        if not isinstance(uid, int) or not isinstance(epoch, int) or not isinstance(issued, int | float):
            return None
        if time.time() - issued > self.session_seconds:
            sess.clear()
            return None
        return users.session_user(self.db, uid, epoch)

    def page_user(self, request: Request, role: str = "viewer") -> Principal:
        user = self.session_user(request)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise HTTPException(303, headers={"Location": f"/login?next={quote(target, safe='')}"})
        if not user.may(role):
            raise HTTPException(403, f"your role ({user.role}) may not do this; it needs {role}")
        return user

    async def form(self, request: Request, role: str = "analyst") -> tuple[Principal, dict[str, str]]:
        """The signed-in user and the posted form, after the role and CSRF checks."""
        user = self.page_user(request, role)
        data = await request.form()
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
        if not csrf_ok(request.session, fields.get("csrf")):
            raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")
        return user, fields

    def api_user(self, request: Request, write: bool = False) -> Principal:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        user = users.token_user(self.db, token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise HTTPException(401, "a valid API token is needed: Authorization: Bearer TOKEN",
                                headers={"WWW-Authenticate": "Bearer"})
        if write and not user.may("analyst"):
            raise HTTPException(403, f"role {user.role} may not change anything")
        return user

    # --- rendering --------------------------------------------------------------------

    def render(self, request: Request, name: str, user: Principal | None, code: int = 200,
               **context: Any) -> HTMLResponse:
        from web import review

        pending = review.waiting_count(self.db) if user else 0
        html = self.templates.get_template(name).render(
            request=request, user=user, csrf=csrf_token(request.session), pending=pending,
            path=request.url.path, review_first=self.config.alerts.review == "first", **context)
        return HTMLResponse(html, status_code=code)


def create_app(db: Database, config: Config, *, secret: str | None = None,
               session_seconds: int | None = None, watchlist_path: str | Path | None = None) -> Starlette:
    """The ASGI application for one database and config; ``watchlist_path`` is the file
    watchlist edits are written to (without one they are refused)."""
    from web import api, feeds, pages, review

    wb = Workbench(db, config, session_seconds=session_seconds,
                   watchlist_path=Path(watchlist_path) if watchlist_path else None)
    key = users.secret_key(db, secret or os.environ.get("ATRISK_SECRET_KEY") or None)
    users.dummy_hash()  # made now: the first login with an unknown name costs what a wrong password does
    https = wb.base_url.startswith("https://")

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def login_form(request: Request) -> Response:
        return wb.render(request, "login.html", None, next=_safe_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        data = await request.form()
        name, password = str(data.get("username", "")), str(data.get("password", ""))
        nxt = _safe_next(str(data.get("next", "")))
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
            raise HTTPException(403, "a login from another site is refused")
        client = request.client.host if request.client else "?"
        keys = (f"ip:{client}", f"user:{name.strip().lower()}")
        if wb.limiter.blocked(*keys):
            return wb.render(request, "login.html", None, code=429, next=nxt,
                             error="Too many failed attempts; wait a few minutes.")
        user = await run_in_threadpool(users.authenticate, db, name, password)  # argon2 takes a while
        if user is None:
            wb.limiter.failed(*keys)
            return wb.render(request, "login.html", None, code=401, next=nxt,
                             error="Wrong user name or password, or the account is disabled.")
        wb.limiter.succeeded(*keys)
        request.session.clear()  # a new session: no fixation
        request.session.update({"uid": user.id, "epoch": user.epoch, "iat": int(time.time())})
        csrf_token(request.session)
        return RedirectResponse(nxt or "/", status_code=303)

    async def logout(request: Request) -> Response:
        await wb.form(request, "viewer")
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303) and exc.headers:
            return Response(status_code=exc.status_code, headers=exc.headers)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        user = wb.session_user(request)
        return wb.render(request, "error.html", user, code=exc.status_code, message=exc.detail)

    routes = [
        Route("/healthz", healthz),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        *api.routes(wb),
        *feeds.routes(wb),
        *review.routes(wb),
        *pages.routes(wb),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders, https=https),
        Middleware(SessionMiddleware, secret_key=key, session_cookie="atrisk_session",
                   max_age=wb.session_seconds, same_site="lax", https_only=https),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: on_error})
    app.state.workbench = wb
    return app


def _safe_next(value: str | None) -> str:
    """Only a local path: a login must not redirect to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value


def json_body(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise HTTPException(400, "the body must be JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return data


def serve(db: Database, config: Config, host: str, port: int,
          watchlist_path: str | Path | None = None) -> None:
    """Run the workbench under uvicorn until interrupted."""
    import uvicorn

    app = create_app(db, config, watchlist_path=watchlist_path)
    log.info("atrisk workbench on http://%s:%d/", host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
