"""Train the organization decision (``python -m benchmarks.learn org_spans``).

Samples: every organization name the rules of :mod:`extract.entities` find on a ``dev``
page of the statements corpus (the page served as the benchmark serves it, its text
extracted as a crawl extracts it, parsed with the default watchlist), described by the
features of :mod:`extract.entity_decision` and labelled against the page's gold with the
corpus's own normalisation (``score.norm``); names matching an optional organization are
left out. Grouped 5-fold cross-validation by page picks the threshold (best out-of-fold
F1 over the names) and reports it beside the rules' own figure on the same names.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from benchmarks import statements
from benchmarks.learn import Sample, fit, out_of_fold
from extract import entity_decision as decision
from extract.entities import find_mentions
from extract.entity_keys import entity_key
from extract.learned import LinearModel

C = 1.0
_URL = "http://127.0.0.1/{site}/pages/{pid}.html"


def page_texts(split: str = "dev") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(page id, extracted text, gold) of every page of ``split``."""
    from extract.article import extract_article

    gold = statements.load_gold()
    pages = statements.folder() / "pages"
    for pid, g in sorted(gold.items()):
        if g.get("split") != split:
            continue
        lines = (pages / f"{pid}.txt").read_text(encoding="utf-8").splitlines()
        art = extract_article(statements.page_html(lines, g.get("published")),
                              _URL.format(site=g.get("site", "news"), pid=pid))
        if art is not None and art.text.strip():
            yield pid, art.text, g


def label(name_key: str, names: Sequence[str], g: dict[str, Any], norm: Any) -> int | None:
    """1: a gold organization, 0: not one, None: optional (left out of training)."""
    n = norm(names[0])
    if any(n in {norm(a) for a in spellings} for spellings in g["organizations"]):
        return 1
    opt = {norm(a) for spellings in g.get("optional_organizations", []) for a in spellings}
    if any(o and (o == n or f" {o} " in f" {n} ") for o in opt):
        return None
    return 0


class Samples(NamedTuple):
    data: list[Sample]  # the labelled candidates
    kept: list[bool]  # whether the rules kept each
    names: list[str]  # each one's name
    gold_total: int  # gold organizations on those pages


def samples(split: str = "dev") -> Samples:
    """The labelled candidates of ``split``."""
    from extract import nlp as models
    from extract.entities import add_watchlist
    from extract.watchlist import load_watchlist

    watchlist = load_watchlist()
    model = add_watchlist(models.load_model(), watchlist)
    norm = statements.scorer().norm
    out: list[Sample] = []
    kept: list[bool] = []
    seen: list[str] = []  # the candidates' names, for reports
    gold_total = 0
    for pid, text, g in page_texts(split):
        doc = model(text)
        mentions = find_mentions(doc, watchlist, learned=False)
        names: dict[str, list[str]] = {}
        for m in mentions:
            names.setdefault(entity_key(m.name), []).append(m.name)
        gold_total += len(g["organizations"])
        found = decision.candidates(doc, mentions)
        for key, feats in found:
            y = label(key, names[key], g, norm)
            if y is not None:
                out.append((feats, y, pid))
                kept.append(True)
                seen.append(names[key][0])
        taken = {entity_key(m.name) for m in mentions}
        for name, feats in decision.raw_candidates(doc, taken):
            y = label(name, [name], g, norm)
            if y is not None:
                out.append((feats, y, pid))
                kept.append(False)
                seen.append(name)
    return Samples(out, kept, seen, gold_total)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _gold_ids(data: Sequence[Sample], names: Sequence[str]) -> list[tuple[str, int] | None]:
    """The gold organization (page, index) each positive sample is, so that two spellings
    of one body count once, as the scorer counts them."""
    gold = statements.load_gold()
    norm = statements.scorer().norm
    out: list[tuple[str, int] | None] = []
    for (_, y, pid), name in zip(data, names, strict=True):
        hit = None
        if y:
            n = norm(name)
            hit = next(((pid, i) for i, sp in enumerate(gold[pid]["organizations"])
                        if n in {norm(a) for a in sp}), None)
        out.append(hit)
    return out


def _figures(keep: Sequence[bool], data: Sequence[Sample], gold_ids: Sequence[Any],
             gold_total: int) -> dict[str, float]:
    hits = {g for k, g in zip(keep, gold_ids, strict=True) if k and g is not None}
    fp = sum(1 for k, (_, y, _) in zip(keep, data, strict=True) if k and not y)
    tp = len(hits)
    return {"p": round(tp / max(tp + fp, 1), 3), "r": round(tp / max(gold_total, 1), 3),
            "f1": round(_f1(tp, fp, gold_total - tp), 3)}


def train(args: argparse.Namespace | None = None) -> LinearModel:
    """Fit on every unlisted candidate of ``dev``; the threshold is the one where the model
    alone (every candidate, whether the rules kept it or not) has its best out-of-fold F1.

    The threshold is not tuned on the rules-and-model combination: the rules were tuned on
    these very pages, so on them the rules look better than they are (dev 0.817, held-out
    dev pages 0.794, test 0.678) and any filtering of what they keep looks like a loss."""
    data, kept, names, gold_total = samples("dev")
    gold_ids = _gold_ids(data, names)
    listed = ["watchlisted" in f for f, _, _ in data]  # always kept, whatever the model says
    pool = [i for i, is_listed in enumerate(listed) if not is_listed]
    train_on = [data[i] for i in pool]
    probs = [1.0] * len(data)
    for i, p in zip(pool, out_of_fold(train_on, c=C), strict=True):
        probs[i] = p

    def alone(t: float) -> dict[str, float]:
        return _figures([listed[i] or probs[i] >= t for i in range(len(data))], data, gold_ids, gold_total)

    threshold = max((step / 100 for step in range(10, 91, 5)), key=lambda t: (alone(t)["f1"], -t))
    rules = _figures(kept, data, gold_ids, gold_total)
    both = _figures([k and (listed[i] or probs[i] >= threshold) for i, k in enumerate(kept)],
                    data, gold_ids, gold_total)
    about = {"trained_on": "statements corpus, dev split: organization names the rules keep and "
                           "entity spans of the model they turn down (default watchlist)",
             "gold_organizations": gold_total, "cv_folds": 5, "cv_model_alone": alone(threshold),
             "cv_rules_then_model": both, "rules_dev": rules}
    return fit(train_on, name=decision.MODEL_NAME, c=C, threshold=threshold, about=about)
