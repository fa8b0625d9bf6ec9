"""The house rules that are behaviour: entry points migrate (constructors do not), one
duration grammar everywhere, and `atrisk demo` ends with its summary line."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from cli import main
from pipeline.app import App
from pipeline.durations import parse_duration, parse_when
from pipeline.sources import SourcesError, load_sources
from pipeline.storage.db import Database, open_database
from scheduler import interval_overrides_from


def test_constructing_a_database_does_not_migrate_but_entry_points_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    plain = Database(url)
    try:
        assert not plain.has_schema()
    finally:
        plain.dispose()
    migrated = open_database(url)
    try:
        assert migrated.has_schema()
    finally:
        migrated.dispose()

    app = App(db_url=f"sqlite:///{tmp_path / 'b.db'}")
    try:
        assert app.db.has_schema()  # a command's first use of the database
    finally:
        app.close()

    res = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 'c.db'}", "init"])
    assert res.exit_code == 0, res.output
    check = Database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        assert check.has_schema()
    finally:
        check.dispose()


def test_one_duration_grammar_for_intervals_since_and_scheduler_options(tmp_path):
    assert [parse_duration(t) for t in ("90s", "15m", "1h", "2d", "1w")] == [90, 900, 3600, 172800, 604800]
    now = datetime(2026, 11, 22, 12, 0)
    assert parse_when("1w", now) == now - timedelta(weeks=1)
    assert parse_when("90s", now) == now - timedelta(seconds=90)
    assert interval_overrides_from("1w", "30s") == {"crawl": 604800.0, "analyse": 30.0}

    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "a"\nkind = "ngo"\nfeeds = ["https://example.org/feed"]\n'
                       'every = "1w"\n', encoding="utf-8")
    assert load_sources(str(sources))[0].every_seconds == 604800
    sources.write_text(sources.read_text().replace('"1w"', '"soon"'), encoding="utf-8")
    with pytest.raises(SourcesError, match="use a number and s, m, h, d or w"):
        load_sources(str(sources))
    for bad in ("soon", "5y"):
        with pytest.raises(ValueError):
            parse_when(bad, now)


def test_demo_ends_with_one_summary_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("ATRISK_DB", "ATRISK_SOURCES", "ATRISK_CONFIG", "ATRISK_ALERT_URLS"):
        monkeypatch.delenv(var, raising=False)
    res = CliRunner().invoke(main, ["-q", "demo"])
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    m = re.fullmatch(r"atrisk demo: (\d+) documents stored, (\d+) people, (\d+) organizations, "
                     r"(\d+) events \((\d+) new\), (\d+) alerts written to (\S+); next: "
                     r"\.venv/bin/atrisk --db (sqlite:///\S+) export --format jsonl", last)
    assert m, last
    documents, people, organizations, events, new, alerts = (int(x) for x in m.groups()[:6])
    assert documents == 10 and people > 0 and organizations > 0 and 0 < new <= events
    assert 0 < alerts <= new  # new events of the alerted types, one alert per document, person, type
    assert (tmp_path / "data" / "demo" / "alerts.xml").read_text("utf-8").count("<entry>") == alerts
