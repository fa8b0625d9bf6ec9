"""Targeted re-analysis: after a watchlist change only the documents it can touch are
analysed again, and the result equals that of a full `reprocess`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from cli import main
from extract.article import Article
from extract.watchlist import WatchedEntity, Watchlist
from pipeline.analysis import reanalysis
from pipeline.app import App
from pipeline.storage.store import save_article, sync_sources

# our own sentences: several people, one of them added to the watchlist later
DOCS = {
    "a": "The documentary maker Farid Tavakoli was arrested at his home in Shiraz on Monday.",
    "b": "Tavakoli, whose last film was banned, was later charged with propaganda, a lawyer said.",
    "c": "The novelist Leyla Ostrovskaya was sentenced to five years in prison by a court in Minsk.",
    "d": "The Berlinale called for the release of the detained cinematographer Omar Haddad.",
    "e": "Festival organisers announced the programme of this year's short film competition.",
    "f": "Police detained the poet Samir Nouri in Tunis after a reading, the union said.",
    "g": "Lawyers for Farid Tavakkoli said he had started a hunger strike in prison.",
}

BASE = """
[[people]]
name = "Leyla Ostrovskaya"
aliases = ["Ostrovskaya"]

[[organizations]]
name = "Berlin International Film Festival"
aliases = ["Berlinale"]
"""
ADDED = BASE + """
[[people]]
name = "Farid Tavakoli"
country = "Iran"
profession = "filmmaker"
"""
EDITED = ADDED.replace('name = "Leyla Ostrovskaya"\naliases = ["Ostrovskaya"]',
                       'name = "Leyla Ostrovskaya"\naliases = ["Ostrovskaya", "L. Ostrovskaya"]')


class _Src:
    name, kind = "ngo", "ngo"


def _fill(url: str) -> None:
    app = App(db_url=url)
    ids = sync_sources(app.db, [_Src])
    with app.db.session() as s:
        for key, text in DOCS.items():
            save_article(s, Article(url=f"https://ngo.example/{key}", text=text, language="en", title=None,
                                    published=date(2026, 11, 20)), source_id=ids["ngo"])
    app.close()


def _cli(runner: CliRunner, url: str, watchlist: Path, *args: str) -> str:
    res = runner.invoke(main, ["--db", url, "--watchlist", str(watchlist), *args])
    assert res.exit_code == 0, res.output
    return res.stdout


def _summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_reprocess_changed_equals_full_reprocess(db_url, other_db_url, tmp_path):
    runner = CliRunner()
    lists = {}
    for name, text in (("base", BASE), ("added", ADDED), ("edited", EDITED), ("removed", BASE)):
        lists[name] = tmp_path / f"{name}.toml"
        lists[name].write_text(text, encoding="utf-8")
    for url in (db_url, other_db_url):
        _fill(url)
        assert _summary(_cli(runner, url, lists["base"], "reprocess"))["documents"] == len(DOCS)
    # nothing changed: nothing queued
    assert _summary(_cli(runner, db_url, lists["base"], "reprocess", "--changed"))["queued"] == 0
    for step in ("added", "edited", "removed"):
        targeted = _summary(_cli(runner, db_url, lists[step], "reprocess", "--changed"))
        full = _summary(_cli(runner, other_db_url, lists[step], "reprocess"))
        assert full["queued"] == len(DOCS)
        assert 0 < targeted["queued"] < len(DOCS), (step, targeted)
        assert targeted["documents"] == targeted["queued"]
        exported = _cli(runner, db_url, lists[step], "export")
        assert exported == _cli(runner, other_db_url, lists[step], "export")
        if step == "added":
            assert targeted["watchlist"]["added"] == ["Farid Tavakoli"]
            # the full name, the surname alone and the transliterated spelling
            assert targeted["queued"] == 3
            people = {json.loads(line)["url"][-1]: json.loads(line)["people"]
                      for line in _cli(runner, db_url, lists[step], "export").splitlines()}
            assert "Farid Tavakoli" in people["a"] and "Farid Tavakoli" in people["g"]


def test_no_record_records_the_current_watchlist(db_url):
    app = App(db_url=db_url)
    app.db.upgrade()
    wl = Watchlist((WatchedEntity("person", "Farid Tavakoli"),))
    first = reanalysis.queue_changed(app.db, wl)
    assert not first.change.recorded and first.documents == 0
    again = reanalysis.queue_changed(app.db, wl)
    assert again.change.recorded and not again.change.changed
    change = reanalysis.compare(reanalysis.snapshot(wl), Watchlist())
    assert change.removed == ["Farid Tavakoli"] and change.surnames == ["tavakoli"]
    app.close()


def test_estimate_uses_the_measured_rate(db_url):
    app = App(db_url=db_url)
    app.db.upgrade()
    assert "assumed" in reanalysis.describe_estimate(app.db, 100)
    reanalysis.record_rate(app.db, 100, 20.0)
    seconds, per_s, measured = reanalysis.estimate(app.db, 100_000)
    assert measured and per_s == 5.0 and seconds == 20_000
    assert "5:33:20" in reanalysis.describe_estimate(app.db, 100_000)
    app.close()


def test_a_pass_after_a_watchlist_change_analyses_only_what_it_touches(db_url):
    import tomllib

    from extract.watchlist import parse_watchlist
    from pipeline.analysis.analyse import analyse_pending

    _fill(db_url)
    app = App(db_url=db_url)
    base, added = (parse_watchlist(tomllib.loads(t)) for t in (BASE, ADDED))
    assert analyse_pending(app.db, base, app.config).documents == len(DOCS)
    assert analyse_pending(app.db, base, app.config).documents == 0
    again = analyse_pending(app.db, added, app.config)
    assert again.documents == 3 and again.model_loaded
    assert analyse_pending(app.db, added, app.config).documents == 0
    app.close()
