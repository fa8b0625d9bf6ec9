"""Quality gate: fail when extraction, people, organization or event figures drop below the baseline.

Three parts, each against its committed baseline:

* **extraction** (``benchmarks/baseline.json``): atrisk's extractor on the first pages of
  each shared extraction corpus, text F1 and date accuracy.
* **statements** (``benchmarks/baseline_quality.json``): the real statements corpus through a
  full pass read back from the export (:mod:`benchmarks.statements`, default watchlist),
  people, organizations and events F1 and alert precision, for ``dev`` and ``test``; and
  the same figures on our own real pages labelled blind: ``benchmarks/data/statements_fresh``
  (split ``fresh``, never tuned on), ``benchmarks/data/statements_dev2`` (split ``dev2``,
  our own dev material) and ``benchmarks/data/statements_dev3`` (split ``dev3``, labelled
  blind in the sixth session), scored with the corpus's ``score.py`` too.
* **own sets** (same file): the project's hand-written sets (``benchmarks/data/events/*``,
  the demo site, ``benchmarks/data/entities*``), events F1 and people/organization F1.

The parts that read ``../shared/corpus`` say so and pass when it is absent (a fresh clone);
the own sets always run. The statements passes run in child processes while the other
parts run here, so the gate takes about as long as those four passes side by side.

    python -m benchmarks.gate            # check
    python -m benchmarks.gate --update   # accept the current figures as the baselines
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.common import CorpusMissing, corpus_dir

BASELINE = Path(__file__).resolve().parent / "baseline.json"
QUALITY_BASELINE = Path(__file__).resolve().parent / "baseline_quality.json"
SUBSET = 40
# Both figures are deterministic; the tolerance only absorbs float noise.
TOLERANCE = {"text_f1": 0.002, "date_accuracy": 0.001}
# The quality figures are deterministic too (same model, same pages); a drop of more than
# one point in the third decimal is a regression.
QUALITY_TOLERANCE = 0.005


def check(measured: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """One message per extraction figure that fell below its baseline (empty when all hold)."""
    tolerance = baseline.get("tolerance", TOLERANCE)
    if baseline.get("subset") != measured.get("subset"):
        return [f"baseline is for subset {baseline.get('subset')}, measured {measured.get('subset')}"]
    failures = []
    for key, allowed in tolerance.items():
        if measured[key] < baseline[key] - allowed:
            failures.append(
                f"{key} dropped: {measured[key]:.4f} < baseline {baseline[key]:.4f} "
                f"(tolerance {allowed})"
            )
    return failures


def check_quality(measured: dict[str, float], baseline: dict[str, Any]) -> list[str]:
    """One message per quality figure below its baseline by more than the tolerance.

    A figure in the baseline that was not measured is a failure too, unless its part was
    skipped (``measured`` then holds no key of that part: ``statements.`` without the corpus).
    """
    allowed = float(baseline.get("tolerance", QUALITY_TOLERANCE))
    parts = {key.split(".", 1)[0] for key in measured}
    failures = []
    for key, value in sorted(baseline.get("figures", {}).items()):
        if key not in measured:
            if key.split(".", 1)[0] in parts:
                failures.append(f"{key} not measured (baseline {value:.3f})")
            continue
        if measured[key] < value - allowed:
            failures.append(f"{key} dropped: {measured[key]:.3f} < baseline {value:.3f} "
                            f"(tolerance {allowed})")
    return failures


# ---------------------------------------------------------------- the measured parts


def statements_figures(corpus: Path | None = None) -> dict[str, float] | None:
    """F1 and alert precision per split of the statements corpus (or of ``corpus``, a set of
    our own in its format, such as the fresh pages); None without the shared corpus, whose
    ``score.py`` scores both."""
    from benchmarks import statements

    if not statements.available():
        return None
    gold = statements.load_gold(corpus)
    (result,) = statements.run_passes(empty_watchlist=False, corpus=corpus)
    out: dict[str, float] = {}
    for split in statements.splits_of(gold, corpus):
        s = statements.score_split(result, gold, split)
        for kind in ("people", "organizations", "events"):
            out[f"statements.{split}.{kind}_f1"] = s[kind]["f1"]
        out[f"statements.{split}.alert_precision"] = s["alerts"]["precision"]
    return out


def own_set_figures() -> dict[str, float]:
    """Events F1 on the hand-written event sets and the demo site; people and organization
    F1 on the hand-written entity sets (default watchlist)."""
    from benchmarks import entities as bent
    from benchmarks import events as bev
    from extract import entities, nlp
    from extract.watchlist import load_watchlist

    watchlist = load_watchlist()
    model = entities.add_watchlist(nlp.load_model(), watchlist)
    out: dict[str, float] = {}
    sets: list[tuple[str, list[dict]]] = [
        (name, bev.load_dev(path)) for name, path in bev.SETS if path.exists()]
    sets.append(("demo_site", bev.load_demo()))
    for name, docs in sets:
        if docs:
            out[f"own.events_{name}_f1"] = bev.evaluate(model, watchlist, docs)["rules"]["f1"]
    canon = bent.canonicaliser(watchlist)
    for name, folder in (("dev", bent.DEV_DIR), ("heldout", bent.HELDOUT_DIR),
                         ("heldout2", bent.HELDOUT2_DIR)):
        docs = bent.load_dev(folder, canon=canon)
        scores = bent.evaluate(docs, bent.atrisk_names(model, [d.text for d in docs], watchlist),
                               canon)
        for kind, label in ((entities.PERSON, "people"), (entities.ORGANIZATION, "organizations")):
            out[f"own.{label}_{name}_f1"] = round(scores[kind]["f1"], 3)
    return out


def _extraction(update: bool) -> tuple[int, list[str]]:
    from benchmarks.extraction import run

    start = time.perf_counter()
    try:
        measured = run(SUBSET, baselines=False)
    except CorpusMissing:
        return 0, [f"extraction gate skipped: {corpus_dir()} not found"]
    seconds = time.perf_counter() - start
    figures = {key: round(measured[key], 4) for key in TOLERANCE}
    lines = [f"extraction gate: text_f1={figures['text_f1']:.4f} "
             f"date_accuracy={figures['date_accuracy']:.4f} "
             f"({measured['text_pages']} + {measured['date_pages']} pages, {seconds:.1f}s)"]
    if update:
        baseline = {"subset": SUBSET, **figures, "tolerance": TOLERANCE}
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
        return 0, [*lines, f"baseline written: {BASELINE}"]
    if not BASELINE.exists():
        return 1, [*lines, f"extraction gate failed: {BASELINE} missing; "
                           "run python -m benchmarks.gate --update"]
    failures = check(measured, json.loads(BASELINE.read_text(encoding="utf-8")))
    lines += [f"extraction gate failed: {f}" for f in failures] or ["extraction gate passed"]
    return (1 if failures else 0), lines


def _quality(measured: dict[str, float], update: bool, statements_ran: bool) -> tuple[int, list[str]]:
    old = (json.loads(QUALITY_BASELINE.read_text(encoding="utf-8"))
           if QUALITY_BASELINE.exists() else {})
    figures = old.get("figures", {})
    lines = [f"  {key} = {value:.3f}" + (f" (baseline {figures[key]:.3f})" if key in figures else "")
             for key, value in sorted(measured.items())]
    if update:
        keep = {k: v for k, v in figures.items() if not statements_ran and k.startswith("statements.")}
        data = {"tolerance": QUALITY_TOLERANCE, "figures": {**keep, **measured}}
        QUALITY_BASELINE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")
        return 0, [*lines, f"baseline written: {QUALITY_BASELINE}"]
    if not old:
        return 1, [*lines, f"quality gate failed: {QUALITY_BASELINE} missing; "
                           "run python -m benchmarks.gate --update"]
    failures = check_quality(measured, old)
    lines += [f"quality gate failed: {f}" for f in failures] or ["quality gate passed"]
    return (1 if failures else 0), lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the figures as baselines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    start = time.perf_counter()
    from benchmarks.statements import DEV2, DEV3, FRESH

    with ThreadPoolExecutor(max_workers=4) as pool:
        # the statements passes run in child processes; the rest runs here meanwhile
        pending = pool.submit(statements_figures)
        fresh = pool.submit(statements_figures, FRESH)
        dev2 = pool.submit(statements_figures, DEV2)
        dev3 = pool.submit(statements_figures, DEV3)
        code, lines = _extraction(args.update)
        own = own_set_figures()
        stmts = pending.result()
        own_pages = [fresh.result(), dev2.result(), dev3.result()]
    if stmts is not None:
        for figures in own_pages:
            stmts.update(figures or {})
    for line in lines:
        print(line)
    measured = dict(own)
    if stmts is None:
        from benchmarks import statements

        print(statements.missing_message("statements gate"))
    else:
        measured.update(stmts)
    print(f"quality gate: {len(measured)} figures in {time.perf_counter() - start:.1f}s")
    q_code, q_lines = _quality(measured, args.update, stmts is not None)
    for line in q_lines:
        print(line)
    return max(code, q_code)


if __name__ == "__main__":
    sys.exit(main())
