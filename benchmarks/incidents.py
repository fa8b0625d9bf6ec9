"""Incident quality: where events happened, and which reports are one incident.

Run: ``.venv/bin/python -m benchmarks.incidents`` (``-v`` lists every miss).

Countries: the statements corpus (``../shared/corpus/statements``) with the country gold
of ``benchmarks/data/countries/<split>.json`` (written before tuning). Each gold event
(type, person) that the analysis finds is scored on the country it is given, exactly as
the pipeline gives it (the sentence's place, else the document's main country; no
watchlist, so the text alone decides). ``coverage`` is the share of gold events found.

Grouping: ``benchmarks/data/incidents/cases.json``, multi-document cases written for this
benchmark (texts of our own): each report is stored and analysed through the real
analysis stage into a fresh SQLite database, in publication order; every pair of
(document, person, type) events is scored as same-incident or not against the gold
incident labels (pair precision and recall).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import unicodedata
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from pipeline.storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import CorpusMissing, print_table, require_corpus, write_results  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
COUNTRY_GOLD = DATA / "countries"
CASES = DATA / "incidents" / "cases.json"


def _fold(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("ı", "i")
    return [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]


def same_person(predicted: str, gold: str) -> bool:
    p, g = _fold(predicted), _fold(gold)
    return bool(p) and bool(g) and (p == g or set(p) <= set(g) or set(g) <= set(p))


def _page(path: Path) -> tuple[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[0], "\n".join([lines[0], *lines[2:]])


def countries(split: str, verbose: bool = False) -> dict[str, Any]:
    """Country accuracy on the gold events the analysis finds."""
    from extract.analyse import Analyser
    from extract.watchlist import Watchlist

    corpus = require_corpus("statements")
    gold_events = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    gold = json.loads((COUNTRY_GOLD / f"{split}.json").read_text(encoding="utf-8"))
    analyser = Analyser(Watchlist())
    found = correct = total = 0
    misses: list[str] = []
    for page_id, want in gold.items():
        if page_id.startswith("_"):
            continue
        meta = gold_events[page_id]
        _, text = _page(corpus / "pages" / f"{page_id}.txt")
        analysis = analyser.analyse(text, date.fromisoformat(meta["published"]))
        for etype, person in sorted({tuple(e) for e in meta["events"]}):
            total += 1
            expected = want.get("events", {}).get(f"{etype}|{person}", want["country"])
            hits = [e for e in analysis.events if e.asserted and e.type == etype
                    and same_person(e.person, person)]
            if not hits:
                continue
            found += 1
            facts = analysis.facts.for_sentence(hits[0].sent_start)
            got = facts.country or analysis.facts.country
            correct += int(got == expected)
            if got != expected:
                misses.append(f"{page_id}: {etype} {person}: {got} (gold {expected})")
    if verbose:
        for line in misses:
            print("  miss", line)
    return {"split": split, "gold_events": total, "found": found,
            "coverage": found / total if total else 0.0,
            "correct": correct, "accuracy": correct / found if found else 0.0}


def grouping(verbose: bool = False) -> dict[str, Any]:
    """Pair precision and recall of incident grouping on the assembled cases."""
    from extract.article import Article
    from extract.watchlist import WatchedEntity, Watchlist
    from pipeline.analysis.analyse import analyse_pending
    from pipeline.config import Config
    from pipeline.storage.models import Document, Entity, Event
    from pipeline.storage.store import save_article, sync_sources

    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    tp = fp = fn = 0
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, case in enumerate(cases):
            db = open_database(f"sqlite:///{tmp}/case{n}.db")
            people = sorted({r["person"] for d in case["documents"] for r in d["gold"]})
            watchlist = Watchlist(tuple(WatchedEntity("person", p) for p in people))
            names = sorted({d["source"] for d in case["documents"]})
            ids = sync_sources(db, [_Source(s) for s in names])
            docs = sorted(enumerate(case["documents"]), key=lambda p: (p[1]["published"], p[0]))
            for i, doc in docs:
                with db.session() as s:
                    save_article(s, Article(url=f"https://{doc['source']}.example.org/{n}/{i}",
                                            title=doc.get("title", "Statement"), text=doc["text"],
                                            language="en", published=date.fromisoformat(doc["published"])),
                                 source_id=ids[doc["source"]])
                analyse_pending(db, watchlist, Config())  # one at a time: reports arrive in order
            predicted: dict[tuple[int, str, str], int | None] = {}
            with db.sessions() as s:
                for ev, url, person in s.execute(_events_query(Event, Document, Entity)):
                    predicted[(int(url.rsplit("/", 1)[1]), person, ev.type)] = ev.incident_id
            db.dispose()
            labels = {(i, r["person"], r["type"]): r["incident"]
                      for i, d in enumerate(case["documents"]) for r in d["gold"]}
            for a, b in combinations(sorted(labels), 2):
                if a[1:] != b[1:]:
                    continue  # only reports of the same person and type can be one incident
                gold_same = labels[a] == labels[b]
                pa, pb = predicted.get(a), predicted.get(b)
                pred_same = pa is not None and pa == pb
                tp += int(gold_same and pred_same)
                fp += int(pred_same and not gold_same)
                fn += int(gold_same and not pred_same)
                if gold_same != pred_same:
                    failures.append(f"{case['name']}: {a} / {b}: gold {gold_same}, got {pred_same}"
                                    + ("" if pa and pb else " (event not found)"))
    if verbose:
        for line in failures:
            print("  pair", line)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"cases": len(cases), "pairs_same_gold": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall}


def _events_query(Event: Any, Document: Any, Entity: Any) -> Any:  # noqa: N803 - model classes
    from sqlalchemy import select

    return (select(Event, Document.url, Entity.name).join(Document, Document.id == Event.document_id)
            .join(Entity, Entity.id == Event.person_id).where(Event.dismissed.is_(False)))


class _Source:
    """The part of a sources.toml entry that ``sync_sources`` reads."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind = "ngo"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--split", default="dev,test", help="comma-separated splits with country gold")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    try:
        results["countries"] = {split: countries(split, args.verbose) for split in args.split.split(",")}
    except CorpusMissing as exc:
        print(f"countries: skipped, corpus missing ({exc})")
    results["grouping"] = grouping(args.verbose)
    results["seconds"] = round(time.perf_counter() - started, 1)
    if "countries" in results:
        print_table("Incident countries (statements corpus)", ["split", "gold events", "found",
                    "coverage", "accuracy"], [[c["split"], c["gold_events"], c["found"], c["coverage"],
                                              c["accuracy"]] for c in results["countries"].values()])
    g = results["grouping"]
    print_table("Incident grouping (same-incident pairs)", ["cases", "gold pairs", "precision", "recall"],
                [[g["cases"], g["pairs_same_gold"], g["precision"], g["recall"]]])
    print(f"written to {write_results('incidents', results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
