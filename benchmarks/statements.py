"""The statements corpus through a real pass: people, organizations, events and alert precision.

``../shared/corpus/statements`` (or ``$ATRISK_CORPUS/statements``) holds real statements
and news reports with gold people, organizations and (type, person) events, split into
``dev`` and ``test``. Nothing here reads a page's text into the project: each page is
turned into an HTML page (title as ``<h1>``, the date line in a ``<time>`` element, one
``<p>`` a paragraph) under a local site served by :class:`crawler.localsite.LocalSite`
on 127.0.0.1, one source per kind of publisher. ``atrisk run`` crawls, extracts,
analyses and alerts into a fresh SQLite file (``max_age_days`` lifted, since the pages
are old); the predictions are what ``atrisk export --format jsonl`` reads back, scored
with the corpus's own ``score.py`` (imported by path).

Alert precision: of the alerts the default rules queued (the outbox rows of the Atom feed
channel: new, an alertable type of the default ``[alerts] events``, not background, not
dismissed), the share whose (type, person) is a gold event of its page. An alert whose
pair is one of the page's ``optional_events`` counts neither way.

Both passes run: the default watchlist and an empty one.

``--corpus PATH`` (or ``--fresh``: ``benchmarks/data/statements_fresh``; ``--dev2``:
``benchmarks/data/statements_dev2``; ``--dev3``: ``benchmarks/data/statements_dev3``) builds the site
from another folder in the corpus's format (``gold.json`` + ``pages/``) and scores it per
split found in its gold, still with the shared corpus's ``score.py``; ``--split NAME``
reports one split only. Without them nothing changes.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.common import PROJECT_ROOT, CorpusMissing, corpus_dir, require_corpus

NAME = "statements"
SPLITS = ("dev", "test")
# Real pages labelled blind, in the corpus's format (benchmarks/data/statements_fresh/README.md)
FRESH = PROJECT_ROOT / "benchmarks" / "data" / "statements_fresh"
# Our own further dev material, labelled blind and tunable on (benchmarks/data/statements_dev2/README.md)
DEV2 = PROJECT_ROOT / "benchmarks" / "data" / "statements_dev2"
# A third set of our own, labelled blind (benchmarks/data/statements_dev3/README.md)
DEV3 = PROJECT_ROOT / "benchmarks" / "data" / "statements_dev3"
# The kinds sources.toml knows; the corpus's "icfr" and "pen" publishers are NGOs.
SOURCE_KIND = {"icfr": "ngo", "pen": "ngo", "ngo": "ngo", "news": "news",
               "festival": "festival", "guild": "guild"}
CONFIG = """\
# Written by the statements benchmark: a local site, no delay, old pages may alert.
[crawl]
contact = "atrisk statements benchmark on 127.0.0.1"
max_pages = 1000
[alerts]
max_age_days = 100000
feed = "{feed}"
"""
SOURCE = """\
[[sources]]
name = "statements-{site}"
kind = "{kind}"
start_urls = ["{base}/{site}/index.html"]
allow = ['/{site}/pages/[a-z0-9_]+[.]html$']
allow_private = true
"""


def folder() -> Path:
    """The statements corpus folder, or :class:`CorpusMissing`."""
    return require_corpus(NAME)


def available() -> bool:
    try:
        folder()
    except CorpusMissing:
        return False
    return True


def missing_message(what: str) -> str:
    return f"{what} skipped: {corpus_dir() / NAME} not found (the shared corpus is absent)"


@lru_cache(maxsize=1)
def scorer() -> ModuleType:
    """The corpus's own ``score.py``, imported by path."""
    path = folder() / "score.py"
    spec = importlib.util.spec_from_file_location("statements_score", path)
    if spec is None or spec.loader is None:
        raise CorpusMissing(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_corpus(path: Path) -> Path:
    """``path`` if it is a folder in the corpus's format (``gold.json`` and ``pages/``),
    else :class:`CorpusMissing` saying what is missing."""
    missing = [n for n, ok in (("gold.json", (path / "gold.json").is_file()),
                               ("pages/", (path / "pages").is_dir())) if not ok]
    if missing:
        raise CorpusMissing(f"{path} is no statements corpus folder: no {' and no '.join(missing)}")
    return path


def load_gold(corpus: Path | None = None) -> dict[str, dict[str, Any]]:
    """Gold per page id (the ``_about`` entry left out) of ``corpus`` (None: the shared one)."""
    data = json.loads(((corpus or folder()) / "gold.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def splits_of(gold: dict[str, dict[str, Any]], corpus: Path | None = None) -> tuple[str, ...]:
    """The splits to score: ``dev`` and ``test`` for the shared corpus, else those in the gold."""
    if corpus is None:
        return SPLITS
    return tuple(sorted({str(g.get("split", "")) for g in gold.values()}))


# ---------------------------------------------------------------- the site


def page_html(lines: list[str], published: str | None) -> str:
    """One corpus page as an article page: title, date line, paragraphs."""
    title = html.escape(lines[0]) if lines else ""
    date_line = html.escape(lines[1]) if len(lines) > 1 else ""
    meta = (f'<meta property="article:published_time" content="{html.escape(published)}">'
            if published else "")
    stamp = f' datetime="{html.escape(published)}"' if published else ""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in lines[2:] if p.strip())
    # the placeholder syntax of LocalSite must not be triggered by page text
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
            f"</title>{meta}</head><body><header><nav><a href=\"../index.html\">Home</a></nav>"
            f"</header><main><article><h1>{title}</h1><p class=\"date\"><time{stamp}>{date_line}"
            f"</time></p>\n{paras}\n</article></main></body></html>\n").replace("{{", "{ {")


def build_site(root: Path, gold: dict[str, dict[str, Any]], corpus: Path | None = None,
               ) -> dict[str, str]:
    """Write the site of ``corpus``'s pages (None: the shared corpus) under ``root``;
    returns URL path -> page id."""
    pages = (corpus or folder()) / "pages"
    by_site: dict[str, list[str]] = {}
    paths: dict[str, str] = {}
    for pid, g in sorted(gold.items()):
        site = g.get("site", "news")
        lines = (pages / f"{pid}.txt").read_text(encoding="utf-8").splitlines()
        out = root / site / "pages" / f"{pid}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page_html(lines, g.get("published")), encoding="utf-8")
        rel = f"/{site}/pages/{pid}.html"
        by_site.setdefault(site, []).append(rel)
        paths[rel] = pid
    for site, rels in by_site.items():
        links = "\n".join(f'<li><a href="{r}">{r.rsplit("/", 1)[-1]}</a></li>' for r in rels)
        (root / site / "index.html").write_text(
            f"<!doctype html><html><head><title>{site}</title></head><body><h1>{site}</h1>"
            f"<ul>\n{links}\n</ul></body></html>\n", encoding="utf-8")
    return paths


# ---------------------------------------------------------------- one pass


@dataclass
class PassResult:
    """What one pass over the corpus site gave, keyed by page id."""

    watchlist: str
    seconds: float
    summary: dict[str, Any]
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unmatched_urls: list[str] = field(default_factory=list)


def _atrisk(args: list[str], cwd: Path) -> str:
    env = dict(os.environ)
    env["ATRISK_BENCH_NO_DELAY"] = "1"
    for var in ("ATRISK_ALERT_URLS", "ATRISK_DIGEST_URLS", "ATRISK_OPERATOR_URLS",
                "ATRISK_CONFIG", "ATRISK_WATCHLIST", "ATRISK_DB", "ATRISK_SOURCES"):
        env.pop(var, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(cwd), env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"atrisk {' '.join(args[-3:])} failed ({proc.returncode}): "
                           f"{proc.stderr[-2000:]}")
    return proc.stdout


def _alerts(db_path: Path) -> list[dict[str, Any]]:
    """Payloads of the alerts the pass queued (one row per alert on the feed channel)."""
    import sqlite3

    from pipeline.delivery.alerts import FEED_CHANNEL

    with sqlite3.connect(db_path) as con:
        rows = con.execute("SELECT payload FROM alerts WHERE channel = ? AND status != 'cancelled'",
                           (FEED_CHANNEL,)).fetchall()
    return [json.loads(p) if isinstance(p, str) else p for (p,) in rows]


def run_pass(watchlist: Path | None, site_root: Path, base: str, work: Path,
             paths: dict[str, str], gold: dict[str, dict[str, Any]]) -> PassResult:
    """``atrisk run`` then ``atrisk export`` with ``watchlist`` (None: the default)."""
    label = "default" if watchlist is None else "empty"
    tag = work / label
    tag.mkdir()
    sites = sorted({g.get("site", "news") for g in gold.values()})
    (tag / "sources.toml").write_text("\n".join(
        SOURCE.format(site=s, kind=SOURCE_KIND.get(s, "news"), base=base) for s in sites),
        encoding="utf-8")
    (tag / "config.toml").write_text(CONFIG.format(feed=(tag / "alerts.xml").as_posix()),
                                     encoding="utf-8")
    db = tag / "atrisk.db"
    common = ["--db", f"sqlite:///{db}", "--sources", str(tag / "sources.toml"),
              "--config", str(tag / "config.toml")]
    if watchlist is not None:
        common += ["--watchlist", str(watchlist)]
    t0 = time.monotonic()
    out = _atrisk([*common, "-q", "run"], tag)
    seconds = time.monotonic() - t0
    summary = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    exported = _atrisk([*common, "-q", "export", "--format", "jsonl"], tag)
    result = PassResult(label, round(seconds, 2), summary)
    prefix_len = len(base)
    for line in exported.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        pid = paths.get(rec["url"][prefix_len:])
        if pid is None:
            result.unmatched_urls.append(rec["url"])
        else:
            result.records[pid] = rec
    for payload in _alerts(db):
        pid = paths.get(str(payload.get("link", ""))[prefix_len:])
        if pid is not None:
            result.alerts.setdefault(pid, []).append(payload)
    return result


def run_passes(empty_watchlist: bool = True, corpus: Path | None = None) -> list[PassResult]:
    """The corpus site served once; a pass with the default watchlist (and an empty one)."""
    from crawler.localsite import LocalSite

    gold = load_gold(corpus)
    with tempfile.TemporaryDirectory(prefix="atrisk-statements-") as tmp:
        work = Path(tmp)
        site_root = work / "site"
        paths = build_site(site_root, gold, corpus)
        empty = work / "empty-watchlist.toml"
        empty.write_text("", encoding="utf-8")
        with LocalSite(site_root) as site:
            results = [run_pass(None, site_root, site.base, work, paths, gold)]
            if empty_watchlist:
                results.append(run_pass(empty, site_root, site.base, work, paths, gold))
    return results


# ---------------------------------------------------------------- scoring


def predictions(result: PassResult) -> dict[str, dict[str, Any]]:
    """The export's records in the scorer's input shape."""
    return {pid: {"people": rec.get("people", []), "organizations": rec.get("organizations", []),
                  "events": rec.get("events", [])} for pid, rec in result.records.items()}


def gold_pairs(g: dict[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(events, optional events) of one page as (type, canonical person key) pairs."""
    canon = scorer()._canon
    return ({(t, canon(p, g["people"])) for t, p in g["events"]},
            {(t, canon(p, g["people"])) for t, p in g.get("optional_events", [])})


def alert_precision(result: PassResult, gold: dict[str, dict[str, Any]], split: str,
                    ) -> dict[str, Any]:
    """Share of queued alerts whose (type, person) is a gold event of the page."""
    sc = scorer()
    sent = right = optional = 0
    wrong: list[str] = []
    for pid, g in pages_of(gold, split):
        alerts = result.alerts.get(pid, [])
        events, opt = gold_pairs(g)
        for a in alerts:
            pair = (str(a.get("what", "")), sc._canon(str(a.get("who") or ""), g["people"]))
            if pair in events:
                right += 1
                sent += 1
            elif pair in opt:
                optional += 1
            else:
                sent += 1
                wrong.append(f"{pid}: {pair[0]} {a.get('who')}")
    return {"sent": sent, "right": right, "optional": optional,
            "precision": round(right / sent, 3) if sent else 1.0, "wrong": wrong}


def pages_of(gold: dict[str, dict[str, Any]], split: str) -> list[tuple[str, dict[str, Any]]]:
    """(page id, gold) of the pages of ``split`` ("all": every page), sorted by id."""
    return [(pid, g) for pid, g in sorted(gold.items()) if split in ("all", g.get("split"))]


def event_errors(result: PassResult, gold: dict[str, dict[str, Any]], split: str,
                 ) -> list[dict[str, Any]]:
    """Per page of ``split``: gold events missed and predicted events not in the gold."""
    sc = scorer()
    out = []
    for pid, g in pages_of(gold, split):
        gold_ev, opt = gold_pairs(g)
        rec = result.records.get(pid, {})
        pred = {(e.get("type", ""), sc._canon(e.get("person") or "", g["people"]))
                for e in rec.get("events", [])}
        missed, extra = sorted(gold_ev - pred), sorted(pred - gold_ev - opt)
        if missed or extra:
            sentences = {f"{e['type']}:{sc._canon(e.get('person') or '', g['people'])}":
                         e.get("sentence", "") for e in rec.get("events", [])}
            out.append({"page": pid, "missed": missed, "extra": extra,
                        "extra_sentences": {f"{t}:{p}": sentences.get(f"{t}:{p}", "")
                                            for t, p in extra}})
    return out


def name_errors(result: PassResult, gold: dict[str, dict[str, Any]], split: str, kind: str,
                ) -> list[dict[str, Any]]:
    """Per page of ``split``: gold names of ``kind`` missed and predicted names matching none."""
    sc = scorer()
    out = []
    for pid, g in pages_of(gold, split):
        keys = [{sc.norm(a) for a in names} for names in g[kind]]
        okeys = {sc.norm(a) for names in g.get(f"optional_{kind}", []) for a in names}
        pred = {sc.norm(n) for n in result.records.get(pid, {}).get(kind, [])}
        missed = [names[0] for names, k in zip(g[kind], keys, strict=True) if not k & pred]
        extra = sorted(n for n in pred if not any(n in k for k in keys) and not any(
            o and (o == n or f" {o} " in f" {n} ") for o in okeys))
        if missed or extra:
            out.append({"page": pid, "missed": missed, "extra": extra})
    return out


def score_split(result: PassResult, gold: dict[str, dict[str, Any]], split: str) -> dict[str, Any]:
    """P/R/F1 of people, organizations and events, and alert precision, on one split."""
    scores = scorer().score(predictions(result), split, gold={"_about": {}, **gold})
    pages = [pid for pid, _ in pages_of(gold, split)]
    scores["alerts"] = alert_precision(result, gold, split)
    scores["pages"] = len(pages)
    scores["pages_exported"] = sum(1 for p in pages if p in result.records)
    scores["pages_analysed"] = sum(1 for p in pages if result.records.get(p, {}).get("analysed"))
    return scores


def split_names(results: dict[str, Any]) -> list[str]:
    """The splits a result holds, in table order ("all" last, where there are several)."""
    names = list(results.get("split_names", SPLITS))
    return [*names, "all"] if len(names) > 1 else names


def evaluate(empty_watchlist: bool = True, corpus: Path | None = None,
             splits: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Run the passes over ``corpus`` (None: the shared one) and score ``splits`` (None:
    every split of its gold); the figures as one JSON-ready dict."""
    gold = load_gold(corpus)
    names = splits or splits_of(gold, corpus)
    out: dict[str, Any] = {"corpus": str(corpus or folder()), "scorer": str(folder() / "score.py"),
                           "split_names": list(names), "passes": {}}
    for res in run_passes(empty_watchlist, corpus):
        entry: dict[str, Any] = {
            "seconds": res.seconds, "summary": res.summary,
            "unmatched_urls": res.unmatched_urls,
            "splits": {s: score_split(res, gold, s) for s in split_names(out)},
            # error lists for dev only: test pages stay unseen
            "dev_event_errors": event_errors(res, gold, "dev"),
            "dev_people_errors": name_errors(res, gold, "dev", "people"),
            "dev_organization_errors": name_errors(res, gold, "dev", "organizations"),
        }
        docs = res.summary.get("analysed") or len(res.records)
        entry["seconds_per_document"] = round(res.seconds / docs, 3) if docs else None
        out["passes"][res.watchlist] = entry
    return out


_CACHE: dict[tuple[bool, Path | None, tuple[str, ...] | None], dict[str, Any]] = {}


def evaluated(empty_watchlist: bool = True, corpus: Path | None = None,
              splits: tuple[str, ...] | None = None) -> dict[str, Any]:
    """:func:`evaluate` once per process (the entity and event benchmarks share it)."""
    key = (empty_watchlist, corpus, splits)
    if key not in _CACHE:
        _CACHE[key] = evaluate(empty_watchlist, corpus, splits)
    return _CACHE[key]


def table_rows(results: dict[str, Any], kinds: tuple[str, ...]) -> list[list[Any]]:
    """Rows (pass, split, then P/R/F1 per kind) for :func:`benchmarks.common.print_table`."""
    rows = []
    for label, entry in results["passes"].items():
        for split in split_names(results):
            s = entry["splits"][split]
            row: list[Any] = [f"{label} watchlist", split]
            for k in kinds:
                row += [s[k]["p"], s[k]["r"], s[k]["f1"]]
            rows.append(row)
    return rows


def report(results: dict[str, Any], kinds: tuple[str, ...], verbose: bool = False,
           alerts: bool = False) -> None:
    """Print the table (and with ``verbose`` the dev error lists) of ``kinds``."""
    from rich.console import Console

    from benchmarks.common import print_table

    console = Console(width=140)
    columns = ["pass", "split"] + [f"{k[:6]} {m}" for k in kinds for m in ("P", "R", "F1")]
    rows = table_rows(results, kinds)
    if alerts:
        columns += ["alerts", "alert P"]
        i = 0
        for entry in results["passes"].values():
            for split in split_names(results):
                a = entry["splits"][split]["alerts"]
                rows[i] += [a["sent"], a["precision"]]
                i += 1
    print_table(f"statements corpus ({results['corpus']}), full pass read back from the export",
                columns, rows, console)
    for label, entry in results["passes"].items():
        console.print(f"{label} watchlist: pass {entry['seconds']} s, "
                      f"{entry['seconds_per_document']} s per analysed document; "
                      f"summary {json.dumps(entry['summary'], sort_keys=True)}")
        if entry["unmatched_urls"]:
            console.print(f"  exported documents that are no corpus page: {entry['unmatched_urls']}")
        if not verbose:
            continue
        for kind in kinds:
            key = {"events": "dev_event_errors", "people": "dev_people_errors",
                   "organizations": "dev_organization_errors"}[kind]
            for err in entry[key]:
                console.print(f"  [yellow]dev {kind}[/] {err['page']}: missed {err['missed']} "
                              f"extra {err['extra']}", highlight=False)
                for pair, sentence in err.get("extra_sentences", {}).items():
                    console.print(f"      {pair}: {sentence[:300]}", highlight=False)
        if alerts and "dev" in entry["splits"]:
            for wrong in entry["splits"]["dev"]["alerts"]["wrong"]:
                console.print(f"  [red]dev wrong alert[/] {wrong}", highlight=False)


def parse_args(argv: list[str] | None = None) -> Any:
    """The command line; ``corpus`` is None (the shared corpus) or a checked folder."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.statements",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-v", "--verbose", action="store_true", help="list the dev errors")
    parser.add_argument("--no-empty", action="store_true", help="skip the empty-watchlist pass")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--corpus", type=Path, metavar="PATH",
                       help="a folder in the corpus's format (gold.json, pages/) instead of the "
                            "shared corpus; scored with the shared corpus's score.py")
    where.add_argument("--fresh", action="store_const", const=FRESH, dest="corpus",
                       help=f"the pages labelled blind: --corpus {FRESH.relative_to(PROJECT_ROOT)}")
    where.add_argument("--dev2", action="store_const", const=DEV2, dest="corpus",
                       help=f"our own dev pages: --corpus {DEV2.relative_to(PROJECT_ROOT)}")
    where.add_argument("--dev3", action="store_const", const=DEV3, dest="corpus",
                       help=f"our third set of pages: --corpus {DEV3.relative_to(PROJECT_ROOT)}")
    parser.add_argument("--split", metavar="NAME",
                        help="score this split only (default: every split of the gold)")
    args = parser.parse_args(argv)
    if args.corpus is not None:
        try:
            args.corpus = check_corpus(args.corpus.resolve())
        except CorpusMissing as exc:
            parser.error(str(exc))
        known = splits_of(load_gold(args.corpus), args.corpus)
    else:
        known = SPLITS
    if args.split is not None and args.split not in known:
        parser.error(f"--split {args.split}: the gold has the splits {', '.join(known)}")
    return args


def results_name(corpus: Path | None) -> str:
    """Result file name: ``statements`` for the shared corpus, ``statements_<folder>`` else
    (``statements_fresh`` for ``benchmarks/data/statements_fresh``)."""
    return NAME if corpus is None else f"{NAME}_{corpus.name.removeprefix(NAME + '_')}"


def main(argv: list[str] | None = None) -> int:
    from benchmarks.common import write_results

    args = parse_args(argv)
    if not available():
        print(missing_message("statements benchmark"))
        return 0
    splits = (args.split,) if args.split else None
    results = evaluated(not args.no_empty, args.corpus, splits)
    path = write_results(results_name(args.corpus), results)
    report(results, ("people", "organizations", "events"), args.verbose, alerts=True)
    print(f"written {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
