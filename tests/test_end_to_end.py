"""The bundled demo site end to end through the real `atrisk` command, twice.

The second pass over the unchanged site must create nothing, download no unchanged
body in full (robots.txt aside) and not load the spaCy model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.localsite import LocalSite, fill_placeholders

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo_site"


def _atrisk(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def two_passes(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    with LocalSite(DEMO) as site:
        sources = work / "sources.toml"
        sources.write_text(fill_placeholders((DEMO / "sources.toml").read_text(), site.base))
        config = work / "config.toml"
        config.write_text("[crawl]\ndownload_delay = 0.0\nautothrottle = false\n"
                          f"[alerts]\nfeed = \"{work / 'alerts.xml'}\"\n")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ATRISK_DB": f"sqlite:///{work / 'atrisk.db'}",
               "ATRISK_SOURCES": str(sources), "ATRISK_CONFIG": str(config)}
        first = _atrisk("-q", "run", cwd=work, env=env)
        first_requests = list(site.requests)
        site.requests.clear()
        second = _atrisk("-q", "run", cwd=work, env=env)
        second_requests = list(site.requests)
        export = _atrisk("export", "--format", "jsonl", cwd=work, env=env)
    return {"first": first, "second": second, "export": export, "work": work,
            "first_requests": first_requests, "second_requests": second_requests}


def _summary(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_first_pass_stores_and_analyses_the_site(two_passes):
    s = _summary(two_passes["first"])
    assert s["status"] == "ok"
    assert s["new_documents"] == 10 and s["analysed"] == 10
    assert s["model_loaded"] is True and s["events"] > 0
    assert s["errors"] == {"robots": 1}  # /private/secret.html, refused by robots.txt
    assert not any(p.startswith("/private/") for p, _ in two_passes["first_requests"])


def test_second_pass_over_an_unchanged_site_costs_nothing(two_passes):
    s = _summary(two_passes["second"])
    assert s["new_documents"] == 0 and s["changed_documents"] == 0
    assert s["analysed"] == 0 and s["mentions"] == 0 and s["events"] == 0
    assert s["model_loaded"] is False
    assert s["not_modified"] >= 4  # listing page, RSS, Atom and sitemap index answered 304
    full_bodies = [p for p, status in two_passes["second_requests"] if status == 200]
    assert full_bodies == ["/robots.txt"] * len(full_bodies)


def test_export_after_two_passes(two_passes):
    proc = two_passes["export"]
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 10 and len({r["url"] for r in records}) == 10
    assert "Ottoline Brackwater" not in proc.stdout  # robots-disallowed page never fetched
    people = {p for r in records for p in r["people"]}
    assert {"Karim Nasser", "Aylin Demir", "Jafar Panahi", "Marcus Yip"} <= people
    new = {(e["type"], e["person"]) for r in records for e in r["events"] if e["new"]}
    assert ("arrest", "Karim Nasser") in new and ("release", "Ernesto Salazar") in new
    panahi = [e for r in records for e in r["events"] if e["person"] == "Jafar Panahi"]
    assert panahi and not any(e["type"] == "arrest" and e["new"] for e in panahi)  # background
