"""Small learned decisions shipped as data: a logistic model over named features.

Where rules stop generalising, a decision (is this (trigger, person) pair an event? is
this span an organization?) can be learned from labelled pages. The model is linear:
``P(yes) = sigmoid(bias + sum(weight[f] * value[f]))`` over named features, stored as a
small JSON file under ``extract/models/`` with what it was trained on and its
cross-validated figures. The weights are fitted by the trainers in ``benchmarks/``
(``benchmarks/learn.py``: scikit-learn, a development dependency); running a model needs
nothing but this module. Files are read through :func:`extract.nlp.learned_model`, the
one model-loading place; nothing is downloaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "atrisk-linear-1"

Features = Mapping[str, float] | Iterable[str]


class LearnedModelError(ValueError):
    """A model file that is missing, unreadable or not a model."""


@dataclass(frozen=True)
class LinearModel:
    """A logistic model: named feature weights, a bias and a decision threshold."""

    name: str
    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5
    about: Mapping[str, Any] = field(default_factory=dict)  # training data, figures

    def probability(self, features: Features) -> float:
        """P(yes) for one candidate; unknown features weigh nothing."""
        values = features.items() if isinstance(features, Mapping) else ((f, 1.0) for f in features)
        z = self.bias + sum(self.weights.get(f, 0.0) * v for f, v in values)
        if z < -40:  # math.exp overflows far beyond any threshold
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def accepts(self, features: Features) -> bool:
        return self.probability(features) >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "name": self.name, "bias": self.bias,
                "threshold": self.threshold, "about": dict(self.about),
                "weights": dict(sorted(self.weights.items()))}


def read_model(path: Path) -> LinearModel:
    """Read a model file written by :func:`write_model`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LearnedModelError(f"learned model file {path} is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LearnedModelError(f"learned model file {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LearnedModelError(f"{path} is not an {FORMAT} model file")
    try:
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return LinearModel(name=str(data["name"]), weights=weights, bias=float(data["bias"]),
                           threshold=float(data.get("threshold", 0.5)), about=dict(data.get("about", {})))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LearnedModelError(f"{path} is not a valid model file: {exc}") from exc


def write_model(model: LinearModel, path: Path) -> None:
    """Write ``model`` as JSON (sorted, one file, small enough to review in a diff)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(model.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
