"""PostgreSQL itself: migrations against the models, row locks, the advisory lock, parallel workers.

These tests always run on a real PostgreSQL server (the session's ``pg_factory``:
a throwaway server, or ATRISK_TEST_PG_URL), in the SQLite pass too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from extract.article import Article
from extract.watchlist import load_watchlist
from migrations.schema_filter import SEARCH_INDEX, include_object
from pipeline.analysis.analyse import Claims, analyse_pending, count_pending
from pipeline.config import Config
from pipeline.storage.db import Database, open_database
from pipeline.storage.lock import AlreadyRunning, PassLock
from pipeline.storage.models import Base, Document, Entity, Event, Mention
from pipeline.storage.store import save_article, sync_sources
from tests.pg import DatabaseFactory

ROOT = Path(__file__).resolve().parent.parent
FIRST = ["Maryam", "Reza", "Leyla", "Omid", "Sara", "Kian", "Nasrin", "Behrouz"]
LAST = ["Karimi", "Sadeghi", "Moradi", "Farahani", "Tehrani", "Jafari"]
ACTS = ["was arrested by security forces in Tehran on Monday",
        "was sentenced to six years in prison by a court in Tabriz",
        "was released on bail from Evin prison",
        "was banned from leaving the country and from making films"]


class _Src:
    name, kind = "pg-ngo", "ngo"


def statements(n: int) -> list[tuple[str, str]]:
    """``n`` short statements; people recur, so workers meet the same new names at once."""
    out = []
    for i in range(n):
        who = f"{FIRST[i % len(FIRST)]} {LAST[(i // 3) % len(LAST)]}"
        colleague = f"{FIRST[(i + 3) % len(FIRST)]} {LAST[(i + 1) % len(LAST)]}"
        out.append((f"https://ngo.example/statements/{i}",
                    f"Filmmaker {who} {ACTS[i % len(ACTS)]}, statement {i} of the coalition says. "
                    f"The director {colleague} said the case was part of a wider crackdown on artists. "
                    f"PEN International called for {who.split()[0]}'s immediate release."))
    return out


def store(db: Database, docs: list[tuple[str, str]]) -> None:
    ids = sync_sources(db, [_Src])
    with db.session() as s:
        for url, body in docs:
            save_article(s, Article(url=url, text=body, language="en", title="Statement",
                                    published=date(2026, 11, 20)), source_id=ids[_Src.name])


def test_migrations_give_the_models_schema_and_go_down_and_up(pg_factory: DatabaseFactory) -> None:
    url = pg_factory.create(migrated=False)
    db = open_database(url)  # runs every migration on the empty database
    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_object": include_object})
            assert compare_metadata(ctx, Base.metadata) == []
            found = conn.execute(text("SELECT count(*) FROM pg_indexes WHERE indexname = :i"),
                                 {"i": SEARCH_INDEX}).scalar()
            assert found == 1
        from alembic import command
        from alembic.config import Config as AlembicConfig

        from pipeline.storage.db import MIGRATIONS_DIR

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert not db.has_schema()
        db.upgrade()
        assert db.has_schema()
    finally:
        db.dispose()


def test_claims_skip_rows_another_worker_has_locked(pg_factory: DatabaseFactory) -> None:
    db = open_database(pg_factory.create())
    try:
        store(db, statements(10))
        with db.engine.connect() as other:
            tx = other.begin()
            locked = other.execute(text("SELECT id FROM documents ORDER BY id LIMIT 4 FOR UPDATE")
                                   ).scalars().all()
            started = time.monotonic()
            _, chunk = Claims(db).next_chunk(3)  # must not wait for the lock
            assert time.monotonic() - started < 5
            assert [row[0] for row in chunk] and not {row[0] for row in chunk} & set(locked)
            tx.rollback()
        _, rest = Claims(db).next_chunk(100)
        assert len(rest) == 7  # the unlocked ones of the first claim stay claimed
    finally:
        db.dispose()


def test_pass_lock_is_held_across_connections(pg_factory: DatabaseFactory, tmp_path: Path) -> None:
    url = pg_factory.create()
    first, second = open_database(url), open_database(url)
    try:
        with PassLock(first, tmp_path):
            with pytest.raises(AlreadyRunning, match="advisory lock"), PassLock(second, tmp_path):
                pass
        with PassLock(second, tmp_path):  # released with the first
            pass
    finally:
        first.dispose()
        second.dispose()


WORKER = r"""
import json, sys, time
from pathlib import Path
from extract.analyse import Analyser
from extract.watchlist import load_watchlist
from pipeline.config import Config
from pipeline.storage.db import open_database
from pipeline.analysis.workers import analyse_worker

seen = []

class Recording(Analyser):
    # every document reaches the model through docs(), whichever way analyse_pending stores
    def docs(self, items):
        def tap():
            for item in items:
                seen.append(item[2][0])
                yield item
        yield from super().docs(tap())

watchlist = load_watchlist(None)
analyser = Recording(watchlist, batch_size=4)
analyser.model  # load before the start line, so every worker starts together
db = open_database(sys.argv[1])
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
counters = analyse_worker(db, watchlist, Config(), chunk=4, analyser=analyser)
db.dispose()
print(json.dumps({"ids": seen, "documents": counters.documents, "errors": counters.errors}))
"""


def _analysis(db: Database) -> dict[str, tuple]:
    """Per document URL: its mentions and events, by name (ids differ between databases)."""
    with db.sessions() as s:
        names = dict(s.execute(select(Entity.id, Entity.name)).all())
        urls = dict(s.execute(select(Document.id, Document.url)).all())
        out: dict[str, tuple] = {u: ((), ()) for u in urls.values()}
        mentions: dict[int, list] = {}
        for m in s.scalars(select(Mention)):
            mentions.setdefault(m.document_id, []).append((m.start, m.end, m.name, names[m.entity_id]))
        events: dict[int, list] = {}
        for e in s.scalars(select(Event)):
            events.setdefault(e.document_id, []).append((e.type, names[e.person_id], e.sentence, e.date,
                                                         e.term, e.background, e.dismissed))
        for doc_id, url in urls.items():
            out[url] = (tuple(sorted(mentions.get(doc_id, []))), tuple(sorted(events.get(doc_id, []))))
        return out


def test_three_analysis_workers_analyse_each_document_once(pg_factory: DatabaseFactory,
                                                           tmp_path: Path) -> None:
    docs = statements(80)  # at least WORKER_MIN_DOCS: each worker also runs its store process
    reference = open_database(pg_factory.create())
    store(reference, docs)
    analyse_pending(reference, load_watchlist(None), Config())
    expected = _analysis(reference)
    reference.dispose()

    url = pg_factory.create()
    db = open_database(url)
    store(db, docs)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(go)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(0.5)
    go.touch()
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    try:
        analysed = Counter(i for r in reports for i in r["ids"])
        with db.sessions() as s:
            all_ids = set(s.scalars(select(Document.id)))
            unclaimed = s.scalar(select(func.count()).select_from(Document)
                                 .where(Document.claimed_by.is_not(None)))
        assert set(analysed) == all_ids and max(analysed.values()) == 1  # each exactly once
        assert sum(r["documents"] for r in reports) == len(docs) and not any(r["errors"] for r in reports)
        assert sum(1 for r in reports if r["ids"]) >= 2, [len(r["ids"]) for r in reports]
        assert count_pending(db) == 0 and unclaimed == 0
        got = _analysis(db)
        assert got == expected  # the same mentions and events as one process, none twice
        assert sum(len(m) for m, _ in got.values()) > len(docs) and sum(len(e) for _, e in got.values()) >= 40
        with db.sessions() as s:  # one entity per person, however many workers met the name first
            keys = s.execute(select(Entity.kind, Entity.key)).all()
        assert len(keys) == len(set(keys))
    finally:
        db.dispose()
