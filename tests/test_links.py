"""crawler.links.page_links gives what Scrapy's LinkExtractor and the host check gave."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawler.canonical import host_allowed, host_of
from crawler.links import page_links

# Links a page may hold, the awkward ones included: relative and absolute, other sites,
# user info, backslashes, ports, percent-encoded and non-ASCII hosts, control characters,
# fragments and repeats, denied extensions, other schemes, XHTML names, <area>.
HREFS = [
    "/articles/one.html", "articles/two.html?b=2&a=1", "../three.html#part", "/articles/one.html",
    "/articles/one.html#again", "  /spaced.html\n", "https://news.example.org/a", "http://OTHER.example/x",
    "//news.example.org/protocol-relative", "http://news.example.org:8080/port", "http://news.example.org:bad/",
    "http://user:pw@other.example/", "http://news.example.org@other.example/", "http://other.example\\@news.example.org/",
    "http://news.example.org\\@other.example/", "http://ex%61mple.org/", "http://bücher.example/straße",
    "http://news.example.org./trailing-dot", "http://sub.news.example.org/deeper", "http://news.example.org\x01/ctl",
    "\x01http://other.example/", "http://news.exa\tmple.org/tab", "http://[::1]/v6", "http://[::1/broken",
    "/file.pdf", "/image.JPG", "/doc.html;jsessionid=1", "mailto:someone@news.example.org",
    "javascript:void(0)",
    "ftp://news.example.org/pub", "data:text/html,hi", "", "#top", "?page=2", "http:relative.html", "http:///triple",
    "HTTPS://NEWS.EXAMPLE.ORG/Upper", "/путь/статья", "/a b/c d.html", "http://a..b/empty-label",
    "http://" + "x" * 70 + ".example/long-label",
]
DOMAINS = [("news.example.org",), ("other.example",), ("example.org", "other.example"), ("nowhere.example",),
           ("xn--bcher-kva.example", "news.example.org"), ("a..b",), ("::1", "[::1]")]


def page(body: str, url: str = "http://news.example.org/section/index.html",
         encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(encoding), encoding=encoding)


def scrapy_links(response: HtmlResponse, domains: tuple[str, ...]) -> list[str]:
    return [link.url for link in LinkExtractor(unique=True).extract_links(response)
            if host_allowed(host_of(link.url), domains)]


def anchors(hrefs: list[str]) -> str:
    return "".join(f'<a href="{h}">link {i}</a>' for i, h in enumerate(hrefs))


@pytest.mark.parametrize("domains", DOMAINS)
def test_same_links_as_scrapys_extractor(domains: tuple[str, ...]) -> None:
    body = f"<html><body><p>{anchors(HREFS)}</p><map><area href='/mapped.html'></map></body></html>"
    response = page(body)
    expected = scrapy_links(response, domains)
    assert page_links(response, domains) == expected
    assert len(expected) == len(set(expected))


def test_base_href_and_other_encodings() -> None:
    hrefs = ["rel.html", "/abs.html", "http://elsewhere.example/x", "été.html?q=é"]
    body = f"<html><head><base href='http://news.example.org/base/'></head><body>{anchors(hrefs)}</body></html>"
    for encoding in ("utf-8", "cp1252"):
        response = page(body, encoding=encoding)
        for domains in (("news.example.org",), ("elsewhere.example",)):
            assert page_links(response, domains) == scrapy_links(response, domains)
    assert page_links(page(body), ("news.example.org",))[:2] == [
        "http://news.example.org/base/rel.html", "http://news.example.org/abs.html"]


def test_xhtml_namespace_and_no_links() -> None:
    xhtml = ('<html xmlns="http://www.w3.org/1999/xhtml"><body><a href="/x.html">x</a>'
             '<a name="anchor-only">no href</a><link href="/style.css"/></body></html>')
    response = page(xhtml)
    assert page_links(response, ("news.example.org",)) == scrapy_links(response, ("news.example.org",))
    assert page_links(response, ("news.example.org",)) == ["http://news.example.org/x.html"]
    empty = page("<html><body><p>No links at all.</p></body></html>")
    assert page_links(empty, ("news.example.org",)) == []


def test_other_sites_are_left_out() -> None:
    response = page(anchors(["http://other.example/a", "/mine.html", "https://other.example/b"]))
    assert page_links(response, ("news.example.org",)) == ["http://news.example.org/mine.html"]
    assert page_links(response, ("other.example",)) == ["http://other.example/a", "https://other.example/b"]
