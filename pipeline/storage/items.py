"""What the crawl hands on: one :class:`CrawledPage` per URL requested or refused (to the
store), and a :class:`CrawlResult` per crawl (to the pass)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# page kinds, as stored in fetch_state.kind
FEED, SITEMAP, LISTING, ARTICLE = "feed", "sitemap", "listing", "article"
PAGE_KINDS = (FEED, SITEMAP, LISTING, ARTICLE)

# Failure kinds. CONTENT_FAILURES were downloaded fine but hold nothing to store:
# their validators are kept so an unchanged bad page is not downloaded again.
CONTENT_FAILURES = frozenset({
    "binary", "pdf", "empty", "no_article", "malformed_feed", "malformed_sitemap", "not_html",
})
# refused before any byte was sent: not recorded in fetch state
REFUSALS = frozenset({"robots", "offsite", "private_address", "not_http", "pattern_timeout"})
FAILURE_KINDS = (
    "http_4xx", "http_5xx", "http_other", "timeout", "dns", "connection", "too_large",
    "data_loss", "redirect_loop", "extract_error", "network",
    "database",  # the page arrived but could not be stored (a lock held too long, a read-only file)
    *sorted(CONTENT_FAILURES), *sorted(REFUSALS),
)

# outcomes the store sets on a page
NOT_MODIFIED = "not_modified"  # 304
UNCHANGED = "unchanged"  # same body as last time, or same extracted text
NEW, CHANGED = "new", "changed"  # a document was created or its text changed
RECORDED = "recorded"  # feed, sitemap or listing page fetched and remembered
FAILED = "failed"


@dataclass
class CrawledPage:
    """The outcome of one request (or of one refusal) for one source."""

    source: str
    source_id: int | None
    url: str  # canonical URL
    kind: str  # feed | sitemap | listing | article
    status: int | None = None  # HTTP status; None when no response arrived
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    # decoded page text, set only for an article whose body changed since last time
    html: str | None = None
    body_changed: bool = True
    entry: bool = False  # one of the source's configured entry points
    error: str | None = None  # failure kind, see FAILURE_KINDS
    message: str = ""
    outcome: str = ""  # set by the store

    @property
    def sent(self) -> bool:
        """False when the request was refused before it reached the site."""
        return self.error not in REFUSALS


class CrawlError(RuntimeError):
    """The crawl pass could not run (the child process failed before finishing)."""


@dataclass(frozen=True)
class FetchFailure:
    """One failed request, as reported by the crawl."""

    source: str
    url: str
    error: str
    status: int | None = None
    message: str = ""


@dataclass
class CrawlResult:
    """Per-source counters of one pass and every failure with its URL."""

    counters: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[FetchFailure] = field(default_factory=list)
    reason: str = ""
    elapsed: float = 0.0

    def total(self, counter: str) -> int:
        return sum(int(c.get(counter, 0)) for c in self.counters.values())

    def errors(self) -> dict[str, int]:
        """Failures of every source added up by kind."""
        out: dict[str, int] = {}
        for c in self.counters.values():
            for kind, n in c.get("errors", {}).items():
                out[kind] = out.get(kind, 0) + n
        return dict(sorted(out.items()))
