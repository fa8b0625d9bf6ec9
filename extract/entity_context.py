"""Context passes over span candidates, used by :mod:`extract.entities`.

:func:`add_context_spans` adds the candidates that context evidence finds (photo
credits, defined acronyms, organizations after a role, names after a role noun...);
:func:`apply_context_votes` adds the votes of the words around every candidate
before the document-level vote, and drops places, titles, labels and awards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extract.entity_rules import (
    ORGANIZATION,
    PERSON,
    after_work_noun,
    based_suffix,
    coordinated_before,
    credit_spans,
    defined_acronyms,
    is_caption_word,
    is_place,
    made_by,
    org_list_items,
    org_noun_spans,
    org_noun_votes,
    org_votes,
    person_of_orgs,
    person_shaped,
    person_votes,
    place_texts,
    role_before,
    role_name_spans,
    role_of_orgs,
    unlabelled_subjects,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass
class Candidate:
    """A stretch of tokens that may name a person or organization, with the kind votes behind it."""

    start: int  # token offsets, end exclusive
    end: int
    kind: str | None  # None: a non PERSON/ORG span kept only for the document vote
    ent_id: str = ""
    name: str = ""
    watchlisted: bool = False
    votes: list[str] = field(default_factory=list)


def add_context_spans(doc: Doc, spans: list[Candidate]) -> dict[str, str]:
    """Spans found from context (credits, defined acronyms, roles, subjects); acronym -> full name."""
    acronyms: dict[str, str] = {}
    for s, e, a, b in defined_acronyms(doc):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 3))
        spans.append(Candidate(a, b, ORGANIZATION, votes=[ORGANIZATION] * 3))
        acronyms.setdefault(doc[a].text, " ".join(doc[s:e].text.split()))
    for s, e, kind in credit_spans(doc):
        spans.append(Candidate(s, e, kind, votes=[kind] * 3))
    for s, e in role_name_spans(doc):
        spans.append(Candidate(s, e, PERSON, votes=[PERSON] * 2))
    for s, e in role_of_orgs(doc) + org_noun_spans(doc):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 2))
    for s, e in org_list_items(doc):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 3))
    people = [(sp.start, sp.end) for sp in spans if sp.kind == PERSON or (
        sp.kind == ORGANIZATION and person_votes(doc, sp.start, sp.end))]
    for s, e in person_of_orgs(doc, people):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 2))
    for s, e, kind in unlabelled_subjects(doc):
        spans.append(Candidate(s, e, kind, votes=[kind] * 2))
    for sp in list(spans):
        if sp.kind is not None and not sp.ent_id:
            spans.extend(Candidate(s, e, sp.kind) for s, e in coordinated_before(doc, sp.start, sp.kind))
    return acronyms


def apply_context_votes(doc: Doc, spans: list[Candidate]) -> None:
    """Add the votes of the words around each span; drop caption words and places labelled ORG."""
    places = place_texts(doc)
    person_ends = {sp.end: sp for sp in spans if sp.kind == PERSON}
    person_starts = {sp.start: sp for sp in spans if sp.kind == PERSON}
    for sp in spans:
        if sp.ent_id:
            continue
        if based_suffix(doc, sp.end):
            sp.kind, sp.votes = None, []
            continue
        if after_work_noun(doc, sp.start) and not role_before(doc, sp.start):
            sp.kind, sp.votes = None, []  # "their play Finist the Brave Falcon"
            continue
        if is_caption_word(doc, sp.start, sp.end) or (
                sp.kind == ORGANIZATION and is_place(doc, sp.start, sp.end, places)):
            sp.kind, sp.votes = None, []
            continue
        p = person_votes(doc, sp.start, sp.end)
        if sp.kind is None and not role_before(doc, sp.start):
            p = 0  # a place or a work the model labelled: only a role before it makes it a person
        o = org_votes(doc, sp.start, sp.end) + org_noun_votes(doc, sp.start, sp.end)
        if made_by(doc, sp.start, sp.end):
            p += 2
        if sp.kind == ORGANIZATION and person_shaped(doc, sp.start, sp.end) and sp.end - sp.start > 1 \
                and _next_to_person(doc, sp, person_starts, person_ends):
            p += 2  # "Jafar Panahi and Mohammad Rasoulof": coordinated with a person
        if not (p or o):
            continue
        if sp.kind is None and doc[sp.start].ent_type_ in {"DATE", "CARDINAL", "NORP"}:
            continue
        sp.votes = (sp.votes or ([sp.kind] if sp.kind else [])) + [PERSON] * p + [ORGANIZATION] * o
        if sp.kind is None:
            sp.kind = PERSON if p > o else ORGANIZATION


def _next_to_person(doc: Doc, sp: Candidate, starts: dict[int, Candidate],
                    ends: dict[int, Candidate]) -> bool:
    comma_and = sp.end + 1 < len(doc) and doc[sp.end].text == "," and doc[sp.end + 1].lower_ == "and"
    after = sp.end + (2 if comma_and else 1)
    if sp.end < len(doc) and doc[sp.end].lower_ in {"and", ",", "&"} and after in starts:
        return True
    comma_and = sp.start > 1 and doc[sp.start - 1].lower_ == "and" and doc[sp.start - 2].text == ","
    before = sp.start - (2 if comma_and else 1)
    return sp.start > 0 and doc[sp.start - 1].lower_ in {"and", ",", "&"} and before in ends
