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
import json
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from benchmarks import statements
from benchmarks.learn import DEV_SPLITS, Sample, corpus_of, fit, group_of, out_of_fold
from extract import entity_decision as decision
from extract.entities import find_mentions
from extract.entity_keys import entity_key
from extract.learned import LinearModel

C = 1.0
_URL = "http://127.0.0.1/{site}/pages/{pid}.html"


def page_texts(split: str = "dev") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(group, extracted text, gold) of every page of ``split`` (``dev`` or ``dev2``)."""
    from extract.article import extract_article

    corpus = corpus_of(split)
    gold = statements.load_gold(corpus)
    pages = (corpus or statements.folder()) / "pages"
    for pid, g in sorted(gold.items()):
        if g.get("split") != split:
            continue
        lines = (pages / f"{pid}.txt").read_text(encoding="utf-8").splitlines()
        art = extract_article(statements.page_html(lines, g.get("published")),
                              _URL.format(site=g.get("site", "news"), pid=pid))
        if art is not None and art.text.strip():
            yield group_of(split, pid), art.text, g


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
    golds: dict[str, dict[str, Any]] = {}  # noqa: RUF012  (group -> gold of that page)

    def __add__(self, other: object) -> Samples:  # type: ignore[override]
        if not isinstance(other, Samples):
            return NotImplemented
        return Samples(self.data + other.data, self.kept + other.kept, self.names + other.names,
                       self.gold_total + other.gold_total, {**self.golds, **other.golds})

    def only(self, groups: set[str]) -> Samples:
        """The samples of the pages ``groups``."""
        idx = [i for i, (_, _, g) in enumerate(self.data) if g in groups]
        return Samples([self.data[i] for i in idx], [self.kept[i] for i in idx],
                       [self.names[i] for i in idx],
                       sum(len(g["organizations"]) for k, g in self.golds.items() if k in groups),
                       {k: g for k, g in self.golds.items() if k in groups})


def samples(split: str = "dev", empty_watchlist: bool = False) -> Samples:
    """The labelled candidates of ``split`` (parsed with the default watchlist, or none)."""
    from extract import nlp as models
    from extract.entities import add_watchlist
    from extract.watchlist import Watchlist, load_watchlist

    watchlist = Watchlist() if empty_watchlist else load_watchlist()
    model = add_watchlist(models.load_model(), watchlist)
    norm = statements.scorer().norm
    out: list[Sample] = []
    kept: list[bool] = []
    seen: list[str] = []  # the candidates' names, for reports
    gold_total = 0
    golds: dict[str, dict[str, Any]] = {}
    for pid, text, g in page_texts(split):
        golds[pid] = g
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
    return Samples(out, kept, seen, gold_total, golds)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _gold_ids(data: Sequence[Sample], names: Sequence[str],
              gold: dict[str, dict[str, Any]]) -> list[tuple[str, int] | None]:
    """The gold organization (page, index) each positive sample is, so that two spellings
    of one body count once, as the scorer counts them."""
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


def _threshold(probs: Sequence[float], listed: Sequence[bool], s: Samples,
               gold_ids: Sequence[Any]) -> float:
    """The threshold where the model alone (every candidate) has its best F1 on ``s``."""
    def alone(t: float) -> float:
        keep = [is_listed or p >= t for p, is_listed in zip(probs, listed, strict=True)]
        return _figures(keep, s.data, gold_ids, s.gold_total)["f1"]

    return max((step / 100 for step in range(10, 91, 5)), key=lambda t: (alone(t), -t))


def _unlisted(s: Samples) -> tuple[list[bool], list[int]]:
    listed = ["watchlisted" in f for f, _, _ in s.data]  # always kept, whatever the model says
    return listed, [i for i, is_listed in enumerate(listed) if not is_listed]


class _OutOfFold(NamedTuple):
    gold_ids: list[tuple[str, int] | None]
    listed: list[bool]
    train_on: list[Sample]  # the unlisted candidates
    probs: list[float]  # per sample of ``s``: out of fold (1.0 for a listed name)
    threshold: float  # where the model alone has its best out-of-fold F1


def _out_of_fold(s: Samples) -> _OutOfFold:
    gold_ids = _gold_ids(s.data, s.names, s.golds)
    listed, pool = _unlisted(s)
    train_on = [s.data[i] for i in pool]
    probs = [1.0] * len(s.data)
    for i, p in zip(pool, out_of_fold(train_on, c=C), strict=True):
        probs[i] = p
    return _OutOfFold(gold_ids, listed, train_on, probs, _threshold(probs, listed, s, gold_ids))


def fit_on(s: Samples) -> LinearModel:
    """Fit on every unlisted candidate of ``s``; the threshold is the one where the model
    alone has its best out-of-fold F1 on ``s`` (grouped by page)."""
    oof = _out_of_fold(s)
    return fit(oof.train_on, name=decision.MODEL_NAME, c=C, threshold=oof.threshold)


def scored(s: Samples, probs: Sequence[float], threshold: float) -> dict[str, Any]:
    """The rules, and the rules then the model, on ``s`` (``probs``: one per sample)."""
    gold_ids = _gold_ids(s.data, s.names, s.golds)
    listed, _ = _unlisted(s)
    keep = [k and (listed[i] or probs[i] >= threshold) for i, k in enumerate(s.kept)]
    return {"rules": _figures(s.kept, s.data, gold_ids, s.gold_total),
            "rules_then_model": _figures(keep, s.data, gold_ids, s.gold_total),
            "threshold": threshold}


def transfer(train_on: Samples, held: Samples) -> dict[str, Any]:
    """Fit on ``train_on``'s pages, score ``held`` (other pages) with its threshold."""
    model = fit_on(train_on)
    return scored(held, [model.probability(f) for f, _, _ in held.data], model.threshold)


def kfold(s: Samples, folds: int = 5) -> dict[str, Any]:
    """Grouped k-fold by page over ``s``: each fold's model and threshold from the others."""
    from sklearn.model_selection import GroupKFold

    groups = sorted(s.golds)
    probs = [1.0] * len(s.data)
    thresholds = []
    for train_i, held_i in GroupKFold(n_splits=folds).split(groups, groups=groups):
        train_g, held_g = {groups[i] for i in train_i}, {groups[i] for i in held_i}
        model = fit_on(s.only(train_g))
        thresholds.append(model.threshold)
        for j, (f, _, g) in enumerate(s.data):
            if g in held_g:
                probs[j] = 1.0 if model.accepts(f) else 0.0
    out = scored(s, probs, 0.5)
    out["threshold"] = thresholds
    return out


def report(_args: argparse.Namespace | None = None) -> dict[str, Any]:
    """Out of sample, both watchlists: fit on dev -> score dev2, fit on dev2 -> score dev,
    grouped 5-fold by page over both. The model is always fitted on default-watchlist
    samples (as shipped); the empty-watchlist rows score pages parsed without one."""
    by = {(split, empty): samples(split, empty) for split in DEV_SPLITS for empty in (False, True)}
    out: dict[str, Any] = {}
    for empty in (False, True):
        tag = "empty" if empty else "default"
        out[f"dev->dev2 {tag}"] = transfer(by["dev", False], by["dev2", empty])
        out[f"dev2->dev {tag}"] = transfer(by["dev2", False], by["dev", empty])
    both = by["dev", False] + by["dev2", False]
    out["kfold dev+dev2 default"] = kfold(both)
    for k, v in out.items():
        print(k, json.dumps(v))
    return out


def train(args: argparse.Namespace | None = None) -> LinearModel:
    """Fit on every unlisted candidate of ``dev`` and ``dev2``; the threshold is the one where
    the model alone (every candidate, whether the rules kept it or not) has its best
    out-of-fold F1.

    The threshold is not tuned on the rules-and-model combination: the rules were tuned on
    these very pages, so on them the rules look better than they are and any filtering of
    what they keep looks like a loss. Whether the decision is on is decided by
    :func:`report` (out of sample in both directions), not here."""
    s = samples("dev") + samples("dev2")
    gold_ids, listed, train_on, probs, threshold = _out_of_fold(s)

    def alone(t: float) -> dict[str, float]:
        return _figures([listed[i] or probs[i] >= t for i in range(len(s.data))], s.data, gold_ids,
                        s.gold_total)

    cv = scored(s, probs, threshold)
    about = {"trained_on": "statements corpus dev split and benchmarks/data/statements_dev2: "
                           "organization names the rules keep and entity spans of the model "
                           "they turn down (default watchlist)",
             "gold_organizations": s.gold_total, "cv_folds": 5, "cv_model_alone": alone(threshold),
             "cv_rules_then_model": cv["rules_then_model"], "rules_dev": cv["rules"]}
    return fit(train_on, name=decision.MODEL_NAME, c=C, threshold=threshold, about=about)
