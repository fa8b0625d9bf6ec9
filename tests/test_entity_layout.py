"""Layout of real pages: headings, bylines and signatory lists around people and organizations.

Cases written for these tests (invented names), with the real model.
"""

from __future__ import annotations

import pytest

from extract import sentences
from extract.entities import ORGANIZATION, PERSON, Mention, add_watchlist, find_mentions
from extract.nlp import load_model
from extract.watchlist import Watchlist

EMPTY = Watchlist()


@pytest.fixture(scope="module")
def nlp():  # noqa: ANN201 - spaCy Language
    return add_watchlist(load_model(), EMPTY)


def names(mentions: list[Mention], kind: str) -> set[str]:
    return {m.name for m in mentions if m.kind == kind}


def test_a_heading_is_its_own_sentence(nlp) -> None:  # noqa: ANN001
    doc = nlp("Writers Union Condemns Detention Of Poet\n"
              "The union said on Friday that the poet Lina Moreau was detained in the capital.")
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "Writers Union Condemns Detention Of Poet"
    assert sents[1].startswith("The union said")


def test_a_caption_and_a_list_item_are_their_own_sentences(nlp) -> None:  # noqa: ANN001
    doc = nlp("Photo: the courthouse in the old town\n- Tomas Berg, director\n"
              "Police held the director for two days.")
    assert [s.text.strip() for s in doc.sents][:3] == [
        "Photo: the courthouse in the old town", "- Tomas Berg, director",
        "Police held the director for two days."]


def test_a_wrapped_line_in_lower_case_continues_the_sentence(nlp) -> None:  # noqa: ANN001
    doc = nlp("Police held the director\nfor two days before releasing him.")
    assert len(list(doc.sents)) == 1


@pytest.mark.parametrize(("line", "heading"), [
    ("Court Jails Poet For Five Years", True),
    ("Festival Calls for the Release of Detained Director?", True),
    ("The court jailed the poet for five years.", False),
    ("Ana Lind, Tomas Berg, Eva Marsh", False),
    ("Jailed", False),
])
def test_headline_case_lines(line: str, heading: bool) -> None:
    assert sentences.is_heading(line) is heading


def test_a_heading_name_is_cut_to_the_name_the_text_supports(nlp) -> None:  # noqa: ANN001
    ms = find_mentions(nlp(
        "Tribunal Sentences Lina Moreau To Two Years\n"
        "The poet Lina Moreau was sentenced on Monday, her lawyer said."), EMPTY)
    assert "Lina Moreau" in names(ms, PERSON)
    assert not any("Sentences" in m.name for m in ms)


def test_a_heading_phrase_the_text_never_names_is_dropped(nlp) -> None:  # noqa: ANN001
    ms = find_mentions(nlp(
        "Coalition Condemns Spate Of Arrests Targeting Musicians\n"
        "The coalition said that the singer Omar Haddad was arrested at his home."), EMPTY)
    assert not any("Spate" in m.name or "Condemns" in m.name for m in ms)
    assert "Omar Haddad" in names(ms, PERSON)


def test_a_byline_name_in_a_heading_line_stands(nlp) -> None:  # noqa: ANN001
    ms = find_mentions(nlp(
        "Statement On The Arrest Of A Reporter\nIssued by Network Coordinator Ruth Amadi\n"
        "The network condemned the arrest of the reporter on Tuesday."), EMPTY)
    assert "Ruth Amadi" in names(ms, PERSON)


def test_signatory_lines_name_organizations(nlp) -> None:  # noqa: ANN001
    ms = find_mentions(nlp(
        "We call on the authorities to free the detained filmmakers at once.\n"
        "Nordvik Film Academy\nDirectors Guild of Freedonia\nEastport Documentary Festival\n"), EMPTY)
    assert {"Nordvik Film Academy", "Directors Guild of Freedonia",
            "Eastport Documentary Festival"} <= names(ms, ORGANIZATION)


def test_doc_tokens_lists_the_last_document_once(nlp) -> None:  # noqa: ANN001
    first = nlp("The court in Lyon sentenced the painter Marc Olin to two years.")
    second = nlp("Police released the singer Ada Kerr on Tuesday.")
    tokens = sentences.doc_tokens(first)
    assert [(t.i, t.text, t.ent_type_) for t in tokens] == [(t.i, t.text, t.ent_type_) for t in first]
    assert sentences.doc_tokens(first) is tokens  # kept while the same document is read
    assert [t.text for t in sentences.doc_tokens(second)] == [t.text for t in second]
    assert [t.text for t in sentences.doc_tokens(first)] == [t.text for t in first]  # listed again
