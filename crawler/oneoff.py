"""One-off requests outside a crawl: reachability checks and `atrisk extract URL|FILE`.

They go through the same address guard and limits as the crawl: http(s) only, no
loopback, private, link-local or otherwise non-public address unless allowed (the
source's ``allow_private``, or ``--allow-private``), each redirect hop checked again
(at most ``MAX_REDIRECTS``), the body capped at the page size limit, and one deadline
for the whole fetch.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.canonical import host_allowed
from crawler.middlewares import is_public_address, resolve_host
from extract.article import extract_article
from extract.watchlist import Watchlist

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5  # as REDIRECT_MAX_TIMES in crawler/settings.py
_READ = 64 * 1024


class FetchError(RuntimeError):
    """A page could not be fetched or read."""

    def __init__(self, message: str, kind: str = "network") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes
    url: str  # where the last redirect led


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses, so every hop is checked by the guard first."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def guard(url: str, *, allow_private: bool, domains: tuple[str, ...] | None = None) -> None:
    """Raise FetchError (with the crawl's failure kind) when ``url`` may not be requested."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused {url}: only http and https are fetched", "not_http")
    host = parts.hostname.lower().rstrip(".")
    if domains is not None and not host_allowed(host, domains):
        raise FetchError(f"refused {url}: {host} is not one of the source's domains", "offsite")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"refused {url}: bad port", "not_http") from None
    try:
        addrs = [host.strip("[]")] if _is_ip(host.strip("[]")) else resolve_host(host, port)
    except OSError:
        addrs = []  # does not resolve: the request fails as a DNS error
    if not all(is_public_address(a) for a in addrs):
        raise FetchError(f"refused {url}: {host} is a private, loopback or link-local address "
                         "(allow_private in sources.toml, --allow-private for extract)", "private_address")


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def fetch(url: str, *, user_agent: str, timeout: float, allow_private: bool = False,
          domains: tuple[str, ...] | None = None, max_bytes: int = MAX_BYTES,
          read_body: bool = True) -> Fetched:
    """GET ``url`` through the guard, following at most MAX_REDIRECTS checked redirects,
    within ``timeout`` seconds in all and ``max_bytes`` of body."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while True:
        guard(url, allow_private=allow_private, domains=domains)
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"cannot fetch {seen[0] if seen else url}: timed out", "timeout")
        req = urllib.request.Request(url, headers={"User-Agent": user_agent}, method="GET")
        try:
            # built per fetch: the proxy settings are read from the environment now
            resp = urllib.request.build_opener(_NoRedirect).open(req, timeout=left)
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.code in (301, 302, 303, 307, 308) else None
            exc.close()
            if location is None:
                return Fetched(exc.code, exc.headers.get_content_type(), b"", url)
            seen.append(url)
            url = urljoin(url, location)
            if url in seen:
                raise FetchError(f"cannot fetch {seen[0]}: redirect loop back to {url}",
                                 "redirect_loop") from None
            if len(seen) > MAX_REDIRECTS:
                raise FetchError(f"cannot fetch {seen[0]}: more than {MAX_REDIRECTS} redirects",
                                 "redirect_loop") from None
            continue
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            kind = "timeout" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "network"
            raise FetchError(f"cannot fetch {url}: {reason}", kind) from None
        with resp:
            body = _read_bounded(resp, url, max_bytes, deadline) if read_body else b""
            return Fetched(resp.status, resp.headers.get_content_type(), body, resp.geturl())


def _read_bounded(resp: Any, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = resp.headers.get("Content-Length")
    if max_bytes and declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"cannot fetch {url}: {declared} bytes is over the {max_bytes}-byte limit",
                         "too_large")
    chunks: list[bytes] = []
    size = 0
    while chunk := resp.read(_READ):
        size += len(chunk)
        if max_bytes and size > max_bytes:
            raise FetchError(f"cannot fetch {url}: over the {max_bytes}-byte limit", "too_large")
        if time.monotonic() > deadline:
            raise FetchError(f"cannot fetch {url}: timed out while reading", "timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def check_url(url: str, *, timeout: float, user_agent: str, allow_private: bool = False,
              domains: tuple[str, ...] | None = None) -> tuple[bool, str]:
    """Whether an entry URL answers (through the guard); a short description of what it answered."""
    try:
        got = fetch(url, user_agent=user_agent, timeout=timeout, allow_private=allow_private,
                    domains=domains, read_body=False)
    except FetchError as exc:
        return False, f"{exc.kind}: {exc}"
    return 200 <= got.status < 400, f"HTTP {got.status} {got.content_type}"


def read_target(target: str, user_agent: str, timeout: float = 30, *, allow_private: bool = False,
                max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """The bytes of a local file or an http(s) URL (through the guard), and the URL to attribute
    them to. Anything with a scheme other than http(s) is refused, not read as a file."""
    if "://" in target:
        got = fetch(target, user_agent=user_agent, timeout=timeout, allow_private=allow_private,
                    max_bytes=max_bytes)
        if got.status >= 400:
            raise FetchError(f"cannot fetch {target}: HTTP {got.status}", "http_4xx"
                             if got.status < 500 else "http_5xx")
        return got.body, got.url
    path = Path(target)
    try:
        return path.read_bytes()[:max_bytes], path.resolve().as_uri()
    except OSError as exc:
        raise FetchError(f"cannot read {target}: {exc.strerror or exc}") from None


def extract_one(target: str, watchlist: Watchlist | None, *, user_agent: str,
                allow_private: bool = False, timeout: float = 30,
                max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Article fields, and (with a watchlist) people, organizations and events, as JSON-ready data."""
    body, url = read_target(target, user_agent, timeout, allow_private=allow_private,
                            max_bytes=max_bytes)
    article = extract_article(body, url)
    if article is None:
        return {"url": url, "article": None, "error": "no article text found"}
    record: dict[str, Any] = {
        "url": url,
        "title": article.title,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "canonical_url": article.canonical_url,
        "text": article.text,
    }
    if watchlist is not None:
        from extract.analyse import Analyser

        analysis = Analyser(watchlist).analyse(article.text, article.published, article.language)
        record["people"] = sorted({m.name for m in analysis.mentions if m.kind == "person"})
        record["organizations"] = sorted({m.name for m in analysis.mentions if m.kind == "organization"})
        record["events"] = [
            {**{k: v for k, v in asdict(e).items() if k != "date"},
             "date": e.date.isoformat() if e.date else None}
            for e in analysis.events if e.asserted
        ]
    return record
