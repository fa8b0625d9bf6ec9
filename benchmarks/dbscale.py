"""Database scale: a generated SQLite database of a year's monitoring, then digest, case file, export.

100,000 documents over 365 days, about 5,000 entities (people and organizations)
named with a long-tailed frequency, 1,000,000 mentions and a few thousand events,
written with SQLAlchemy Core ``executemany``. Timed: the digest of one day, the case
file of the most-mentioned person, the full JSON-lines export (documents per
second, and the process's resident memory before and after), and ``atrisk reprocess
--changed`` after one person named in 100 documents is added to the watchlist.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.throughput import _rss_kb

log = logging.getLogger(__name__)

EVENT_TYPES = ("arrest", "charge", "summons", "sentence", "release", "ban", "confiscation",
               "hunger_strike", "killing")
WORDS = ("statement", "festival", "director", "court", "released", "film", "writer", "rights",
         "authorities", "detained", "prison", "appeal", "ministry", "artists", "press", "solidarity")
BATCH = 20_000


def _rss_mb() -> float:
    import os

    return _rss_kb(os.getpid()) / 1024


def generate(db_url: str, *, documents: int = 100_000, mentions: int = 1_000_000,
             entities: int = 5_000, events: int = 3_000, seed: int = 7,
             end: date | None = None) -> dict[str, Any]:
    """Fill a fresh database; returns what was written and how long it took."""
    from sqlalchemy import insert

    from pipeline.storage.db import open_database
    from pipeline.storage.models import Document, Entity, Event, Mention, Run, Source, SourceRun
    from pipeline.storage.store import refresh_statistics

    rng = random.Random(seed)
    end = end or date.today()
    start_day = end - timedelta(days=364)
    t0 = time.monotonic()
    db = open_database(db_url)
    now = datetime.now().replace(microsecond=0)
    with db.engine.begin() as c:
        c.execute(insert(Source), [{"id": i + 1, "name": f"source-{i + 1}", "kind": "news",
                                    "consecutive_failures": 0} for i in range(40)])
        people = int(entities * 0.7)
        c.execute(insert(Entity), [
            {"id": i + 1, "kind": "person" if i < people else "organization",
             "name": f"Person {i + 1}" if i < people else f"Organization {i + 1}",
             "key": f"person {i + 1}" if i < people else f"organization {i + 1}",
             "watchlisted": i < 50, "tags": [], "created_at": now}
            for i in range(entities)])
        # one pass a day over every source, for the digest's source health
        c.execute(insert(Run), [{"id": d + 1, "started_at": datetime.combine(start_day + timedelta(days=d),
                                                                            datetime.min.time()),
                                 "status": "ok", "command": "run", "counters": {}, "errors": {}}
                                for d in range(365)])
        c.execute(insert(SourceRun), [{"run_id": d + 1, "source_id": s + 1, "fetched": 10,
                                       "not_modified": 100, "new_documents": 7, "changed_documents": 0,
                                       "failed": 0, "finished_at": datetime.combine(
                                           start_day + timedelta(days=d), datetime.min.time())}
                                      for d in range(365) for s in range(40)])
    seen: list[datetime] = sorted(
        datetime.combine(start_day, datetime.min.time()) + timedelta(seconds=rng.randrange(365 * 86400))
        for _ in range(documents))
    # distinct texts, as real statements are: near-duplicate detection sees few candidates
    vocabulary = list(WORDS) + ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randrange(3, 10)))
                                for _ in range(5000)]
    with db.engine.begin() as c:
        rows = []
        for i, first_seen in enumerate(seen, start=1):
            text = " ".join(rng.choices(vocabulary, k=rng.randrange(60, 160))) + f" {i}."
            h = hashlib.sha1(text.encode()).hexdigest()
            rows.append({"id": i, "url": f"https://news-{i % 40}.example/article/{i}",
                         "source_id": i % 40 + 1, "title": f"Article {i}",
                         "published": (first_seen - timedelta(days=rng.choice((0, 0, 0, 1, 2)))).date(),
                         "language": "en", "text": text, "content_hash": h,
                         "first_seen_at": first_seen, "updated_at": first_seen, "analysed": True,
                         "analysed_hash": h, "analysed_at": first_seen, "text_purged": False})
            if len(rows) == BATCH:
                c.execute(insert(Document), rows)
                rows = []
        if rows:
            c.execute(insert(Document), rows)
    # a long tail: a few entities are named in thousands of documents, most in a handful
    weights = [1.0 / (rank + 10) for rank in range(entities)]
    with db.engine.begin() as c:
        rows = []
        per_doc = mentions // documents
        for doc_id in range(1, documents + 1):
            ents = rng.choices(range(1, entities + 1), weights=weights, k=per_doc)
            for j, eid in enumerate(ents):
                rows.append({"document_id": doc_id, "entity_id": eid, "text": f"Name {eid}",
                             "name": f"Name {eid}", "start": j * 40, "end": j * 40 + 12,
                             "sentence": f"Name {eid} said the court had ruled in case {doc_id}."})
            if len(rows) >= BATCH:
                c.execute(insert(Mention), rows)
                rows = []
        if rows:
            c.execute(insert(Mention), rows)
        rows = []
        for k in range(events):
            doc_id = rng.randrange(1, documents + 1)
            pid = rng.choices(range(1, people + 1), weights=weights[:people])[0]
            rows.append({"document_id": doc_id, "person_id": pid, "person_name": f"Person {pid}",
                         "type": rng.choice(EVENT_TYPES), "date": seen[doc_id - 1].date(),
                         "term": None, "sentence": f"Person {pid} was detained ({k}).",
                         "sent_start": k, "background": False, "is_new": rng.random() < 0.3,
                         "dismissed": False, "created_at": seen[doc_id - 1]})
        c.execute(insert(Event), rows)
    refresh_statistics(db)  # what every pass's analysis stage ends with
    db.dispose()
    return {"documents": documents, "mentions": per_doc * documents, "entities": entities,
            "events": events, "generate_seconds": round(time.monotonic() - t0, 1),
            "first_day": start_day.isoformat(), "last_day": end.isoformat()}


REPEAT = 5


def _timed(out: dict[str, Any], label: str, call: Any) -> Any:
    """Run ``call`` REPEAT times: ``LABEL_seconds`` is the median (the machine is often shared),
    with every run's time and the load average beside it."""
    import os
    import statistics

    times = []
    for _ in range(REPEAT):
        t = time.monotonic()
        result = call()
        times.append(time.monotonic() - t)
    out[f"{label}_seconds"] = round(statistics.median(times), 3)
    out[f"{label}_runs"] = [round(x, 3) for x in times]
    out[f"{label}_load_average"] = round(os.getloadavg()[0], 2)
    return result


def measure(db_url: str, day: date) -> dict[str, Any]:
    """Time one day's digest, the top person's case file and the full export."""
    from sqlalchemy import func, select

    from pipeline.analysis.incidents import backfill
    from pipeline.config import Config
    from pipeline.reports.casefile import build_case_file
    from pipeline.reports.digest import build_digest
    from pipeline.reports.export import iter_records
    from pipeline.storage.db import open_database
    from pipeline.storage.models import Entity, Incident, Mention

    db = open_database(db_url)
    try:
        with db.sessions() as s:
            ranked = s.execute(
                select(Entity.name, func.count()).join(Mention, Entity.id == Mention.entity_id)
                .where(Entity.kind == "person").group_by(Entity.id)
                .order_by(func.count().desc()).limit(100)).all()
            top, rank100 = tuple(ranked[0]), tuple(ranked[-1])
        out: dict[str, Any] = {"digest_day": day.isoformat()}
        t = time.monotonic()
        out["incidents_backfilled_events"] = backfill(db, Config())  # as after the 0006 migration
        out["incidents_backfill_seconds"] = round(time.monotonic() - t, 2)
        with db.sessions() as s:
            out["incidents"] = s.scalar(select(func.count()).select_from(Incident))
        build_digest(db, day=day - timedelta(days=1))  # warm the page cache and signatures path
        digest = _timed(out, "digest", lambda: build_digest(db, day=day))
        out["digest_events"] = len(digest.events)
        out["digest_people"] = len(digest.people)
        out["digest_incidents"] = len(digest.incidents.get("incidents", []))
        for label, (name, mentions) in (("casefile_top", top), ("casefile_rank100", rank100)):
            case = _timed(out, label, lambda name=name: build_case_file(db, name))
            out[f"{label}_person"] = name
            out[f"{label}_mentions"] = int(mentions)
            out[f"{label}_documents"] = len(case.documents) if case else 0
            out[f"{label}_incidents"] = len(case.incidents) if case else 0
        rss_before = _rss_mb()
        peak = rss_before
        sink = io.StringIO()
        n = 0
        t = time.monotonic()
        for rec in iter_records(db):
            sink.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
            if n % 10_000 == 0:
                peak = max(peak, _rss_mb())
                sink.seek(0)
                sink.truncate()  # the output goes nowhere: memory is the exporter's own
        seconds = time.monotonic() - t
        out.update({"export_documents": n, "export_seconds": round(seconds, 2),
                    "export_docs_per_s": round(n / seconds), "export_rss_before_mb": round(rss_before, 1),
                    "export_rss_peak_mb": round(peak, 1)})
        return out
    finally:
        db.dispose()


NEW_PERSON = "Farid Tavakoli"  # not in the generated texts or the default watchlist
NEW_PERSON_DOCS = 100  # a person newly added is usually named in few of a year's documents


def reprocess_one_name(db_url: str, folder: Path, named_in: int = NEW_PERSON_DOCS) -> dict[str, Any]:
    """Add one person to the watchlist and time ``atrisk reprocess --changed`` from outside.

    ``named_in`` documents spread over the database name the person (a sentence appended
    to their text, its hash updated, so they stay analysed); the default watchlist is
    recorded first as the one the stored analyses used.
    """
    import resource
    import subprocess

    from sqlalchemy import func, select, update

    from extract.watchlist import DEFAULT_WATCHLIST
    from pipeline.storage.db import open_database
    from pipeline.storage.models import Document

    db = open_database(db_url)
    try:
        with db.session() as s:
            total = s.scalar(select(func.count()).select_from(Document)) or 0
            step = max(1, total // named_in)
            for doc_id in range(1, total + 1, step)[:named_in]:
                row = s.get(Document, doc_id)
                text = (row.text if row else "") + (
                    f" The filmmaker {NEW_PERSON} was arrested at his home in Shiraz, his lawyer said.")
                h = hashlib.sha1(text.encode()).hexdigest()
                s.execute(update(Document).where(Document.id == doc_id)
                          .values(text=text, content_hash=h, analysed_hash=h))
    finally:
        db.dispose()
    base = folder / "watchlist-base.toml"
    base.write_text(DEFAULT_WATCHLIST.read_text(encoding="utf-8"), encoding="utf-8")
    added = folder / "watchlist-added.toml"
    added.write_text(base.read_text(encoding="utf-8")
                     + f'\n[[people]]\nname = "{NEW_PERSON}"\naliases = ["Tavakoli"]\n', encoding="utf-8")

    def reprocess(watchlist: Path) -> tuple[float, float, dict[str, Any]]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        command = [sys.executable, "-m", "cli", "-q", "--db", db_url, "--watchlist", str(watchlist),
                   "reprocess", "--changed"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        wall = time.monotonic() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, json.loads(done.stdout.strip().splitlines()[-1])

    _, _, first = reprocess(base)  # records the watchlist the stored analyses used
    wall, cpu, summary = reprocess(added)
    return {"reprocess_one_name_s": round(wall, 2), "reprocess_one_name_cpu_s": round(cpu, 2),
            "reprocess_one_name_queued": summary.get("queued"),
            "reprocess_one_name_analysed": summary.get("documents"),
            "reprocess_one_name_documents_naming": min(named_in, total),
            "reprocess_record_queued": first.get("queued")}


@dataclass
class ScaleDatabase:
    path: Path
    url: str
    day: date  # the day measured: 100 days before the last one generated
    info: dict[str, Any]  # what generate() wrote, or {"reused": path}


@contextmanager
def scale_database(quick: bool = False, keep: str | None = None) -> Iterator[ScaleDatabase]:
    """The generated database (10x smaller with ``quick``): at ``keep`` when given (reused
    when it is there), else in a temporary folder removed afterwards."""
    scale = 10 if quick else 1
    with tempfile.TemporaryDirectory(prefix="atrisk-dbscale-") as tmp:
        path = Path(keep) if keep else Path(tmp) / "scale.db"
        db_url = f"sqlite:///{path}"
        end = date.today() - timedelta(days=1)
        if not path.exists():
            info = generate(db_url, documents=100_000 // scale, mentions=1_000_000 // scale,
                            entities=5_000 // scale, events=3_000 // scale, end=end)
        else:
            info = {"reused": str(path)}
        yield ScaleDatabase(path, db_url, end - timedelta(days=100), info)


def run(quick: bool = False, keep: str | None = None) -> dict[str, Any]:
    """Generate the database (10x smaller with ``quick``) in a temporary folder and measure."""
    with scale_database(quick, keep) as scale:
        scale.info.update(measure(scale.url, scale.day))
        named_in = NEW_PERSON_DOCS // (10 if quick else 1)
        scale.info.update(reprocess_one_name(scale.url, scale.path.parent, named_in))
        scale.info["db_mb"] = round(scale.path.stat().st_size / 1e6, 1)
        return scale.info


def scale_args(description: str) -> argparse.Namespace:
    """The options of the benchmarks run on the generated database (dbscale, web)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a 10x smaller database")
    parser.add_argument("--keep", metavar="PATH",
                        help="generate the database at PATH, or reuse it when it is there")
    return parser.parse_args()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    args = scale_args("Digest, case file, export and re-analysis on a generated year "
                      "(100,000 documents, 1,000,000 mentions).")
    print(json.dumps(run(quick=args.quick, keep=args.keep), indent=2))
