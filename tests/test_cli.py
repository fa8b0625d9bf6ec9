"""Every command has help with an example; errors are one clear line."""

from __future__ import annotations

import click
from click.testing import CliRunner

from cli import main
from pipeline.durations import parse_when
from pipeline.storage.db import sqlite_path
from tests.pg import query_rows


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    for path, cmd in _commands(main):
        res = runner.invoke(main, [*path, "--help"])
        assert res.exit_code == 0, (path, res.output)
        assert cmd.help and cmd.help.strip(), path
        if not isinstance(cmd, click.Group) or path == ("entities",):
            assert "Example" in res.output, f"{' '.join(path)} --help shows no example"


def test_version_and_short_help():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).exit_code == 0
    assert runner.invoke(main, ["-h"]).exit_code == 0


def test_parse_when():
    from datetime import datetime

    now = datetime(2026, 11, 22, 12, 0)
    assert parse_when("24h", now) == datetime(2026, 11, 21, 12, 0)
    assert parse_when("7d", now) == datetime(2026, 11, 15, 12, 0)
    assert parse_when("2026-11-01", now) == datetime(2026, 11, 1)


def test_bad_when_is_a_usage_error(db_url):
    res = CliRunner().invoke(main, ["--db", db_url, "export", "--since", "soon"])
    assert res.exit_code == 2
    assert "use a date" in res.output


def test_invalid_sources_file_stops_before_work(tmp_path, db_url):
    bad = tmp_path / "sources.toml"
    bad.write_text('[[sources]]\nname = "x"\nkind = "ngo"\nfeeds = ["https://x.org/f"]\nbogus = true\n')
    res = CliRunner().invoke(main, ["--db", db_url, "--sources", str(bad), "run"])
    assert res.exit_code == 1
    assert str(bad) in res.output and "bogus" in res.output
    # nothing was started: no database file, or no rows in a server database
    path = sqlite_path(db_url)
    assert path is None or not path.exists()
    assert query_rows(db_url, "SELECT id FROM runs") == query_rows(db_url, "SELECT id FROM sources") == []
