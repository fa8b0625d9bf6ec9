"""Train the event pair model (``python -m benchmarks.learn event_pairs``) on dev material.

The ``dev`` pages of the statements corpus and our own ``dev2`` pages go through a real
pass (served locally, crawled and extracted by ``atrisk run``), so the model learns from
the texts the analysis sees; the stored texts are parsed again here, the rules run, and
every candidate (trigger, person) pair of :mod:`extract.event_model` is labelled from
the gold: positive when its (type, person) is a gold event of the page, dropped when it
is an optional one. Test pages are never served, read or scored here.

Threshold and figures come from grouped 5-fold cross-validation (a page is never scored
by a model that saw it), scored like the corpus's ``score.py``: events P/R/F1 and an
alert precision estimate (pairs of alertable types with an event that is not
background).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import statements
from benchmarks.learn import DEV_SPLITS, Sample, corpus_of, fit, group_of, out_of_fold

C = 1.0
FOLDS = 5
THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(14))


@dataclass
class Page:
    """What one dev page gives: its candidates and what the rules decided."""

    pid: str
    cands: list[tuple[str, str, frozenset[str], bool]]  # type, canonical person, features, background
    rule_pairs: set[tuple[str, str]]  # (type, canonical person) the rules assert
    rule_alerts: set[tuple[str, str]]  # those the default alert rule would send
    gold: set[tuple[str, str]]
    optional: set[tuple[str, str]]


def documents(split: str = "dev", cache: Path | None = None) -> list[tuple[str, str, str | None]]:
    """(group, stored text, published) of the pages of ``split`` (``dev``: the shared corpus,
    ``dev2``: our own pages) after a real crawl and extraction."""
    if cache is not None and cache.exists():
        return [tuple(r) for r in json.loads(cache.read_text(encoding="utf-8"))]  # type: ignore[misc]
    from crawler.localsite import LocalSite

    corpus = corpus_of(split)
    gold = {k: v for k, v in statements.load_gold(corpus).items() if v.get("split") == split}
    with tempfile.TemporaryDirectory(prefix="atrisk-train-events-") as tmp:
        work = Path(tmp)
        paths = statements.build_site(work / "site", gold, corpus)
        with LocalSite(work / "site") as site:
            statements.run_pass(None, work / "site", site.base, work, paths, gold)
            with sqlite3.connect(work / "default" / "atrisk.db") as con:
                rows = con.execute("SELECT url, text, published FROM documents").fetchall()
            base = len(site.base)
    docs = sorted((group_of(split, paths[u[base:]]), t, p) for u, t, p in rows if u[base:] in paths and t)
    if cache is not None:
        cache.write_text(json.dumps(docs), encoding="utf-8")
    return docs


def golds() -> dict[str, dict[str, Any]]:
    """Gold per group of every page of the dev material."""
    out = {}
    for split in DEV_SPLITS:
        for pid, g in statements.load_gold(corpus_of(split)).items():
            if g.get("split") == split:
                out[group_of(split, pid)] = g
    return out


def dev_documents(cache: Path | None = None) -> list[tuple[str, str, str | None]]:
    """The ``dev`` and ``dev2`` documents (``cache``: a file per split, ``<cache>.<split>``)."""
    return [d for split in DEV_SPLITS
            for d in documents(split, cache.with_name(f"{cache.name}.{split}") if cache else None)]


def pages(docs: Sequence[tuple[str, str, str | None]]) -> list[Page]:
    """Parse, run the rules and collect the candidates of every page."""
    from datetime import date

    from extract import entities, event_model, event_types, events, nlp
    from extract.event_view import View
    from extract.watchlist import load_watchlist

    gold = golds()
    canon = statements.scorer()._canon
    alertable = set(event_types.default_alert_types())
    model = nlp.load_model()
    watchlist = load_watchlist()
    out = []
    texts = ((text, (pid, pub)) for pid, text, pub in docs)
    for doc, (pid, pub) in model.pipe(texts, as_tuples=True, batch_size=16):
        published = date.fromisoformat(pub) if pub else None
        people = gold[pid]["people"]
        view = View(doc, entities.find_mentions(doc, watchlist))
        found = events.rule_events(doc, view, published) if view.spans else []
        cands = []
        for c in event_model.candidates(view, found) if view.spans else []:
            background = events._when(c.trigger, published)[2]
            cands.append((c.type, canon(c.person, people), c.features, background))
        asserted = [e for e in found if e.asserted]
        out.append(Page(pid, cands, {(e.type, canon(e.person, people)) for e in asserted},
                        {(e.type, canon(e.person, people)) for e in asserted
                         if not e.background and e.type in alertable},
                        *statements.gold_pairs(gold[pid])))
    return out


def samples(ps: Sequence[Page]) -> tuple[list[Sample], list[tuple[int, int]]]:
    """Labelled samples (optional pairs dropped) and, per sample, (page index, cand index)."""
    out: list[Sample] = []
    where = []
    for i, p in enumerate(ps):
        for j, (etype, person, feats, _) in enumerate(p.cands):
            if (etype, person) in p.optional:
                continue
            out.append(({f: 1.0 for f in feats}, int((etype, person) in p.gold), p.pid))
            where.append((i, j))
    return out, where


def evaluate(ps: Sequence[Page], probs: dict[tuple[int, int], float], threshold: float,
             how: str) -> dict[str, Any]:
    """Events P/R/F1 and alert precision of ``how`` ("rules", "model", "union", "both")."""
    from extract import event_types

    alertable = set(event_types.default_alert_types())
    tp = fp = fn = sent = right = 0
    for i, p in enumerate(ps):
        gold_ev, optional = p.gold, p.optional
        best: dict[tuple[str, str], tuple[float, bool]] = {}
        for j, (etype, person, _, background) in enumerate(p.cands):
            pr = probs.get((i, j), 0.0)
            key = (etype, person)
            if key not in best or pr > best[key][0]:
                best[key] = (pr, background)
        accepted = {k for k, (pr, _) in best.items() if pr >= threshold}
        pred = {"rules": p.rule_pairs, "model": accepted, "union": p.rule_pairs | accepted,
                "both": p.rule_pairs & accepted}[how]
        alerts = {k for k in pred if k in p.rule_alerts or k not in p.rule_pairs
                  and k[0] in alertable and not best[k][1]}
        tp += len(pred & gold_ev)
        fp += len(pred - gold_ev - optional)
        fn += len(gold_ev - pred)
        judged = alerts - optional
        sent += len(judged)
        right += len(judged & gold_ev)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"how": how, "threshold": threshold, "p": round(prec, 3), "r": round(rec, 3),
            "f1": round(f1, 3), "alerts": sent, "alert_precision": round(right / sent, 3) if sent else 1.0}


def cross_validate(ps: Sequence[Page], c: float = C, hows: Sequence[str] = ("model", "union", "both"),
                   ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every (combination, threshold) scored out of fold, the rules' figure first; and the
    best F1 among those whose alert precision is not below the rules' (else the best F1)."""
    data, where = samples(ps)
    oof = out_of_fold(data, folds=FOLDS, c=c)
    probs = {w: pr for w, pr in zip(where, oof, strict=True)}
    rows = [evaluate(ps, probs, 0.5, "rules")]
    rows += [evaluate(ps, probs, th, how) for how in hows for th in THRESHOLDS]
    rules = rows[0]
    ok = [r for r in rows[1:] if r["alert_precision"] >= rules["alert_precision"]] or rows[1:]
    return rows, max(ok, key=lambda r: (r["f1"], r["alert_precision"]))


RULE_FEATURES = ("rule", "rule_unasserted", "rule_doc", "not_in_sentence")


def without_rules(ps: Sequence[Page]) -> list[Page]:
    """The pages with the rules' verdict taken out of every candidate's features: what the
    parse alone supports (the rules were tuned on these pages, so their verdict is
    better here than anywhere else)."""
    return [Page(p.pid, [(t, who, f - set(RULE_FEATURES), bg) for t, who, f, bg in p.cands],
                 p.rule_pairs, p.rule_alerts, p.gold, p.optional) for p in ps]


def transfer(train_on: Sequence[Page], held: Sequence[Page], hows: Sequence[str] = ("model",),
             ) -> dict[str, Any]:
    """Fit on ``train_on``; its combination and threshold are its own cross-validated best
    (:func:`cross_validate`); score ``held`` (other pages) with them, beside the rules."""
    _, chosen = cross_validate(train_on, hows=hows)
    data, _ = samples(train_on)
    model = fit(data, name="transfer", c=C)
    probs = {(i, j): model.probability(feats) for i, p in enumerate(held)
             for j, (_, _, feats, _) in enumerate(p.cands)}
    return {"rules": evaluate(held, {}, 0.5, "rules"),
            "model": evaluate(held, probs, chosen["threshold"], chosen["how"])}


def report(args: argparse.Namespace) -> dict[str, Any]:
    """Out of sample: fit on dev -> score dev2, fit on dev2 -> score dev, grouped 5-fold by
    page over both; the shipped form (the rules' verdict among the features, the model
    deciding alone) and the parse alone (its best of alone / union with the rules)."""
    cache = getattr(args, "cache", None)
    ps = pages(dev_documents(Path(cache) if cache else None))
    dev = [p for p in ps if "/" not in p.pid]
    dev2 = [p for p in ps if p.pid.startswith("dev2/")]
    out: dict[str, Any] = {}
    for tag, pages_of, hows in (("shipped", lambda x: x, ("model",)),
                                ("parse-only", without_rules, ("model", "union"))):
        out[f"dev->dev2 {tag}"] = transfer(pages_of(dev), pages_of(dev2), hows)
        out[f"dev2->dev {tag}"] = transfer(pages_of(dev2), pages_of(dev), hows)
        rows, chosen = cross_validate(pages_of(ps), hows=hows)
        out[f"kfold dev+dev2 {tag}"] = {"rules": rows[0], "model": chosen}
    for k, v in out.items():
        print(k, json.dumps(v))
    return out


def train(args: argparse.Namespace) -> Any:
    """The trainer ``benchmarks.learn`` runs: cross-validate, then fit on every page of
    ``dev`` and ``dev2`` (whether it is on is decided by :func:`report`, not here)."""
    cache = getattr(args, "cache", None)
    ps = pages(dev_documents(Path(cache) if cache else None))
    rows, chosen = cross_validate(ps)
    for r in rows:
        print(json.dumps(r))
    print("chosen:", json.dumps(chosen))
    _, parse_only = cross_validate(without_rules(ps), hows=("model",))
    print("best without the rules' verdict as a feature:", json.dumps(parse_only))
    # the shipped model decides alone (the rules' verdict is one of its features): its
    # threshold is the best of the model-alone rows, whatever combination scored best
    alone = [r for r in rows[1:] if r["how"] == "model"]
    shipped = max([r for r in alone if r["alert_precision"] >= rows[0]["alert_precision"]] or alone,
                  key=lambda r: (r["f1"], r["alert_precision"]))
    if chosen["how"] != "model":
        print(f"note: the best cross-validated combination is {chosen['how']!r}; the shipped "
              f"model decides alone: {json.dumps(shipped)}")
    data, _ = samples(ps)
    return fit(data, name="event_pairs", c=C, threshold=shipped["threshold"],
               about={"trained_on": "statements corpus dev split and benchmarks/data/statements_dev2",
                      "folds": FOLDS, "cv_rules": rows[0], "cv_chosen": shipped, "cv_best": chosen,
                      "cv_best_without_rule_features": parse_only})
