"""The one way out: every alert, operator notice and digest goes through :func:`send` (apprise).

A destination URL is known everywhere by one channel key, :func:`channel_of` (the URL
itself, with its secrets, is never stored). A failure is returned as a masked message,
never raised, so one receiver's failure is that receiver's alone.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline.redact import mask_text, mask_url

TEXT, HTML = "text", "html"
INFO, SUCCESS, WARNING, FAILURE = "info", "success", "warning", "failure"


def channel_of(url: str) -> str:
    """Stable short name of a destination URL (the same key in the alert outbox and notices)."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


class Sender:
    """Sends through apprise, keeping one apprise object per URL for the pass."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def _notifier(self, url: str, cache: bool) -> Any | None:
        import apprise

        if cache and url in self._cache:
            return self._cache[url]
        notifier = apprise.Apprise()
        if not notifier.add(url):
            return None
        if cache:
            self._cache[url] = notifier
        return notifier

    def send(self, url: str, title: str, body: str, *, body_format: str = TEXT,
             notify_type: str = INFO, cache: bool = True) -> str | None:
        """Send one message to ``url``; None on success, else a masked error message.

        ``cache=False`` for a URL used once (one that carries a per-message id).
        """
        import apprise

        notifier = self._notifier(url, cache)
        if notifier is None:
            return f"not a valid apprise URL: {mask_url(url)}"
        try:
            result = notifier.notify(body=body, title=title, body_format=apprise.NotifyFormat(body_format),
                                     notify_type=apprise.NotifyType(notify_type))
        except Exception as exc:  # a plugin bug costs this message, not the pass
            return mask_text(f"{type(exc).__name__}: {exc}")
        if result:
            return None
        logs = getattr(result, "logs", None)
        messages = [e.message for e in logs() if e.level in ("WARNING", "ERROR", "CRITICAL")] if logs else []
        return mask_text("; ".join(dict.fromkeys(messages)) or f"delivery to {mask_url(url)} failed")[:2000]


def send(url: str, title: str, body: str, *, body_format: str = TEXT, notify_type: str = INFO) -> str | None:
    """Send one message with a fresh apprise object; None on success, else a masked error."""
    return Sender().send(url, title, body, body_format=body_format, notify_type=notify_type, cache=False)
