"""The house rules that are behaviour: entry points migrate (constructors do not), one
duration grammar everywhere, and `atrisk demo` ends with its summary line."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

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


# --- README's layout section against the code ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
_ENTRY = re.compile(r"( {0,2})(\w+/|\w+\.py)(?=[\s,]|$)")  # a room, or a module of pipeline/
_NAMED = re.compile(r"(?<![\w/.`:-])((?:\w+/)+(?:\w+\.py)?|\w+\.py)(?=[\s,;:)]|$)")


def readme_layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1]
    return section.split("```\n", 2)[1]


def named_in_layout(block: str) -> set[str]:
    """Paths the layout names: each room, and the modules and folders its description lists.

    A name (``pages.py``, ``spiders/``, ``spiders/watch.py``) is inside the room it
    describes (a module's description names its siblings); a name with a slash in it that
    is not there (``web/commands.py`` in cli/) is from the top of the project.
    """
    named: set[str] = set()
    top = room = ""
    for line in block.splitlines():
        entry = _ENTRY.match(line)
        rest = line
        if entry is not None:
            indent, name = entry.groups()
            parent = top if indent else ""
            path = f"{parent}/{name}".strip("/") if parent else name.rstrip("/")
            named.add(path.rstrip("/"))
            if not indent:
                top = path.rstrip("/") if name.endswith("/") else ""
            room = path.rstrip("/") if name.endswith("/") else parent
            rest = line[entry.end():]
        for token in _NAMED.findall(rest):
            path = f"{room}/{token}".lstrip("/").rstrip("/")
            if "/" in token.rstrip("/") and not (ROOT / path).exists():
                path = token.rstrip("/")
            named.add(path)
    return named


def code_layout() -> tuple[set[str], set[str]]:
    """Rooms and packages, and their modules: every top folder holding Python code, and the
    packages (folders with __init__.py) inside it. tests/ and migrations/versions/ are listed
    as rooms, not file by file."""
    tops = [d for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
            and d.name not in ("tests", "build", "dist") and any(d.glob("*.py"))]
    packages: set[str] = set()
    modules = {p.name for p in ROOT.glob("*.py")}
    for top in tops:
        for folder in [top, *(i.parent for i in top.glob("*/**/__init__.py"))]:
            package = folder.relative_to(ROOT)
            if package.parts[:2] == ("migrations", "versions"):
                continue
            packages.add(package.as_posix())
            modules |= {m.relative_to(ROOT).as_posix() for m in folder.glob("*.py")
                        if m.name not in ("__init__.py", "__main__.py")}
    return packages, modules


def test_readme_layout_names_every_module_and_nothing_that_is_gone():
    named = named_in_layout(readme_layout())
    packages, modules = code_layout()
    missing = sorted((packages | modules) - named)
    assert not missing, f"README's Layout section does not list: {', '.join(missing)}"
    gone = sorted(p for p in named if not (ROOT / p).exists())
    assert not gone, f"README's Layout section names what does not exist: {', '.join(gone)}"
    assert {"tests", "migrations/versions", "crawler/spiders", "pipeline/storage/db.py",
            "web/commands.py", "pipeline/config.py", "pipeline/redact.py"} <= named  # the parser reads it


def test_layout_parser_reads_rooms_modules_and_paths():
    block = ("web/            pages.py (forms), api.py; templates/\n"
             "pipeline/\n"
             "  analysis/     analyse.py (the stage),\n"
             "                workers.py; before/after is prose\n"
             "  config.py, sources.py\n"
             "cli/            `serve` comes from web/commands.py\n")
    assert named_in_layout(block) == {
        "web", "web/pages.py", "web/api.py", "web/templates", "pipeline", "pipeline/analysis",
        "pipeline/analysis/analyse.py", "pipeline/analysis/workers.py", "pipeline/config.py",
        "pipeline/sources.py", "cli", "web/commands.py"}


def test_every_package_and_its_data_files_are_installed():
    """pyproject's [tool.setuptools] lists every package; package-data covers its data files."""
    import fnmatch
    import subprocess
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages, _ = code_layout()
    packages = {p for p in packages if p != "benchmarks"} | {"migrations/versions"}  # benchmarks: not shipped
    assert {p.replace("/", ".") for p in packages} == set(setup["packages"])
    tracked = subprocess.run(["git", "ls-files", *sorted(packages)], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout: the tracked data files cannot be listed")
    data = setup.get("package-data", {})
    for path in tracked:
        if path.endswith(".py") or path.endswith(".md"):
            continue
        package = next(p for p in sorted(packages, key=len, reverse=True) if path.startswith(p + "/"))
        inside = path[len(package) + 1:]
        dotted = package.replace("/", ".")
        assert any(fnmatch.fnmatch(inside, pat) for pat in data.get(dotted, [])), \
            f"{path} is not installed: add a pattern to [tool.setuptools.package-data] {dotted!r}"
