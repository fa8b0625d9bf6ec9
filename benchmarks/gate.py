"""Extraction quality gate: fail when text F1 or date accuracy drops below the baseline.

Runs atrisk's extractor on the first pages of each shared corpus (sorted by id/file)
and compares with the committed ``benchmarks/baseline.json``. Skips, with exit 0,
when the corpus is not there (a fresh clone).

    python -m benchmarks.gate            # check
    python -m benchmarks.gate --update   # accept the current figures as the baseline
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import CorpusMissing, corpus_dir
from benchmarks.extraction import run

BASELINE = Path(__file__).resolve().parent / "baseline.json"
SUBSET = 40
# Both figures are deterministic; the tolerance only absorbs float noise.
TOLERANCE = {"text_f1": 0.002, "date_accuracy": 0.001}


def check(measured: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """One message per figure that fell below its baseline (empty when all hold)."""
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the figures as baseline")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    start = time.perf_counter()
    try:
        measured = run(SUBSET, baselines=False)
    except CorpusMissing:
        print(f"extraction gate skipped: {corpus_dir()} not found")
        return 0
    seconds = time.perf_counter() - start
    figures = {key: round(measured[key], 4) for key in TOLERANCE}
    print(
        f"extraction gate: text_f1={figures['text_f1']:.4f} "
        f"date_accuracy={figures['date_accuracy']:.4f} "
        f"({measured['text_pages']} + {measured['date_pages']} pages, {seconds:.1f}s)"
    )
    if args.update:
        baseline = {"subset": SUBSET, **figures, "tolerance": TOLERANCE}
        BASELINE.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
        print(f"baseline written: {BASELINE}")
        return 0
    if not BASELINE.exists():
        print(f"extraction gate failed: {BASELINE} missing; run python -m benchmarks.gate --update")
        return 1
    failures = check(measured, json.loads(BASELINE.read_text(encoding="utf-8")))
    for failure in failures:
        print(f"extraction gate failed: {failure}")
    if not failures:
        print("extraction gate passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
