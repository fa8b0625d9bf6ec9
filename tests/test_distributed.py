"""Crawl workers sharing one frontier in a real local Redis: each page fetched once in all.

A local site of 221 pages (a home page, 20 sections, 200 articles, cross-linked so
that every worker keeps finding URLs another one has already taken) is crawled by
three ``crawl-worker`` processes at once; the site records every request. The
export must equal that of a one-process crawl of the same site.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler.crawl import run_crawl
from crawler.distributed import FrontierBusy, frontier_status, new_pass, redis_client, run_crawl_worker
from pipeline.reports.export import iter_records
from pipeline.storage.db import open_database
from tests.pg import free_port
from tests.sites import LocalSite, Page, html_page, write_config, write_sources

SECTIONS = 20
PER_SECTION = 10
ARTICLES = SECTIONS * PER_SECTION
FIRST = ["Maryam", "Reza", "Leyla", "Omid", "Sara", "Kian", "Nasrin", "Behrouz", "Ali", "Shirin"]
LAST = ["Karimi", "Sadeghi", "Moradi", "Farahani", "Tehrani", "Jafari", "Rahimi", "Hosseini",
        "Ahmadi", "Rostami", "Kazemi", "Naderi", "Ebrahimi", "Soltani", "Mousavi", "Bagheri",
        "Amini", "Safavi", "Zand", "Navabi"]


class RedisServer:
    """redis-server on a random local port, its files in a temporary directory."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="atrisk-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis_client(self.url).close()
                return self
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = RedisServer().start()
    yield server.url
    server.stop()


def _article(n: int) -> Page:
    who = f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST)]}"
    text = "".join(
        f"<p>Filmmaker {who} was questioned by the authorities in Tehran, statement {n}, "
        f"paragraph {i}. Colleagues of {who} call for an end to the harassment of independent "
        "artists and for the return of confiscated equipment.</p>" for i in range(3))
    links = "".join(f'<a href="/article/{m % ARTICLES}">related</a>' for m in (n + 1, n + 7))
    return Page(html_page(f"Statement {n} on {who}",
                          f"<nav><a href='/'>Home</a>{links}<a href='/private/{n}'>x</a></nav>"
                          f"<article><h1>Statement {n} on {who}</h1>{text}</article>"), delay=0.1)


def build_site() -> LocalSite:
    pages = {
        "/robots.txt": Page("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/": Page(html_page("Statements", "".join(f'<a href="/section/{k}">Section {k}</a>'
                                                  for k in range(SECTIONS)))),
    }
    for k in range(SECTIONS):
        links = "".join(f'<a href="/article/{k * PER_SECTION + j}">a</a>' for j in range(PER_SECTION))
        links += f'<a href="/section/{(k + 1) % SECTIONS}">next</a><a href="/private/list">p</a>'
        pages[f"/section/{k}"] = Page(html_page(f"Section {k}", links))
    for n in range(ARTICLES):
        pages[f"/article/{n}"] = _article(n)
    for n in [*range(ARTICLES), "list"]:
        pages[f"/private/{n}"] = Page(html_page("private", "<p>never fetched</p>"))
    return LocalSite(pages)


def _export(url: str) -> list[dict]:
    db = open_database(url)
    try:
        return sorted(iter_records(db), key=lambda r: r["url"])
    finally:
        db.dispose()


def test_three_workers_fetch_every_page_once_and_export_as_one_process(
        tmp_path: Path, redis_url: str, db_url: str, other_db_url: str) -> None:
    with build_site() as site:
        sources = write_sources(tmp_path / "sources.toml", [{
            "name": "statements", "kind": "ngo", "allow_private": True, "start_urls": [site.url("/")]}])
        # a generous timeout: a robots.txt that cannot be fetched in time counts as allowing everything
        # (the workers that join late take a batch of requests at once: all of them must wait for
        # robots.txt, see crawler.middlewares.RobotsMiddleware)
        config = write_config(tmp_path / "config.toml", concurrency_per_domain=2, timeout=30)

        new_pass(redis_url)
        with ThreadPoolExecutor(3) as pool:
            runs = [pool.submit(run_crawl_worker, db_url, redis_url, str(sources), str(config))
                    for _ in range(3)]
            results = [r.result(timeout=240) for r in runs]
        fetched = Counter(r.path for r in site.requests if r.method == "GET")
        site.clear()

        single = run_crawl(other_db_url, str(sources), str(config))
        single_fetched = Counter(r.path for r in site.requests if r.method == "GET")

    pages = {f"/section/{k}" for k in range(SECTIONS)} | {f"/article/{n}" for n in range(ARTICLES)} | {"/"}
    assert len(pages) == 221
    assert {p for p in fetched if p != "/robots.txt"} == pages
    assert [p for p, n in fetched.items() if n != 1 and p != "/robots.txt"] == []  # each exactly once
    assert 1 <= fetched["/robots.txt"] <= 3  # every worker reads robots.txt for itself
    assert not [p for p in fetched if p.startswith("/private/")]  # ...and obeys it
    per_worker = [r.total("fetched") for r in results]
    assert sum(per_worker) == len(pages)
    assert sum(1 for n in per_worker if n > 0) >= 2, per_worker  # the work was shared
    assert sum(r.total("new_documents") for r in results) == single.total("new_documents") >= ARTICLES
    assert {p for p in single_fetched if p != "/robots.txt"} == pages

    exported = _export(db_url)
    assert len(exported) >= ARTICLES
    assert exported == _export(other_db_url)

    status = frontier_status(redis_url)
    assert status["queued"] == 0 and status["workers"] == {}


def test_a_finished_pass_is_not_crawled_again_until_a_new_pass(
        tmp_path: Path, redis_url: str, db_url: str) -> None:
    pages = {"/": Page(html_page("Home", '<a href="/a">a</a>')),
             "/a": Page(html_page("A", "<article><h1>A</h1><p>" + "A statement. " * 40 + "</p></article>"))}
    with LocalSite(pages) as site:
        sources = write_sources(tmp_path / "sources.toml", [{
            "name": "small", "kind": "ngo", "allow_private": True, "start_urls": [site.url("/")]}])
        config = str(write_config(tmp_path / "config.toml"))
        new_pass(redis_url, "small")
        first = run_crawl_worker(db_url, redis_url, str(sources), config, frontier="small")
        late = run_crawl_worker(db_url, redis_url, str(sources), config, frontier="small")
        new_pass(redis_url, "small")
        again = run_crawl_worker(db_url, redis_url, str(sources), config, frontier="small")
        gets = [r.path for r in site.requests if r.method == "GET" and r.path != "/robots.txt"]
    assert first.total("fetched") == 2
    assert late.total("fetched") + late.total("not_modified") == 0  # joined a finished pass
    # the new pass asks again (conditionally: the home page is unchanged, so it ends there)
    assert again.total("not_modified") == 1
    assert sorted(gets) == ["/", "/", "/a"]


def test_new_pass_refuses_while_a_worker_is_busy(redis_url: str) -> None:
    client = redis_client(redis_url)
    client.hset("busy-test:workers", "elsewhere:1", f"busy {int(client.time()[0])}")
    with pytest.raises(FrontierBusy):
        new_pass(redis_url, "busy-test")
    client.hset("busy-test:workers", "elsewhere:1", f"busy {int(client.time()[0]) - 3600}")
    new_pass(redis_url, "busy-test")  # a worker silent for an hour is dead: it holds nothing
    assert frontier_status(redis_url, "busy-test")["workers"] == {}
