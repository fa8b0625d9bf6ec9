"""Fit the learned decisions of ``extract/learned.py`` (``python -m benchmarks.learn NAME``).

Training uses labelled pages of dev material only: the shared corpus's ``dev`` split and
our own ``dev2`` pages (``benchmarks/data/statements_dev2``); ``--transfer`` scores each
decision out of sample (fit on one, score the other, grouped k-fold over both). Every
trainer returns its samples as (features, label, group) triples, the group being the
page a sample comes from, so that cross-validation never scores a page it was trained on
(:func:`out_of_fold`). The fitted weights are written to ``extract/models/<NAME>.json``
with what they were trained on. scikit-learn is a development dependency (``.[dev]``);
running a model needs none of it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks import statements
from extract.learned import LinearModel, write_model
from extract.nlp import LEARNED_MODELS_DIR

Sample = tuple[Mapping[str, float], int, str]  # features, label (0/1), group (page id)

# The dev material a decision may be fitted on: the shared corpus's ``dev`` split and our
# own ``dev2`` pages (benchmarks/data/statements_dev2). Test pages are never read here.
DEV_SPLITS = ("dev", "dev2")


def corpus_of(split: str) -> Path | None:
    """The corpus folder holding ``split`` (None: the shared corpus)."""
    if split not in DEV_SPLITS:
        raise ValueError(f"{split!r}: only dev material ({', '.join(DEV_SPLITS)}) is trained on")
    return statements.DEV2 if split == "dev2" else None


def group_of(split: str, pid: str) -> str:
    """A page's group (cross-validation unit): its id, prefixed outside the shared ``dev``."""
    return pid if split == "dev" else f"{split}/{pid}"

# name -> "module:function"; the function takes the parsed CLI arguments and returns the
# fitted LinearModel (trainers live beside the benchmark whose data they use).
TRAINERS: dict[str, str] = {"event_pairs": "benchmarks.train_events:train",
                            "org_spans": "benchmarks.train_entities:train"}


def fit(samples: Sequence[Sample], *, name: str, c: float = 1.0, threshold: float = 0.5,
        about: Mapping[str, Any] | None = None, balanced: bool = False) -> LinearModel:
    """Logistic regression (L2, ``C=c``) over the samples' named features."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if len({label for _, label, _ in samples}) < 2:
        raise ValueError(f"{name}: the samples hold one class only; nothing to learn")
    vec = DictVectorizer()
    x = vec.fit_transform([dict(f) for f, _, _ in samples])
    y = [label for _, label, _ in samples]
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None)
    clf.fit(x, y)
    weights = {f: round(float(w), 6) for f, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
               if abs(w) >= 1e-6}
    info = {"samples": len(samples), "positives": sum(y), "pages": len({g for _, _, g in samples}),
            "C": c, **(about or {})}
    return LinearModel(name=name, weights=weights, bias=round(float(clf.intercept_[0]), 6),
                       threshold=threshold, about=info)


def out_of_fold(samples: Sequence[Sample], *, folds: int = 5, **fit_args: Any) -> list[float]:
    """P(yes) of every sample from a model that never saw its page (grouped k-fold)."""
    from sklearn.model_selection import GroupKFold

    groups = [g for _, _, g in samples]
    probs = [0.0] * len(samples)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for train, held in splitter.split(list(range(len(samples))), groups=groups):
        model = fit([samples[i] for i in train], name="fold", **fit_args)
        for i in held:
            probs[i] = model.probability(samples[i][0])
    return probs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.learn", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(TRAINERS), help="the learned decision to retrain")
    parser.add_argument("--dry-run", action="store_true", help="fit and report, write nothing")
    parser.add_argument("--transfer", action="store_true",
                        help="score out of sample only (fit on dev -> score dev2, fit on dev2 -> "
                             "score dev, grouped k-fold over both), write nothing")
    parser.add_argument("--cache", metavar="PATH", help="a file (outside the project) where the "
                        "trainer keeps its intermediate data between runs")
    args = parser.parse_args(argv)
    module, _, func = TRAINERS[args.name].partition(":")
    if args.transfer:
        importlib.import_module(module).report(args)
        return 0
    trainer: Callable[[argparse.Namespace], LinearModel] = getattr(importlib.import_module(module), func)
    model = trainer(args)
    path = LEARNED_MODELS_DIR / f"{args.name}.json"
    if not args.dry_run:
        write_model(model, path)
    print(f"{model.name}: {len(model.weights)} weights, {dict(model.about)}"
          + ("" if args.dry_run else f" -> {path}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
