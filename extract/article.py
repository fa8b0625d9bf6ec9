"""HTML page -> :class:`Article` (trafilatura, with htmldate and dateparser for the date)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import trafilatura


@dataclass(frozen=True)
class Article:
    """The main text of one page and what is known about it."""

    url: str
    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    language: str | None = None
    canonical_url: str | None = None

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    """Stable hash of a text, insensitive to whitespace layout."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def extract_article(html: str | bytes, url: str, *, today: date | None = None) -> Article | None:
    """Extract the main text of ``html``; ``None`` when the page holds no article text."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, deduplicate=False)
    if doc is None or not doc.text:
        return None
    published = None
    if doc.date:
        try:
            published = date.fromisoformat(doc.date[:10])
        except ValueError:
            published = None
    today = today or date.today()
    if published and published > today:
        published = None
    return Article(
        url=url,
        text=doc.text,
        title=doc.title,
        author=doc.author,
        published=published,
        language=doc.language,
        canonical_url=doc.url,
    )
