"""The one spider: every source of sources.toml, through its feeds, sitemaps and listing pages.

Incremental rules (one pass):

* every URL is requested in its canonical form; a URL requested before carries
  its stored validators (``ConditionalRequestMiddleware``);
* a 304 ends there: nothing is extracted and no link on it is followed, since an
  unchanged feed, sitemap or page links to what was already followed;
* a 200 whose body hash equals the stored one is not extracted either, and only
  links never requested before are followed (this heals a pass cut short by the
  page limit);
* otherwise feeds and sitemaps are parsed, listing pages and articles have their
  links followed (within the source's domains, ``allow``/``deny``, depth and page
  limits), and article bodies go to the store for extraction.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import regex
import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.canonical import safe_canonicalize
from crawler.links import page_links
from crawler.spiders.failures import classify_failure
from crawler.spiders.feeds import Links, feed_links, sitemap_links
from pipeline.redact import mask_text
from pipeline.sources import PATTERN_TIMEOUT, SourceConfig, compile_pattern, load_sources
from pipeline.storage.db import Database
from pipeline.storage.items import ARTICLE, FEED, LISTING, SITEMAP, CrawledPage
from pipeline.storage.store import KnownURL, known_urls, sync_sources

log = logging.getLogger(__name__)

_BINARY_SAMPLE = 8192


class UnknownSourceError(ValueError):
    """A source name asked for is not in sources.toml."""


@dataclass
class SourceCrawl:
    """One source's settings and state during a pass."""

    config: SourceConfig
    id: int | None
    max_pages: int
    max_depth: int
    allow: list[regex.Pattern[str]]
    deny: list[regex.Pattern[str]]
    requested: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def domains(self) -> tuple[str, ...]:
        return self.config.allowed_domains

    @property
    def allow_private(self) -> bool:
        return self.config.allow_private

    def wants(self, url: str) -> bool:
        """``allow``/``deny`` patterns, searched in an article URL (each search time-bounded;
        raises :class:`PatternTimeout` when one runs out of time)."""
        try:
            if any(p.search(url, timeout=PATTERN_TIMEOUT) for p in self.deny):
                return False
            return not self.allow or any(p.search(url, timeout=PATTERN_TIMEOUT) for p in self.allow)
        except TimeoutError:
            raise PatternTimeout(url) from None


class PatternTimeout(Exception):
    """An allow/deny pattern took longer than PATTERN_TIMEOUT on a URL (which is not followed)."""


def content_type(response: Response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")


def content_problem(response: Response, *, article: bool = True) -> str | None:
    """Why a page body cannot hold an article (PDF, binary, empty, a feed or other non-HTML
    text when ``article``), or None."""
    ctype = content_type(response).lower()
    body = response.body
    if "pdf" in ctype or body[:5] == b"%PDF-":
        return "pdf"
    if not isinstance(response, TextResponse):
        return "binary"
    sample = body[:_BINARY_SAMPLE]
    if b"\x00" in sample and not _wide_text(response):
        return "binary"
    if not body.strip():
        return "empty"
    if article and _not_html(ctype, sample):
        return "not_html"
    return None


# text that is not a web page: a feed, a sitemap, JSON, a script or a style sheet where a
# page was expected would otherwise be "extracted" and replace a stored article
_NOT_HTML_TYPES = ("application/xml", "text/xml", "application/json", "text/css", "application/javascript",
                   "text/javascript", "application/x-javascript")


def _not_html(ctype: str, sample: bytes) -> bool:
    mime = ctype.split(";", 1)[0].strip()
    if mime in _NOT_HTML_TYPES or (mime.endswith("+xml") and mime != "application/xhtml+xml") \
            or mime.endswith("+json"):
        return True
    head = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") and b"<html" not in head


def _wide_text(response: TextResponse) -> bool:
    """A UTF-16 or UTF-32 page (NUL bytes are part of its characters) that decodes to text
    without NULs; Scrapy takes the encoding from a BOM first, then the header and <meta>."""
    starts_wide = response.body.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE,
                                            codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encoding = (response.encoding or "").lower().replace("_", "-")
    if not (starts_wide or encoding.startswith(("utf-16", "utf-32"))):
        return False
    try:
        return "\x00" not in response.text[:_BINARY_SAMPLE]
    except (UnicodeDecodeError, LookupError):
        return False


class WatchSpider(scrapy.Spider):
    """Crawls the configured sources; one instance per pass."""

    name = "watch"

    def __init__(
        self,
        sources: list[SourceConfig],
        source_ids: dict[str, int],
        known: dict[str, KnownURL],
        *,
        max_pages: int,
        max_depth: int,
        no_delay_hosts: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.known = known
        self.no_delay_hosts = frozenset(no_delay_hosts)
        self.sources: dict[str, SourceCrawl] = {}
        for cfg in sources:
            self.sources[cfg.name] = SourceCrawl(
                config=cfg,
                id=source_ids.get(cfg.name),
                max_pages=cfg.max_pages if cfg.max_pages is not None else max_pages,
                max_depth=cfg.max_depth if cfg.max_depth is not None else max_depth,
                # allow/deny with time-bounded searches (SourceCrawl.wants), not Scrapy's re
                allow=[compile_pattern(p) for p in cfg.allow],
                deny=[compile_pattern(p) for p in cfg.deny],
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WatchSpider:
        settings = crawler.settings
        sources = select_sources(load_sources(settings.get("ATRISK_SOURCES_PATH")),
                                 settings.getlist("ATRISK_SOURCE_NAMES"))
        db = Database(settings.get("ATRISK_DB_URL"))
        try:
            ids = sync_sources(db, sources)
            known = known_urls(db)
        finally:
            db.dispose()
        kwargs.update(
            sources=sources, source_ids=ids, known=known,
            max_pages=settings.getint("ATRISK_MAX_PAGES"), max_depth=settings.getint("ATRISK_MAX_DEPTH"),
            no_delay_hosts=tuple(settings.getlist("ATRISK_NO_DELAY_HOSTS")),
        )
        return super().from_crawler(crawler, *args, **kwargs)

    def source(self, name: str) -> SourceCrawl:
        return self.sources[name]

    # requests ------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        # An entry URL several sources share is fetched once and read for each of them
        # (a second request would be dropped by the duplicate filter, and its source
        # reported failing).
        sharing: dict[str, list[tuple[str, str]]] = {}
        for src in self.sources.values():
            entries = [(u, FEED) for u in src.config.feeds]
            entries += [(u, SITEMAP) for u in src.config.sitemaps]
            entries += [(u, LISTING) for u in src.config.start_urls]
            for url, kind in entries:
                canonical = safe_canonicalize(url)
                if canonical is None or (src.name, kind) in sharing.get(canonical, []):
                    continue
                sharing.setdefault(canonical, []).append((src.name, kind))
        for url, readers in sharing.items():
            name, kind = readers[0]
            for other, _ in readers[1:]:
                self.sources[other].requested.add(url)
            request = self._request(self.sources[name], url, kind, 0, self.parse_entry, entry=True)
            if request is not None:
                request.meta["atrisk_readers"] = readers
                yield request

    def parse_entry(self, response: Response, source: str, kind: str, depth: int,
                    entry: bool = True) -> Iterator[Any]:
        """An entry point: read as a feed, sitemap or listing page by each source that lists it."""
        callbacks = {FEED: self.parse_feed, SITEMAP: self.parse_sitemap, LISTING: self.parse_page}
        for name, their_kind in response.meta.get("atrisk_readers", [(source, kind)]):
            yield from callbacks[their_kind](response, name, their_kind, 0, entry=True)

    def _request(self, src: SourceCrawl, url: str, kind: str, depth: int, callback: Any, *,
                 entry: bool = False, only_new: bool = False) -> Request | None:
        canonical = safe_canonicalize(url)
        if canonical is None or canonical in src.requested:
            return None
        if only_new and canonical in self.known:
            return None
        if not entry and len(src.requested) >= src.max_pages:
            self.crawler.stats.inc_value(f"atrisk/{src.name}/capped")
            return None
        src.requested.add(canonical)
        return Request(
            canonical, callback=callback, errback=self.on_error, priority=-depth,
            meta={"handle_httpstatus_list": [304]},
            cb_kwargs={"source": src.name, "kind": kind, "depth": depth, "entry": entry},
        )

    # responses -----------------------------------------------------------------------
    def _page(self, response: Response, src: SourceCrawl, kind: str, entry: bool) -> CrawledPage:
        url = safe_canonicalize(response.url) or response.url
        src.requested.add(url)
        headers = response.headers
        etag = headers.get(b"ETag")
        modified = headers.get(b"Last-Modified")
        page = CrawledPage(
            source=src.name, source_id=src.id, url=url, kind=kind, status=response.status,
            etag=etag.decode("latin-1") if etag else None,
            last_modified=modified.decode("latin-1") if modified else None, entry=entry,
        )
        if response.status == 304:
            page.body_changed = False
            return page
        page.body_hash = hashlib.sha256(response.body).hexdigest()
        known = self.known.get(url)
        page.body_changed = known is None or known.body_hash != page.body_hash
        return page

    def parse_page(self, response: Response, source: str, kind: str, depth: int,
                   entry: bool = False) -> Iterator[Any]:
        """A listing page or an article: store it, then follow its links."""
        src = self.sources[source]
        page = self._page(response, src, kind, entry)
        if response.status == 304:
            yield page
            return
        problem = content_problem(response, article=kind == ARTICLE)
        if problem:
            page.error = problem
            page.message = content_type(response)
            yield page
            return
        if kind == ARTICLE and page.body_changed:
            # TextResponse decoding follows the HTTP header, a BOM, then <meta charset>
            page.html = response.text
        yield page
        if depth >= src.max_depth or not isinstance(response, TextResponse):
            return
        # links to other sites are not followed (and not counted); domains are checked on
        # the host name (Scrapy's LinkExtractor compares host:port)
        for url in page_links(response, src.domains):
            refused = self._unwanted(src, url)
            if refused is not None:
                if isinstance(refused, CrawledPage):
                    yield refused
                continue
            request = self._request(src, url, ARTICLE, depth + 1, self.parse_page,
                                    only_new=not page.body_changed)
            if request is not None:
                yield request

    def parse_feed(self, response: Response, source: str, kind: str, depth: int,
                   entry: bool = False) -> Iterator[Any]:
        src = self.sources[source]
        page = self._page(response, src, kind, entry)
        if response.status != 304:
            found = feed_links(response.body)
            if found.malformed:
                page.error, page.message = "malformed_feed", found.problem
            yield page
            yield from self._follow(src, response, found, ARTICLE, depth + 1, self.parse_page,
                                    only_new=not page.body_changed)
        else:
            yield page

    def parse_sitemap(self, response: Response, source: str, kind: str, depth: int,
                      entry: bool = False) -> Iterator[Any]:
        src = self.sources[source]
        page = self._page(response, src, kind, entry)
        if response.status == 304:
            yield page
            return
        found = sitemap_links(response.body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        if found.malformed:
            page.error, page.message = "malformed_sitemap", found.problem
        yield page
        if found.doc_type == "sitemapindex":
            # child sitemaps stay at the same depth: they are entry points in pieces
            yield from self._follow(src, response, found, SITEMAP, depth, self.parse_sitemap,
                                    only_new=not page.body_changed, patterns=False)
        else:
            yield from self._follow(src, response, found, ARTICLE, depth + 1, self.parse_page,
                                    only_new=not page.body_changed)

    def _follow(self, src: SourceCrawl, response: Response, found: Links, kind: str, depth: int,
                callback: Any, *, only_new: bool, patterns: bool = True) -> Iterator[Request]:
        if depth > src.max_depth:
            return
        for link in found.links:
            url = urljoin(response.url, link)
            refused = self._unwanted(src, url) if patterns else None
            if refused is not None:
                if isinstance(refused, CrawledPage):
                    yield refused  # type: ignore[misc]
                continue
            # other domains are refused (and counted) by the source guard
            request = self._request(src, url, kind, depth, callback, only_new=only_new)
            if request is not None:
                yield request

    def _unwanted(self, src: SourceCrawl, url: str) -> CrawledPage | bool | None:
        """None when allow/deny admit ``url``; True when they exclude it; a failure to count
        when a pattern ran out of time on it."""
        try:
            return None if src.wants(url) else True
        except PatternTimeout:
            canonical = safe_canonicalize(url) or url
            log.warning("%s: an allow/deny pattern took over %ss on %s; not followed", src.name,
                        PATTERN_TIMEOUT, mask_text(canonical))
            return CrawledPage(source=src.name, source_id=src.id, url=canonical, kind=ARTICLE,
                               error="pattern_timeout",
                               message=f"allow/deny pattern took over {PATTERN_TIMEOUT}s")

    def on_error(self, failure: Failure) -> Iterator[CrawledPage]:
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        src = self.sources[kw["source"]]
        kind, status, message = classify_failure(failure)
        # report the URL that was asked for; a redirect chain names where it ended
        first = request.meta.get("redirect_urls", [request.url])[0]
        url = safe_canonicalize(first) or first
        if first != request.url:
            message = f"{message} (redirected to {request.url})"
        log.debug("%s: %s %s", src.name, kind, mask_text(url))
        for name, page_kind in request.meta.get("atrisk_readers", [(src.name, kw["kind"])]):
            reader = self.sources[name]
            yield CrawledPage(source=name, source_id=reader.id, url=url, kind=page_kind, status=status,
                              error=kind, message=message, entry=kw.get("entry", False))


def select_sources(sources: list[SourceConfig], names: list[str]) -> list[SourceConfig]:
    """The sources named (all when ``names`` is empty); an unknown name is an error."""
    if not names:
        return sources
    by_name = {s.name: s for s in sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UnknownSourceError(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]
