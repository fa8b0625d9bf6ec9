"""The learned event pair model: candidates and features on sentences written here, the
shipped weights, its decision in obvious cases, and its trainer on a toy set."""

from __future__ import annotations

from datetime import date

import pytest

from extract import entities, event_model, events, nlp
from extract.event_view import View
from extract.learned import LinearModel
from extract.watchlist import parse_watchlist

PEOPLE = ["Omar Haddad", "Lina Saad", "Tariq Bello"]
WATCHLIST = parse_watchlist({"people": [{"name": n} for n in PEOPLE]}, "<test>")
PUB = date(2026, 11, 30)


@pytest.fixture(scope="module")
def model():  # noqa: ANN201 - spaCy Language
    return entities.add_watchlist(nlp.load_model(), WATCHLIST)


def cands(model, text: str) -> dict[tuple[str, str], frozenset[str]]:  # noqa: ANN001
    doc = model(text)
    view = View(doc, entities.find_mentions(doc, WATCHLIST))
    found = events.rule_events(doc, view, PUB)
    out: dict[tuple[str, str], frozenset[str]] = {}
    for c in event_model.candidates(view, found):
        out[(c.type, c.person)] = out.get((c.type, c.person), frozenset()) | c.features
    return out


def test_every_person_of_a_trigger_sentence_is_a_candidate_with_the_rules_verdict(model) -> None:  # noqa: ANN001
    got = cands(model, "Lina Saad said that police arrested Omar Haddad in the capital on Monday.")
    assert set(got) == {("arrest", "Omar Haddad"), ("arrest", "Lina Saad")}
    arrested, speaker = got[("arrest", "Omar Haddad")], got[("arrest", "Lina Saad")]
    assert {"rule", "rule_doc", "child_of_t=dobj", "t_governs", "type=arrest", "tpos=VERB"} <= arrested
    assert "rule" not in speaker and "rule_doc" not in speaker
    assert {"subj_reporting", "lca_reporting", "p_before"} <= speaker


def test_flags_roles_and_asides_become_features(model) -> None:  # noqa: ANN001
    demand = cands(model, "Release Omar Haddad now!")[("release", "Omar Haddad")]
    assert "demand" in demand and "hyp" in demand and "rule" not in demand
    negated = cands(model, "Omar Haddad was not arrested.")[("arrest", "Omar Haddad")]
    assert "neg" in negated and "rule" not in negated and "rule_unasserted" in negated
    lawyer = cands(model, "His lawyer Tariq Bello said Omar Haddad was charged with insulting "
                          "the president.")
    assert "role" in lawyer[("charge", "Tariq Bello")] or "bystander" in lawyer[("charge", "Tariq Bello")]
    aside = cands(model, "Omar Haddad was detained (according to Lina Saad) at the border.")
    assert "aside" in aside[("arrest", "Lina Saad")]


def test_a_person_the_rules_reach_through_a_pronoun_is_a_candidate(model) -> None:  # noqa: ANN001
    got = cands(model, "Omar Haddad is a poet from the coast. He was arrested at his home on Friday.")
    assert "not_in_sentence" in got[("arrest", "Omar Haddad")]


def test_the_shipped_model_loads_through_the_one_loading_place() -> None:
    m = nlp.learned_model(event_model.MODEL_NAME)
    assert m.name == "event_pairs" and 0.0 < m.threshold < 1.0
    assert m.about["trained_on"].startswith("statements corpus dev split")
    assert {"rule", "rule_doc", "demand", "subj_reporting"} <= set(m.weights)
    assert m.weights["rule_doc"] > 0 > m.weights["subj_reporting"]


def pairs(model, text: str, learned: bool) -> set[tuple[str, str]]:  # noqa: ANN001
    doc = model(text)
    found = events.find_events(doc, entities.find_mentions(doc, WATCHLIST), PUB, learned=learned)
    return {(e.type, e.person) for e in found if e.asserted}


@pytest.mark.parametrize(("text", "expected"), [
    ("Police arrested the poet Omar Haddad at his home in the capital on 2 November 2026.",
     {("arrest", "Omar Haddad")}),
    ("Lina Saad, who signed the petition, said Omar Haddad was sentenced to five years in prison.",
     {("sentence", "Omar Haddad")}),
    ("Release Omar Haddad now!", set()),
    ("The committee urges the authorities to release Tariq Bello.", set()),
])
def test_the_model_accepts_and_rejects_the_obvious_pairs(model, text: str, expected) -> None:  # noqa: ANN001
    assert pairs(model, text, learned=True) == expected
    assert pairs(model, text, learned=False) == expected


def test_an_event_the_model_adds_is_dated_from_its_trigger(model) -> None:  # noqa: ANN001
    doc = model("Omar Haddad was arrested in the capital on 3 March 2019.")
    view = View(doc, entities.find_mentions(doc, WATCHLIST))
    accept_all = LinearModel(name="all", weights={}, bias=5.0)
    added = event_model.decide(view, [], accept_all, lambda c: events._model_event(c, PUB))
    assert [(e.type, e.person, e.date, e.date_precision, e.background, e.asserted)
            for e in added] == [("arrest", "Omar Haddad", date(2019, 3, 3), "day", True, True)]


def test_a_rule_event_the_model_rejects_is_dropped(model) -> None:  # noqa: ANN001
    doc = model("Omar Haddad was arrested in the capital on Monday.")
    view = View(doc, entities.find_mentions(doc, WATCHLIST))
    found = events.rule_events(doc, view, PUB)
    assert {(e.type, e.person) for e in found} == {("arrest", "Omar Haddad")}
    reject_all = LinearModel(name="none", weights={}, bias=-5.0)
    assert event_model.decide(view, found, reject_all, lambda c: events._model_event(c, PUB)) == []


def test_the_trainer_cross_validates_and_fits_on_a_toy_set() -> None:
    from benchmarks import train_events as te

    def page(i: int) -> te.Page:
        person = f"p{i}"
        cands = [("arrest", person, frozenset({"rule", "pdep=dobj"}), False),
                 ("arrest", "speaker", frozenset({"subj_reporting"}), False),
                 ("release", person, frozenset({"demand", "hyp"}), False)]
        rules = {("arrest", person), ("arrest", "speaker")} if i % 3 == 0 else {("arrest", person)}
        return te.Page(f"page{i}", cands, rules, set(rules), {("arrest", person)}, set())

    ps = [page(i) for i in range(10)]
    rows, chosen = te.cross_validate(ps, c=10.0)
    assert rows[0]["how"] == "rules" and rows[0]["p"] < 1.0 and rows[0]["r"] == 1.0
    assert chosen["f1"] == 1.0 and chosen["alert_precision"] == 1.0  # the speaker is dropped
    assert te.without_rules(ps)[0].cands[0][2] == frozenset({"pdep=dobj"})
    data, _ = te.samples(ps)
    fitted = te.fit(data, name="event_pairs", c=10.0)
    assert fitted.accepts(["rule", "pdep=dobj"]) and not fitted.accepts(["subj_reporting"])
