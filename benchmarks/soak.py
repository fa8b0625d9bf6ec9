"""``python -m benchmarks.soak``: the hostile-site suite for longer, on loopback only.

Round after round, a local site (127.0.0.1) answers at the URLs of stored documents, and
at new ones, with random hostile responses (errors, binary, random bytes and text in odd
encodings, redirects to other schemes and hosts, oversized bodies, broken feeds and
gzipped sitemaps, gzip bombs); every round is a real crawl into one database. Each round
checks what the standing suite checks (``tests/test_hostile_site.py``): the crawl
finishes, counters and reported failures agree kind by kind with a URL each, and the
documents stored before the first round are unchanged. Bounded in time (``--minutes``).
Results: a table and ``benchmarks/results/soak.json``.

Example::

    python -m benchmarks.soak --minutes 10 --seed 7
"""

from __future__ import annotations

import argparse
import gzip
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import print_table, write_results
from crawler.crawl import run_crawl
from pipeline.app import App
from pipeline.passes import run_pass
from tests.sites import LocalSite, Page, html_page, write_config, write_sources
from tests.test_hostile_site import (
    LAUGHS,
    PAGE_CAP,
    XXE,
    _snapshot,
    assert_failures_accounted,
    hostile_site,
    rss,
    statement,
    urlset,
)

PAGES_PER_ROUND = 30


def random_answer(rng: random.Random, site: LocalSite, *, article: bool = True) -> Page:
    """A random hostile answer; with ``article``, sometimes a good article (never at the URL of
    a stored document: a new text there would be a legitimate change)."""
    kind = rng.randrange(10 if article else 9)
    if kind == 0:
        return Page("x", status=rng.choice([400, 403, 404, 410, 429, 500, 502, 503]))
    if kind == 1:
        return Page(rng.randbytes(rng.randrange(4000)), content_type="text/html")
    if kind == 2:
        return Page(rng.randbytes(rng.randrange(800)), content_type="application/octet-stream")
    if kind == 3:
        text = "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(2000)))
        enc = rng.choice(["utf-8", "utf-16", "utf-32", "latin-1", "shift_jis"])
        return Page(html_page("t", text).encode(enc, "replace"), content_type="text/html")
    if kind == 4:
        loc = rng.choice(["ftp://127.0.0.1/", "javascript:alert(1)", "http://elsewhere.example/",
                          "data:text/html,hi", "file:///etc/passwd", site.url("/soak/loop")])
        return Page("", status=rng.choice([301, 302, 307]), headers={"Location": loc}, etag=None)
    if kind == 5:
        return Page(b"<html>" + b"y" * (PAGE_CAP * 2))
    if kind == 6:
        return Page(rng.choice([XXE, LAUGHS]).format(link=site.url("/")), content_type="application/rss+xml")
    if kind == 7:
        bomb = gzip.compress(b"<urlset>" + b" " * rng.randrange(PAGE_CAP, PAGE_CAP * 50) + b"</urlset>")
        return Page(bomb, content_type="application/x-gzip")
    if kind == 8:
        return Page(gzip.compress(urlset([site.url("/soak/0")])), content_type="application/x-gzip")
    return Page(statement(f"Soak {rng.random()}", "Ahmad Shamlou"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="time budget (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60
    rows: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp, LocalSite() as site:
        work = Path(tmp)
        db_url = f"sqlite:///{work / 'soak.db'}"
        seeds = [f"/seed/{i}" for i in range(5)]
        for i, path in enumerate(seeds):
            site.pages[path] = Page(statement(f"Seed {i}", "Forough Farrokhzad"))
        site.pages["/seed.xml"] = Page(rss([site.url(p) for p in seeds]), content_type="application/rss+xml")
        config = write_config(work / "config.toml", timeout=5, max_page_bytes=PAGE_CAP)
        config.write_text(config.read_text() + f'[alerts]\nfeed = "{(work / "a.xml").as_posix()}"\n')
        sources = write_sources(work / "seed.toml", [{"name": "seed", "kind": "ngo", "allow_private": True,
                                                       "feeds": [site.url("/seed.xml")]}])
        app = App(db_url=db_url, sources_path=str(sources), config_path=str(config))
        assert run_pass(app, run_crawl, digest=False).status == "ok"
        app.close()
        seed_urls = [site.url(p) for p in seeds]
        before = _snapshot(db_url, seed_urls)
        hostile_site(site)  # the fixed hostile pages are part of every round too
        round_no = 0
        while time.monotonic() < deadline:
            round_no += 1
            paths = [f"/soak/{i}" for i in range(PAGES_PER_ROUND)]
            for path in paths:
                site.pages[path] = random_answer(rng, site)
            for path in seeds:
                site.pages[path] = random_answer(rng, site, article=False)
            site.pages["/soak/feed.xml"] = Page(rss([site.url(p) for p in paths + seeds]),
                                                content_type="application/rss+xml")
            site.pages["/soak/raw.xml"] = Page(rng.randbytes(rng.randrange(3000)),
                                               content_type="application/rss+xml")
            src = write_sources(work / "soak.toml", [{
                "name": "soak", "kind": "news", "allow_private": True,
                "feeds": [site.url("/soak/feed.xml"), site.url("/soak/raw.xml"), site.url("/feed.xml")],
                "sitemaps": [site.url("/sitemap.xml.gz"), site.url("/bomb.xml.gz")]}])
            started = time.monotonic()
            result = run_crawl(db_url, str(src), str(config))
            took = time.monotonic() - started
            assert result.reason == "finished", result.reason
            assert_failures_accounted(result)
            after = _snapshot(db_url, seed_urls)
            changed = {u: (before[u], after.get(u)) for u in before if after.get(u) != before[u]}
            assert not changed, f"round {round_no}: stored documents changed: {changed}"
            kinds.update(f.error for f in result.failures)
            rows.append({"round": round_no, "seconds": round(took, 2), "fetched": result.total("fetched"),
                         "failed": len(result.failures), "new_documents": result.total("new_documents")})
    print_table("hostile soak (loopback)", ["round", "seconds", "fetched", "failed", "new documents"],
                [(r["round"], r["seconds"], r["fetched"], r["failed"], r["new_documents"]) for r in rows])
    print_table("failures by kind", ["kind", "count"], sorted(kinds.items()))
    path = write_results("soak", {"minutes": args.minutes, "seed": args.seed, "rounds": rows,
                                  "failures_by_kind": dict(sorted(kinds.items())),
                                  "stored_documents_unchanged": True})
    print(f"soak: {len(rows)} rounds, {sum(r['failed'] for r in rows)} failures counted, "
          f"stored documents unchanged; {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
