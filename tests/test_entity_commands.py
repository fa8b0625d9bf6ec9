"""Analysts fix identity by hand: merge, unmerge, and reprocess follows their decision."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from cli import main
from extract.article import Article
from pipeline.analysis.analyse import analyse_pending
from pipeline.app import App
from pipeline.storage.store import save_article, sync_sources


class _Src:
    name, kind = "ngo", "ngo"


DOCS = {
    "https://ngo.example/1": "Filmmaker Alexander Petrov was detained in Tehran on Monday, his family said.",
    "https://ngo.example/2": "The documentary maker Sasha Petrov was sentenced to six years in prison.",
}


@pytest.fixture()
def db_url(db_url):
    url = db_url
    app = App(db_url=url)
    ids = sync_sources(app.db, [_Src])
    with app.db.session() as s:
        for u, text in DOCS.items():
            save_article(s, Article(url=u, text=text, language="en", published=date(2026, 11, 20)),
                         source_id=ids["ngo"])
    analyse_pending(app.db, app.watchlist, app.config)
    app.close()
    return url


def _people(runner: CliRunner, db_url: str) -> dict[str, int]:
    res = runner.invoke(main, ["--db", db_url, "entities", "--kind", "person", "--format", "json"])
    assert res.exit_code == 0, res.output
    return {r["name"]: r["documents"] for r in json.loads(res.output) if r["documents"]}


def _export_people(runner: CliRunner, db_url: str) -> list[list[str]]:
    res = runner.invoke(main, ["--db", db_url, "export"])
    assert res.exit_code == 0, res.output
    return [json.loads(line)["people"] for line in res.output.splitlines()]


def test_merge_unmerge_and_reprocess(db_url):
    runner = CliRunner()
    before = _people(runner, db_url)
    assert before.get("Alexander Petrov") == 1 and before.get("Sasha Petrov") == 1

    res = runner.invoke(main, ["--db", db_url, "entities", "merge", "Alexander Petrov", "Sasha Petrov"])
    assert res.exit_code == 0, res.output
    merged = _people(runner, db_url)
    assert merged.get("Alexander Petrov") == 2 and "Sasha Petrov" not in merged
    assert _export_people(runner, db_url) == [["Alexander Petrov"], ["Alexander Petrov"]]

    res = runner.invoke(main, ["--db", db_url, "reprocess"])
    assert res.exit_code == 0, res.output
    assert _people(runner, db_url) == merged  # the analysts' decision holds after reprocess

    res = runner.invoke(main, ["--db", db_url, "entities", "unmerge", "Sasha Petrov"])
    assert res.exit_code == 0, res.output
    assert _people(runner, db_url) == before
    runner.invoke(main, ["--db", db_url, "reprocess"])
    assert _people(runner, db_url) == before


def test_merge_unknown_name_is_a_clear_error(db_url):
    res = CliRunner().invoke(main, ["--db", db_url, "entities", "merge", "Alexander Petrov", "Nobody Atall"])
    assert res.exit_code == 1
    assert "no person or organization named 'Nobody Atall'" in res.output
