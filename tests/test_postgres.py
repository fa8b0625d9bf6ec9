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


# the analyser both worker scripts use: it records the id of every document it is given
_RECORDING = r"""
seen = []

class Recording(Analyser):
    # every document reaches the model through docs(), whichever way analyse_pending stores
    def docs(self, items):
        def tap():
            for item in items:
                seen.append(item[2][0])
                yield item
        yield from super().docs(tap())
"""

WORKER = r"""
import json, sys, time
from pathlib import Path
from extract.analyse import Analyser
from extract.watchlist import load_watchlist
from pipeline.config import Config
from pipeline.storage.db import open_database
from pipeline.analysis.workers import analyse_worker

""" + _RECORDING + r"""
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


def _run_at_once(script: str, url: str, go: Path, n: int) -> list[dict]:
    """Start ``n`` worker processes running ``script``, let them go together (they wait for
    the file ``go``), and return each one's last output line as JSON; each must exit 0."""
    procs = [subprocess.Popen([sys.executable, "-c", script, url, str(go)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    time.sleep(0.5)
    go.touch()
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


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
    reports = _run_at_once(WORKER, url, tmp_path / "go", 3)
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


RACING_WORKER = r"""
import json, sys, time
from pathlib import Path
from extract.analyse import Analyser
from extract.watchlist import load_watchlist
from pipeline.analysis import incidents
from pipeline.analysis.workers import analyse_worker
from pipeline.config import Config
from pipeline.storage.db import open_database

real_find = incidents.find_incident

def slow_find(s, row, doc, person, config):
    # widen the window between "no incident yet" and the commit that stores the new one,
    # so that both workers are inside it at once
    found = real_find(s, row, doc, person, config)
    if found is None:
        time.sleep(2.0)
    return found

incidents.find_incident = slow_find
""" + _RECORDING + r"""
watchlist = load_watchlist(None)
analyser = Recording(watchlist, batch_size=1)
analyser.model
db = open_database(sys.argv[1])
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
counters = analyse_worker(db, watchlist, Config(), chunk=1, analyser=analyser)
db.dispose()
print(json.dumps({"ids": seen, "documents": counters.documents, "errors": counters.errors}))
"""


class _Wire:
    name, kind = "pg-wire", "news"


def test_two_workers_reporting_one_arrest_at_once_make_one_incident(pg_factory: DatabaseFactory,
                                                                     tmp_path: Path) -> None:
    """Two workers store two publishers' reports of one arrest at the same moment: one incident
    (two sources) and one alert, not one incident and one alert each."""
    from datetime import timedelta

    from extract.entities import entity_key
    from pipeline.delivery.alerts import FEED_CHANNEL
    from pipeline.storage.models import Alert, Incident
    from pipeline.storage.store import utcnow

    url = pg_factory.create()
    db = open_database(url)
    published = date.today() - timedelta(days=1)
    ids = sync_sources(db, [_Src, _Wire])
    when = f"{published.day} {published:%B %Y}"
    reports = [
        (_Src.name, "https://ngo.example/statements/race",
         f"Filmmaker Soraya Nadimi was arrested by security forces in Tehran on {when}. "
         "Her family said she had been working on a film about the city's river."),
        (_Wire.name, "https://wire.example/news/race",
         f"The documentary maker Soraya Nadimi was detained by police in Tehran on {when}, colleagues "
         "said. No charge had been announced and her lawyer was refused access."),
    ]
    with db.session() as s:
        # a person already known (named before): neither worker waits for the other's new entity row
        s.add(Entity(kind="person", name="Soraya Nadimi", key=entity_key("Soraya Nadimi"), watchlisted=False,
                     tags=[], created_at=utcnow()))
        for source, page, body in reports:
            save_article(s, Article(url=page, text=body, language="en", title="Arrest",
                                    published=published), source_id=ids[source])
    results = _run_at_once(RACING_WORKER, url, tmp_path / "go", 2)
    try:
        assert sorted(len(r["ids"]) for r in results) == [1, 1], results  # one report each, at once
        assert not any(r["errors"] for r in results)
        with db.sessions() as s:
            arrests = s.execute(select(Event.incident_id, Entity.name)
                                .join(Entity, Entity.id == Event.person_id)
                                .where(Event.type == "arrest")).all()
            assert len(arrests) == 2 and {name for _, name in arrests} == {"Soraya Nadimi"}, arrests
            incidents = list(s.scalars(select(Incident).where(Incident.type == "arrest",
                                                              Incident.merged_into_id.is_(None))))
            assert len(incidents) == 1, [(i.id, i.documents) for i in incidents]
            assert {i for i, _ in arrests} == {incidents[0].id}
            assert incidents[0].documents == 2 and incidents[0].sources == 2
            alerts = s.scalar(select(func.count()).select_from(Alert).where(Alert.channel == FEED_CHANNEL))
            assert alerts == 1
    finally:
        db.dispose()
