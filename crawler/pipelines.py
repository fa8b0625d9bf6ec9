"""Scrapy item pipeline: fetch state and documents, one transaction per page.

Every :class:`~pipeline.storage.items.CrawledPage` is counted in the crawler stats under
``atrisk/<source>/<counter>`` (see :func:`counter_key`) and, unless it was refused
before sending, recorded in fetch state. Articles whose body changed are extracted
here; the fetch state and the document are written in the same transaction, so a
failed write leaves the page to be fetched again next pass.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from pipeline.redact import mask_text
from pipeline.storage.db import Database, describe_db_error
from pipeline.storage.items import (
    ARTICLE,
    CHANGED,
    CONTENT_FAILURES,
    FAILED,
    NEW,
    NOT_MODIFIED,
    RECORDED,
    UNCHANGED,
    CrawledPage,
)
from pipeline.storage.store import record_fetch, save_article

log = logging.getLogger(__name__)

STATS_PREFIX = "atrisk/"
DB_URL_SETTING = "ATRISK_DB_URL"


def counter_key(source: str, counter: str) -> str:
    """Stats key of a per-source counter; errors are ``error/<kind>``."""
    return f"{STATS_PREFIX}{source}/{counter}"


def counters_from_stats(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-source counters out of a Scrapy stats dict."""
    out: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if not key.startswith(STATS_PREFIX):
            continue
        source, _, counter = key[len(STATS_PREFIX):].partition("/")
        entry = out.setdefault(source, empty_counters())
        if counter.startswith("error/"):
            entry["errors"][counter[len("error/"):]] = value
        else:
            entry[counter] = value
    for entry in out.values():
        entry["failed"] = sum(entry["errors"].values())
    return out


def empty_counters() -> dict[str, Any]:
    return {
        "fetched": 0, "not_modified": 0, "new_documents": 0, "changed_documents": 0,
        "unchanged": 0, "failed": 0, "capped": 0, "entry_ok": 0, "entry_failed": 0,
        "errors": {},
    }


class CrawlStorePipeline:
    """Writes crawled pages to the database named by the ``ATRISK_DB_URL`` setting."""

    def __init__(self, db_url: str, stats: Any) -> None:
        self.db_url = db_url
        self.stats = stats
        self.db: Database | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlStorePipeline:
        return cls(crawler.settings.get(DB_URL_SETTING), crawler.stats)

    def open_spider(self) -> None:
        self.db = Database(self.db_url)

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.dispose()
            self.db = None

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CrawledPage):
            return item
        self._count_response(item)
        try:
            if item.error:
                self._store_failure(item)
            elif item.status == 304:
                self._record(item)
                item.outcome = NOT_MODIFIED
            elif not item.body_changed:
                self._record(item)
                item.outcome = UNCHANGED
            elif item.kind != ARTICLE:
                self._record(item)
                item.outcome = RECORDED
            else:
                self._store_article(item)
        except SQLAlchemyError as exc:
            # nothing of this page was written (one transaction): it is fetched again next
            # pass; counted as a failure with its URL, and the crawl goes on
            if item.outcome != FAILED:
                self._fail(item, "database", describe_db_error(exc))
            else:
                log.warning("%s: %s could not be recorded: %s", item.source, mask_text(item.url),
                            describe_db_error(exc))
        counter = {NOT_MODIFIED: "not_modified", UNCHANGED: "unchanged", NEW: "new_documents",
                   CHANGED: "changed_documents"}.get(item.outcome)
        if counter:
            self._inc(item.source, counter)
        item.html = None  # the text is in the database now; keep the item small
        return item

    def _inc(self, source: str, counter: str) -> None:
        self.stats.inc_value(counter_key(source, counter))

    def _count_response(self, item: CrawledPage) -> None:
        if item.status is not None and 200 <= item.status < 300:
            self._inc(item.source, "fetched")
        if item.entry:
            ok = item.status in (200, 304) or (item.error in CONTENT_FAILURES)
            self._inc(item.source, "entry_ok" if ok else "entry_failed")

    def _record(self, item: CrawledPage, error: str | None = None) -> None:
        assert self.db is not None
        with self.db.session() as s:
            record_fetch(s, item.url, source_id=item.source_id, kind=item.kind, status=item.status,
                         etag=item.etag, last_modified=item.last_modified, body_hash=item.body_hash,
                         error=error)

    def _fail(self, item: CrawledPage, kind: str, message: str = "") -> None:
        item.error = kind
        item.message = message or item.message
        item.outcome = FAILED
        self._inc(item.source, f"error/{kind}")
        log.warning("%s: %s %s%s", item.source, kind, mask_text(item.url),
                    f" ({mask_text(item.message)})" if item.message else "")

    def _store_failure(self, item: CrawledPage) -> None:
        kind = item.error or "network"
        self._fail(item, kind)
        if not item.sent:
            return
        # a page that arrived but holds nothing usable keeps its validators, so it
        # is not downloaded again while it stays the same
        self._record(item, error=None if kind in CONTENT_FAILURES else kind)

    def _store_article(self, item: CrawledPage) -> None:
        # imported with the first article: trafilatura, htmldate and dateparser cost ~0.3 s
        # of CPU, and a pass whose pages all answer 304 stores no article
        from extract.article import extract_article

        assert self.db is not None
        try:
            article = extract_article(item.html or "", item.url)
        except Exception as exc:  # extraction bugs must cost one page, not the pass
            log.exception("%s: extraction failed for %s", item.source, mask_text(item.url))
            self._fail(item, "extract_error", f"{type(exc).__name__}: {exc}")
            self._record(item, error="extract_error")
            return
        if article is None:
            self._fail(item, "no_article", "no article text found")
            self._record(item)
            return
        with self.db.session() as s:
            record_fetch(s, item.url, source_id=item.source_id, kind=item.kind, status=item.status,
                         etag=item.etag, last_modified=item.last_modified, body_hash=item.body_hash)
            item.outcome = save_article(s, article, source_id=item.source_id)
