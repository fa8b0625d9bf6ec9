"""The learned-decision format: scoring, files, and the message when one is missing."""

from __future__ import annotations

import json
import math

import pytest

from extract import nlp
from extract.learned import LearnedModelError, LinearModel, read_model, write_model


def test_probability_is_the_logistic_of_the_weighted_features() -> None:
    model = LinearModel(name="t", weights={"verb=arrest": 2.0, "dist": -0.5}, bias=-1.0)
    assert model.probability({"verb=arrest": 1.0, "dist": 2.0}) == pytest.approx(1 / (1 + math.exp(0.0)))
    # features given as names count 1 each; unknown ones weigh nothing
    assert model.probability(["verb=arrest", "unseen"]) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert model.probability({"dist": 200.0}) == 0.0
    assert model.accepts(["verb=arrest"]) and not model.accepts([])


def test_a_model_file_round_trips(tmp_path) -> None:
    model = LinearModel(name="pairs", weights={"b": 0.25, "a": -1.5}, bias=0.1, threshold=0.4,
                        about={"pages": 3})
    path = tmp_path / "pairs.json"
    write_model(model, path)
    assert read_model(path) == model
    assert list(json.loads(path.read_text())["weights"]) == ["a", "b"]  # sorted for review


BAD_FILES = ["{not json", '{"format": "other"}', '{"format": "atrisk-linear-1"}',
             '{"format": "atrisk-linear-1", "name": "x", "bias": "high", "weights": {}}']


@pytest.mark.parametrize("content", BAD_FILES)
def test_a_bad_model_file_is_a_clear_error(tmp_path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(LearnedModelError, match="bad.json"):
        read_model(path)


def test_a_missing_model_says_how_to_get_it_back(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(nlp, "LEARNED_MODELS_DIR", tmp_path)
    nlp.learned_model.cache_clear()
    try:
        with pytest.raises(nlp.ModelNotFound, match=r"missing.*benchmarks\.learn nowhere"):
            nlp.learned_model("nowhere")
    finally:
        nlp.learned_model.cache_clear()


def test_fitting_and_out_of_fold_scores_keep_pages_apart() -> None:
    from benchmarks.learn import fit, out_of_fold

    samples = [({"good": 1.0}, 1, f"p{i % 4}") for i in range(12)] + \
              [({"bad": 1.0}, 0, f"p{i % 4}") for i in range(12)]
    model = fit(samples, name="toy", c=10.0)
    assert model.accepts(["good"]) and not model.accepts(["bad"])
    assert model.about["pages"] == 4 and model.about["positives"] == 12
    probs = out_of_fold(samples, folds=4, c=10.0)
    assert all(p > 0.5 for p in probs[:12]) and all(p < 0.5 for p in probs[12:])
