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

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

from crawler.canonical import host_allowed, host_of, safe_canonicalize
from crawler.spiders.failures import classify_failure
from crawler.spiders.feeds import Links, feed_links, sitemap_links
from pipeline.redact import mask_text
from pipeline.sources import SourceConfig, load_sources
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
    links: LinkExtractor
    allow: list[re.Pattern[str]]
    deny: list[re.Pattern[str]]
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
        """``allow``/``deny`` patterns, searched in an article URL."""
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


def content_type(response: Response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")


def content_problem(response: Response) -> str | None:
    """Why a page body cannot hold an article (PDF, binary, empty), or None."""
    ctype = content_type(response).lower()
    body = response.body
    if "pdf" in ctype or body[:5] == b"%PDF-":
        return "pdf"
    if not isinstance(response, TextResponse):
        return "binary"
    sample = body[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return "binary"
    if not body.strip():
        return "empty"
    return None


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
                # domains are checked on the host name (LinkExtractor compares host:port)
                links=LinkExtractor(allow=cfg.allow, deny=cfg.deny, unique=True),
                allow=[re.compile(p) for p in cfg.allow],
                deny=[re.compile(p) for p in cfg.deny],
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
        for src in self.sources.values():
            entries = [(u, FEED, self.parse_feed) for u in src.config.feeds]
            entries += [(u, SITEMAP, self.parse_sitemap) for u in src.config.sitemaps]
            entries += [(u, LISTING, self.parse_page) for u in src.config.start_urls]
            for url, kind, callback in entries:
                request = self._request(src, url, kind, 0, callback, entry=True)
                if request is not None:
                    yield request

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
        problem = content_problem(response)
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
        for link in src.links.extract_links(response):
            if not host_allowed(host_of(link.url), src.domains):
                continue  # links to other sites are not followed (and not counted)
            request = self._request(src, link.url, ARTICLE, depth + 1, self.parse_page,
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
            if patterns and not src.wants(url):
                continue
            # other domains are refused (and counted) by the source guard
            request = self._request(src, url, kind, depth, callback, only_new=only_new)
            if request is not None:
                yield request

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
        yield CrawledPage(source=src.name, source_id=src.id, url=url, kind=kw["kind"], status=status,
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
