"""`atrisk run` for cron: one pass at a time, a distinct exit code, a one-line JSON summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.localsite import LocalSite, fill_placeholders
from pipeline.storage.db import is_sqlite
from tests.pg import query_rows

ROOT = Path(__file__).resolve().parent.parent
ATRISK = str(Path(sys.executable).with_name("atrisk"))
EXIT_ALREADY_RUNNING = 75
COUNTERS = ("fetched", "not_modified", "new_documents", "changed_documents", "mentions", "events",
            "alerts_queued", "alerts_sent")


@pytest.fixture()
def work(tmp_path: Path, db_url: str):
    (tmp_path / "db-url").write_text(db_url)
    with LocalSite(ROOT / "demo_site") as site:
        (tmp_path / "sources.toml").write_text(
            fill_placeholders((ROOT / "demo_site" / "sources.toml").read_text("utf-8"), site.base))
        # slow enough that the first pass is still crawling when the second starts
        (tmp_path / "config.toml").write_text(
            "[crawl]\ndownload_delay = 0.3\nautothrottle = false\n"
            f'[alerts]\nfeed = "{(tmp_path / "alerts.xml").as_posix()}"\n'
            f'[digest]\ndir = "{(tmp_path / "digests").as_posix()}"\n', encoding="utf-8")
        yield tmp_path


def _cmd(work: Path, *args: str) -> list[str]:
    return [ATRISK, "--db", (work / "db-url").read_text(), "--sources", str(work / "sources.toml"),
            "--config", str(work / "config.toml"), *args]


def _runs(work: Path) -> list[tuple]:
    return query_rows((work / "db-url").read_text(),
                      "SELECT id, status, counters, errors FROM runs ORDER BY id")


def test_second_concurrent_run_is_refused_with_exit_75(work: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
    first = subprocess.Popen(_cmd(work, "-q", "run"), cwd=work, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while not any(r[1] == "running" for r in _runs(work)):
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        second = subprocess.run(_cmd(work, "-q", "run"), cwd=work, capture_output=True, text=True,
                                timeout=60, env=env)
        refused_in = time.monotonic() - started
        assert first.poll() is None, "the first pass was still running during the second"
    finally:
        out, err = first.communicate(timeout=180)
    assert second.returncode == EXIT_ALREADY_RUNNING
    assert "another atrisk pass is running" in second.stderr
    # says which lock, so an operator can find it
    lock = "atrisk.db.lock" if is_sqlite((work / "db-url").read_text()) else "advisory lock"
    assert lock in second.stderr
    assert second.stdout == ""
    assert refused_in < 20  # at once: no waiting for the lock (process start-up only)

    assert first.returncode == 0, err[-2000:]
    summary = json.loads(out.strip().splitlines()[-1])
    assert len(out.strip().splitlines()) == 1  # exactly one line on stdout, for cron logs
    assert summary["status"] == "ok"
    assert summary["new_documents"] == 10 and summary["fetched"] >= 10
    assert set(COUNTERS) <= set(summary)
    assert summary["errors"] == {"robots": 1}  # the page robots.txt forbids, counted not fatal
    runs = _runs(work)
    assert [(r[0], r[1]) for r in runs] == [(1, "ok")]  # the refused run wrote nothing
    assert _json(runs[0][2])["new_documents"] == 10
    assert _json(runs[0][3]) == {"robots": 1}


def _json(value: object) -> object:
    """A JSON column as read back: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value
