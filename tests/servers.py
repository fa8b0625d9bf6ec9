"""Real local receivers for alert tests: an SMTP server and a webhook endpoint on 127.0.0.1.

Both keep their port when stopped and started again, so a channel URL (and its hash)
stays the same across an outage.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Collector:
    """aiosmtpd handler that keeps every accepted message, or refuses them while failing."""

    def __init__(self, receiver: SMTPReceiver) -> None:
        self.receiver = receiver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.receiver.failing:
            return "451 4.3.0 temporarily unavailable, try again later"
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        msg = email.message_from_bytes(data, policy=email.policy.default)
        with self.receiver.lock:
            self.receiver.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class SMTPReceiver:
    """An SMTP server on 127.0.0.1 that collects the messages it accepts (no TLS, no auth)."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    failing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def start(self) -> SMTPReceiver:
        if self._controller is None:
            self._controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def url(self, to: str = "desk@example.org", sender: str = "atrisk@example.org") -> str:
        """An apprise mailto:// URL for this server (plain SMTP, no login)."""
        return f"mailto://127.0.0.1:{self.port}?from={sender}&to={to}&mode=insecure"

    def bodies(self) -> list[str]:
        with self.lock:
            msgs = list(self.messages)
        out = []
        for m in msgs:
            part = m.get_body(preferencelist=("plain", "html"))
            out.append(part.get_content() if part is not None else "")
        return out


class _WebhookHandler(BaseHTTPRequestHandler):
    server: _WebhookHTTPServer

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        receiver = self.server.receiver
        if receiver.status != 200:
            self.send_response(receiver.status)
            self.end_headers()
            return
        try:
            doc = json.loads(body.decode("utf-8"))
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        with receiver.lock:
            receiver.posts.append(
                {"path": self.path, "json": doc, "headers": dict(self.headers.items())}
            )
        if receiver.hold:
            # the message is received but not yet acknowledged: a sender killed now has
            # delivered without knowing it
            receiver.released.wait(timeout=30)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


class _WebhookHTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    receiver: WebhookReceiver


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 collecting JSON POSTs; ``status`` != 200 makes it refuse them."""

    port: int = field(default_factory=free_port)
    posts: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    hold: bool = False  # keep each request open after recording it, until released is set
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _WebhookHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> WebhookReceiver:
        if self._server is None:
            server = _WebhookHTTPServer(("127.0.0.1", self.port), _WebhookHandler)
            server.receiver = self
            self._server = server
            self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start() is called again."""
        self.released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def alert_ids(self) -> list[str]:
        with self.lock:
            return [str(p["json"].get("alert_id")) for p in self.posts]
