"""A full pass over a site full of faults: it finishes, keeps the good pages and counts the rest."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.crawl import CrawlResult, run_crawl
from pipeline.storage.db import open_database
from pipeline.storage.models import Document, FetchState
from tests.pg import fresh_db_url
from tests.sites import LocalSite, Page, html_page, write_config, write_sources

PAGE_CAP = 100_000
MAX_DEPTH = 3
TRAP_MAX_PAGES = 5

STATEMENT = (
    "The film director Mohammad Rasoulof was sentenced to eight years in prison and flogging by a "
    "Revolutionary Court in Tehran, his lawyer said on Wednesday. The festival condemns the verdict "
    "and calls on the authorities to quash the sentence and lift the travel ban imposed on him. "
)
ARTICLE = "<article>" + f"<p>{STATEMENT}</p>" * 3 + "</article>"
RUSSIAN = (
    "Режиссёр Олег Сенцов был арестован в Симферополе и приговорён к двадцати годам заключения. "
    "Фестиваль требует его немедленного освобождения и отмены приговора. "
)
ARABIC = (
    "اعتقلت السلطات المخرج جعفر پناهي في طهران يوم الاثنين، وفق ما أعلنت عائلته. "
    "ويطالب المهرجان بالإفراج الفوري وغير المشروط عنه وإسقاط جميع التهم الموجهة إليه. "
)


def legacy_page(title: str, text: str, charset: str) -> Page:
    """A page whose encoding is declared only inside the HTML, not in the HTTP header."""
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title></head><body><article><h1>{title}</h1>"
            + "".join(f"<p>{text}</p>" for _ in range(4)) + "</article></body></html>")
    return Page(html.encode(charset), content_type="text/html")


def calendar(path: str) -> Page | None:
    """An endless calendar: every month links to the next and the previous one."""
    m = re.fullmatch(r"/calendar\?month=(\d{4})-(\d{2})", path)
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    nxt = f"{year + month // 12}-{month % 12 + 1:02d}"
    prv = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
    return Page(html_page(f"Events {year}-{month:02d}", (
        f'<a href="/calendar?month={nxt}">next</a> <a href="/calendar?month={prv}">previous</a>')))


def pager(path: str) -> Page | None:
    """An endless query-string space for the page-limit source."""
    m = re.fullmatch(r"/trap/list\?n=(\d+)", path)
    if not m:
        return None
    n = int(m[1])
    return Page(html_page(f"Page {n}", f'<a href="/trap/list?n={n + 1}">more</a>'
                                     f'<a href="/trap/list?n={n + 2}">even more</a>'))


def fallback(path: str) -> Page | None:
    return calendar(path) or pager(path)


FAULT_LINKS = {
    "/missing": "http_4xx", "/broken": "http_5xx", "/loop-a": "redirect_loop", "/huge": "too_large",
    "/huge-stream": "too_large", "/binary": "binary", "/empty": "empty", "/slow": "timeout",
    "/report": "pdf", "/admin/secret": "robots",
}
GOOD_LINKS = ["/ru", "/ar", "/truncated", "/statement?utm_source=twitter&utm_medium=social",
              "/statement?fbclid=IwAR0abc", "/statement#share", "/calendar?month=2025-01"]


@pytest.fixture(scope="module")
def fault_site():
    huge = html_page("Huge", "<p>" + "all work and no play " * (3 * PAGE_CAP // 20) + "</p>")
    truncated = (
        "<html><head><title>Statement on Mohammad Rasoulof</title></head><body><div class='main'>"
        "<article><h1>Statement on Mohammad Rasoulof</h1>" + "".join(f"<p>{STATEMENT}" for _ in range(3))
        + "<p>We stand with him and with every filmmaker in <b>Iran who"
    )
    pages = {
        "/robots.txt": Page("User-agent: *\nDisallow: /admin/\n", content_type="text/plain"),
        "/": Page(html_page("Home", "".join(f'<a href="{p}">{p}</a> ' for p in [*FAULT_LINKS, *GOOD_LINKS]))),
        "/broken": Page("<h1>Internal error</h1>", status=500, etag=None),
        "/loop-a": Page("", status=302, headers={"Location": "/loop-b"}, etag=None, content_type=None),
        "/loop-b": Page("", status=302, headers={"Location": "/loop-a"}, etag=None, content_type=None),
        "/huge": Page(huge),
        "/huge-stream": Page(huge, send_length=False, etag=None),
        "/binary": Page(bytes(range(256)) * 64, content_type="text/html"),
        "/empty": Page(b""),
        "/slow": Page(html_page("Slow", f"<p>{STATEMENT}</p>"), delay=10.0),
        "/ru": legacy_page("Заявление о Сенцове", RUSSIAN, "windows-1251"),
        "/ar": legacy_page("بيان بشأن جعفر پناهي", ARABIC, "windows-1256"),
        "/truncated": Page(truncated),
        "/report": Page(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n",
                        content_type="application/pdf"),
        "/admin/secret": Page(html_page("Secret", f"<p>{STATEMENT}</p>")),
        "/statement": Page(html_page("Statement", ARTICLE)),
        "/feed.xml": Page("<?xml version='1.0'?><rss version='2.0'><channel><item><link>/from-feed</link>"
                          "</item><item><title>Broken & unescaped</title><link>",
                          content_type="application/rss+xml"),
        "/from-feed": Page(html_page("From the feed", ARTICLE)),
        "/sitemap.xml": Page(b"this is <not> a sitemap <<<", content_type="application/xml"),
        "/trap/": Page(html_page("Trap", '<a href="/trap/list?n=1">start</a>')),
    }
    with LocalSite(pages, fallback=fallback) as site:
        yield site


@pytest.fixture(scope="module")
def fault_pass(fault_site: LocalSite, tmp_path_factory: pytest.TempPathFactory,
               request: pytest.FixtureRequest):
    tmp: Path = tmp_path_factory.mktemp("faults")
    db_url = fresh_db_url(request, tmp)
    sources = write_sources(tmp / "sources.toml", [
        {"name": "faults", "kind": "ngo", "allow_private": True, "start_urls": [fault_site.url("/")],
         "feeds": [fault_site.url("/feed.xml")], "sitemaps": [fault_site.url("/sitemap.xml")],
         "deny": ["/trap/"]},
        {"name": "trap", "kind": "ngo", "allow_private": True, "start_urls": [fault_site.url("/trap/")],
         "max_pages": TRAP_MAX_PAGES, "max_depth": 50},
    ])
    config = write_config(tmp / "config.toml", timeout=4, max_page_bytes=PAGE_CAP, max_depth=MAX_DEPTH,
                          max_pages=60)
    lines: list[str] = []
    handler = logging.Handler(level=logging.INFO)
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    child_log = logging.getLogger("crawler.child")
    child_log.addHandler(handler)
    child_log.setLevel(logging.INFO)
    try:
        result: CrawlResult = run_crawl(db_url, str(sources), str(config))
    finally:
        child_log.removeHandler(handler)
    db = open_database(db_url)
    with db.session() as s:
        docs = {d.url: d for d in s.scalars(select(Document))}
        states = {f.url: f for f in s.scalars(select(FetchState))}
    db.dispose()
    return {"result": result, "log": lines, "docs": docs, "states": states, "paths": fault_site.paths()}


def test_pass_completes_and_counts_every_fault_by_kind(fault_pass: dict) -> None:
    errors = fault_pass["result"].counters["faults"]["errors"]
    for kind in ("http_4xx", "http_5xx", "redirect_loop", "binary", "empty", "timeout", "pdf",
                 "robots", "malformed_feed", "malformed_sitemap"):
        assert errors.get(kind) == 1, (kind, errors)
    assert errors["too_large"] == 2  # declared length and streamed body
    assert fault_pass["result"].reason == "finished"


def test_each_failure_is_logged_with_its_url(fault_pass: dict, fault_site: LocalSite) -> None:
    log = "\n".join(fault_pass["log"])
    for path, kind in FAULT_LINKS.items():
        assert re.search(rf"faults: {kind} {re.escape(fault_site.url(path))}\b", log), (path, kind)
    reported = {(f.error, f.url) for f in fault_pass["result"].failures}
    assert ("malformed_sitemap", fault_site.url("/sitemap.xml")) in reported


def test_good_pages_are_stored(fault_pass: dict, fault_site: LocalSite) -> None:
    docs = fault_pass["docs"]
    assert "Олег Сенцов был арестован" in docs[fault_site.url("/ru")].text
    assert "جعفر پناهي" in docs[fault_site.url("/ar")].text
    truncated = docs[fault_site.url("/truncated")].text
    assert "sentenced to eight years in prison" in truncated
    assert fault_site.url("/from-feed") in docs  # links of a malformed feed are still followed
    statements = [u for u in docs if "/statement" in u]
    assert statements == [fault_site.url("/statement")]  # one document despite tracking parameters


def test_nothing_disallowed_or_bad_is_stored(fault_pass: dict, fault_site: LocalSite) -> None:
    assert "/admin/secret" not in fault_pass["paths"]
    docs = fault_pass["docs"]
    for path in ("/missing", "/broken", "/huge", "/binary", "/empty", "/slow", "/report"):
        assert fault_site.url(path) not in docs
    states = fault_pass["states"]
    assert states[fault_site.url("/missing")].last_status == 404
    assert states[fault_site.url("/missing")].last_error == "http_4xx"
    assert states[fault_site.url("/slow")].last_error == "timeout"


def test_traps_stay_within_depth_and_page_limits(fault_pass: dict) -> None:
    calendar_requests = [p for p in fault_pass["paths"] if p.startswith("/calendar")]
    # depth 1 from the home page; each level adds the next and previous month
    assert 1 < len(calendar_requests) <= 1 + 2 + 2
    trap_requests = [p for p in fault_pass["paths"] if p.startswith("/trap/")]
    assert len(trap_requests) == TRAP_MAX_PAGES
    assert fault_pass["result"].counters["trap"]["capped"] > 0
