"""Links out of RSS, Atom and sitemap documents (pure; tolerant of broken XML)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

# never fetch external entities or DTDs named inside a document
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           recover=True)


GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass
class Links:
    """What a feed or sitemap points to, and whether it was well formed."""

    doc_type: str | None  # rss | atom | rdf | urlset | sitemapindex | None
    links: list[str] = field(default_factory=list)
    malformed: bool = False
    problem: str = ""


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def _parse(body: bytes) -> tuple[etree._Element | None, str]:
    """The root element, and a description of what was wrong (empty when nothing)."""
    if not body.strip():
        return None, "empty document"
    try:
        return etree.fromstring(body, _STRICT), ""
    except etree.XMLSyntaxError as exc:
        problem = f"invalid XML: {exc}"
    try:
        return etree.fromstring(body, _RECOVER), problem
    except etree.XMLSyntaxError:
        return None, problem


def _texts(nodes: list) -> list[str]:
    return [str(n).strip() for n in nodes if str(n).strip()]


def feed_links(body: bytes) -> Links:
    """Article links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed."""
    root, problem = _parse(body)
    if root is None:
        return Links(None, malformed=True, problem=problem or "not XML")
    tag = _local(root.tag)
    if tag == "rss" or tag == "rdf":
        links: list[str] = []
        for item in root.xpath("//*[local-name()='item']"):
            link = _texts(item.xpath("./*[local-name()='link']/text()"))
            if not link:
                link = _texts(item.xpath("./*[local-name()='guid'][not(@isPermaLink='false')]/text()"))
            links.extend(link[:1])
        doc_type = tag
    elif tag == "feed":
        links = []
        for entry in root.xpath("//*[local-name()='entry']"):
            hrefs = _texts(entry.xpath(
                "./*[local-name()='link'][not(@rel) or @rel='alternate']/@href"))
            links.extend(hrefs[:1])
        doc_type = "atom"
    else:
        return Links(None, malformed=True, problem=problem or f"not a feed: <{tag}> root element")
    return Links(doc_type, links, malformed=bool(problem), problem=problem)


def sitemap_links(body: bytes, max_size: int = 0) -> Links:
    """Page URLs of a sitemap, or child sitemap URLs of a sitemap index (gzip accepted)."""
    # a .xml.gz served without Content-Encoding arrives compressed (Scrapy 2.19's
    # gzip_magic_number takes a response, not bytes: compare the magic bytes here)
    if body[:3] == GZIP_MAGIC:
        try:
            body = gunzip(body, max_size=max_size)
        except Exception as exc:  # corrupt or oversized archive: an ordinary bad input
            return Links(None, malformed=True, problem=f"bad gzip: {type(exc).__name__}")
    root, problem = _parse(body)
    if root is None:
        return Links(None, malformed=True, problem=problem or "not XML")
    tag = _local(root.tag)
    if tag not in ("urlset", "sitemapindex"):
        return Links(None, malformed=True, problem=problem or f"not a sitemap: <{tag}> root element")
    try:
        entries = list(Sitemap(body))
    except etree.XMLSyntaxError as exc:
        return Links(tag, malformed=True, problem=str(exc))
    links = [e["loc"] for e in entries if e.get("loc")]
    return Links(tag, links, malformed=bool(problem), problem=problem)
