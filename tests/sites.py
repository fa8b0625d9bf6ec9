"""Real local HTTP sites for tests: a threaded server on 127.0.0.1 that records every request.

A site serves a dict of ``path -> Page`` (the path may include a query string), an
optional directory and an optional fallback function for generated pages (crawler
traps). It answers conditional requests (``If-None-Match``, ``If-Modified-Since``)
with 304, and it can act as a plain HTTP proxy for itself: a request line with an
absolute URL is served from the same pages, so tests can check proxy use.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_LAST_MODIFIED = "Mon, 03 Mar 2025 10:00:00 GMT"


@dataclass
class Page:
    """One response. ``etag=True`` derives a strong ETag from the body."""

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | bool | None = True
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the headers are sent
    send_length: bool = True

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body

    @property
    def etag_value(self) -> str | None:
        if self.etag is True:
            return '"' + hashlib.sha1(self.data).hexdigest()[:16] + '"'
        return self.etag or None


@dataclass(frozen=True)
class RecordedRequest:
    """What the site received and what it answered."""

    path: str  # path and query, as requested
    method: str
    headers: dict[str, str]  # lower-case names
    status: int
    body_sent: bool
    absolute: bool = False  # request line held an absolute URL (proxy request)


def html_page(title: str, body_html: str, *, head: str = "", charset: str = "utf-8") -> str:
    """A small but complete HTML document."""
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
        f"<body>{body_html}</body></html>\n"
    )


class LocalSite:
    """A real HTTP server on 127.0.0.1 with a random port. Use as a context manager."""

    def __init__(
        self,
        pages: dict[str, Page] | None = None,
        *,
        directory: str | Path | None = None,
        fallback: Callable[[str], Page | None] | None = None,
    ) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.directory = Path(directory) if directory else None
        self.fallback = fallback
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.root + path

    def start(self) -> LocalSite:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # what was asked -------------------------------------------------------------------
    def paths(self) -> list[str]:
        """Requested paths (with query), in order, robots.txt included."""
        with self._lock:
            return [r.path for r in self.requests]

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def bodies_sent(self) -> list[str]:
        """Paths answered with a full body (not 304, not HEAD)."""
        with self._lock:
            return [r.path for r in self.requests if r.body_sent]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def lookup(self, path: str) -> Page | None:
        if path in self.pages:
            return self.pages[path]
        bare = path.split("?", 1)[0]
        if bare in self.pages:
            return self.pages[bare]
        if self.fallback is not None:
            page = self.fallback(path)
            if page is not None:
                return page
        if self.directory is not None:
            rel = bare.lstrip("/") or "index.html"
            target = (self.directory / rel).resolve()
            if target.is_dir():
                target = target / "index.html"
            if self.directory.resolve() in target.parents and target.is_file():
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if ctype.startswith("text/") or ctype.endswith("xml"):
                    ctype += "; charset=utf-8"
                return Page(target.read_bytes(), content_type=ctype)
        return None


def _not_modified(page: Page, headers: dict[str, str]) -> bool:
    etag = page.etag_value
    inm = headers.get("if-none-match")
    if inm is not None and etag is not None:
        return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = headers.get("if-modified-since")
    if ims is not None and page.last_modified:
        try:
            return parsedate_to_datetime(page.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _make_handler(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "atrisk-test-site/1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
            return

        def _serve(self, send_body: bool) -> None:
            absolute = self.path.startswith(("http://", "https://"))
            path = self.path
            if absolute:
                parts = urlsplit(self.path)
                path = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = {k.lower(): v for k, v in self.headers.items()}
            page = site.lookup(path) or Page("<html><body>not found</body></html>", status=404)
            if page.delay:
                time.sleep(page.delay)
            status = page.status
            conditional = status == 200 and _not_modified(page, headers)
            if conditional:
                status = 304
            data = b"" if conditional else page.data
            body_sent = send_body and not conditional and bool(data)
            site._record(RecordedRequest(path, self.command, headers, status, body_sent, absolute))
            try:
                self.send_response(status)
                if page.content_type and not conditional:
                    self.send_header("Content-Type", page.content_type)
                if page.etag_value and status in (200, 304):
                    self.send_header("ETag", page.etag_value)
                if page.last_modified and status in (200, 304):
                    self.send_header("Last-Modified", page.last_modified)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                if page.send_length or conditional:
                    self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                if send_body and data:
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (size cap, timeout): that is its business

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            self._serve(True)

        def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
            self._serve(False)

    return Handler


# -- sources and config files for crawl tests ------------------------------------------------

# no politeness delay, no retries: tests talk to their own local servers
FAST_CRAWL: dict[str, object] = {
    "download_delay": 0.0, "autothrottle": False, "timeout": 5, "retries": 0,
    "contact": "https://example.org/atrisk-tests",
}


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "") + "'"  # literal string: regexes stay as written
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_sources(path: Path, sources: list[dict[str, object]]) -> Path:
    """A sources.toml with one [[sources]] table per dict."""
    lines: list[str] = []
    for src in sources:
        lines.append("[[sources]]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in src.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_config(path: Path, **crawl: object) -> Path:
    """A config file whose [crawl] section is FAST_CRAWL updated with ``crawl``."""
    values = {**FAST_CRAWL, **crawl}
    path.write_text("[crawl]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in values.items()),
                    encoding="utf-8")
    return path
