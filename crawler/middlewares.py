"""Downloader middlewares: where a request may go, conditional requests, redirect loops.

They read per-source settings from the running spider (``crawler.spider``), which
owns the sources and the fetch state loaded at start. Requests without a source
(robots.txt, fetched by Scrapy for a request that already passed the guard) are
left alone.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import threads
from twisted.internet.defer import Deferred

from crawler.canonical import host_allowed, safe_canonicalize

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser

log = logging.getLogger(__name__)


class RefusedRequest(IgnoreRequest):
    """A request atrisk will not send (or follow), with the failure kind to count."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_public_address(addr: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (blocking; run it in a thread)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _source_of(request: Request) -> str | None:
    return request.cb_kwargs.get("source")


class SourceGuardMiddleware:
    """Only http(s), only the source's own domains, no private addresses unless allowed.

    Runs first (before robots.txt is fetched) and again for every redirect hop,
    because Scrapy sends a redirected request through the whole chain anew. Host
    names are resolved here and every address is checked; when a name does not
    resolve, the request goes on (a configured proxy may resolve it, or the
    download fails as a DNS error).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._public: dict[str, bool] = {}  # host -> all addresses public

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        parts = urlsplit(request.url)
        if (parts.hostname or "") in spider.no_delay_hosts:  # type: ignore[union-attr]
            # benchmarks: keep AutoThrottle from raising the delay, robots.txt included
            request.meta["autothrottle_dont_adjust_delay"] = True
        source_name = _source_of(request)
        if source_name is None:
            return None
        source = spider.source(source_name)  # type: ignore[union-attr]
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RefusedRequest("not_http", f"only http and https are crawled: {parts.scheme}")
        host = parts.hostname.lower().rstrip(".")
        if not host_allowed(host, source.domains):
            raise RefusedRequest("offsite", f"{host} is not one of the source's domains")
        if source.allow_private:
            return None
        if not await self._is_public(host, parts.port or (443 if parts.scheme == "https" else 80)):
            raise RefusedRequest(
                "private_address",
                f"{host} is a private, loopback or link-local address; set allow_private to crawl it",
            )
        return None

    async def _is_public(self, host: str, port: int) -> bool:
        if host in self._public:
            return self._public[host]
        try:
            ipaddress.ip_address(host.strip("[]"))
            addrs = [host.strip("[]")]
        except ValueError:
            try:
                addrs = await maybe_deferred_to_future(threads.deferToThread(resolve_host, host, port))
            except OSError:
                addrs = []
        public = all(is_public_address(a) for a in addrs)
        self._public[host] = public
        return public


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since for URLs whose validators are stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if _source_of(request) is None:
            return None
        url = safe_canonicalize(request.url)
        known = self.crawler.spider.known.get(url) if url else None  # type: ignore[union-attr]
        if known is None or known.last_status not in (200, 304):
            return None
        if known.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = known.etag
        if known.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = known.last_modified
        return None


class RedirectLoopMiddleware:
    """Stops a redirect back to a URL already visited in the same chain, and one to
    another scheme than http(s) (ftp:, file:, javascript:...).

    Scrapy's duplicate filter would otherwise drop the looping request silently;
    long chains without a loop end at REDIRECT_MAX_TIMES.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or _source_of(request) is None:
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        absolute = urljoin(request.url, location.decode("latin-1"))
        scheme = urlsplit(absolute).scheme.lower()
        if scheme not in ("http", "https"):
            # Scrapy would not follow it and report the 3xx itself: it is a refusal
            raise RefusedRequest("not_http", f"redirect to a {scheme or 'relative'}: URL refused: "
                                 f"only http and https are crawled")
        target = safe_canonicalize(absolute)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target is not None and target in {safe_canonicalize(u) for u in chain}:
            raise RefusedRequest("redirect_loop", f"redirect loop back to {target}")
        return response



class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every waiting request given the host's rules.

    While a host's robots.txt is being fetched, Scrapy 2.19 keeps one Deferred that the
    other requests for that host await, each as an asyncio Future; a Future's callback
    returns None down the Deferred's chain, so only the first waiter got the parsed rules
    and every later one read "no robots.txt" and was let through. Many requests wait at
    once when a crawl worker joins a shared frontier (it takes a batch from the queue) or
    a source has several entry points. Here each waiter gets its own Deferred, fed by a
    callback that passes the result on. A robots.txt that cannot be read is logged.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[RobotParser | None] = Deferred()

            def relay(result: RobotParser | None) -> RobotParser | None:
                waiter.callback(result)
                return result

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):
            log.warning("robots.txt of %s could not be read (%s): its pages are crawled as if it had none",
                        netloc, type(exc).__name__)
        super()._robots_error(exc, netloc)
