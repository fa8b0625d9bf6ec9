"""Peak memory of a pass over many documents: the corpus served under many URLs.

Every copy of a corpus page gets its own text (each paragraph starts with the copy's
number), so nothing is stored once for several URLs. The whole process tree of
``atrisk run`` (the pass, its crawl child and any spaCy workers) is sampled from /proc
five times a second; the analysed-document count is read from the database once a
second, so the table shows how memory moves as documents accumulate.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.throughput import build_site, run_atrisk_pass, write_bench_files

log = logging.getLogger(__name__)

DEFAULT_DOCS = 2000
MARKS = (250, 500, 1000, 1500, 2000)


def _analysed_counter(db_path: Path):  # noqa: ANN202 - a closure
    def count() -> int:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute(
                "SELECT COUNT(*) FROM documents WHERE analysed_hash IS NOT NULL").fetchone()[0])
        finally:
            con.close()

    return count


def run(n_docs: int = DEFAULT_DOCS) -> dict[str, Any]:
    """One pass over ``n_docs`` distinct documents; peak RSS overall and up to each mark."""
    from crawler.localsite import LocalSite

    with tempfile.TemporaryDirectory(prefix="atrisk-memory-") as tmp:
        work = Path(tmp)
        pages = build_site(work / "site", n_docs)
        db_path = work / "atrisk.db"
        with LocalSite(work / "site") as site:
            write_bench_files(work, site.base, max_pages=n_docs + 100)
            result = run_atrisk_pass(work, f"sqlite:///{db_path}",
                                     count_analysed=_analysed_counter(db_path))
        with sqlite3.connect(db_path) as con:
            stored = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    # the peak while the analysed count was within each window: flat means no growth
    peak_between: dict[str, float] = {}
    low = -1
    for mark in [m for m in MARKS if m < n_docs] + [n_docs]:
        seen = [rss for _, analysed, rss in result.samples if low < analysed <= mark]
        if seen:
            peak_between[f"{max(low, 0)}-{mark}"] = round(max(seen), 1)
        low = mark
    return {
        "pages": pages,
        "documents_stored": stored,
        "analysed": result.summary.get("analysed"),
        "not_analysed_language": result.summary.get("not_analysed_language"),
        "seconds": round(result.seconds, 1),
        "peak_rss_mb": round(result.peak_rss_mb, 1),
        "peak_rss_mb_between_analysed": peak_between,
        "timeline": [list(s) for s in result.samples[:: max(1, len(result.samples) // 40)]],
    }


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    n = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--docs=")), DEFAULT_DOCS)
    print(json.dumps(run(n), indent=2))
