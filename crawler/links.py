"""Links of an HTML page that stay on a source's hosts: what Scrapy's ``LinkExtractor`` gives.

The same URLs in the same order as ``LinkExtractor(unique=True).extract_links(response)``
followed by the source's host check, for a fraction of the CPU: a page of a news site
links mostly to other sites, and those are recognised from the joined address alone
(a plain ``http(s)://host`` authority) before the quoting, re-joining, extension and
duplicate checks that only the links kept need. Link texts and ``rel`` are not read
(the spider uses only the address).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from scrapy.http import TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from crawler.canonical import host_allowed

_XHTML = "{http://www.w3.org/1999/xhtml}"
_TAGS = ("a", "area", f"{_XHTML}a", f"{_XHTML}area")
_DENIED_EXTENSIONS = tuple(f".{e}" for e in IGNORED_EXTENSIONS)
_SCHEMES = frozenset({"http", "https", "file", "ftp"})
# An absolute address whose authority is a bare host name (and port): every URL parser
# involved (urllib's, w3lib's) reads the same host from it, so it can be judged at once.
_PLAIN_AUTHORITY = re.compile(r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)", re.IGNORECASE)


def page_links(response: TextResponse, domains: tuple[str, ...] | frozenset[str]) -> list[str]:
    """Addresses linked from ``response`` (``<a>`` and ``<area>`` ``href``) whose host is one
    of ``domains`` or under one: absolute, quoted, in document order, each once."""
    base_url = get_base_url(response)
    encoding = response.encoding
    seen: set[str] = set()
    out: list[str] = []
    for element in response.selector.root.iter(*_TAGS):
        value = element.get("href")
        if value is None:
            continue
        href = strip_html5_whitespace(value)
        if _elsewhere(href, domains):
            continue  # an absolute link to another site: joining keeps its host
        try:
            joined = urljoin(base_url, href)
        except ValueError:
            continue  # a bogus link
        if _elsewhere(joined, domains):
            continue
        try:
            url = urljoin(response.url, safe_url_string(joined, encoding=encoding))
        except ValueError:
            continue
        if url.split("://", 1)[0] not in _SCHEMES or url in seen:
            continue
        parsed = urlparse(url)
        if parsed.path.lower().endswith(_DENIED_EXTENSIONS):
            continue
        seen.add(url)
        if host_allowed((parsed.hostname or "").lower().rstrip("."), domains):
            out.append(url)
    return out


def _elsewhere(url: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    """True when ``url`` is surely on a host outside ``domains``; False when it is not or
    when only the full parse can tell."""
    plain = _PLAIN_AUTHORITY.match(url)
    return plain is not None and not host_allowed(plain[1].lower().rstrip("."), domains)
