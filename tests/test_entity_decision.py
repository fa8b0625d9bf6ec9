"""The learned organization decision and bodies found from their own words (invented cases,
real model)."""

from __future__ import annotations

import pytest

from extract import entity_decision as decision
from extract import nlp as models
from extract.entities import ORGANIZATION, Mention, add_watchlist, find_mentions
from extract.learned import LinearModel
from extract.watchlist import WatchedEntity, Watchlist

EMPTY = Watchlist()


@pytest.fixture(scope="module")
def nlp():  # noqa: ANN201 - spaCy Language
    return add_watchlist(models.load_model(), EMPTY)


def orgs(mentions: list[Mention]) -> set[str]:
    return {m.name for m in mentions if m.kind == ORGANIZATION}


# ---------------------------------------------------------------- the shipped model


def test_the_shipped_model_loads_with_its_figures() -> None:
    model = models.learned_model(decision.MODEL_NAME)
    assert model.name == decision.MODEL_NAME
    assert 0.0 < model.threshold < 1.0 and len(model.weights) > 20
    about = model.about
    assert {"cv_model_alone", "cv_rules_then_model", "rules_dev"} <= set(about)
    assert 0.0 < about["cv_model_alone"]["f1"] <= 1.0


def test_the_model_keeps_an_obvious_body_and_drops_an_obvious_non_body(nlp) -> None:  # noqa: ANN001
    model = models.learned_model(decision.MODEL_NAME)
    doc = nlp("The Harbour Writers Association said on Monday that the poet had been detained. "
              "She spoke in Monday's session.")
    body = decision.features(doc, [_mention("Harbour Writers Association", doc, 1, 4)], [(1, 4)])
    weekday = decision.name_features("Monday")
    weekday.update(decision.context_features(doc, 12, 13))
    assert model.probability(body) > model.threshold
    assert model.probability(weekday) < model.probability(body)
    assert not model.accepts(weekday)


def _mention(name: str, doc, start: int, end: int, watchlisted: bool = False) -> Mention:  # noqa: ANN001
    return Mention(ORGANIZATION, name, name, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]),
                   doc.text, 0, watchlisted)


def test_decide_drops_every_mention_of_a_rejected_name_and_keeps_listed_ones(nlp) -> None:  # noqa: ANN001
    doc = nlp("Blue Lantern said the Blue Lantern team met Ridge Council.")
    ms = [_mention("Blue Lantern", doc, 0, 2), _mention("Blue Lantern", doc, 4, 6),
          _mention("Ridge Council", doc, 8, 10, watchlisted=True)]
    never = LinearModel("never", {}, bias=-10.0)
    kept = decision.decide(doc, ms, never)  # type: ignore[arg-type]
    assert [m.name for m in kept] == ["Ridge Council"]  # listed names stand whatever the model says
    always = LinearModel("always", {}, bias=10.0)
    assert decision.decide(doc, ms, always) == ms  # type: ignore[arg-type]


def test_the_decision_is_off_by_default_and_can_be_asked_for(nlp, monkeypatch) -> None:  # noqa: ANN001
    from extract import entities

    monkeypatch.setattr(models, "learned_model", lambda name: LinearModel(name, {}, bias=-10.0))
    doc = nlp("The Harbour Writers Association condemned the arrest of the poet Ana Lindqvist.")
    assert "Harbour Writers Association" in orgs(find_mentions(doc, EMPTY))
    assert not entities.LEARNED_ORGANIZATIONS
    assert not orgs(find_mentions(doc, EMPTY, learned=True))


def test_features_name_the_span_words_shape_and_context(nlp) -> None:  # noqa: ANN001
    doc = nlp("A court in the capital fined the Northern Film Academy (NFA) on 3 May 2021.")
    start = next(t.i for t in doc if t.text == "Northern")
    f = decision.features(doc, [_mention("Northern Film Academy", doc, start, start + 3)],
                          [(start, start + 3)])
    assert {"head_org", "has_org", "len=3", "shape=CCC", "head=academy", "the",
            "acronym_after", "mentions=1"} <= set(f)
    assert "watchlisted" not in f and "digit" not in f
    assert "time" not in decision.name_features("Northern Film Academy")
    assert {"has_time", "head_time"} <= set(decision.name_features("Last Friday"))


def test_the_trainer_fits_a_toy_set_and_reports_beside_the_rules(monkeypatch) -> None:
    from benchmarks import train_entities

    good = [({"head_org": 1.0, "ner=ORG": 1.0}, 1, f"page{i % 5}") for i in range(20)]
    bad = [({"has_time": 1.0, "ner=DATE": 1.0}, 0, f"page{i % 5}") for i in range(20)]
    data = good + bad
    kept = [True] * 20 + [i % 2 == 0 for i in range(20)]  # the rules keep half the bad ones

    names = [f"good {i % 5}" if y else f"bad {i}" for i, (_, y, _) in enumerate(data)]

    def toy_samples(split: str = "dev", empty_watchlist: bool = False) -> train_entities.Samples:
        # half the pages in each split, so that dev + dev2 is the toy set once
        return train_entities.Samples(data[: 20], kept[: 20], names[: 20], 5 * 5) if split == "dev" \
            else train_entities.Samples(data[20:], kept[20:], names[20:], 0)

    monkeypatch.setattr(train_entities, "samples", toy_samples)
    monkeypatch.setattr(train_entities, "_gold_ids", lambda d, names, gold: [
        (g, int(n.split()[1])) if y else None for (_, y, g), n in zip(d, names, strict=True)])
    model = train_entities.train()
    assert model.accepts({"head_org": 1.0, "ner=ORG": 1.0})
    assert not model.accepts({"has_time": 1.0, "ner=DATE": 1.0})
    # as the scorer counts: 5 gold bodies found (two spellings of one count once), 10 false
    assert model.about["rules_dev"]["p"] == pytest.approx(5 / 15, abs=0.001)
    assert model.about["rules_dev"]["r"] == pytest.approx(5 / 25, abs=0.001)
    assert model.about["cv_rules_then_model"]["p"] == 1.0


def test_the_transfer_report_fits_on_one_set_of_pages_and_scores_another(monkeypatch) -> None:
    from benchmarks import train_entities as te

    def toy(prefix: str) -> te.Samples:
        good = [({"head_org": 1.0}, 1, f"{prefix}{i % 5}") for i in range(10)]
        bad = [({"has_time": 1.0}, 0, f"{prefix}{i % 5}") for i in range(10)]
        golds = {f"{prefix}{i}": {"organizations": [["good"], ["other"]]} for i in range(5)}
        return te.Samples(good + bad, [True] * 20, ["good"] * 10 + ["bad"] * 10, 10, golds)

    monkeypatch.setattr(te, "_gold_ids", lambda d, names, gold: [
        (g, 0) if y else None for (_, y, g) in d])
    one, other = toy("a"), toy("b")
    out = te.transfer(one, other)
    # the rules keep every bad name; two spellings of one body count once (5 hits of 10 gold)
    assert out["rules"] == {"p": 0.333, "r": 0.5, "f1": 0.4}
    assert out["rules_then_model"]["p"] == 1.0 and out["rules_then_model"]["r"] == 0.5
    both = one + other
    assert len(both.data) == 40 and both.gold_total == 20
    assert set(both.golds) == set(one.golds) | set(other.golds)
    assert both.only(set(one.golds)).gold_total == 10
    folds = te.kfold(both)
    assert folds["rules_then_model"]["p"] == 1.0 and len(folds["threshold"]) == 5


# ---------------------------------------------------------------- bodies by their own words
# (extract.entity_context.OWN_WORD_BODIES: off by default, see there)


@pytest.fixture
def own_word_bodies(monkeypatch):  # noqa: ANN201
    from extract import entity_context

    monkeypatch.setattr(entity_context, "OWN_WORD_BODIES", True)


@pytest.mark.parametrize(("text", "body"), [
    ("Organisers of the Lakeside Film Festival protested on Monday.", "Lakeside Film Festival"),
    ("The Marlow International Documentary Festival said the director had been detained.",
     "Marlow International Documentary Festival"),
    ("Scottish PEN and PEN Norway condemned the verdict against the poet.", "Scottish PEN"),
    ("Scottish PEN and PEN Norway condemned the verdict against the poet.", "PEN Norway"),
    ("The writer is a member of PEN International and of a local reading circle.", "PEN International"),
    ("A spokesman for the Interior Ministry declined to comment.", "Interior Ministry"),
    ("The Ministry of Culture banned the film in March.", "Ministry of Culture"),
    ("The Supreme Court of Appeal upheld the ban on Tuesday.", "Supreme Court of Appeal"),
    ("The Central District Court sentenced him to two years.", "Central District Court"),
    ("The State Security Agency questioned her for six hours.", "State Security Agency"),
])
def test_a_body_is_found_from_its_own_words(nlp, own_word_bodies, text: str, body: str) -> None:  # noqa: ANN001
    assert body in orgs(find_mentions(nlp(text), EMPTY))


@pytest.mark.parametrize(("text", "body", "not_body"), [
    ("A spokesperson for Wales PEN Tuesday said the poet was jailed.", "Wales PEN",
     "Wales PEN Tuesday"),
    ("The Harbour Film Festival Monday 10 programme was cancelled.", "Harbour Film Festival",
     "Harbour Film Festival Monday"),
    ("Mira Solberg The Federation of Nordic Film Directors said it was shocked.",
     "Federation of Nordic Film Directors", "Mira Solberg The Federation of Nordic Film Directors"),
])
def test_a_body_does_not_swallow_the_words_around_it(nlp, own_word_bodies, text: str, body: str,  # noqa: ANN001
                                                     not_body: str) -> None:
    found = orgs(find_mentions(nlp(text), EMPTY))
    assert body in found and not_body not in found


def test_listed_pen_centre_found_alike_with_and_without_the_watchlist(own_word_bodies) -> None:  # noqa: ANN001
    listed = Watchlist(entities=(WatchedEntity(name="PEN Norway", kind=ORGANIZATION),))
    text = "PEN Norway said the writer was detained at the border."
    with_list = add_watchlist(models.load_model(), listed)
    without = add_watchlist(models.load_model(), EMPTY)
    assert "PEN Norway" in orgs(find_mentions(with_list(text), listed))
    assert "PEN Norway" in orgs(find_mentions(without(text), EMPTY))
