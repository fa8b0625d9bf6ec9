"""Database integrity: unique constraints behind every idempotency rule, one transaction per
document, and two processes writing one SQLite file at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extract.analyse import Analyser, Analysis
from extract.article import Article
from extract.entities import Mention as FoundMention
from extract.events import Event as FoundEvent
from extract.watchlist import Watchlist
from pipeline.analysis.analyse import analyse_pending, count_pending
from pipeline.config import Config
from pipeline.storage.db import Database, open_database, sqlite_path
from pipeline.storage.models import (
    Alert,
    Alias,
    Dismissal,
    Document,
    Entity,
    Event,
    FetchState,
    Mention,
    Notice,
    Source,
)
from pipeline.storage.store import CHANGED, NEW, save_article, sync_sources, utcnow

ROOT = Path(__file__).resolve().parent.parent
WATCHLIST = Watchlist()
PUB = date.today()


class _Src:
    name, kind = "integrity-ngo", "ngo"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


def _store(db: Database, url: str, text: str, published: date = PUB) -> str:
    ids = sync_sources(db, [_Src])
    with db.session() as s:
        return save_article(s, Article(url=url, text=text, language="en", title="t", published=published),
                            source_id=ids[_Src.name])


# --- unique constraints ------------------------------------------------------------------

def _base(s: Session) -> tuple[Document, Entity]:
    now = utcnow()
    doc = Document(url="https://ngo.example/a", content_hash="h", first_seen_at=now, updated_at=now)
    ent = Entity(kind="person", name="Jafar Panahi", key="jafar panahi", created_at=now, tags=[])
    s.add_all([doc, ent])
    s.flush()
    return doc, ent


DUPLICATES: dict[str, Any] = {
    "documents.url": lambda d, e, now: Document(url=d.url, content_hash="other", first_seen_at=now,
                                                updated_at=now),
    "entities (kind, key)": lambda d, e, now: Entity(kind="person", name="JAFAR PANAHI",
                                                     key=e.key, created_at=now, tags=[]),
    "aliases (kind, key)": lambda d, e, now: Alias(entity_id=e.id, kind="person", alias="Panahi",
                                                   key="panahi", created_at=now),
    "mentions (document, start, end)": lambda d, e, now: Mention(
        document_id=d.id, entity_id=e.id, text="Panahi", name="Jafar Panahi", start=0, end=6,
        sentence="Panahi was arrested."),
    "events (document, person, type, sent_start)": lambda d, e, now: Event(
        document_id=d.id, person_id=e.id, person_name="Jafar Panahi", type="arrest",
        sentence="Panahi was arrested.", sent_start=0, created_at=now),
    "alerts (alert_id, channel)": lambda d, e, now: Alert(alert_id="a1", channel="c1", payload={},
                                                          created_at=now),
    "notices key": lambda d, e, now: Notice(key="digest:2026-11-22", kind="digest", created_at=now),
    "dismissals (document, person, type)": lambda d, e, now: Dismissal(
        document_id=d.id, person_key=e.key, type="arrest", created_at=now),
    "fetch_state url": lambda d, e, now: FetchState(url="https://ngo.example/feed.xml"),
    "sources name": lambda d, e, now: Source(name="icfr", kind="ngo"),
}


@pytest.mark.parametrize("rule", sorted(DUPLICATES))
def test_unique_constraint_rejects_a_duplicate(db: Database, rule: str) -> None:
    make = DUPLICATES[rule]
    with db.session() as s:
        doc, ent = _base(s)
        if rule not in ("documents.url", "entities (kind, key)"):  # else the base rows are the first copy
            s.add(make(doc, ent, utcnow()))
        doc_id, ent_id = doc.id, ent.id
    with db.sessions() as s:
        doc, ent = s.get(Document, doc_id), s.get(Entity, ent_id)
        assert doc is not None and ent is not None
        s.add(make(doc, ent, utcnow()))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()


def test_schema_from_migrations_has_every_unique_rule(db: Database) -> None:
    from sqlalchemy import inspect

    insp = inspect(db.engine)

    def uniques(table: str) -> set[tuple[str, ...]]:
        found = {tuple(u["column_names"]) for u in insp.get_unique_constraints(table)}
        found |= {tuple(i["column_names"]) for i in insp.get_indexes(table) if i.get("unique")}
        return found

    expected = {
        "documents": ("url",), "entities": ("kind", "key"), "aliases": ("kind", "key"),
        "mentions": ("document_id", "start", "end"),
        "events": ("document_id", "person_id", "type", "sent_start"),
        "alerts": ("alert_id", "channel"), "notices": ("key",), "fetch_state": ("url",),
        "sources": ("name",), "dismissals": ("document_id", "person_key", "type"),
    }
    for table, cols in expected.items():
        assert cols in uniques(table), (table, uniques(table))


# --- one transaction per document --------------------------------------------------------

class PreparedAnalyser(Analyser):
    """Returns analyses given in advance, by document text, in place of the model's."""

    def __init__(self, by_text: dict[str, Analysis]) -> None:
        super().__init__(WATCHLIST)
        self.by_text = by_text

    def analyse_many(self, items: Iterable[tuple[str, date | None, Any]]) -> Iterator[tuple[Any, Analysis]]:
        for text, _published, ctx in items:
            yield ctx, self.by_text[text]


def _mention(text: str, name: str) -> FoundMention:
    start = text.index(name)
    end = text.index(".", start) + 1
    return FoundMention(kind="person", text=name, name=name, start=start, end=start + len(name),
                        sentence=text[:end], sent_start=0)


def _event(text: str, person: str, etype: str, **kw: Any) -> FoundEvent:
    return FoundEvent(type=etype, person=person, sentence=text[: text.index(".") + 1], sent_start=0, **kw)


def _counts(db: Database, url: str) -> tuple[int, int, int]:
    with db.sessions() as s:
        doc_id = s.scalar(select(Document.id).where(Document.url == url))
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t).where(t.document_id == doc_id)) or 0
            for t in (Mention, Event)
        ) + (s.scalar(select(func.count()).select_from(Alert)) or 0,)


def test_a_failing_document_leaves_nothing_half_written(db: Database) -> None:
    good = "Jafar Panahi was arrested in Tehran. He was later released."
    first = "Mohammad Rasoulof was arrested on Monday."
    changed = "Mohammad Rasoulof was arrested on Monday. Reza Tavakoli was sentenced."
    assert _store(db, "https://ngo.example/good", good) == NEW
    assert _store(db, "https://ngo.example/bad", first) == NEW
    ok_analysis = Analysis([_mention(first, "Mohammad Rasoulof")],
                           [_event(first, "Mohammad Rasoulof", "arrest")])
    good_analysis = Analysis([_mention(good, "Jafar Panahi")], [_event(good, "Jafar Panahi", "arrest")])
    res = analyse_pending(db, WATCHLIST, Config(),
                          analyser=PreparedAnalyser({first: ok_analysis, good: good_analysis}))
    assert res.documents == 2 and res.errors == 0
    before = _counts(db, "https://ngo.example/bad")
    assert before[:2] == (1, 1)

    # the new text's analysis writes a new person, mentions, an event with its alert, then a
    # second event whose identity column is missing: the database refuses it mid-document
    assert _store(db, "https://ngo.example/bad", changed) == CHANGED
    broken = _event(changed, "Reza Tavakoli", "sentence")
    broken = replace(broken, sentence=None)  # type: ignore[arg-type]
    bad_analysis = Analysis(
        [_mention(changed, "Mohammad Rasoulof"), _mention(changed, "Reza Tavakoli")],
        [_event(changed, "Mohammad Rasoulof", "arrest"), _event(changed, "Mohammad Rasoulof", "charge"),
         broken],
    )
    res = analyse_pending(db, WATCHLIST, Config(), analyser=PreparedAnalyser({changed: bad_analysis}))
    assert res.errors == 1 and res.documents == 0
    assert _counts(db, "https://ngo.example/bad") == before  # the earlier analysis, whole
    with db.sessions() as s:
        doc = s.scalar(select(Document).where(Document.url == "https://ngo.example/bad"))
        assert doc is not None and doc.analysed_hash != doc.content_hash  # still pending
        assert s.scalar(select(func.count()).select_from(Entity).where(Entity.key == "reza tavakoli")) == 0
        assert {e.type for e in s.scalars(select(Event).where(Event.document_id == doc.id))} == {"arrest"}
    assert count_pending(db) == 1
    assert _counts(db, "https://ngo.example/good")[:2] == (1, 1)


# --- two writers -------------------------------------------------------------------------

FIRST = ["Amir", "Leila", "Reza", "Sara", "Omid", "Nadia", "Kian", "Mina", "Arash", "Yasmin"]
LAST = ["Karimi", "Haddad", "Moradi", "Petrova", "Celik", "Nasseri", "Salem", "Jalali"]
VERBS = ["was arrested in Tehran", "was sentenced to six years in prison", "was released on bail",
         "was banned from leaving the country", "was summoned for questioning"]


def statements(start: int, n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(start, start + n):
        who = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
        other = f"{FIRST[(i + 3) % len(FIRST)]} {LAST[(i + 5) % len(LAST)]}"
        text = (f"The filmmaker {who} {VERBS[i % len(VERBS)]} on Monday, PEN International said. "
                f"The poet {other} {VERBS[(i + 2) % len(VERBS)]} last week. Statement number {i}.")
        out.append((f"https://ngo.example/statements/{i}", text))
    return out


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from extract.article import Article
    from extract.watchlist import Watchlist
    from pipeline.analysis.analyse import analyse_pending
    from pipeline.config import Config
    from pipeline.storage.db import Database
    from pipeline.storage.store import save_article, sync_sources
    from tests.test_integrity import PUB, _Src, statements

    url, start, n, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    db = Database(url)
    while not go.exists():
        time.sleep(0.01)
    ids = sync_sources(db, [_Src])
    for i, (u, text) in enumerate(statements(start, n)):
        with db.session() as s:
            save_article(s, Article(url=u, text=text, language="en", title="t", published=PUB),
                         source_id=ids[_Src.name])
        if i % 10 == 9:  # analyse while the other process still stores
            analyse_pending(db, Watchlist(), Config(), max_documents=10)
    res = analyse_pending(db, Watchlist(), Config())
    print(res.errors)
""")


def _totals(db: Database) -> dict[str, int]:
    with db.sessions() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
                for t in (Document, Mention, Event, Entity)}


def _per_document(db: Database) -> dict[str, tuple[int, int]]:
    with db.sessions() as s:
        rows = s.execute(select(Document.url, Document.id)).all()
        return {url: tuple(s.scalar(select(func.count()).select_from(t).where(t.document_id == i)) or 0
                           for t in (Mention, Event))
                for url, i in rows}


def test_two_processes_write_one_database(tmp_path: Path, db_url: str, other_db_url: str) -> None:
    n = 40
    # what one process alone stores for the same documents
    ref = open_database(other_db_url)
    for u, text in statements(0, 2 * n):
        _store(ref, u, text)
    analyse_pending(ref, WATCHLIST, Config())
    expected, expected_docs = _totals(ref), _per_document(ref)
    ref.dispose()
    assert expected["events"] > n

    url = db_url
    shared = open_database(url)  # schema and source row first: passes sync sources under the pass lock
    sync_sources(shared, [_Src])
    shared.dispose()
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(k * n), str(n), str(go)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(2)]
    time.sleep(1.0)
    go.touch()
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-3000:]
        assert out.strip() == "0", err[-3000:]  # no document failed

    path = sqlite_path(url)
    if path is not None:  # the file itself must be intact too
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db = open_database(url)
    try:
        assert count_pending(db) == 0
        assert _totals(db) == expected
        assert _per_document(db) == expected_docs
        with db.sessions() as s:  # every new event has its feed entry, none twice
            new_events = s.scalar(select(func.count()).select_from(Event).where(Event.is_new.is_(True)))
            feed = s.scalar(select(func.count(func.distinct(Alert.alert_id))).where(Alert.channel == "feed"))
            assert feed == s.scalar(select(func.count()).select_from(Alert)) and feed and new_events
    finally:
        db.dispose()
