"""The crawl against real local HTTP sites: entry kinds, limits, incremental passes, address guard."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.canonical import NotCrawlableURL, canonicalize
from crawler.crawl import CrawlError, CrawlResult, run_crawl
from crawler.spiders.feeds import feed_links, sitemap_links
from pipeline.storage.db import Database, open_database
from pipeline.storage.models import Document, FetchState, Run, Source, SourceRun
from pipeline.storage.store import utcnow
from tests.pg import fresh_db_url
from tests.sites import LocalSite, Page, html_page, write_config, write_sources

LAST_MODIFIED = "Mon, 03 Mar 2025 10:00:00 GMT"
XML = "application/xml"


def statement(title: str, who: str = "Jafar Panahi") -> str:
    paragraphs = "".join(
        f"<p>{who} was arrested in Tehran on Monday, according to his family. {title} is the "
        f"subject of this statement, paragraph {i}. The coalition calls for his immediate and "
        "unconditional release and for all charges against him to be dropped.</p>"
        for i in range(4)
    )
    return html_page(title, f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>")


def rss(links: list[str]) -> str:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'


def atom(links: list[str]) -> str:
    entries = "".join(f'<entry><title>t</title><link rel="alternate" href="{u}"/></entry>' for u in links)
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>{entries}</feed>'


def urlset(links: list[str]) -> str:
    urls = "".join(f"<url><loc>{u}</loc></url>" for u in links)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def sitemap_index(links: list[str]) -> str:
    maps = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in links)
    return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{maps}</sitemapindex>")


@dataclass
class Pass:
    result: CrawlResult
    events: list[dict] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


def crawl(site: LocalSite, db_url: str, sources: Path, config: Path, **kwargs: object) -> Pass:
    site.clear()
    events: list[dict] = []
    result = run_crawl(db_url, str(sources), str(config), on_progress=events.append, **kwargs)  # type: ignore[arg-type]
    return Pass(result, events, site.paths(), site.bodies_sent())


# -- canonical URLs ---------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("HTTP://Example.ORG:80/News/a?b=2&a=1#top", "http://example.org/News/a?a=1&b=2"),
    ("https://example.org:443/x?utm_source=tw&utm_medium=s&id=7&fbclid=abc", "https://example.org/x?id=7"),
    ("https://example.org/x?gclid=1&mc_cid=2&mc_eid=3&ref=home", "https://example.org/x"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org:8443/a%7eb", "https://example.org:8443/a~b"),
    ("http://127.0.0.1:8000/p?q=a%20b", "http://127.0.0.1:8000/p?q=a+b"),
])
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a", "javascript:alert(1)", "mailto:a@b.org", "file:///etc/passwd", "http://"]
)
def test_canonicalize_refuses_other_schemes(url: str) -> None:
    with pytest.raises(NotCrawlableURL):
        canonicalize(url)


def test_feed_and_sitemap_parsers() -> None:
    assert feed_links(rss(["https://a.org/1", "https://a.org/2"]).encode()).links == [
        "https://a.org/1", "https://a.org/2"]
    parsed = feed_links(atom(["https://a.org/3"]).encode())
    assert (parsed.doc_type, parsed.links, parsed.malformed) == ("atom", ["https://a.org/3"], False)
    broken = feed_links(b"<rss><channel><item><link>https://a.org/4</link></item><item><link>")
    assert broken.malformed and "https://a.org/4" in broken.links
    assert feed_links(b"<html><body>not a feed</body></html>").malformed
    assert sitemap_links(sitemap_index(["https://a.org/s.xml"]).encode()).doc_type == "sitemapindex"
    assert sitemap_links(b"\x00\x01garbage").malformed


# -- a news site with every entry kind ----------------------------------------------------

@pytest.fixture(scope="module")
def other_site():
    with LocalSite({"/news/elsewhere": Page(statement("Elsewhere"))}) as site:
        yield site


@pytest.fixture(scope="module")
def news_site(other_site: LocalSite):
    site = LocalSite()
    offsite = f"http://localhost:{other_site.port}/news/elsewhere"
    root = site.root
    site.pages.update({
        "/robots.txt": Page("User-agent: *\nDisallow: /news/private/\n", content_type="text/plain"),
        "/news/": Page(html_page("News", (
            '<a href="/news/a1?utm_source=newsletter&utm_medium=email">One</a>'
            '<a href="/news/a1#comments">One again</a>'
            f'<a href="{root}/news/a1?fbclid=xyz">One, shared</a>'
            '<a href="/news/a2">Two</a>'
            '<a href="/news/private/p1">Private</a>'
            '<a href="/news/tag/cinema">A tag page</a>'
            '<a href="/about">About</a>'
            f'<a href="{offsite}">Elsewhere</a>'
        ))),
        "/news/a1": Page(statement("Article one")),
        "/news/a2": Page(statement("Article two"), etag=None, last_modified=LAST_MODIFIED),
        "/news/a3": Page(statement("Article three")),
        "/news/a4": Page(statement("Article four"), etag=None, last_modified=LAST_MODIFIED),
        "/news/a5": Page(statement("Article five")),
        "/news/private/p1": Page(statement("Private")),
        "/news/tag/cinema": Page(statement("Tag")),
        "/about": Page(statement("About")),
        "/feed.rss": Page(rss([f"{root}/news/a3", f"{root}/news/a1?utm_campaign=rss"]),
                          content_type="application/rss+xml"),
        "/atom.xml": Page(atom([f"{root}/news/a4"]), content_type="application/atom+xml", etag=None,
                          last_modified=LAST_MODIFIED),
        "/sitemap_index.xml": Page(sitemap_index([f"{root}/sitemap-news.xml"]), content_type=XML),
        "/sitemap-news.xml": Page(urlset([f"{root}/news/a5", f"{root}/news/a2"]), content_type=XML),
    })
    with site:
        yield site


@pytest.fixture(scope="module")
def news_passes(news_site: LocalSite, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest):
    """Three passes: first, unchanged second, third after the listing page changed."""
    tmp = tmp_path_factory.mktemp("news")
    db_url = fresh_db_url(request, tmp)
    sources = write_sources(tmp / "sources.toml", [{
        "name": "local-news", "kind": "news", "allow_private": True,
        "start_urls": [news_site.url("/news/")],
        "feeds": [news_site.url("/feed.rss"), news_site.url("/atom.xml")],
        "sitemaps": [news_site.url("/sitemap_index.xml")],
        "allow": [r"/news/"], "deny": [r"/tag/"],
    }])
    config = write_config(tmp / "config.toml")
    db = open_database(db_url)
    with db.session() as s:
        run = Run(started_at=utcnow(), command="run")
        s.add(run)
        s.flush()
        run_id = run.id
    first = crawl(news_site, db_url, sources, config, run_id=run_id)
    first_docs = _documents(db)
    second = crawl(news_site, db_url, sources, config)
    second_docs = _documents(db)
    listing = news_site.pages["/news/"]
    news_site.pages["/news/"] = Page(listing.data.decode().replace(
        "</body>", '<a href="/news/a6">Six</a></body>'))
    news_site.pages["/news/a6"] = Page(statement("Article six"))
    third = crawl(news_site, db_url, sources, config)
    yield {"db": db, "run_id": run_id, "passes": (first, second, third),
           "docs": (first_docs, second_docs, _documents(db))}
    db.dispose()


def _documents(db: Database) -> dict[str, tuple[str, str | None]]:
    with db.session() as s:
        return {d.url: (d.content_hash, d.title) for d in s.scalars(select(Document))}


def test_every_entry_kind_reaches_its_articles(news_passes: dict, news_site: LocalSite) -> None:
    first = news_passes["passes"][0]
    docs = news_passes["docs"][0]
    expected = {news_site.url(f"/news/a{i}") for i in range(1, 6)}
    assert set(docs) == expected  # RSS a3, Atom a4, sitemap index -> sitemap a5, listing a1 a2
    assert first.result.counters["local-news"]["new_documents"] == 5
    assert first.result.counters["local-news"]["failed"] == 1  # the robots.txt refusal


def test_tracking_parameters_make_one_document(news_passes: dict) -> None:
    first = news_passes["passes"][0]
    assert first.paths.count("/news/a1") == 1
    assert not [p for p in first.paths if "utm_" in p or "fbclid" in p]


def test_robots_disallow_allow_deny_and_offsite(news_passes: dict, other_site: LocalSite) -> None:
    first = news_passes["passes"][0]
    assert "/news/private/p1" not in first.paths
    assert [f.url.endswith("/private/p1") for f in first.result.failures if f.error == "robots"] == [True]
    assert "/news/tag/cinema" not in first.paths  # deny
    assert "/about" not in first.paths  # allow
    assert other_site.paths() == []  # offsite link on the listing page


def test_user_agent_is_the_configured_one(news_passes: dict, news_site: LocalSite) -> None:
    agents = {r.headers.get("user-agent") for r in news_site.requests}
    assert agents == {"atrisk/0.1 (monitor of statements on artists at risk; +https://example.org/atrisk-tests)"}


def test_second_pass_is_conditional_and_downloads_nothing(news_passes: dict, news_site: LocalSite) -> None:
    second = news_passes["passes"][1]
    counters = second.result.counters["local-news"]
    assert counters["new_documents"] == counters["changed_documents"] == 0
    assert counters["not_modified"] == 4  # listing, RSS, Atom, sitemap index
    assert counters["fetched"] == 0
    assert news_passes["docs"][1] == news_passes["docs"][0]
    assert second.bodies == ["/robots.txt"]  # robots.txt is read afresh every pass
    for req in news_site.requests_for("/atom.xml")[-1:] + news_site.requests_for("/feed.rss")[-1:]:
        assert req.status == 304
    atom_req = [r for r in news_site.requests if r.path == "/atom.xml"][-1]
    rss_req = [r for r in news_site.requests if r.path == "/feed.rss"][-1]
    assert atom_req.headers.get("if-modified-since") == LAST_MODIFIED
    assert rss_req.headers.get("if-none-match") == news_site.pages["/feed.rss"].etag_value
    assert {e["outcome"] for e in second.events if e["event"] == "page"} == {"not_modified"}


def test_changed_listing_rechecks_known_articles_conditionally(
    news_passes: dict, news_site: LocalSite
) -> None:
    third = news_passes["passes"][2]
    counters = third.result.counters["local-news"]
    assert counters["new_documents"] == 1
    assert set(news_passes["docs"][2]) - set(news_passes["docs"][1]) == {news_site.url("/news/a6")}
    assert sorted(third.bodies) == ["/news/", "/news/a6", "/robots.txt"]
    # the known articles on the changed listing were asked for again, conditionally
    assert {"/news/a1", "/news/a2"} <= set(third.paths)
    last_a2 = news_site.requests_for("/news/a2")[-1]
    assert last_a2.status == 304 and last_a2.headers.get("if-modified-since") == LAST_MODIFIED


def test_fetch_state_kept_for_every_entry_kind(news_passes: dict, news_site: LocalSite) -> None:
    with news_passes["db"].session() as s:
        states = {f.url: f for f in s.scalars(select(FetchState))}
    assert states[news_site.url("/feed.rss")].kind == "feed"
    assert states[news_site.url("/feed.rss")].etag == news_site.pages["/feed.rss"].etag_value
    assert states[news_site.url("/atom.xml")].last_modified == LAST_MODIFIED
    assert states[news_site.url("/sitemap-news.xml")].kind == "sitemap"
    assert states[news_site.url("/news/")].kind == "listing"
    assert states[news_site.url("/news/a1")].body_hash


def test_source_runs_and_health(news_passes: dict) -> None:
    with news_passes["db"].session() as s:
        src = s.scalar(select(Source).where(Source.name == "local-news"))
        run = s.scalar(select(SourceRun).where(SourceRun.run_id == news_passes["run_id"]))
        assert src is not None and run is not None
        assert (run.new_documents, run.failed, run.source_id) == (5, 1, src.id)
        assert src.consecutive_failures == 0
        assert src.last_success_at is not None and src.last_crawled_at is not None


# -- servers without validators -------------------------------------------------------------

def test_same_body_without_validators_costs_no_extraction(tmp_path: Path, db_url: str) -> None:
    pages = {
        "/list": Page(html_page("List", '<a href="/s1">One</a>'), etag=None),
        "/s1": Page(statement("Only statement"), etag=None),
    }
    with LocalSite(pages) as site:
        sources = write_sources(tmp_path / "s.toml", [{
            "name": "plain", "kind": "ngo", "start_urls": [site.url("/list")], "allow_private": True}])
        config = write_config(tmp_path / "c.toml")
        first = crawl(site, db_url, sources, config)
        second = crawl(site, db_url, sources, config)
    assert first.result.counters["plain"]["new_documents"] == 1
    counters = second.result.counters["plain"]
    assert counters["unchanged"] == 1 and counters["new_documents"] == 0
    # the unchanged listing (same hash) does not lead to its known article again
    assert second.paths == ["/robots.txt", "/list"]


# -- where a crawl may go ---------------------------------------------------------------------

def test_requests_waiting_for_a_slow_robots_txt_all_obey_it(tmp_path: Path, db_url: str) -> None:
    # Several requests reach the robots.txt check while robots.txt is still being fetched
    # (a worker joining a shared frontier pops many at once; here: many entry points).
    # Scrapy 2.19 hands the parsed rules to the first of them only; the others used to
    # read "no robots.txt" and fetch disallowed pages.
    pages = {"/robots.txt": Page("User-agent: *\nDisallow: /closed/\n", content_type="text/plain", delay=1.0)}
    pages.update({f"/closed/{n}": Page(statement(f"Closed {n}")) for n in range(6)})
    pages.update({f"/open/{n}": Page(statement(f"Open {n}")) for n in range(2)})
    entries = [p for p in pages if p != "/robots.txt"]
    pages["/"] = Page(html_page("Home", "<p>The home page the statements link to.</p>"))
    with LocalSite(pages) as site:
        sources = write_sources(tmp_path / "s.toml", [{
            "name": "slow-robots", "kind": "ngo", "allow_private": True,
            "start_urls": [site.url(p) for p in entries]}])
        result = crawl(site, db_url, sources, write_config(tmp_path / "c.toml"))
    assert not [p for p in result.paths if p.startswith("/closed/")]
    assert sorted(p for p in result.paths if p.startswith("/open/")) == ["/open/0", "/open/1"]
    assert result.result.counters["slow-robots"]["errors"] == {"robots": 6}  # each counted


def test_private_address_refused_without_allow_private(tmp_path: Path, db_url: str) -> None:
    with LocalSite({"/": Page(html_page("Home", '<a href="/a">a</a>'))}) as site:
        sources = write_sources(tmp_path / "s.toml", [
            {"name": "by-ip", "kind": "ngo", "start_urls": [site.url("/")]},
            # a name that resolves to a loopback address is refused too
            {"name": "by-name", "kind": "ngo", "start_urls": [f"http://localhost:{site.port}/"]},
        ])
        result = crawl(site, db_url, sources, write_config(tmp_path / "c.toml"))
    assert result.paths == []
    for name in ("by-ip", "by-name"):
        assert result.result.counters[name]["errors"] == {"private_address": 1}
        assert result.result.counters[name]["entry_failed"] == 1
    with open_database(db_url).session() as s:
        assert s.scalar(select(func.count()).select_from(FetchState)) == 0  # refusals are not fetches
        assert {r.consecutive_failures for r in s.scalars(select(Source))} == {1}


def test_redirect_to_private_address_refused(tmp_path: Path, db_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # The site stands in for a proxy in front of a public host; the host then redirects
    # to a private address, which must not be followed.
    site = LocalSite()
    site.pages["/"] = Page("", status=302, headers={"Location": f"http://127.0.0.1:{site.port}/secret"},
                           etag=None, content_type=None)
    site.pages["/secret"] = Page(statement("Secret"))
    with site:
        monkeypatch.setenv("http_proxy", site.root)
        monkeypatch.setenv("HTTP_PROXY", site.root)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        sources = write_sources(tmp_path / "s.toml", [{
            "name": "public", "kind": "news", "start_urls": ["http://news.example/"],
            "domains": ["127.0.0.1"]}])
        result = crawl(site, db_url, sources, write_config(tmp_path / "c.toml"))
        proxied = [r for r in site.requests if r.absolute]
    assert "/" in [r.path for r in proxied]  # the proxy from the environment was used
    assert "/secret" not in result.paths
    assert result.result.counters["public"]["errors"] == {"private_address": 1}


def test_only_named_sources_and_events_are_json(tmp_path: Path, db_url: str) -> None:
    with LocalSite({"/": Page(html_page("Home", "nothing"))}) as site:
        sources = write_sources(tmp_path / "s.toml", [
            {"name": "one", "kind": "ngo", "start_urls": [site.url("/")], "allow_private": True},
            {"name": "two", "kind": "ngo", "start_urls": [site.url("/?b=1")], "allow_private": True},
        ])
        result = crawl(site, db_url, sources,
                       write_config(tmp_path / "c.toml"), only=["two"])
    assert set(result.result.counters) == {"two"}
    assert result.paths == ["/robots.txt", "/?b=1"]
    assert result.events[0] == {"event": "start", "sources": ["two"]}
    assert result.events[-1]["event"] == "done"
    assert all(json.dumps(e) for e in result.events)


# -- the child process ----------------------------------------------------------------------

def test_crawl_command_help() -> None:
    out = subprocess.run([sys.executable, "-m", "crawler.crawl", "--help"], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    assert "--sources" in out.stdout and "--source NAME" in out.stdout


def test_crawl_that_cannot_run_raises(tmp_path: Path, db_url: str) -> None:
    events: list[dict] = []
    with pytest.raises(CrawlError, match="exit code 2"):
        run_crawl(db_url, str(tmp_path / "missing.toml"), None,
                  on_progress=events.append)
    assert events and events[-1]["event"] == "fatal" and "missing.toml" in events[-1]["message"]


def test_the_crawl_loads_only_the_extensions_it_uses() -> None:
    from scrapy.settings import default_settings

    from crawler.crawl import crawl_settings
    from pipeline.config import load_config

    settings = crawl_settings(load_config(None), db_url="sqlite://", sources_path=None, only=[])
    loaded = settings.get_component_priority_dict_with_base("EXTENSIONS")
    assert "scrapy.extensions.remote_control.RemoteControl" not in loaded  # imports aiohttp
    assert "scrapy.extensions.telnet.TelnetConsole" not in loaded
    # the deadline ([crawl] max_seconds), throttling, stats and log counts stay
    kept = set(default_settings.EXTENSIONS_BASE) - {"scrapy.extensions.remote_control.RemoteControl",
                                                    "scrapy.extensions.telnet.TelnetConsole"}
    assert kept <= set(loaded) and "scrapy.extensions.closespider.CloseSpider" in loaded
