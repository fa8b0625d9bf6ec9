"""Hostile inputs, second round (issue 12, defects 2-6): each against a real local server."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from crawler.crawl import run_crawl
from extract.article import Article
from pipeline.config import Config, load_config
from pipeline.delivery import alerts
from pipeline.redact import mask_text, mask_url
from pipeline.reports.export import iter_records, write_csv
from pipeline.sources import SourcesError, load_sources
from pipeline.storage.db import open_database
from pipeline.storage.models import Alert, Document, Source
from pipeline.storage.store import save_article, sync_sources
from tests.servers import WebhookReceiver, free_port
from tests.sites import LocalSite, Page, html_page, write_config, write_sources

ROOT = Path(__file__).resolve().parent.parent


def statement(title: str, who: str = "Jafar Panahi") -> str:
    text = (f"The filmmaker {who} was arrested in Tehran on Monday, his family said. "
            "The festival called for his immediate and unconditional release. ")
    return html_page(title, f"<article><h1>{title}</h1>" + f"<p>{text}</p>" * 3 + "</article>")


def urlset(links: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            'sitemap/0.9">' + "".join(f"<url><loc>{u}</loc></url>" for u in links) + "</urlset>")


def rss(links: list[str]) -> str:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
            + "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
            + "</channel></rss>")


def _docs(db_url: str) -> dict[str, Document]:
    db = open_database(db_url)
    try:
        with db.sessions() as s:
            return {d.url: d for d in s.scalars(select(Document))}
    finally:
        db.dispose()


# -- 2. one-off fetches go through the address guard --------------------------------------

def _proxy_env(monkeypatch: pytest.MonkeyPatch, site: LocalSite) -> None:
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, site.root)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "ftp://127.0.0.1/x",
                                    "file:///etc/passwd"])
def test_sources_check_and_extract_refuse_redirects_to_private_and_ftp(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    # The site stands in for a proxy in front of a public host, which redirects to `target`.
    site = LocalSite({"/": Page("", status=302, headers={"Location": target}, etag=None, content_type=None)})
    with site:
        _proxy_env(monkeypatch, site)
        sources = write_sources(tmp_path / "s.toml", [
            {"name": "public", "kind": "news", "start_urls": ["http://news.example/"],
             "domains": ["169.254.169.254", "127.0.0.1"]}])  # so the address itself is judged
        db = f"sqlite:///{tmp_path / 'x.db'}"
        check = CliRunner().invoke(main, ["--db", db, "--sources", str(sources), "sources", "check"])
        extract = CliRunner().invoke(main, ["--db", db, "extract", "--no-analyse", "http://news.example/"])
    assert "FAIL" in check.output and ("private_address" in check.output or "not_http" in check.output)
    assert extract.exit_code == 1
    assert "refused" in extract.output
    assert [r.path for r in site.requests] == ["/", "/"]  # the redirect was never followed


def test_sources_check_and_extract_refuse_loopback_unless_allowed(tmp_path: Path) -> None:
    with LocalSite({"/": Page(statement("Home"))}) as site:
        sources = write_sources(tmp_path / "s.toml", [
            {"name": "closed", "kind": "ngo", "start_urls": [site.url("/")]},
            {"name": "local", "kind": "ngo", "start_urls": [site.url("/?x=1")], "allow_private": True}])
        db = f"sqlite:///{tmp_path / 'x.db'}"
        check = CliRunner().invoke(main, ["--db", db, "--sources", str(sources), "sources", "check"])
        refused = CliRunner().invoke(main, ["--db", db, "extract", "--no-analyse", site.url("/")])
        allowed = CliRunner().invoke(main, ["--db", db, "extract", "--no-analyse", "--allow-private",
                                            site.url("/")])
        paths = site.paths()
    lines = {line.split("\t")[1]: line for line in check.output.splitlines() if "\t" in line}
    assert lines["closed"].startswith("FAIL") and "private_address" in lines["closed"]
    assert lines["local"].startswith("ok")
    assert refused.exit_code == 1 and "private" in refused.output
    assert allowed.exit_code == 0 and "arrested" in json.loads(allowed.output)["text"]
    assert paths == ["/?x=1", "/"]  # only the allowed requests reached the site


def test_extract_stops_at_the_size_cap(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[crawl]\nmax_page_bytes = 100000\n", encoding="utf-8")
    with LocalSite({"/big": Page(b"<html>" + b"x" * 500_000), "/chunked": Page(b"y" * 500_000,
                                                                             send_length=False)}) as site:
        for path in ("/big", "/chunked"):
            res = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "--config", str(config),
                                            "extract", "--no-analyse", "--allow-private", site.url(path)])
            assert res.exit_code == 1 and "limit" in res.output, res.output


# -- 3. CSV formula injection ----------------------------------------------------------------

HOSTILE_TITLES = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
                  "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_csv_export_neutralises_formulas(tmp_path: Path, db_url: str) -> None:
    db = open_database(db_url)
    ids = sync_sources(db, [type("S", (), {"name": "=evil()", "kind": "ngo"})])
    with db.session() as s:
        for i, title in enumerate(HOSTILE_TITLES):
            save_article(s, Article(url=f"https://ngo.example/{i}", text=f"Text {i}.", title=title,
                                    language="en"), source_id=ids["=evil()"])
    out = io.StringIO()
    assert write_csv(iter_records(db), out) == len(HOSTILE_TITLES)
    db.dispose()
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    for row, title in zip(rows, HOSTILE_TITLES, strict=True):
        assert row["title"] == "'" + title  # shown as text, the original still readable
        assert row["source"] == "'=evil()"
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # every cell is quoted, so a separator or quote inside a title cannot open a new cell
    assert out.getvalue().startswith('"url","source","title"')
    assert '"\'=evil()"' in out.getvalue()


# -- 4. gzipped sitemaps -------------------------------------------------------------------------

def test_gzipped_sitemap_without_content_encoding_is_read(tmp_path: Path, db_url: str) -> None:
    site = LocalSite()
    links = [site.url(f"/a/{i}") for i in range(3)]
    site.pages["/sitemap.xml.gz"] = Page(gzip.compress(urlset(links).encode()),
                                         content_type="application/x-gzip")
    for i in range(3):
        site.pages[f"/a/{i}"] = Page(statement(f"Statement {i}"))
    # a gzip bomb: 50 MB of XML in a small archive, over the size cap once inflated
    bomb = gzip.compress(b'<?xml version="1.0"?><urlset>' + b" " * 50_000_000 + b"</urlset>")
    site.pages["/bomb.xml.gz"] = Page(bomb, content_type="application/octet-stream")
    with site:
        sources = write_sources(tmp_path / "s.toml", [
            {"name": "gz", "kind": "ngo", "sitemaps": [site.url("/sitemap.xml.gz")], "allow_private": True},
            {"name": "bomb", "kind": "ngo", "sitemaps": [site.url("/bomb.xml.gz")], "allow_private": True}])
        result = run_crawl(db_url, str(sources), str(write_config(tmp_path / "c.toml",
                                                                   max_page_bytes=5_000_000)))
    assert result.counters["gz"]["new_documents"] == 3
    assert result.counters["gz"]["errors"] == {}
    assert result.counters["bomb"]["errors"] == {"malformed_sitemap": 1}
    assert [f.url for f in result.failures] == [site.url("/bomb.xml.gz")]


# -- 5. tokens in webhook paths --------------------------------------------------------------------

@pytest.mark.parametrize("url", ["json://hooks.example.org/api/hooks/s3cr3tT0ken",
                                 "xml://hooks.example.org/in/abcdef", "form://127.0.0.1:9/trigger/K3y9",
                                 "jsons://hooks.example.org/2f9a1c", "custom-plugin://h.example/tok1"])
def test_mask_url_masks_every_path_segment_of_non_web_schemes(url: str) -> None:
    secret = url.rsplit("/", 1)[1]
    masked = mask_url(url)
    assert secret not in masked and masked.endswith("/***"), masked
    assert mask_text(f"delivery to {url} failed") == f"delivery to {masked} failed"


def test_failing_delivery_to_a_webhook_never_logs_its_path_token(tmp_path: Path, db_url: str) -> None:
    hook = WebhookReceiver(status=500).start()
    url = hook.url("/hooks/tok3n9")  # short: no token heuristic would catch it
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(f'[alerts]\nurls = ["{url}"]\nfeed = "{(tmp_path / "f.xml").as_posix()}"\n',
                        encoding="utf-8")
    _queue_one_alert(db_url, load_config(cfg_file))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
    env.update(PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run([sys.executable, "-m", "cli", "--db", db_url, "--config", str(cfg_file), "-vv",
                               "alerts"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    finally:
        hook.stop()
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["failed"] == 1
    assert "tok3n9" not in proc.stderr + proc.stdout
    db = open_database(db_url)
    with db.sessions() as s:
        assert all("tok3n9" not in (a.last_error or "") for a in s.scalars(select(Alert)))
    db.dispose()


def _queue_one_alert(db_url: str, config: Config, person: str = "Jafar Panahi") -> None:
    from pipeline.storage.models import Entity, Event
    from pipeline.storage.store import utcnow

    db = open_database(db_url)
    with db.session() as s:
        doc = Document(url=f"https://ngo.example/{person.replace(' ', '-')}", title="T", text="x",
                       content_hash="h" + person, first_seen_at=utcnow(), updated_at=utcnow())
        ent = Entity(kind="person", name=person, key=person.lower(), created_at=utcnow(), tags=[])
        s.add_all([doc, ent])
        s.flush()
        ev = Event(document_id=doc.id, person_id=ent.id, person_name=person, type="arrest",
                   sentence=f"{person} was arrested.", is_new=True, created_at=utcnow())
        s.add(ev)
        s.flush()
        assert alerts.enqueue_alerts(s, ev, doc, ent, config) >= 1
    db.dispose()


# -- 6. the rest, each a class -----------------------------------------------------------------

def test_two_sources_sharing_an_entry_url_both_succeed(tmp_path: Path, db_url: str) -> None:
    site = LocalSite()
    site.pages["/feed"] = Page(rss([site.url("/a"), site.url("/b")]), content_type="application/rss+xml")
    site.pages["/a"] = Page(statement("A"))
    site.pages["/b"] = Page(statement("B", "Mohammad Rasoulof"))
    with site:
        sources = write_sources(tmp_path / "s.toml", [
            {"name": "one", "kind": "ngo", "feeds": [site.url("/feed")], "allow_private": True},
            {"name": "two", "kind": "news", "start_urls": [site.url("/feed")], "allow_private": True}])
        for _ in range(2):
            result = run_crawl(db_url, str(sources), str(write_config(tmp_path / "c.toml")))
            for name in ("one", "two"):
                assert result.counters[name]["entry_ok"] == 1, result.counters
                assert result.counters[name]["errors"] == {}
        assert site.paths().count("/feed") == 2  # once per pass, not once per source
    db = open_database(db_url)
    with db.sessions() as s:
        assert {r.name: r.consecutive_failures for r in s.scalars(select(Source))} == {"one": 0, "two": 0}
    db.dispose()


@pytest.mark.parametrize("name", ["ATRISK_ALERT_URLS", "ATRISK_DIGEST_URLS", "ATRISK_OPERATOR_URLS"])
@pytest.mark.parametrize("value", ["", "   "])
def test_empty_url_variable_does_not_replace_configured_channels(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 name: str, value: str) -> None:
    section = {"ATRISK_ALERT_URLS": "alerts", "ATRISK_DIGEST_URLS": "digest",
               "ATRISK_OPERATOR_URLS": "operator"}[name]
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[{section}]\nurls = ["json://127.0.0.1:9/hook"]\n', encoding="utf-8")
    monkeypatch.setenv(name, value)
    assert getattr(load_config(cfg), section).urls == ("json://127.0.0.1:9/hook",)
    monkeypatch.setenv(name, "json://127.0.0.1:9/other")
    assert getattr(load_config(cfg), section).urls == ("json://127.0.0.1:9/other",)


@pytest.mark.parametrize("pattern", [r"^(a|aa)+$", r"/(a|aa)+$", r"(\d|\d\d)+x", r"^https://[^/]+/(-|--)+!"])
def test_catastrophic_allow_deny_pattern_is_refused_at_load(tmp_path: Path, pattern: str) -> None:
    for key in ("allow", "deny"):
        path = write_sources(tmp_path / "s.toml", [{"name": "x", "kind": "ngo",
                                                    "start_urls": ["https://ngo.example/"], key: [pattern]}])
        started = time.monotonic()
        with pytest.raises(SourcesError, match="takes too long"):
            load_sources(path)
        assert time.monotonic() - started < 10


def test_pattern_slow_at_crawl_time_costs_one_url_counted() -> None:
    from crawler.spiders.watch import PatternTimeout, SourceCrawl
    from pipeline.sources import SourceConfig, compile_pattern

    cfg = SourceConfig(name="x", kind="ngo", start_urls=("https://ngo.example/",))
    src = SourceCrawl(config=cfg, id=None, max_pages=10, max_depth=1,
                      allow=[compile_pattern(r"(a|aa)+$")], deny=[])
    started = time.monotonic()
    with pytest.raises(PatternTimeout):
        src.wants("https://ngo.example/" + "a" * 60 + "!")
    assert time.monotonic() - started < 5  # bounded, where Python's re would run for hours
    assert src.wants("https://ngo.example/aaa")


def test_crawl_has_an_overall_deadline(tmp_path: Path, db_url: str) -> None:
    pages = {"/": Page(html_page("Home", "".join(f'<a href="/s/{i}">{i}</a>' for i in range(40))))}
    pages.update({f"/s/{i}": Page(statement(f"Slow {i}"), delay=1.0) for i in range(40)})
    with LocalSite(pages) as site:
        sources = write_sources(tmp_path / "s.toml", [{"name": "slow", "kind": "ngo",
                                                       "start_urls": [site.url("/")], "allow_private": True}])
        config = write_config(tmp_path / "c.toml", max_seconds=3, concurrency_per_domain=1)
        started = time.monotonic()
        result = run_crawl(db_url, str(sources), str(config))
        took = time.monotonic() - started
    assert result.reason == "closespider_timeout"
    assert took < 25
    assert 0 < result.counters["slow"]["new_documents"] < 40


def test_utf16_pages_with_a_bom_are_read(tmp_path: Path, db_url: str) -> None:
    site = LocalSite()
    for enc, path in (("utf-16", "/le"), ("utf-16-be", "/be")):
        body = statement(f"Wide {path}").replace('charset="utf-8"', 'charset="utf-16"')
        data = body.encode(enc) if enc == "utf-16" else b"\xfe\xff" + body.encode(enc)
        site.pages[path] = Page(data, content_type="text/html")
    site.pages["/"] = Page(html_page("Home", '<a href="/le">le</a> <a href="/be">be</a>'))
    with site:
        sources = write_sources(tmp_path / "s.toml", [{"name": "wide", "kind": "ngo",
                                                       "start_urls": [site.url("/")], "allow_private": True}])
        result = run_crawl(db_url, str(sources), str(write_config(tmp_path / "c.toml")))
    assert result.counters["wide"]["errors"] == {}
    assert result.counters["wide"]["new_documents"] == 2
    texts = [d.text or "" for d in _docs(db_url).values()]
    assert all("arrested in Tehran" in t and "\x00" not in t for t in texts)


@pytest.mark.sqlite_only("a read-only SQLite file")
@pytest.mark.parametrize("read_only", ["file", "file and directory"])
def test_read_only_database_is_one_clear_line(tmp_path: Path, read_only: str) -> None:
    work = tmp_path / "ro"
    work.mkdir()
    db_file = work / "atrisk.db"
    open_database(f"sqlite:///{db_file}").dispose()
    # root writes to read-only files, but not to immutable ones
    root = os.geteuid() == 0
    if root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make the file read-only")
    frozen = [db_file, work] if read_only == "file and directory" else [db_file]
    for path in frozen:
        if root:
            subprocess.run(["chattr", "+i", str(path)], check=True)
        else:
            path.chmod(0o555)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
    env.update(PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run([sys.executable, "-m", "cli", "--db", f"sqlite:///{db_file}", "-q", "run",
                               "--no-crawl"], capture_output=True, text=True, timeout=120, env=env,
                              cwd=tmp_path)
    finally:
        for path in reversed(frozen):
            if root:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            else:
                path.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "database" in lines[0] and ("readonly" in lines[0] or "read-only" in lines[0]
                                       or "unable to open" in lines[0] or "ermission" in lines[0]), lines[0]


@pytest.mark.sqlite_only("SQLite's write lock")
def test_page_lost_to_a_database_lock_is_counted_failed_with_its_url(tmp_path: Path, db_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db_file = Path(db_url.removeprefix("sqlite:///"))
    open_database(db_url).dispose()
    holder: dict[str, sqlite3.Connection] = {}

    def lock_now(path: str) -> Page | None:
        if path == "/lock" and "conn" not in holder:  # the site takes the write lock for 4 s
            conn = sqlite3.connect(db_file, timeout=1, check_same_thread=False)
            conn.execute("BEGIN IMMEDIATE")
            holder["conn"] = conn
            threading.Timer(4, conn.rollback).start()
            return Page(statement("Lock") + '<a href="/after">after</a>')
        return None

    site = LocalSite({"/": Page(html_page("Home", '<a href="/lock">lock</a>')),
                      "/after": Page(statement("After"))}, fallback=lock_now)
    monkeypatch.setenv("ATRISK_DB_BUSY_TIMEOUT", "1")
    with site:
        sources = write_sources(tmp_path / "s.toml", [{"name": "locked", "kind": "ngo",
                                                       "start_urls": [site.url("/")], "allow_private": True}])
        # the source health written after the crawl is not the subject here
        result = run_crawl(db_url, str(sources), str(write_config(tmp_path / "c.toml")), update_health=False)
    counters = result.counters["locked"]
    assert counters["errors"].get("database", 0) >= 1, counters
    assert counters["failed"] == sum(counters["errors"].values())
    lost = {f.url for f in result.failures if f.error == "database"}
    assert lost <= {site.url("/lock"), site.url("/after")}
    assert all(f.url for f in result.failures)


def test_slow_receiver_gets_each_alert_once(tmp_path: Path, db_url: str) -> None:
    hook = WebhookReceiver(hold=True).start()  # answers only when released
    threading.Timer(6.0, hook.released.set).start()  # 6 s: longer than apprise's own 4 s
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text(f'[alerts]\nurls = ["{hook.url()}"]\nfeed = "{(tmp_path / "f.xml").as_posix()}"\n',
                        encoding="utf-8")
    config = load_config(cfg_file)
    assert config.alerts.timeout == 30
    _queue_one_alert(db_url, config)
    db = open_database(db_url)
    try:
        res = alerts.deliver_pending(db, config)
        again = alerts.deliver_pending(db, config, now=alerts.utcnow().replace(year=2100))
        with db.sessions() as s:
            statuses = [a.status for a in s.scalars(select(Alert).where(Alert.channel != "feed"))]
    finally:
        db.dispose()
        hook.stop()
    assert (res.sent, res.failed) == (1, 0)
    assert again.sent == 0
    assert statuses == ["sent"]
    assert len(hook.posts) == 1


def test_readme_and_code_say_at_least_once_with_a_stable_id() -> None:
    delivery = ROOT / "pipeline" / "delivery"
    for path in (ROOT / "README.md", ROOT / "docs" / "scaling.md", delivery / "alerts.py",
                 delivery / "outbox.py", ROOT / "pipeline" / "storage" / "models.py"):
        text = path.read_text(encoding="utf-8").lower().replace("\n", " ")
        assert "exactly once per channel" not in text and '"exactly once' not in text, path
    readme = (ROOT / "README.md").read_text(encoding="utf-8").lower()
    assert "at least once" in readme and "same alert id" in readme


def test_bad_watchlist_stops_the_pass_before_any_request(tmp_path: Path, db_url: str) -> None:
    bad = tmp_path / "watchlist.toml"
    bad.write_text('[[people]]\naliases = ["no name"]\n', encoding="utf-8")
    with LocalSite({"/": Page(statement("Home"))}) as site:
        sources = write_sources(tmp_path / "s.toml", [{"name": "x", "kind": "ngo",
                                                       "start_urls": [site.url("/")], "allow_private": True}])
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
        env.update(PYTHONPATH=str(ROOT))
        proc = subprocess.run([sys.executable, "-m", "cli", "--db", db_url, "--sources", str(sources),
                               "--watchlist", str(bad), "--config", str(write_config(tmp_path / "c.toml")),
                               "-q", "run"], capture_output=True, text=True, timeout=120, env=env,
                              cwd=tmp_path)
        paths = site.paths()
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "watchlist" in proc.stderr.lower()
    assert paths == []  # found before crawling, not after


def test_free_port_helper_is_loopback() -> None:
    assert 0 < free_port() < 65536
