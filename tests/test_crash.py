"""Crash safety: `atrisk run` killed with SIGKILL mid-crawl or mid-analysis loses nothing.

Each scenario starts a real `atrisk run` against a site served on 127.0.0.1, kills its
whole process group (the CLI and its crawl child) at the right moment, then runs a
normal pass. Its export must equal that of one uninterrupted pass on a fresh database,
with no document, mention, event or alert row duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from crawler.localsite import LocalSite
from tests.pg import fresh_db_url, query_rows

ROOT = Path(__file__).resolve().parent.parent
ATRISK = [str(Path(sys.executable).with_name("atrisk"))]
ARTICLES = 30

FIRST = ["Maryam", "Reza", "Leyla", "Omid", "Sara", "Kian", "Nasrin", "Behrouz"]
LAST = ["Karimi", "Sadeghi", "Moradi", "Farahani", "Tehrani", "Jafari"]
PLACES = ["Tehran", "Tbilisi", "Minsk", "Istanbul", "Cairo", "Baku"]
ACTS = [
    "was arrested by security forces in {place} on Monday",
    "was sentenced to six years in prison by a court in {place}",
    "was released on bail from a prison in {place}",
    "was summoned for interrogation by the intelligence ministry in {place}",
    "was banned from leaving the country, officials in {place} said",
    "was charged with propaganda against the state in {place}",
]


def _article(i: int, today: date) -> tuple[str, str]:
    name = f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST)]}"
    place = PLACES[i % len(PLACES)]
    act = ACTS[i % len(ACTS)].format(place=place)
    day = today - timedelta(days=i % 5)
    title = f"Filmmaker {name} {act.split(' by ')[0].split(' in ')[0]}"
    paragraphs = [
        f"The documentary filmmaker {name} {act}, according to colleagues and a statement "
        "released by Amnesty International.",
        f"{name.split()[1]} has made three feature films about daily life in {place}, and the "
        "most recent one was shown at the Berlin International Film Festival last year.",
        "PEN International called on the authorities to respect freedom of expression and to "
        "end the harassment of artists, writers and filmmakers who document social issues.",
        f"Friends of {name.split()[0]} said the family had not been told of any charges and "
        "that lawyers had been refused access to the case file for several weeks.",
        "Human rights groups have recorded a growing number of cases in which cultural workers "
        "are questioned, prosecuted or prevented from travelling because of their work.",
    ]
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    html = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<meta property=\"article:published_time\" content=\"{day.isoformat()}\"></head>"
            f"<body><header><a href=\"/index.html\">Home</a></header><article><h1>{title}</h1>"
            f"<p class=\"date\">{day.isoformat()}</p>\n{body}</article></body></html>")
    return f"story-{i:03d}.html", html


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("crashsite")
    (root / "news").mkdir()
    links = []
    today = date.today()
    for i in range(ARTICLES):
        name, html = _article(i, today)
        (root / "news" / name).write_text(html, encoding="utf-8")
        links.append(f'<li><a href="/news/{name}">story {i}</a></li>')
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>News</title></head><body><ul>"
        + "".join(links) + "</ul></body></html>", encoding="utf-8")
    with LocalSite(root) as s:
        yield s


def _workdir(tmp_path: Path, base: str, db_url: str) -> Path:
    (tmp_path / "db-url").write_text(db_url)
    (tmp_path / "sources.toml").write_text(
        '[[sources]]\nname = "crash-news"\nkind = "news"\n'
        f'start_urls = ["{base}/index.html"]\nallow = ["/news/"]\nallow_private = true\n',
        encoding="utf-8")
    # a small politeness delay keeps the crawl long enough to be killed in the middle
    (tmp_path / "config.toml").write_text(
        "[crawl]\ndownload_delay = 0.05\nautothrottle = false\nconcurrency_per_domain = 1\n"
        "[analysis]\nbatch_size = 4\n"
        f'[alerts]\nfeed = "{(tmp_path / "alerts.xml").as_posix()}"\n'
        f'[digest]\ndir = "{(tmp_path / "digests").as_posix()}"\n', encoding="utf-8")
    return tmp_path


def _cmd(work: Path, *args: str) -> list[str]:
    return [*ATRISK, "--db", (work / "db-url").read_text(), "--sources", str(work / "sources.toml"),
            "--config", str(work / "config.toml"), "-q", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ATRISK_ALERT_URLS", None)
    env.pop("ATRISK_OPERATOR_URLS", None)
    return env


def _run(work: Path) -> dict:
    done = subprocess.run(_cmd(work, "run"), cwd=work, capture_output=True, text=True, timeout=240,
                          env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _export(work: Path) -> list[dict]:
    done = subprocess.run(_cmd(work, "export", "--format", "jsonl"), cwd=work, capture_output=True,
                          text=True, timeout=120, env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    records = sorted((json.loads(line) for line in done.stdout.splitlines() if line.strip()),
                     key=lambda r: r["url"])
    # incident ids are row ids, numbered in the order the documents were analysed (which a
    # kill changes); the same grouping must give the same numbers by first appearance
    number: dict[int, int] = {}
    for record in records:
        for event in record["events"]:
            if event.get("incident") is not None:
                event["incident"] = number.setdefault(event["incident"], len(number) + 1)
    return records


def _query(work: Path, sql: str) -> list[tuple]:
    return query_rows((work / "db-url").read_text(), sql)


def _kill_when(work: Path, moment: Callable[[], bool], timeout: float = 120.0) -> None:
    proc = subprocess.Popen(_cmd(work, "run"), cwd=work, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, env=_env())
    deadline = time.monotonic() + timeout
    try:
        while not moment():
            assert proc.poll() is None, "the pass ended before the moment to kill it came"
            assert time.monotonic() < deadline, "the moment to kill the pass never came"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its crawl child, no clean-up
        proc.wait(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()


def _table_facts(work: Path) -> dict[str, object]:
    return {
        "documents": _query(work, "SELECT COUNT(*), COUNT(DISTINCT url) FROM documents")[0],
        "mentions": _query(work, "SELECT COUNT(*) FROM mentions")[0][0],
        "events": _query(work, "SELECT COUNT(*) FROM events")[0][0],
        "alerts": sorted(_query(work, "SELECT alert_id, channel FROM alerts")),
        "pending": _query(work, "SELECT COUNT(*) FROM documents WHERE analysed_hash IS NULL "
                                "OR analysed_hash != content_hash")[0][0],
    }


@pytest.fixture(scope="module")
def baseline(site, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    tmp = tmp_path_factory.mktemp("baseline")
    work = _workdir(tmp, site.base, fresh_db_url(request, tmp))
    summary = _run(work)
    assert summary["new_documents"] == ARTICLES
    return _export(work), _table_facts(work)


def _documents(work: Path) -> int:
    rows = _query(work, "SELECT COUNT(*) FROM documents")
    return rows[0][0] if rows else 0


def _analysis_under_way(work: Path) -> bool:
    rows = _query(work, "SELECT SUM(CASE WHEN analysed_hash = content_hash THEN 1 ELSE 0 END), COUNT(*) "
                        "FROM documents")
    if not rows or rows[0][0] is None:
        return False
    done, total = rows[0]
    return total == ARTICLES and 0 < done < total


def test_sigkill_during_crawl_then_a_run_completes_the_work(site, baseline, tmp_path, db_url):
    work = _workdir(tmp_path, site.base, db_url)
    _kill_when(work, lambda: _documents(work) >= 5)
    stored = _documents(work)
    assert 5 <= stored < ARTICLES, "killed in the middle of the crawl"
    assert _query(work, "SELECT status FROM runs") == [("running",)]

    summary = _run(work)
    assert summary["status"] == "ok"
    assert summary["new_documents"] == ARTICLES - stored
    assert _query(work, "SELECT id, status FROM runs ORDER BY id") == [(1, "interrupted"), (2, "ok")]
    expected_export, expected_facts = baseline
    assert _export(work) == expected_export
    assert _table_facts(work) == expected_facts


def test_sigkill_during_analysis_then_a_run_completes_the_work(site, baseline, tmp_path, db_url):
    work = _workdir(tmp_path, site.base, db_url)
    _kill_when(work, lambda: _analysis_under_way(work))
    facts = _table_facts(work)
    assert 0 < facts["pending"] < ARTICLES, "killed in the middle of the analysis"

    summary = _run(work)
    assert summary["status"] == "ok"
    assert summary["new_documents"] == 0
    assert summary["analysed"] == facts["pending"]
    expected_export, expected_facts = baseline
    assert _export(work) == expected_export
    assert _table_facts(work) == expected_facts
