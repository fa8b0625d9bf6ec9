"""Failure kinds for what can go wrong with a request (see pipeline.storage.items.FAILURE_KINDS)."""

from __future__ import annotations

from scrapy import exceptions as sx
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as tx
from twisted.python.failure import Failure

from crawler.middlewares import RefusedRequest

_TIMEOUTS = (sx.DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError, defer.TimeoutError)
_DNS = (sx.CannotResolveHostError, tx.DNSLookupError)
_CONNECTION = (sx.DownloadConnectionRefusedError, tx.ConnectionRefusedError, tx.ConnectError,
               tx.ConnectionLost, tx.ConnectionDone, sx.DownloadFailedError)


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    """(failure kind, HTTP status or None, short message) of a failed request."""
    exc = failure.value
    message = str(exc) or type(exc).__name__
    if isinstance(exc, HttpError):
        status = exc.response.status
        kind = "http_4xx" if 400 <= status < 500 else "http_5xx" if 500 <= status < 600 else "http_other"
        return kind, status, f"HTTP {status}"
    if isinstance(exc, RefusedRequest):
        return exc.kind, None, message
    if isinstance(exc, sx.IgnoreRequest):
        low = message.lower()
        if "robots.txt" in low:
            return "robots", None, message
        if "redirect" in low:
            return "redirect_loop", None, message
        if "size" in low or "max" in low:
            return "too_large", None, message
        return "network", None, message
    if isinstance(exc, sx.DownloadCancelledError | defer.CancelledError):
        # the only cancellation atrisk triggers is the page size cap
        return "too_large", None, message
    if isinstance(exc, _TIMEOUTS):
        return "timeout", None, message
    if isinstance(exc, _DNS):
        return "dns", None, message
    if isinstance(exc, sx.ResponseDataLossError):
        return "data_loss", None, message
    if isinstance(exc, _CONNECTION):
        return "connection", None, message
    return "network", None, f"{type(exc).__name__}: {message}"
