"""Review decisions are kept apart from the event rows, so `reprocess` applies them again."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from cli import main
from extract.article import Article
from pipeline.analysis import decisions
from pipeline.analysis.analyse import analyse_pending
from pipeline.app import App
from pipeline.storage.store import save_article, sync_sources


class _Src:
    name, kind = "ngo", "ngo"


DOCS = {
    "https://ngo.example/a": "Filmmaker Alexander Petrov was detained in Tehran on Monday, his family said.",
    "https://ngo.example/b": "The poet Nadia Karimi was sentenced to six years in prison on Tuesday.",
    "https://ngo.example/c": "The painter Yusuf Demir was summoned by prosecutors in Istanbul on Friday.",
}


def _events(runner: CliRunner, db_url: str) -> dict[str, list[tuple[str, str, str]]]:
    res = runner.invoke(main, ["--db", db_url, "export"])
    assert res.exit_code == 0, res.output
    out = {}
    for line in res.output.splitlines():
        rec = json.loads(line)
        out[rec["url"][-1]] = [(e["type"], e["person"], e["review"]) for e in rec["events"]]
    return out


def test_confirm_dismiss_correct_survive_reprocess(db_url):
    app = App(db_url=db_url)
    ids = sync_sources(app.db, [_Src])
    with app.db.session() as s:
        for u, text in DOCS.items():
            save_article(s, Article(url=u, text=text, language="en", published=date(2026, 11, 20)),
                         source_id=ids["ngo"])
    analyse_pending(app.db, app.watchlist, app.config)
    runner = CliRunner()
    found = _events(runner, db_url)
    assert found == {"a": [("arrest", "Alexander Petrov", "pending")],
                     "b": [("sentence", "Nadia Karimi", "pending")],
                     "c": [("summons", "Yusuf Demir", "pending")]}
    from sqlalchemy import select

    from pipeline.storage.models import Document, Event
    with app.db.sessions() as s:
        by_doc = {url[-1]: eid for eid, url in s.execute(
            select(Event.id, Document.url).join(Document, Document.id == Event.document_id))}
    decisions.review_event(app.db, app.config, by_doc["a"], "confirm", "ana")
    decisions.review_event(app.db, app.config, by_doc["b"], "dismiss", "ana")
    decisions.review_event(app.db, app.config, by_doc["c"], "correct", "ana", type="charge",
                           person="Alexander Petrov", when=date(2026, 11, 19))
    expected = {"a": [("arrest", "Alexander Petrov", "confirmed")], "b": [],
                "c": [("charge", "Alexander Petrov", "corrected")]}
    assert _events(runner, db_url) == expected
    for _ in range(2):  # twice: a corrected event must not clash with itself on the next pass
        res = runner.invoke(main, ["--db", db_url, "reprocess"])
        assert res.exit_code == 0, res.output
        assert _events(runner, db_url) == expected
    res = runner.invoke(main, ["--db", db_url, "person", "Alexander Petrov", "--format", "json"])
    timeline = json.loads(res.output)["timeline"]
    assert sorted((e["type"], e["review"]) for e in timeline) == [("arrest", "confirmed"), ("charge",
                                                                                            "corrected")]
    assert next(e["date"] for e in timeline if e["type"] == "charge") == "2026-11-19"  # the corrected date
    app.close()


def test_an_incident_reviewed_as_one_stays_one_after_reprocess(db_url):
    from pipeline.reports.incidents import list_incidents

    app = App(db_url=db_url)
    ids = sync_sources(app.db, [_Src])
    texts = {
        "https://ngo.example/x": "Filmmaker Alexander Petrov was detained in Tehran on Monday, his family "
                                 "said.",
        "https://ngo.example/y": "Alexander Petrov, a filmmaker, was arrested in Tehran on Monday, friends "
                                 "said.",
    }
    with app.db.session() as s:
        for u, text in texts.items():
            save_article(s, Article(url=u, text=text, language="en", published=date(2026, 11, 20)),
                         source_id=ids["ngo"])
    analyse_pending(app.db, app.watchlist, app.config)
    (record,) = list_incidents(app.db)
    assert (record["type"], len(record["documents"])) == ("arrest", 2)
    out = decisions.review_incident(app.db, app.config, record["id"], "correct", "ana", type="summons")
    assert len(out["events"]) == 2
    runner = CliRunner()
    for _ in range(2):
        res = runner.invoke(main, ["--db", db_url, "reprocess"])
        assert res.exit_code == 0, res.output
        (after,) = list_incidents(app.db)
        assert (after["id"], after["type"], after["review"], sorted(after["documents"])) == (
            record["id"], "summons", "corrected", sorted(texts))
        assert {e for evs in _events(runner, db_url).values() for e in evs} == {
            ("summons", "Alexander Petrov", "corrected")}
    app.close()
