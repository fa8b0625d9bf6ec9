"""A static site served on 127.0.0.1 (the demo and benchmarks), with validators for 304s.

Text files may hold placeholders filled in at serve time: ``{{BASE}}`` (the site's own
``http://127.0.0.1:PORT``), ``{{DATE-N}}`` (the ISO date N days before today) and
``{{DATE-N:long}}`` (the same date written out, e.g. "Monday, 16 November 2026").
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_PLACEHOLDER = re.compile(r"\{\{(BASE|DATE-(\d+)(:long)?)\}\}")
_TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".toml", ".json", ".rss", ".atom"}
_HOST = "127.0.0.1"


def fill_placeholders(text: str, base: str, today: date | None = None) -> str:
    today = today or date.today()

    def sub(m: re.Match[str]) -> str:
        if m[1] == "BASE":
            return base
        d = today - timedelta(days=int(m[2]))
        if m[3]:
            return f"{d:%A}, {d.day} {d:%B %Y}"
        return d.isoformat()

    return _PLACEHOLDER.sub(sub, text)


class LocalSite:
    """Serve ``root`` on 127.0.0.1 in a background thread: ``with LocalSite(path) as site:``."""

    def __init__(self, root: str | Path, port: int = 0, today: date | None = None) -> None:
        self.root = Path(root).resolve()
        self.today = today or date.today()
        self.requests: list[tuple[str, int]] = []  # (path, status) of every request served
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                site._serve(self)

            def do_HEAD(self) -> None:  # noqa: N802
                site._serve(self, head=True)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer((_HOST, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._started = date.today()

    @property
    def base(self) -> str:
        return f"http://{_HOST}:{self._server.server_port}"

    def start(self) -> LocalSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _body(self, path: Path) -> bytes:
        data = path.read_bytes()
        if path.suffix in _TEXT_SUFFIXES:
            data = fill_placeholders(data.decode("utf-8"), self.base, self.today).encode("utf-8")
        return data

    def _resolve(self, url_path: str) -> Path | None:
        rel = unquote(urlsplit(url_path).path).lstrip("/")
        candidate = (self.root / rel).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if self.root not in candidate.parents and candidate != self.root:
            return None
        return candidate if candidate.is_file() else None

    def _serve(self, h: BaseHTTPRequestHandler, head: bool = False) -> None:
        path = self._resolve(h.path)
        if path is None:
            self._send(h, 404, b"not found", "text/plain", head=head)
            return
        body = self._body(path)
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        mtime = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        if h.headers.get("If-None-Match") == etag or (
            h.headers.get("If-None-Match") is None and h.headers.get("If-Modified-Since") == mtime
        ):
            self.requests.append((h.path, 304))
            h.send_response(304)
            h.send_header("ETag", etag)
            h.send_header("Last-Modified", mtime)
            h.end_headers()
            return
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix in {".html", ".htm"}:
            ctype = "text/html; charset=utf-8"
        elif path.suffix in {".xml", ".rss", ".atom"}:
            ctype = "application/xml; charset=utf-8"
        self._send(h, 200, body, ctype, etag=etag, last_modified=mtime, head=head)

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, *,
              etag: str | None = None, last_modified: str | None = None, head: bool = False) -> None:
        self.requests.append((h.path, status))
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        if etag:
            h.send_header("ETag", etag)
        if last_modified:
            h.send_header("Last-Modified", last_modified)
        h.end_headers()
        if not head:
            h.wfile.write(body)
