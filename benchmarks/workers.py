"""Parallel analysis on PostgreSQL: 1, 2 and 4 `analyse` workers over the same pending documents.

The pending documents are the 181 article bodies of ``article-extraction-benchmark``
(the ground truth's ``articleBody``) plus short generated statements about people at
risk, up to ``--documents`` in all. They are stored once in a template database; each
run copies it (``CREATE DATABASE ... TEMPLATE``), so every run starts from the same
pending state. Each worker is a separate process that loads the model first and then
waits for a start signal, so the timing covers claiming, spaCy and writing only.

Reported per worker count: wall seconds, documents per second, the documents each
worker analysed, and whether any document was analysed twice (each worker records
the ids its analyser saw). The mention and event totals must be equal in every run.

    python -m benchmarks.workers                 # a throwaway PostgreSQL server
    python -m benchmarks.workers --pg-url postgresql+psycopg://user@host/postgres
    python -m benchmarks.workers --simulated-ms 20   # claims and writes only, no spaCy

The simulated run replaces the model by a fixed wait per document: it shows whether
the claims let workers run side by side (the database work is real), which a loaded
machine cannot show with spaCy's CPU-bound work.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import PROJECT_ROOT, print_table, require_corpus, write_results

log = logging.getLogger(__name__)

CORPUS = "article-extraction-benchmark"
FIRST = ["Maryam", "Reza", "Leyla", "Omid", "Sara", "Kian", "Nasrin", "Behrouz", "Ali", "Shirin"]
LAST = ["Karimi", "Sadeghi", "Moradi", "Farahani", "Tehrani", "Jafari", "Rahimi", "Hosseini"]
ACTS = ["was arrested by security forces in Tehran on Monday",
        "was sentenced to six years in prison by a revolutionary court",
        "was released on bail after three weeks in Evin prison",
        "was banned from leaving the country and from making films",
        "began a hunger strike in prison, his family said"]


def corpus_texts() -> list[tuple[str, str]]:
    """``(url, text)`` of every corpus article body."""
    truth = json.loads((require_corpus(CORPUS) / "ground-truth.json").read_text("utf-8"))
    return sorted((f"https://bench.example/articles/{key}", item["articleBody"])
                  for key, item in truth.items() if item.get("articleBody"))


def statement(i: int) -> tuple[str, str]:
    who = f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]}"
    other = f"{FIRST[(i + 3) % len(FIRST)]} {LAST[(i + 2) % len(LAST)]}"
    paragraphs = [
        f"Filmmaker {who} {ACTS[i % len(ACTS)]}, according to a statement issued by the coalition.",
        f"The director {other} said the case was part of a wider crackdown on independent artists, "
        "writers and musicians, and that several colleagues had been summoned for questioning.",
        f"PEN International and the European Film Academy called for {who.split()[0]}'s immediate and "
        "unconditional release and for all charges to be dropped.",
    ]
    return f"https://bench.example/statements/{i}", "\n\n".join(paragraphs)


def documents(n: int) -> list[tuple[str, str]]:
    docs = corpus_texts()[:n]
    docs += [statement(i) for i in range(n - len(docs))]
    return docs


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

class Simulated(Analyser):
    # a fixed wait per document and no result: what claiming and writing cost, without spaCy
    def analyse_many(self, items):
        from extract.analyse import Analysis
        for text, published, ctx in items:
            seen.append(ctx[0])
            time.sleep(simulated)
            yield ctx, Analysis(mentions=[], events=[])

simulated = float(sys.argv[4]) / 1000
config = Config()
watchlist = load_watchlist(None)
if simulated:  # n_process > 1 keeps analyse_pending on analyse_many, which Simulated replaces
    analyser = Simulated(watchlist, batch_size=config.analysis.batch_size, n_process=2)
else:
    analyser = Recording(watchlist, batch_size=config.analysis.batch_size)
    analyser.model
db = open_database(sys.argv[1])
go, chunk = Path(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
started, cpu = time.monotonic(), time.process_time()
counters = analyse_worker(db, watchlist, config, chunk=chunk, analyser=analyser)
db.dispose()
print(json.dumps({"ids": seen, "documents": counters.documents, "errors": counters.errors,
                  "seconds": time.monotonic() - started, "cpu": time.process_time() - cpu}), flush=True)
"""


def _prepare_template(factory: Any, docs: list[tuple[str, str]]) -> str:
    from extract.article import Article
    from pipeline.storage.db import open_database
    from pipeline.storage.store import save_article, sync_sources

    class _Src:
        name, kind = "bench", "news"

    url = factory.create()
    db = open_database(url)
    ids = sync_sources(db, [_Src])
    with db.session() as s:
        for u, body in docs:
            save_article(s, Article(url=u, text=body, language="en", title="Benchmark document",
                                    published=date(2026, 11, 20)), source_id=ids["bench"])
    db.dispose()
    return url


def _copy(factory: Any, template_url: str) -> str:
    from sqlalchemy.engine import make_url

    name = f"{factory.prefix}{len(factory.created) + 1}"
    factory._exec(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"')
    factory.created.append(name)
    return factory.url_for(name)


def _totals(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from pipeline.analysis.analyse import count_pending
    from pipeline.storage.db import open_database
    from pipeline.storage.models import Event, Mention

    db = open_database(url)
    try:
        with db.sessions() as s:
            return {"mentions": s.scalar(select(func.count()).select_from(Mention)) or 0,
                    "events": s.scalar(select(func.count()).select_from(Event)) or 0,
                    "pending": count_pending(db)}
    finally:
        db.dispose()


def run_workers(url: str, workers: int, chunk: int, simulated_ms: float = 0.0) -> dict[str, Any]:
    """``workers`` processes on the database at ``url``; timed from the start signal to the last exit."""
    go = Path(tempfile.mkdtemp(prefix="atrisk-bench-")) / "go"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(go), str(chunk), str(simulated_ms)],
                              cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(workers)]
    for p in procs:  # every model loaded
        assert p.stdout is not None
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"worker did not start: {p.communicate()[1][-2000:]}")
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    go.touch()
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=3600)
        if p.returncode != 0:
            raise RuntimeError(f"worker failed: {err[-2000:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.monotonic() - started
    seen = Counter(i for r in reports for i in r["ids"])
    analysed = sum(r["documents"] for r in reports)
    return {
        "workers": workers,
        "seconds": round(seconds, 2),
        "documents": analysed,
        "docs_per_second": round(analysed / seconds, 2),
        "per_worker": [r["documents"] for r in reports],
        # CPU seconds the workers got: far below workers x seconds means other load took the cores
        "worker_cpu_seconds": round(sum(r["cpu"] for r in reports), 1),
        "load_average_before": round(load_before, 2),
        "analysed_twice": sum(1 for n in seen.values() if n > 1),
        "errors": sum(r["errors"] for r in reports),
        **_totals(url),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers", description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", help="superuser URL of a PostgreSQL server (default: start one)")
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--chunk", type=int, default=16, help="documents claimed at a time")
    parser.add_argument("--simulated-ms", type=float, default=0.0,
                        help="replace spaCy by a wait of this many ms per document (coordination cost only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.pg import DatabaseFactory, LocalPostgres

    server = None if args.pg_url else LocalPostgres().start()
    factory = DatabaseFactory(args.pg_url or server.url)  # type: ignore[union-attr]
    try:
        docs = documents(args.documents)
        template = _prepare_template(factory, docs)
        runs = [run_workers(_copy(factory, template), int(n), args.chunk, args.simulated_ms)
                for n in args.workers.split(",")]
    finally:
        factory.close()
        if server is not None:
            server.stop()
    words = sum(len(text.split()) for _, text in docs)
    results = {"documents": len(docs), "words": words, "cpus": os.cpu_count(), "chunk": args.chunk,
               "simulated_ms": args.simulated_ms, "runs": runs}
    what = f"simulated {args.simulated_ms:g} ms/document" if args.simulated_ms else f"{words} words"
    print_table(f"Analysis workers on PostgreSQL: {len(docs)} documents, {what}, {os.cpu_count()} CPUs",
                ["workers", "seconds", "docs/s", "per worker", "worker CPU s", "load before",
                 "analysed twice", "mentions", "events", "pending after"],
                [(r["workers"], r["seconds"], r["docs_per_second"], "/".join(map(str, r["per_worker"])),
                  r["worker_cpu_seconds"], r["load_average_before"], r["analysed_twice"], r["mentions"],
                  r["events"], r["pending"]) for r in runs])
    write_results("workers-simulated" if args.simulated_ms else "workers", results)
    same = len({(r["mentions"], r["events"]) for r in runs}) == 1
    ok = same and all(r["analysed_twice"] == 0 and r["pending"] == 0 and not r["errors"] for r in runs)
    if not ok:
        print("FAILED: a document was analysed twice, left pending, or the totals differ", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
