"""Classes of entity errors seen on real statements, each with invented cases (real model)."""

from __future__ import annotations

import pytest

from extract.entities import ORGANIZATION, PERSON, Mention, add_watchlist, find_mentions
from extract.nlp import load_model
from extract.watchlist import WatchedEntity, Watchlist

EMPTY = Watchlist()


@pytest.fixture(scope="module")
def nlp():  # noqa: ANN201 - spaCy Language
    return add_watchlist(load_model(), EMPTY)


def names(mentions: list[Mention], kind: str | None = None) -> set[str]:
    return {m.name for m in mentions if kind is None or m.kind == kind}


def run(nlp, text: str, watchlist: Watchlist = EMPTY) -> list[Mention]:  # noqa: ANN001
    return find_mentions(nlp(text), watchlist)


# ---------------------------------------------------------------- people labelled places


def test_a_person_the_model_calls_a_place_in_a_list_of_people(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "Police detained the activists Olena Trenko, Yuliya Semenchanka, Hanna Sakalouskaya "
                  "and Volha Shapak in Minsk.")
    assert {"Olena Trenko", "Yuliya Semenchanka", "Hanna Sakalouskaya", "Volha Shapak"} <= names(ms, PERSON)


def test_a_real_place_in_a_list_with_a_person_stays_a_place(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "The touring show, led by Maria Okafor, Buenos Aires and Los Angeles, opened in May.")
    assert not names(ms) & {"Buenos Aires", "Los Angeles"}


def test_a_city_of_two_words_is_no_person(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "The touring show, led by Maria Okafor, Buenos Aires and Los Angeles, opened in May.")
    assert "Maria Okafor" in names(ms, PERSON)
    assert not names(ms) & {"Buenos Aires", "Los Angeles"}


# ---------------------------------------------------------------- organizations cut right


def test_an_owner_and_what_it_owns_are_two_names(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "As a result, PEN International’s Policy and Advocacy Manager Sarah Clarke attended.")
    assert "PEN International" in names(ms, ORGANIZATION)
    assert not any("Policy" in n for n in names(ms))


def test_a_place_owning_an_organization_is_not_part_of_its_name(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "She lectured at Bangkok's Thammasat University before her arrest.")
    assert "Thammasat University" in names(ms, ORGANIZATION)
    assert not any("Bangkok" in n for n in names(ms, ORGANIZATION))


def test_a_possessive_inside_a_name_stays(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "She works for the Women's Rights Centre in Lagos.")
    assert "Women's Rights Centre" in names(ms, ORGANIZATION)


def test_a_heading_run_into_a_sentence_starting_with_the(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "Jafar Panahi The Federation of European Film Directors strongly condemns the arrest.")
    assert "Federation of European Film Directors" in names(ms, ORGANIZATION)
    assert not any("The Federation" in n or "Panahi The" in n for n in names(ms))


def test_members_an_organization_is_named_after_stay_in_its_name(nlp) -> None:  # noqa: ANN001
    ms = run(nlp, "IFJ General Secretary Anthony Bellanger said the Union of Journalists would help.")
    assert {"IFJ", "Union of Journalists"} <= names(ms, ORGANIZATION)
    assert "Anthony Bellanger" in names(ms, PERSON)
