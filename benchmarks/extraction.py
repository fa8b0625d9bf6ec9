"""Article extraction quality: main text and publication date, atrisk against plain libraries.

Main text: the 181 pages of the Scrapinghub article-extraction benchmark. Each page
is scored over 4-word shingles (multiset matching, tp/fp/fn normalised per page so
long articles weigh no more than short ones); precision and recall are averaged over
pages and F1 is their harmonic mean, the scoring the benchmark publishes.

Publication date: the 200 pages of the htmldate / MediaCloud evaluation set. A page
counts as right when the day matches, or when the gold set has no date and none is
given.

    python -m benchmarks.extraction            # full corpora
    python -m benchmarks.extraction --subset 40
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import htmldate
import trafilatura

from benchmarks.common import CorpusMissing, print_table, require_corpus, write_results
from extract.article import extract_article

logger = logging.getLogger(__name__)

TEXT_CORPUS = "article-extraction-benchmark"
DATE_CORPUS = "mediacloud-dates"
SHINGLE_SIZE = 4
# htmldate's own defaults for find_date (original_date=False, extensive_search=True).
HTMLDATE_SETTINGS = "htmldate.find_date(html, url=url) with its defaults"
TRAFILATURA_SETTINGS = "trafilatura.extract(html) with its defaults (comments included)"

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TextCase:
    """One page with its hand-checked article body."""

    id: str
    url: str
    html: bytes
    body: str


@dataclass(frozen=True)
class DateCase:
    """One page with its hand-checked publication day (``None``: the page has none)."""

    file: str
    url: str
    html: bytes
    published: date | None


def load_text_cases(subset: int | None = None) -> list[TextCase]:
    """Pages of the text corpus sorted by id; the first ``subset`` only when given."""
    root = require_corpus(TEXT_CORPUS)
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:subset] if subset else sorted(truth)
    cases = []
    for page_id in ids:
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        cases.append(TextCase(page_id, entry.get("url") or "", html, entry.get("articleBody") or ""))
    return cases


def load_date_cases(subset: int | None = None) -> list[DateCase]:
    """Pages of the date corpus sorted by file name; the first ``subset`` only when given."""
    root = require_corpus(DATE_CORPUS)
    truth = json.loads((root / "dates.json").read_text(encoding="utf-8"))
    entries = sorted(truth.items(), key=lambda item: item[1]["file"])
    if subset:
        entries = entries[:subset]
    cases = []
    for url, entry in entries:
        gold = entry.get("date")
        # The gold set marks pages without a date as NaN.
        published = date.fromisoformat(gold[:10]) if isinstance(gold, str) else None
        html = gzip.decompress((root / "html" / f"{entry['file']}.gz").read_bytes())
        cases.append(DateCase(entry["file"], url, html, published))
    return cases


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    # A text shorter than one shingle still counts as one (shorter) shingle.
    count = max(1, len(words) - SHINGLE_SIZE + 1)
    return Counter(t for i in range(count) if (t := tuple(words[i : i + SHINGLE_SIZE])))


def shingle_match(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over 4-word shingles of one page, normalised to sum to 1."""
    gold, found = _shingles(true), _shingles(pred)
    tp = float(sum((gold & found).values()))
    fp = float(sum((found - gold).values()))
    fn = float(sum((gold - found).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def text_scores(matches: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    """Average precision and recall over pages, and their harmonic mean."""

    def precision(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fn == 0 else tp / (tp + fn)

    p_values = [precision(*m) for m in matches if m[0] + m[1] > 0]
    r_values = [recall(*m) for m in matches if m[0] + m[2] > 0]
    p = statistics.mean(p_values) if p_values else 0.0
    r = statistics.mean(r_values) if r_values else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1}


def _timed(func: Callable[[Any], Any], items: Sequence[Any]) -> tuple[list[Any], float]:
    start = time.perf_counter()
    results = [func(item) for item in items]
    return results, time.perf_counter() - start


def _atrisk_text(case: TextCase) -> str:
    article = extract_article(case.html, case.url)
    return article.text if article else ""


def _trafilatura_text(case: TextCase) -> str:
    # The benchmark's pages are UTF-8; decode as its own runner does.
    return trafilatura.extract(case.html.decode("utf-8", "replace")) or ""


def _trafilatura_text_no_comments(case: TextCase) -> str:
    # The settings of the benchmark's own trafilatura runner (its published figure).
    return trafilatura.extract(case.html.decode("utf-8", "replace"), include_comments=False) or ""


def _atrisk_date(case: DateCase) -> date | None:
    article = extract_article(case.html, case.url)
    return article.published if article else None


def _htmldate_date(case: DateCase) -> date | None:
    found = htmldate.find_date(case.html, url=case.url)
    return date.fromisoformat(found) if found else None


def _htmldate_original_date(case: DateCase) -> date | None:
    found = htmldate.find_date(case.html, url=case.url, original_date=True)
    return date.fromisoformat(found) if found else None


def evaluate_text(
    cases: Sequence[TextCase], extractor: Callable[[TextCase], str]
) -> dict[str, float]:
    """Text precision/recall/F1 of one extractor over ``cases``, and pages per second."""
    texts, seconds = _timed(extractor, cases)
    scores = text_scores([shingle_match(c.body, t) for c, t in zip(cases, texts, strict=True)])
    scores["pages_per_second"] = len(cases) / seconds if seconds else math.inf
    return scores


def evaluate_dates(
    cases: Sequence[DateCase], extractor: Callable[[DateCase], date | None]
) -> dict[str, Any]:
    """Date accuracy of one extractor over ``cases``, with the pages it got wrong."""
    found, seconds = _timed(extractor, cases)
    wrong = [
        {"file": c.file, "url": c.url, "gold": _iso(c.published), "found": _iso(d)}
        for c, d in zip(cases, found, strict=True)
        if d != c.published
    ]
    return {
        "accuracy": 1 - len(wrong) / len(cases) if cases else 0.0,
        "missed": sum(1 for w in wrong if w["found"] is None),
        "wrong": wrong,
        "pages_per_second": len(cases) / seconds if seconds else math.inf,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def run(subset: int | None = None, *, baselines: bool = True) -> dict[str, Any]:
    """Measure atrisk (and, with ``baselines``, plain trafilatura and htmldate).

    Raises :class:`CorpusMissing` when the shared corpus is absent.
    """
    text_cases = load_text_cases(subset)
    date_cases = load_date_cases(subset)
    text = evaluate_text(text_cases, _atrisk_text)
    dates = evaluate_dates(date_cases, _atrisk_date)
    results: dict[str, Any] = {
        "subset": subset,
        "text_pages": len(text_cases),
        "date_pages": len(date_cases),
        "text_f1": text["f1"],
        "text_precision": text["precision"],
        "text_recall": text["recall"],
        "text_pages_per_second": text["pages_per_second"],
        "date_accuracy": dates["accuracy"],
        "date_missed": dates["missed"],
        "date_pages_per_second": dates["pages_per_second"],
        "date_wrong": dates["wrong"],
    }
    if baselines:
        plain_text = evaluate_text(text_cases, _trafilatura_text)
        no_comments = evaluate_text(text_cases, _trafilatura_text_no_comments)
        plain_dates = evaluate_dates(date_cases, _htmldate_date)
        original_dates = evaluate_dates(date_cases, _htmldate_original_date)
        results.update(
            {
                "text_f1_trafilatura": plain_text["f1"],
                "text_precision_trafilatura": plain_text["precision"],
                "text_recall_trafilatura": plain_text["recall"],
                "text_pages_per_second_trafilatura": plain_text["pages_per_second"],
                "trafilatura_settings": TRAFILATURA_SETTINGS,
                "text_f1_trafilatura_no_comments": no_comments["f1"],
                "text_precision_trafilatura_no_comments": no_comments["precision"],
                "text_recall_trafilatura_no_comments": no_comments["recall"],
                "trafilatura_version": trafilatura.__version__,
                "date_accuracy_htmldate": plain_dates["accuracy"],
                "date_missed_htmldate": plain_dates["missed"],
                "date_pages_per_second_htmldate": plain_dates["pages_per_second"],
                "htmldate_settings": HTMLDATE_SETTINGS,
                "date_accuracy_htmldate_original": original_dates["accuracy"],
                "date_missed_htmldate_original": original_dates["missed"],
                "htmldate_version": htmldate.__version__,
            }
        )
    return results


def print_results(results: dict[str, Any]) -> None:
    """Print the figures of :func:`run` as two tables."""
    text_rows = [
        (
            "atrisk extract_article",
            results["text_precision"],
            results["text_recall"],
            results["text_f1"],
            f"{results['text_pages_per_second']:.1f}",
        )
    ]
    if "text_f1_trafilatura" in results:
        text_rows.append(
            (
                "trafilatura.extract, defaults",
                results["text_precision_trafilatura"],
                results["text_recall_trafilatura"],
                results["text_f1_trafilatura"],
                f"{results['text_pages_per_second_trafilatura']:.1f}",
            )
        )
        text_rows.append(
            (
                "trafilatura, include_comments=False",
                results["text_precision_trafilatura_no_comments"],
                results["text_recall_trafilatura_no_comments"],
                results["text_f1_trafilatura_no_comments"],
                "",
            )
        )
    print_table(
        f"Main text, {results['text_pages']} pages ({TEXT_CORPUS})",
        ["extractor", "precision", "recall", "F1", "pages/s"],
        text_rows,
    )
    date_rows = [
        (
            "atrisk extract_article",
            results["date_accuracy"],
            results["date_missed"],
            f"{results['date_pages_per_second']:.1f}",
        )
    ]
    if "date_accuracy_htmldate" in results:
        date_rows.append(
            (
                "htmldate.find_date, defaults",
                results["date_accuracy_htmldate"],
                results["date_missed_htmldate"],
                f"{results['date_pages_per_second_htmldate']:.1f}",
            )
        )
        date_rows.append(
            (
                "htmldate, original_date=True",
                results["date_accuracy_htmldate_original"],
                results["date_missed_htmldate_original"],
                "",
            )
        )
    print_table(
        f"Publication date, {results['date_pages']} pages ({DATE_CORPUS})",
        ["extractor", "accuracy", "no date found", "pages/s"],
        date_rows,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=None, help="first N pages of each corpus")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    try:
        results = run(args.subset)
    except CorpusMissing as exc:
        print(f"skipped: {exc}")
        return 0
    print_results(results)
    path = write_results("extraction", results)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
