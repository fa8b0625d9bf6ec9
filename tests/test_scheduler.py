"""The long-running scheduler: jobs run, SIGTERM stops it cleanly, the job store survives a
restart; and the retention of stored page text."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from crawler.localsite import LocalSite, fill_placeholders
from extract.article import Article
from pipeline.analysis.analyse import analyse_pending, count_pending
from pipeline.app import App
from pipeline.config import Config, StorageConfig
from pipeline.passes import run_pass
from pipeline.reports.export import iter_records
from pipeline.storage.db import open_database
from pipeline.storage.lock import PassLock
from pipeline.storage.models import Document, Event, Mention
from pipeline.storage.retention import purge_old_text
from pipeline.storage.store import UNCHANGED, save_article, sync_sources
from scheduler import (
    JOBS_TABLE,
    close_job_store,
    open_job_store,
    planned_jobs,
    reconcile_jobs,
)
from tests.pg import query_rows

ROOT = Path(__file__).resolve().parent.parent
JOB_IDS = ["analyse", "crawl:demo-news", "crawl:demo-statements", "digest"]


@pytest.fixture(scope="module")
def site():
    with LocalSite(ROOT / "demo_site") as s:
        yield s


def _work(tmp_path: Path, base: str, db_url: str, delay: float = 0.0) -> Path:
    (tmp_path / "db-url").write_text(db_url)
    (tmp_path / "sources.toml").write_text(
        fill_placeholders((ROOT / "demo_site" / "sources.toml").read_text("utf-8"), base))
    _config(tmp_path, delay)
    return tmp_path


def _config(work: Path, delay: float) -> None:
    (work / "config.toml").write_text(
        f"[crawl]\ndownload_delay = {delay}\nautothrottle = false\n"
        f'[alerts]\nfeed = "{(work / "alerts.xml").as_posix()}"\n'
        f'[digest]\nat = "00:00"\ndir = "{(work / "digests").as_posix()}"\n', encoding="utf-8")


def _paths(work: Path) -> list[str]:
    return ["--db", (work / "db-url").read_text(), "--sources", str(work / "sources.toml"),
            "--config", str(work / "config.toml")]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _start(work: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", "-v", *_paths(work), "schedule", *args], cwd=work,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env())


def _query(work: Path, sql: str) -> list[tuple]:
    return query_rows((work / "db-url").read_text(), sql)


def _runs(work: Path) -> list[dict]:
    # JSON columns come back as text from SQLite, decoded from PostgreSQL
    return [{"id": i, "command": c, "status": st,
             "counters": co if isinstance(co, dict) else json.loads(co or "{}")}
            for i, c, st, co in _query(work, "SELECT id, command, status, counters FROM runs ORDER BY id")]


def _wait(proc: subprocess.Popen, until: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if proc.poll() is not None:
            raise AssertionError(f"scheduler exited early: {proc.communicate()[1][-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out: {proc.communicate()[1][-3000:]}")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen, timeout: float = 180.0) -> tuple[int, str, float]:
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err, time.monotonic() - sent


def _every_job_ran(work: Path) -> bool:
    runs = [r for r in _runs(work) if r["status"] == "ok"]
    crawled = {s for r in runs if r["command"] == "crawl" for s in r["counters"].get("sources", [])}
    return (crawled == {"demo-news", "demo-statements"}
            and any(r["command"] == "analyse" and r["counters"].get("analysed") for r in runs)
            and any(r["command"] == "digest" and r["counters"].get("digest") for r in runs))


def _jobs(work: Path) -> list[str]:
    return [r[0] for r in _query(work, f"SELECT id FROM {JOBS_TABLE} ORDER BY id")]


def test_scheduler_runs_every_job_stops_on_sigterm_and_keeps_its_jobs(site, tmp_path, db_url):
    work = _work(tmp_path, site.base, db_url)
    proc = _start(work, "--crawl-every", "3s", "--analyse-every", "2s", "--digest-every", "4s")
    _wait(proc, lambda: _every_job_ran(work))
    code, err, took = _stop(proc)
    assert code == 0, err[-3000:]
    assert "received SIGTERM; stopping" in err and "scheduler stopped" in err
    assert took < 30
    assert not [r for r in _runs(work) if r["status"] == "running"]
    assert _query(work, "SELECT COUNT(*) FROM documents") == [(10,)]
    assert _jobs(work) == JOB_IDS

    # a restart keeps the stored jobs: none added twice, none replaced
    proc = _start(work, "--crawl-every", "3s", "--analyse-every", "2s", "--digest-every", "4s",
                  "--stop-after", "1")
    # generous: on a loaded 2-core machine one analysis run (model load included) can take a minute
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-3000:]
    assert all(f"job {j} (kept)" in err for j in JOB_IDS), err[-3000:]
    assert _jobs(work) == JOB_IDS


def test_sigterm_during_a_crawl_stops_the_child_and_nothing_is_lost(site, tmp_path, db_url):
    work = _work(tmp_path, site.base, db_url, delay=1.0)  # a crawl of one source takes ~10 s
    proc = _start(work)

    def crawling() -> bool:
        return bool(_query(work, "SELECT 1 FROM runs WHERE command = 'crawl' AND status = 'running'")
                    and _query(work, "SELECT COUNT(*) FROM documents")[0][0] >= 1)

    _wait(proc, crawling)
    code, err, took = _stop(proc)
    assert code == 0, err[-3000:]
    assert "asking crawl process" in err
    assert took < 8, err[-3000:]  # far less than the rest of the crawl would take
    runs = _runs(work)
    assert [r["status"] for r in runs] == ["stopped"]
    stored = _query(work, "SELECT COUNT(*) FROM documents")[0][0]
    assert stored < 10
    assert not [line for line in _ps() if str(work) in line and "crawler.crawl" in line]

    _config(work, 0.0)
    done = subprocess.run([sys.executable, "-m", "cli", *_paths(work), "-q", "run"], cwd=work,
                          capture_output=True, text=True, timeout=180, env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["status"] == "ok"
    assert _query(work, "SELECT COUNT(*) FROM documents") == [(10,)]


def _ps() -> list[str]:
    out = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            out.append(cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            continue
    return out


def test_a_job_that_finds_the_lock_held_skips(site, tmp_path, db_url):
    work = _work(tmp_path, site.base, db_url)
    holder = open_database(db_url)
    with PassLock(holder, work):  # as a cron `atrisk run` holds it
        proc = _start(work, "--stop-after", "6")
        _, err = proc.communicate(timeout=90)
    holder.dispose()
    assert proc.returncode == 0, err[-3000:]
    assert "job crawl:demo-news skipped: another atrisk pass is running" in err
    assert "will try again at" in err
    assert _runs(work) == []


def test_job_store_reconcile_keeps_adds_replaces_and_removes(site, tmp_path, db_url):
    work = _work(tmp_path, site.base, db_url)
    app = App(db_url=(work / "db-url").read_text(), sources_path=str(work / "sources.toml"),
              config_path=str(work / "config.toml"))

    def start_once(specs: list) -> tuple[dict[str, str], dict[str, datetime]]:
        sch = open_job_store(app)  # paused: nothing runs, only the store is used
        try:
            done = reconcile_jobs(sch, specs)
            return done, {j.id: j.next_run_time for j in sch.get_jobs()}
        finally:
            close_job_store(sch)

    try:
        done, first = start_once(planned_jobs(app))
        assert done == {j: "added" for j in JOB_IDS}
        assert first["digest"].astimezone(UTC).strftime("%H:%M") == "00:00"
        done, again = start_once(planned_jobs(app))
        assert done == {j: "kept" for j in JOB_IDS} and again == first
        assert _jobs(work) == JOB_IDS

        (work / "sources.toml").write_text(
            (work / "sources.toml").read_text().split("[[sources]]\nname = \"demo-news\"")[0])
        done, third = start_once(planned_jobs(app, {"analyse": 60}))
        assert done == {"crawl:demo-news": "removed", "crawl:demo-statements": "kept",
                        "analyse": "replaced", "digest": "kept"}
        assert third["analyse"] <= first["analyse"]  # a changed interval never delays a job
        assert _jobs(work) == ["analyse", "crawl:demo-statements", "digest"]
    finally:
        app.close()


def test_a_job_store_written_before_the_layout_change_still_loads_and_runs(tmp_path):
    """Rows written by the scheduler of commit ``written_by`` (jobs named ``scheduler:...``)."""
    import threading

    from sqlalchemy import Float, LargeBinary, String, column, insert, table

    from scheduler import PassRequest, analyse_job, crawl_source_job, digest_job

    stored = json.loads((ROOT / "tests" / "data" / "jobstore_before_layout.json").read_text())
    (tmp_path / "sources.toml").write_text(
        fill_placeholders((ROOT / "demo_site" / "sources.toml").read_text("utf-8"), "http://127.0.0.1:9"))
    app = App(db_url=f"sqlite:///{tmp_path / 'atrisk.db'}", sources_path=str(tmp_path / "sources.toml"))
    seen: list[PassRequest] = []
    ran = threading.Event()

    def run(request: PassRequest) -> None:
        seen.append(request)
        if len(seen) == len(JOB_IDS):
            ran.set()

    sch = open_job_store(app, run=run)  # creates the (empty) job table
    try:
        jobs = table(JOBS_TABLE, column("id", String), column("next_run_time", Float),
                     column("job_state", LargeBinary))
        with app.db.engine.begin() as conn:
            conn.execute(insert(jobs), [{"id": r["id"], "next_run_time": r["next_run_time"],
                                         "job_state": bytes.fromhex(r["job_state"])} for r in stored["rows"]])
        loaded = {j.id: j for j in sch.get_jobs()}
        assert sorted(loaded) == JOB_IDS
        assert loaded["crawl:demo-news"].func is crawl_source_job
        assert loaded["analyse"].func is analyse_job and loaded["digest"].func is digest_job
        assert reconcile_jobs(sch, planned_jobs(app)) == {j: "kept" for j in JOB_IDS}
        for job_id in JOB_IDS:  # due now, so the executor runs each stored job once
            sch.modify_job(job_id, next_run_time=datetime.now(UTC))
        sch.resume()
        assert ran.wait(30), seen
    finally:
        close_job_store(sch)
        app.close()
    assert sorted(seen, key=lambda r: r.job_id) == [
        PassRequest("analyse", "analyse", analyse=True, alerts=True),
        PassRequest("crawl:demo-news", "crawl", crawl=True, only=("demo-news",)),
        PassRequest("crawl:demo-statements", "crawl", crawl=True, only=("demo-statements",)),
        PassRequest("digest", "digest", digest=True),
    ]


# --- retention --------------------------------------------------------------------------

STATEMENT = ("Iranian filmmaker Jafar Panahi was arrested on Tuesday in Tehran, the Berlinale said. "
             "The festival called for his immediate release.")


class _Src:
    name, kind = "ngo", "ngo"


@pytest.fixture()
def app(db_url: str):
    a = App(db_url=db_url)
    yield a
    a.close()


def _store(app: App, url: str, text: str) -> str:
    ids = sync_sources(app.db, [_Src])
    with app.db.session() as s:
        return save_article(s, Article(url=url, text=text, language="en", title="T",
                                       published=date(2026, 11, 2)), source_id=ids["ngo"])


def _age(app: App, url: str, days: int) -> None:
    then = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days)
    with app.db.session() as s:
        s.execute(update(Document).where(Document.url == url).values(first_seen_at=then, updated_at=then))


def test_retention_drops_old_text_only_and_keeps_what_was_found(app):
    _store(app, "https://ngo.example/old", STATEMENT)
    _store(app, "https://ngo.example/new", STATEMENT.replace("Tuesday", "Monday"))
    analyse_pending(app.db, app.watchlist, app.config)
    _store(app, "https://ngo.example/old-pending", STATEMENT.replace("Tuesday", "Friday"))
    for url in ("https://ngo.example/old", "https://ngo.example/old-pending"):
        _age(app, url, 40)
    before = {r["url"]: r for r in iter_records(app.db)}
    with app.db.sessions() as s:
        counts = [s.scalar(select(func.count()).select_from(t)) for t in (Mention, Event)]

    assert purge_old_text(app.db, 30) == 1  # the pending old document keeps its text
    assert purge_old_text(app.db, 30) == 0
    with app.db.sessions() as s:
        docs = {d.url: d for d in s.scalars(select(Document))}
        assert [s.scalar(select(func.count()).select_from(t)) for t in (Mention, Event)] == counts
    old = docs["https://ngo.example/old"]
    assert old.text is None and old.text_purged and old.content_hash
    assert docs["https://ngo.example/new"].text and docs["https://ngo.example/old-pending"].text
    assert {r["url"]: r for r in iter_records(app.db)} == before
    # the same page seen again is unchanged: not stored again, not analysed again
    assert _store(app, "https://ngo.example/old", STATEMENT) == UNCHANGED
    assert count_pending(app.db) == 1


def test_run_pass_applies_the_retention_setting(app, tmp_path):
    (tmp_path / "sources.toml").write_text(
        '[[sources]]\nname = "ngo"\nkind = "ngo"\nfeeds = ["http://127.0.0.1:9/feed"]\n')
    app.sources_path = str(tmp_path / "sources.toml")
    _store(app, "https://ngo.example/old", STATEMENT)
    _age(app, "https://ngo.example/old", 10)
    app.config = replace(Config(), storage=StorageConfig(retain_text_days=7),  # type: ignore[misc]
                         alerts=replace(Config().alerts, feed=str(tmp_path / "alerts.xml")),
                         digest=replace(Config().digest, dir=str(tmp_path / "digests")))
    result = run_pass(app, None)
    assert result.status == "ok"
    assert result.counters["analysed"] == 1 and result.counters["text_purged"] == 1
    with app.db.sessions() as s:
        assert s.scalar(select(Document.text_purged)) is True
