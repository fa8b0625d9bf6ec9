"""Context passes over span candidates, used by :mod:`extract.entities`.

:func:`add_context_spans` adds the candidates that context evidence finds (photo
credits, defined acronyms, organizations after a role, names after a role noun...);
:func:`apply_context_votes` adds the votes of the words around every candidate
before the document-level vote, and drops places, titles, labels and awards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extract import lexicon, places
from extract.entity_finders import (
    byline_spans,
    city_festivals,
    coordinated_before,
    credit_spans,
    defined_acronyms,
    headed_body_spans,
    linked_subject_bodies,
    named_courts,
    national_acronym_bodies,
    org_list_items,
    org_name_lines,
    org_noun_spans,
    person_of_orgs,
    preposition_bodies,
    role_name_spans,
    role_of_orgs,
    unlabelled_subjects,
)
from extract.entity_keys import ORGANIZATION, PERSON
from extract.entity_rules import (
    DEMONYM,
    ORG_HEADS,
    after_work_noun,
    based_suffix,
    has_org_head,
    is_caption_word,
    is_place,
    made_by,
    named_as_work,
    named_place,
    org_noun_votes,
    org_votes,
    person_shaped,
    person_votes,
    place_modifier,
    place_texts,
    quoted,
    role_before,
    title_of_a_work,
    unit_of_a_body,
    work_or_section,
)
from extract.not_names import not_a_name
from extract.sentences import doc_tokens

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


# Bodies found by their own words ("<Name> Film Festival", "Ministry of <X>", "PEN <X>",
# entity_finders.headed_body_spans). Off: on the statements corpus it lifted dev
# organizations (0.817 to 0.821, empty watchlist 0.811 to 0.819) but, with a hyphen rule
# since withdrawn, lowered test (0.678 to 0.670, empty 0.633 to 0.629); benchmarks/README.md.
OWN_WORD_BODIES = False


def add_context_spans(doc: Doc, spans: list[Candidate]) -> dict[str, str]:
    """Spans found from context (credits, defined acronyms, roles, subjects); acronym -> full name
    ("" for the acronym of something that is no name, such as a law)."""
    acronyms: dict[str, str] = {}
    for s, e, a, b in defined_acronyms(doc):
        if not_a_name(doc, s, e):  # "the Prevention of Terrorism Act (PTA)": PTA names a law
            acronyms.setdefault(doc[a].text, "")
            continue
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 3))
        spans.append(Candidate(a, b, ORGANIZATION, votes=[ORGANIZATION] * 3))
        acronyms.setdefault(doc[a].text, " ".join(doc[s:e].text.split()))
    for s, e, kind in credit_spans(doc):
        spans.append(Candidate(s, e, kind, votes=[kind] * 3))
    for s, e in role_name_spans(doc) + byline_spans(doc):
        spans.append(Candidate(s, e, PERSON, votes=[PERSON] * 2))
    for s, e in role_of_orgs(doc) + org_noun_spans(doc) + national_acronym_bodies(doc) + \
            city_festivals(doc) + named_courts(doc):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 2))
    for s, e in org_list_items(doc) + org_name_lines(doc) + preposition_bodies(doc) + \
            linked_subject_bodies(doc):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 3))
    people = [(sp.start, sp.end) for sp in spans if sp.kind == PERSON or (
        sp.kind == ORGANIZATION and person_votes(doc, sp.start, sp.end))]
    for s, e in person_of_orgs(doc, people):
        spans.append(Candidate(s, e, ORGANIZATION, votes=[ORGANIZATION] * 2))
    for s, e in acronym_place_orgs(doc) + (headed_body_spans(doc) if OWN_WORD_BODIES else []):
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
        if based_suffix(doc, sp.end) or place_modifier(doc, sp.start, sp.end) or \
                named_place(doc, sp.start, sp.end) or unit_of_a_body(doc, sp.start, sp.end) or \
                work_or_section(doc, sp.start, sp.end) and (
                sp.kind != PERSON or not person_votes(doc, sp.start, sp.end)):
            sp.kind, sp.votes = None, []
            continue
        # a quoted title, and one the model itself calls a work ("the show “Mission Impossible
        # Programme”") even with a body's word in it
        title = sp.kind == ORGANIZATION and quoted(doc, sp.start, sp.end) and (
            not has_org_head(doc, sp.start, sp.end) or doc[sp.start].ent_type_ == "WORK_OF_ART") \
            or sp.kind != PERSON and title_of_a_work(doc, sp.start, sp.end)
        if title or (after_work_noun(doc, sp.start) or named_as_work(doc, sp.start, sp.end)) and \
                not role_before(doc, sp.start):
            sp.kind, sp.votes = None, []  # "their play Finist the Brave Falcon"
            continue
        if is_caption_word(doc, sp.start, sp.end) or not_a_name(doc, sp.start, sp.end) or (
                sp.kind == ORGANIZATION and is_place(doc, sp.start, sp.end, places)):
            sp.kind, sp.votes = None, []
            continue
        p = person_votes(doc, sp.start, sp.end)
        if sp.kind is None and not role_before(doc, sp.start):
            p = 0  # a place or a work the model labelled: only a role before it makes it a person
        # the page saying what the name is ("X, an independent newspaper", "the news site X")
        # weighs twice the model's label and a verb's subject ("X said")
        o = org_votes(doc, sp.start, sp.end) + 2 * org_noun_votes(doc, sp.start, sp.end)
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
    _spread_along_lists(doc, spans)


def _leans_person(sp: Candidate) -> bool:
    votes = sp.votes or ([sp.kind] if sp.kind else [])
    return votes.count(PERSON) * 2 > len(votes)


def _spread_along_lists(doc: Doc, spans: list[Candidate]) -> None:
    """"A, B and C" where A turned out a person: person-shaped B and C are people too.

    The model labels some names in a list of people ORG; one vote per pass would only
    reach the neighbour of a name it got right, so the evidence walks along the list.
    """
    for _ in range(6):
        starts = {sp.start: sp for sp in spans if _leans_person(sp)}
        ends = {sp.end: sp for sp in spans if _leans_person(sp)}
        changed = False
        for sp in spans:
            if sp.ent_id or _leans_person(sp) or sp.end - sp.start < 2 or ORGANIZATION in sp.votes \
                    or not person_shaped(doc, sp.start, sp.end):
                continue
            if sp.kind is None and not _person_labelled_place(doc, sp):
                continue
            if _next_to_person(doc, sp, starts, ends):
                sp.votes = (sp.votes or ([sp.kind] if sp.kind else [])) + [PERSON] * 2
                sp.kind = sp.kind or PERSON
                changed = True
        if not changed:
            return


def _person_labelled_place(doc: Doc, sp: Candidate) -> bool:
    """"Shirin Ebadi, Nadia Murad and ...": a name the model labelled a place or a building,
    of two or more name words, that no gazetteer knows as a place."""
    if doc[sp.start].ent_type_ not in {"GPE", "FAC", "LOC"}:
        return False
    return places.resolve(doc[sp.start : sp.end].text) is None


def _next_to_person(doc: Doc, sp: Candidate, starts: dict[int, Candidate],
                    ends: dict[int, Candidate]) -> bool:
    comma_and = sp.end + 1 < len(doc) and doc[sp.end].text == "," and doc[sp.end + 1].lower_ == "and"
    after = sp.end + (2 if comma_and else 1)
    if sp.end < len(doc) and doc[sp.end].lower_ in {"and", ",", "&"} and after in starts:
        return True
    comma_and = sp.start > 1 and doc[sp.start - 1].lower_ == "and" and doc[sp.start - 2].text == ","
    before = sp.start - (2 if comma_and else 1)
    return sp.start > 0 and doc[sp.start - 1].lower_ in {"and", ",", "&"} and before in ends


# Words that continue a listed organization's name into a longer one: a section, a
# branch or a unit ("Iran Human Rights Society", "Writers Guild of America West").
_CONTINUATION = frozenset("""
society network forum fund foundation institute centre center section chapter west east north
south lab workshop
""".split())
_AFTER_PLACE = frozenset({"VERB", "AUX", "ADP", "CCONJ", "PUNCT", "SPACE"})


def extend_listed_org(doc: Doc, sp: Candidate) -> bool:
    """Extend a watchlisted organization into the longer name it begins; True when it did.

    "Amnesty International Switzerland said" and "the Hot Docs Industry Forum" are
    other organizations than the listed one, so the caller drops the watchlist id.
    """
    j, limit = sp.end, min(len(doc), sp.end + 3)
    while j < limit and doc[j].is_alpha and doc[j].text[0].isupper() and doc[j].ent_iob_ != "B" \
            and not doc[j].is_sent_start:
        if doc[j].lower_ in _CONTINUATION:
            sp.end = j + 1
            return True
        j += 1
    k = sp.end
    if k < len(doc) and doc[k].ent_type_ == "GPE" and doc[k].ent_iob_ == "B" and not doc[k].is_sent_start \
            and (k + 1 == len(doc) or doc[k + 1].ent_iob_ != "I") \
            and (k + 1 == len(doc) or doc[k + 1].pos_ in _AFTER_PLACE):
        sp.end = k + 1  # a national section: "Amnesty International Switzerland"
        return True
    return False


_SERVICE_WORDS = frozenset("language service section edition desk".split())


def acronym_place_orgs(doc: Doc) -> list[tuple[int, int]]:
    """"PEN Taipei", "BBC Persian": an acronym before a place or language is a branch or service."""
    out: list[tuple[int, int]] = []
    tokens = doc_tokens(doc)
    for i in range(len(doc) - 1):
        tok, nxt = tokens[i], tokens[i + 1]
        if not (tok.is_upper and tok.is_alpha and 2 <= len(tok) <= 6) or \
                tok.ent_type_ in {"GPE", "NORP", "PERSON"}:
            continue
        if "\n" in tok.whitespace_:
            continue
        if nxt.ent_type_ == "" and nxt.is_title and DEMONYM.search(nxt.lower_) and i + 2 < len(doc) \
                and doc[i + 2].lower_ in _SERVICE_WORDS:
            out.append((i, i + 2))  # "BBC Burmese language news": a service the model left unlabelled
            continue
        if nxt.ent_type_ not in {"GPE", "NORP", "LANGUAGE"} or nxt.ent_iob_ != "B":
            continue
        end = i + 2
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        out.append((i, end))
    return out


_REGIONS = lexicon.words("world_regions")
_REGION_PAIRS = _REGIONS | frozenset(f"{a} and {b}" for a in _REGIONS for b in _REGIONS)
# a body's units and the roles in them, after the region they cover
_UNITS = frozenset("""
desk office bureau division programme program team unit section branch chapter department
director directors head researcher researchers coordinator representative spokesperson
spokesman spokeswoman deputy editor correspondent
""".split())


def regional_unit_end(doc: Doc, start: int, end: int) -> int:
    """"the Reporters Without Borders Middle East desk": where a body's name ends when the
    words after it are the region of one of its units (``end`` when they are not). A span
    that is only a region and a capitalised unit ("CPJ's Europe and Central Asia Program")
    ends where it starts: it names a unit of the body before it, not a body."""
    if end >= len(doc):
        return end
    words = [t.lower_ for t in doc[start:end]]
    if doc[end].is_lower and doc[end].lower_ in _UNITS:
        for k in range(min(len(words) - 1, 5), 0, -1):
            if " ".join(words[-k:]) in _REGIONS:
                return end - k
    if len(words) >= 2 and words[-1] in _UNITS and doc[end - 1].text[0].isupper() and \
            " ".join(words[:-1]) in _REGION_PAIRS:
        return start
    return end


def split_nested(doc: Doc, sp: Candidate) -> Candidate | None:
    """"Writers at Risk at PEN America": a unit named inside an organization is cut off as its own.

    The span keeps the unit; the organization after the last "at" is returned, when it
    has an organization's shape (an acronym, a head noun or two capitalised words).
    """
    for i in range(sp.end - 2, sp.start + 1, -1):
        if doc[i].lower_ != "at" or not doc[i - 1].text[0].isupper():
            continue
        right = doc[i + 1 : sp.end]
        if not right[0].text[0].isupper():
            continue
        caps = [t for t in right if t.is_alpha and t.text[0].isupper()]
        if any(t.is_upper and len(t) > 1 for t in caps) or any(t.lower_ in ORG_HEADS for t in right) \
                or len(caps) >= 2:
            tail = Candidate(i + 1, sp.end, ORGANIZATION, votes=list(sp.votes))
            sp.end = i
            return tail
    return None


def is_slogan(doc: Doc, start: int, end: int) -> bool:
    """"Woman, Life, Freedom": single capitalised words joined by commas name no organization."""
    parts: list[list[str]] = [[]]
    for tok in doc[start:end]:
        if tok.text == ",":
            parts.append([])
        elif tok.lower_ not in {"and", "the"}:
            parts[-1].append(tok.lower_)
    return len(parts) >= 3 and all(len(p) == 1 and p[0] not in ORG_HEADS and p[0].isalpha() for p in parts)
