"""One-off requests outside a crawl: reachability checks and `atrisk extract URL|FILE`."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any

from extract.article import extract_article
from extract.watchlist import Watchlist

MAX_BYTES = 10 * 1024 * 1024


class FetchError(RuntimeError):
    """A page could not be fetched or read."""


def check_url(url: str, *, timeout: float, user_agent: str) -> tuple[bool, str]:
    """Whether an entry URL answers; a short description of what it answered."""
    req = urllib.request.Request(url, headers={"User-Agent": user_agent}, method="GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only, validated
            return True, f"HTTP {resp.status} {resp.headers.get_content_type()}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"unreachable: {reason}"


def read_target(target: str, user_agent: str, timeout: float = 30) -> tuple[bytes, str]:
    """The bytes of a local file or an http(s) URL, and the URL to attribute them to."""
    if target.startswith(("http://", "https://")):
        req = urllib.request.Request(target, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                return resp.read(MAX_BYTES + 1)[:MAX_BYTES], resp.geturl()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise FetchError(f"cannot fetch {target}: {getattr(exc, 'reason', exc)}") from None
    path = Path(target)
    try:
        return path.read_bytes()[:MAX_BYTES], path.resolve().as_uri()
    except OSError as exc:
        raise FetchError(f"cannot read {target}: {exc.strerror or exc}") from None


def extract_one(target: str, watchlist: Watchlist | None, *, user_agent: str) -> dict[str, Any]:
    """Article fields, and (with a watchlist) people, organizations and events, as JSON-ready data."""
    body, url = read_target(target, user_agent)
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
