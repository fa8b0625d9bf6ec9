"""Search by text: FTS5 on SQLite, kept in step by triggers, and the plain query elsewhere."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, inspect, text, update

from pipeline.storage.db import MIGRATIONS_DIR, Database, open_database
from pipeline.storage.models import Document, Source
from pipeline.storage.search import SearchError, best_sentence, search

DOCS = {
    "evin": ("Filmmaker held in Evin", "Filmmaker Mina Rahimi was taken to Evin prison on Friday. "
             "Her lawyer was not allowed to see her. The guild demands her release."),
    "cairo": ("Writer sentenced in Cairo", "Writer Omar Khalil was sentenced to six years in prison. "
              "PEN condemns the verdict."),
    "lineup": ("Festival line-up", "The festival announced twenty films. Tickets go on sale next week."),
    "accent": ("Cinéaste arrêté à Téhéran", "Le cinéaste a été arrêté à Téhéran mardi soir."),
}


def _add(db: Database, key: str, title: str, body: str, day: int = 1) -> None:
    with db.session() as s:
        src = s.query(Source).filter_by(name="ngo").one_or_none()
        if src is None:
            src = Source(name="ngo", kind="ngo", consecutive_failures=0)
            s.add(src)
            s.flush()
        now = datetime(2026, 11, day, 9)
        s.add(Document(url=f"https://ngo.example/{key}", source_id=src.id, title=title,
                       published=date(2026, 11, day), language="en", text=body, content_hash=key,
                       first_seen_at=now, updated_at=now, analysed=True, text_purged=False))


@pytest.fixture()
def db(db_url, tmp_path):
    database = open_database(db_url)
    for i, (key, (title, body)) in enumerate(DOCS.items()):
        _add(database, key, title, body, day=i + 1)
    yield database
    database.dispose()


def _urls(hits) -> list[str]:
    return [h.url.rsplit("/", 1)[1] for h in hits]


@pytest.mark.sqlite_only(reason="the FTS5 index and its triggers exist on SQLite only")
def test_sqlite_database_has_the_fts_index_and_its_triggers(db):
    assert inspect(db.engine).has_table("documents_fts")
    # a later migration that rebuilds the documents table must create these again
    with db.engine.connect() as conn:
        triggers = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'documents'")).scalars())
    assert {"documents_fts_insert", "documents_fts_update", "documents_fts_delete"} <= triggers


def test_finds_documents_with_every_word_and_the_sentence(db):
    hits = search(db, "Evin prison")
    assert _urls(hits) == ["evin"]
    hit = hits[0]
    assert hit.title == "Filmmaker held in Evin" and hit.source == "ngo"
    assert hit.published == date(2026, 11, 1)
    assert hit.snippet == "Filmmaker Mina Rahimi was taken to Evin prison on Friday."
    assert _urls(search(db, "prison")) in (["evin", "cairo"], ["cairo", "evin"])
    assert search(db, "prison tickets") == []
    assert hit.to_dict()["published"] == "2026-11-01"


def test_case_accents_and_title_only_words(db):
    assert _urls(search(db, "PEN condemns")) == ["cairo"]
    assert _urls(search(db, "teheran")) == ["accent"]  # diacritics folded
    assert _urls(search(db, "line-up")) == ["lineup"]  # a word of the title only


def test_user_text_is_never_fts_syntax(db):
    for query in ('"Evin', "Evin*", "-Evin", "(Evin)", "Evin^prison", "Evin + prison:", "{Evin}"):
        assert "evin" in _urls(search(db, query)), query
    # operator words are plain words that must appear
    assert search(db, "Evin AND prison") == [] and search(db, "NEAR(Evin prison)") == []
    with pytest.raises(SearchError):
        search(db, "  ()* ")


def test_index_follows_inserts_updates_and_deletes(db):
    _add(db, "new", "Guild statement", "The guild condemns the closure of the Tehran film museum.", day=9)
    assert _urls(search(db, "museum")) == ["new"]
    with db.session() as s:
        s.execute(update(Document).where(Document.url.like("%/new")).values(text="Archive moved abroad."))
    assert search(db, "museum") == []
    assert _urls(search(db, "archive abroad")) == ["new"]
    # bookkeeping updates leave the index alone and keep it consistent
    with db.session() as s:
        s.execute(update(Document).values(analysed=False, simhash=42))
    assert _urls(search(db, "archive")) == ["new"]
    with db.session() as s:
        s.execute(delete(Document).where(Document.url.like("%/new")))
    assert search(db, "archive") == []
    if db.is_sqlite:  # the FTS5 index agrees with its content table
        with db.engine.connect() as conn:
            conn.execute(text("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')"))


@pytest.mark.sqlite_only(reason="compares the FTS5 index with the plain query on SQLite")
def test_plain_query_gives_the_same_documents_without_the_index(db):
    fts = {q: set(_urls(search(db, q))) for q in ("prison", "Evin prison", "PEN condemns", "line-up")}
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE documents_fts"))
    for q, expected in fts.items():
        assert set(_urls(search(db, q))) == expected, q
    # LIKE wildcards in the text are taken literally
    assert search(db, "100%") == [] and search(db, "_") == []
    assert len(search(db, "the", limit=2)) == 2


@pytest.mark.sqlite_only(reason="migration 0002 builds the FTS5 index on SQLite only")
def test_migration_indexes_documents_stored_before_it(tmp_path):
    url = "sqlite:///" + str(tmp_path / "old.db")
    db = Database(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection_url"] = url
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with db.engine.begin() as conn:  # the columns of revision 0001 only
        conn.execute(text(
            "INSERT INTO sources (name, kind, consecutive_failures) VALUES ('ngo', 'ngo', 0)"))
        conn.execute(text(
            "INSERT INTO documents (url, source_id, title, text, content_hash, first_seen_at, updated_at, "
            "analysed, text_purged) VALUES ('https://ngo.example/evin', 1, :title, :body, 'h', "
            "'2026-11-01 09:00:00', '2026-11-01 09:00:00', 1, 0)"), {"title": DOCS["evin"][0],
                                                                     "body": DOCS["evin"][1]})
    assert not inspect(db.engine).has_table("documents_fts")
    db.upgrade()
    assert _urls(search(db, "lawyer")) == ["evin"]
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert not inspect(db.engine).has_table("documents_fts")
    db.dispose()


def test_best_sentence_shortens_long_sentences_around_the_word():
    long = "word " * 200 + "needle " + "word " * 200
    snippet = best_sentence(long, ["needle"])
    assert "needle" in snippet and len(snippet) <= 302 and snippet.startswith("…")
