"""The database spine: idempotent storage and analysis, export schema, locks."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from extract.article import Article
from pipeline.analysis.analyse import analyse_pending, count_pending, mark_all_pending
from pipeline.app import App
from pipeline.reports.export import iter_records, write_csv
from pipeline.storage.lock import AlreadyRunning, PassLock
from pipeline.storage.models import Document, Event, Mention
from pipeline.storage.store import CHANGED, NEW, UNCHANGED, save_article, sync_sources

STATEMENT = (
    "Iranian filmmaker Jafar Panahi was arrested on Tuesday in Tehran, the Berlinale said. "
    "The festival called for his immediate release."
)


class _Src:
    name, kind = "example-ngo", "ngo"


@pytest.fixture()
def app(db_url, tmp_path):
    a = App(db_url=db_url)
    yield a
    a.close()


def _store(app: App, url: str, text: str, language: str = "en", published: date | None = None) -> str:
    ids = sync_sources(app.db, [_Src])
    with app.db.session() as s:
        return save_article(s, Article(url=url, text=text, language=language, title="T",
                                       published=published or date(2026, 11, 20)),
                            source_id=ids[_Src.name])


def _counts(app: App) -> tuple[int, int, int]:
    with app.db.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Document, Mention, Event))


def test_save_article_is_idempotent(app):
    assert _store(app, "https://ngo.example/a", STATEMENT) == NEW
    assert _store(app, "https://ngo.example/a", STATEMENT) == UNCHANGED
    assert _store(app, "https://ngo.example/a", "  " + STATEMENT.replace(" ", "  ")) == UNCHANGED
    assert _store(app, "https://ngo.example/a", STATEMENT + " More.") == CHANGED


def test_analysis_is_idempotent_and_skips_when_nothing_pending(app):
    _store(app, "https://ngo.example/a", STATEMENT)
    first = analyse_pending(app.db, app.watchlist, app.config)
    assert first.documents == 1 and first.model_loaded
    after_first = _counts(app)
    assert after_first[1] >= 2  # Panahi and the Berlinale
    second = analyse_pending(app.db, app.watchlist, app.config)
    assert second.documents == 0 and not second.model_loaded
    assert _counts(app) == after_first
    assert mark_all_pending(app.db) == 1
    assert count_pending(app.db) == 1
    analyse_pending(app.db, app.watchlist, app.config)
    assert _counts(app) == after_first


def test_export_schema_exactly(app):
    _store(app, "https://ngo.example/a", STATEMENT)
    # Hungarian: neither a model nor a trigger lexicon
    _store(app, "https://ngo.example/hu", "A filmrendezőt kedden letartóztatták Teheránban.", language="hu")
    analyse_pending(app.db, app.watchlist, app.config)
    records = {r["url"]: r for r in iter_records(app.db)}
    keys = {"url", "source", "title", "published", "language", "analysed", "people",
            "organizations", "events"}
    for rec in records.values():
        assert set(rec) == keys
        json.dumps(rec)
    en = records["https://ngo.example/a"]
    assert en["source"] == "example-ngo" and en["published"] == "2026-11-20" and en["analysed"] is True
    assert "Jafar Panahi" in en["people"]
    assert "Berlin International Film Festival" in en["organizations"]
    for ev in en["events"]:
        assert set(ev) == {"type", "person", "date", "term", "sentence", "new", "incident", "language",
                           "method", "review"}
        assert isinstance(ev["incident"], int)
        assert (ev["language"], ev["method"]) == ("en", "parse")
        assert ev["review"] in ("pending", "confirmed", "corrected")
        assert isinstance(ev["new"], bool)
    hu = records["https://ngo.example/hu"]
    assert hu["analysed"] is False and hu["people"] == [] and hu["events"] == []


def test_export_csv_joins_lists(app, tmp_path):
    _store(app, "https://ngo.example/a", STATEMENT)
    analyse_pending(app.db, app.watchlist, app.config)
    out = tmp_path / "x.csv"
    with out.open("w", newline="") as fh:
        assert write_csv(iter_records(app.db), fh) == 1
    import csv

    rows = list(csv.DictReader(out.open()))
    assert rows[0]["analysed"] == "true"
    assert "Jafar Panahi" in rows[0]["people"].split("; ")


def test_second_pass_lock_is_refused(app):
    with PassLock(app.db, app.data_dir):
        with pytest.raises(AlreadyRunning, match="another atrisk pass"):
            with PassLock(app.db, app.data_dir):
                pass
    with PassLock(app.db, app.data_dir):  # released
        pass


def test_entities_created_at_once_get_the_ids_one_by_one_gives(db_url: str, other_db_url: str) -> None:
    """``EntityResolver.create_missing`` (one INSERT for a document's new names) leaves the
    rows, ids and resolutions that resolving each name in turn leaves; a name another
    worker has just written is read back, a watchlist name still resolves to its entry."""
    from extract.watchlist import load_watchlist
    from pipeline.storage.db import open_database
    from pipeline.storage.entities import EntityResolver, sync_watchlist
    from pipeline.storage.models import Entity
    from pipeline.storage.store import utcnow

    watchlist = load_watchlist(None)
    listed = watchlist.entities[0]
    names = [("person", "Amira Karimi"), ("organization", "Pen Circle of Lyon"), ("person", "amira karimi"),
             (listed.kind, listed.name), ("person", "Bahram Tehrani"), ("person", "Celine Moradi")]
    results = []
    for url, at_once in ((db_url, False), (other_db_url, True)):
        db = open_database(url)
        try:
            with db.session() as s:
                sync_watchlist(s, watchlist)
            with db.session() as s:
                resolver = EntityResolver(s, watchlist)
                s.add(Entity(kind="person", name="Bahram Tehrani", key="bahram tehrani", tags=[],
                             created_at=utcnow()))
                s.flush()  # "another worker": not in the resolver's cache
                if at_once:
                    resolver.create_missing(s, names)
                    before = s.scalar(select(func.count()).select_from(Entity))
                ids = [resolver.resolve(s, kind, name) for kind, name in names]
                if at_once:  # resolve created nothing more
                    assert s.scalar(select(func.count()).select_from(Entity)) == before
            with db.sessions() as s:
                rows = [(e.id, e.kind, e.name, e.key) for e in s.scalars(select(Entity).order_by(Entity.id))]
            results.append((ids, rows))
        finally:
            db.dispose()
    assert results[0] == results[1]
    ids, rows = results[1]
    assert ids[0] == ids[2] and len(set(ids)) == 5
    assert {r[2] for r in rows} >= {"Amira Karimi", "Pen Circle of Lyon", "Bahram Tehrani", "Celine Moradi"}
