"""`atrisk extract FILE|URL`: one page to JSON, from a file or a local server."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from cli import main
from crawler.localsite import LocalSite, fill_placeholders

DEMO = Path(__file__).resolve().parent.parent / "demo_site"
PAGE = "statements/coalition-condemns-arrest-of-karim-nasser.html"


def test_extract_file(tmp_path):
    page = tmp_path / "statement.html"
    page.write_text(fill_placeholders((DEMO / PAGE).read_text(), "http://127.0.0.1:1"))
    res = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "extract", str(page)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["published"] == (date.today() - timedelta(days=1)).isoformat()
    assert "Karim Nasser" in data["people"]
    assert ("arrest", "Karim Nasser") in {(e["type"], e["person"]) for e in data["events"]}
    assert "cookie" not in data["text"].lower()  # boilerplate dropped


def test_extract_url_from_a_local_server(tmp_path):
    with LocalSite(DEMO) as site:
        res = CliRunner().invoke(main, ["extract", "--no-analyse", "--allow-private", f"{site.base}/{PAGE}"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["url"].endswith(PAGE) and "people" not in data
    assert "Karim Nasser" in data["text"]


def test_extract_missing_file_is_one_clear_error(tmp_path):
    res = CliRunner().invoke(main, ["extract", str(tmp_path / "nope.html")])
    assert res.exit_code == 1
    assert "cannot read" in res.output and "nope.html" in res.output
