"""Span repairs for people and organizations, used by :mod:`extract.entities`.

The model's PERSON/ORG spans are cut at line breaks, brackets and coordination
(:func:`split_span`), trimmed of titles, determiners and glued words (:func:`trim`),
grown over hyphens, particles and an organization's "of" part (:func:`extend`), and
completed with names the model missed: people in "Name, role" lists, after an
honorific, coordinated after a name, and bare surnames of a full name. Each is a
linear pass over tokens.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from extract import entity_context as context
from extract import entity_rules as rules
from extract import lexicon, not_names, places
from extract.entity_keys import ORGANIZATION, PERSON
from extract.sentences import doc_text, doc_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc


@functools.cache
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words, imported on first use: importing spaCy costs ~1.5 s of
    CPU, and every ``atrisk`` command imports this module (a pass with nothing to analyse,
    and the crawl's start, do not wait for it)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)

# Words written before a name that are not part of it ("filmmaker Jafar Panahi",
# "Mrs Mohammadi", "Festival director Alberto Barbera").
TITLES = (lexicon.words("courtesy_titles") | lexicon.words("titles") | lexicon.words("roles")
           | lexicon.words("title_words"))
_PARTICLES = rules.PARTICLES
_ROLE_TITLES = lexicon.words("courtesy_titles") | lexicon.words("titles") | lexicon.words("roles")
FUNCTION_WORDS = frozenset("of for the and to on at in de du des la le di del da for a an".split())
_BREAK_TOKENS = frozenset({"/", "(", ")", ":", "|", "•", "·", "▪", "●", "–", "—", '"', "“", "”", "[", "]"})
_COORD = frozenset({",", "and", "&", ";"})
_LIST_LINE = re.compile(
    r"^[ \t]*(?:[-–•*·▪●]\s*)?"
    r"(?P<name>[^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,5}?),"
    r"[ \t]*(?:(?:a|an|the)[ \t]+)?(?P<role>[^\W\d_][\w-]*)",
    re.MULTILINE,
)


Span = context.Candidate


def is_name_token(tok) -> bool:  # noqa: ANN001 - spaCy Token
    return tok.is_alpha and (tok.is_title or tok.is_upper) and tok.lower_ not in TITLES

def split_span(doc: Doc, start: int, end: int, kind: str | None) -> list[tuple[int, int]]:
    """Cut a span at line breaks, slashes and brackets, then at coordination."""
    pieces: list[tuple[int, int]] = []
    cur = start
    for i in range(start, end):
        tok = doc[i]
        spaced_dash = tok.text == "-" and tok.whitespace_ and i > start and doc[i - 1].whitespace_
        # "RFE/RL", "Radio Free Europe/Radio Liberty": a slash written without spaces inside
        # one body's name joins its two forms
        glued_slash = tok.text == "/" and kind == ORGANIZATION and i > start and i + 1 < end \
            and not tok.whitespace_ and not doc[i - 1].whitespace_ and (
                doc[i + 1].is_upper and len(doc[i + 1]) > 1 or rules.has_org_head(doc, i + 1, end))
        if tok.is_space or tok.text in _BREAK_TOKENS and not glued_slash or spaced_dash:  # "KABUL - The ..."
            if cur < i:
                pieces.append((cur, i))
            cur = i + 1
        elif "\n" in tok.whitespace_:
            pieces.append((cur, i + 1))
            cur = i + 1
        elif tok.text == "The" and i > cur:  # "Jafar Panahi The Federation of ...": a heading run on
            pieces.append((cur, i))
            cur = i
    if cur < end:
        pieces.append((cur, end))
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        for a, b in _split_coordination(doc, s, e, kind):
            out.extend(_split_possessive(doc, a, b) if kind == ORGANIZATION else [(a, b)])
    return out


_POSSESSIVE = frozenset({"'s", "’s"})


def _split_possessive(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """"PEN America's Writers at Risk Programme", "Bangkok's Riverside University": an owner
    and what it owns in one span.

    The owner is kept when it is an organization's name of its own (a head noun or an
    acronym) and dropped when it is a place; what it owns is kept when it is a name of two
    or more capitalised words and no title ("PEN International's Policy Manager" is a
    role). An owner of another shape stays joined: "Women's Rights Centre", "People's Daily".
    """
    cut = next((i for i in range(start + 1, end - 1) if doc[i].lower_ in _POSSESSIVE), None)
    if cut is None:
        return [(start, end)]
    owner = doc[start:cut]
    place = places.resolve(owner.text) is not None
    named = rules.has_org_head(doc, start, cut) or any(t.is_upper and len(t) > 1 for t in owner)
    if not (place or named):
        return [(start, end)]
    out = [] if place else [(start, cut)]
    owned = [t for t in doc[cut + 1 : end] if t.is_alpha]
    if sum(1 for t in owned if t.text[0].isupper()) >= 2 and not any(t.lower_ in TITLES for t in owned):
        out.append((cut + 1, end))
    return out


def _split_coordination(doc: Doc, start: int, end: int, kind: str | None) -> list[tuple[int, int]]:
    cuts = [i for i in range(start + 1, end - 1) if doc[i].lower_ in _COORD]
    if not cuts:
        return [(start, end)]
    parts: list[tuple[int, int]] = []
    prev = start
    for c in cuts:
        parts.append((prev, c))
        prev = c + 1
        if doc[c].text == "," and prev < end and doc[prev].lower_ == "and":
            prev += 1
    parts.append((prev, end))
    parts = [(s, e) for s, e in parts if s < e]
    if kind == PERSON:
        return parts

    def words(s: int, e: int) -> int:
        return sum(1 for t in doc[s:e] if t.is_alpha and t.lower_ != "the")

    # "Culture and Guidance Ministry" is one name; "Amnesty International and
    # Human Rights Watch" is two: every part must be a name of its own.
    if not all(words(s, e) >= 2 and doc[s].text[0].isupper() | (doc[s].lower_ == "the") for s, e in parts):
        return [(start, end)]
    # "Ministry of Culture and Islamic Guidance", "Centre for Press Freedom and Safety": after
    # an "of"/"for" the words coordinated go on naming what the body is of, unless the next
    # part is a body of its own (a head noun, an acronym)
    joined = [parts[0]]
    for s, e in parts[1:]:
        ps, pe = joined[-1]
        of_complement = any(doc[i].lower_ in ("of", "for") for i in range(ps + 1, pe - 1))
        own_body = rules.has_org_head(doc, s, e) or any(t.is_upper and len(t) > 1 for t in doc[s:e])
        if of_complement and not own_body and doc[s - 1].lower_ in ("and", "&"):
            joined[-1] = (ps, e)
        else:
            joined.append((s, e))
    return joined


def trim(doc: Doc, start: int, end: int, kind: str | None) -> tuple[int, int] | None:
    """Drop determiners, titles and roles before a name, possessives and punctuation after."""
    if kind != ORGANIZATION:
        # "DGA President Lesli Linka Glatter": the name starts after the last title word
        last_title = max((i for i in range(start, end - 1) if doc[i].lower_.rstrip(".") in TITLES),
                         default=None)
        if last_title is not None and any(is_name_token(t) for t in doc[last_title + 1 : end]):
            start = last_title + 1
    while start < end:
        tok = doc[start]
        low = tok.lower_.rstrip(".")
        if tok.lower_ in {"the", "a", "an", "dear"} or not (tok.is_alpha or tok.text[0].isalnum()) or \
                tok.ent_type_ in {"ORDINAL", "DATE"} or rules.ORDINAL_WORD.match(tok.text):
            start += 1  # "the 58th ... Festival"
        elif kind != ORGANIZATION and (low in TITLES or (tok.is_lower and low not in _PARTICLES)):
            start += 1
        elif end - start > 2 and _glued_word(doc, start) and rules.person_shaped(doc, start + 1, end):
            start += 1  # "Both Ana Diaz", "Release Omar Haddad", "Poet Ana Diaz" (labelled ORG)
        elif kind == ORGANIZATION and tok.lower_ in {"pro", "anti"} and end - start > 3 and \
                doc[start + 1].text in rules.HYPHENS:
            start += 3  # "the pro-Kurdish Dicle News Agency": a stance, not part of the name
        elif kind == ORGANIZATION and end - start > 1 and (tok.is_sent_start and tok.pos_ in (
                "ADV", "CCONJ", "SCONJ") or tok.lower_ == "courtesy"):
            start += 1  # "Later Interpol": an adverb capitalised by the sentence's start;
            # "Courtesy Voice of Tibet": a photo credit
        else:
            break
    while end > start:
        tok = doc[end - 1]
        if tok.lower_ in {"'s", "’s", "'", "’"} or tok.is_space or (
                tok.is_punct and tok.text not in {".", ")"}):
            end -= 1
        elif kind != ORGANIZATION and tok.is_lower and tok.lower_ not in _PARTICLES:
            end -= 1
        elif kind == ORGANIZATION and tok.is_lower and (tok.lower_ in rules.TRAILING_NOUNS or
                                                        tok.lower_ in FUNCTION_WORDS):
            end -= 1  # "Berlinale press office": the office is not part of the name
        elif kind == ORGANIZATION and end - start > 1 and (tok.lower_ in _ROLE_TITLES or tok.pos_ == "VERB") \
                and _org_before(doc, start, end - 1) and not _members_noun(doc, start, end - 1):
            end -= 1  # "IFJ General Secretary", "ARC Announce": a role or a verb after the name
        elif end - start > 1 and tok.lower_ in rules.CREDIT_WORDS and tok.text[0].isupper():
            end -= 1  # a caption run into its credit: "Ahmed Mohamed. Image: ..."
        elif tok.text == "." and end - 1 > start and len(doc[end - 2].text) > 1 and not doc[end - 2].is_upper:
            end -= 1  # a sentence full stop kept in the span, not an initial
        else:
            break
    return (start, end) if start < end else None


def _glued_word(doc: Doc, i: int) -> bool:
    """A word before a name that is no part of it: a title or role, or at a sentence's or
    line's start, a function word, verb or common noun capitalised by its place."""
    tok = doc[i]
    low = tok.lower_.rstrip(".")
    if low in TITLES:
        return True
    if not (tok.is_sent_start or rules.line_start(doc, i)):
        return False
    return low in _stop_words() or tok.pos_ in {"VERB", "AUX", "ADP", "DET", "CCONJ", "ADV", "SCONJ"} \
        or not_names.written_lower(doc, low)


def _members_noun(doc: Doc, start: int, end: int) -> bool:
    """The role word at ``end`` closes an "of"/"for" part: the members an organization is
    named after ("Federation of European Film Directors", "Union of Journalists")."""
    return doc[end].pos_ != "VERB" and any(t.lower_ in {"of", "for"} for t in doc[start + 1 : end])


def _org_before(doc: Doc, start: int, end: int) -> bool:
    """What is left is an organization's name on its own: an acronym or a name with a head noun."""
    while end > start and doc[end - 1].lower_ in _ROLE_TITLES:
        end -= 1
    return end > start and (end - start == 1 and doc[start].is_upper and len(doc[start]) > 1
                            or rules.has_org_head(doc, start, end))


def extend(doc: Doc, start: int, end: int, kind: str | None) -> tuple[int, int]:
    """Grow a name over hyphens ("Mohammad-Ali"), particles ("van der") and missed given names."""

    def joined(a, b) -> bool:  # noqa: ANN001 - tokens written without a space between them
        return not a.whitespace_

    def spaced(a) -> bool:  # noqa: ANN001
        return a.whitespace_ == " "

    while start > 0:
        p = doc[start - 1]
        if p.text in {"-", "‐"} and start >= 2 and joined(doc[start - 2], p) and joined(p, doc[start]) \
                and doc[start - 2].is_alpha and doc[start - 2].text[0].isupper():
            start -= 2
        elif kind == PERSON and spaced(p) and p.lower_ in _PARTICLES and start >= 2 and \
                is_name_token(doc[start - 2]) and spaced(doc[start - 2]) and not p.is_sent_start:
            start -= 2
        elif kind == PERSON and spaced(p) and p.pos_ == "PROPN" and is_name_token(p) \
                and p.ent_type_ in {"", "PERSON", "ORG"} and not p.is_upper and not _glued_word(doc, p.i):
            start -= 1
        else:
            break
    while end < len(doc):
        n, last = doc[end], doc[end - 1]
        if n.text in {"-", "‐"} and joined(last, n) and end + 1 < len(doc) and joined(n, doc[end + 1]) \
                and doc[end + 1].is_alpha and doc[end + 1].lower_ not in _MODIFIER_SUFFIXES:
            end += 2
        elif kind == PERSON and spaced(last) and n.lower_ in _PARTICLES and end + 1 < len(doc) and (
                is_name_token(doc[end + 1]) or (doc[end + 1].text == "-" and joined(n, doc[end + 1]))):
            end += 1
        elif kind == PERSON and spaced(last) and _name_suffix(doc, end):
            end += 1
        elif kind == PERSON and spaced(last) and n.pos_ == "PROPN" and is_name_token(n) \
                and n.ent_type_ in {"", "PERSON"} and not n.is_upper and n.lower_ not in rules.CREDIT_WORDS:
            end += 1
        else:
            break
    if kind == ORGANIZATION:
        if _movement_after(doc, start, end):
            end += 1
        start, end = _extend_org(doc, start, end)
    return start, end


def _movement_after(doc: Doc, start: int, end: int) -> bool:
    """"the San Isidro movement": a name the text never writes without its lower-case
    "movement" is the movement's name (not "the Taliban movement" beside "the Taliban")."""
    if end >= len(doc) or doc[end].text != "movement" or \
            end + 1 < len(doc) and doc[end + 1].pos_ in {"NOUN", "PROPN"}:
        return False
    text = doc_text(doc)
    name = text[doc[start].idx : doc[end - 1].idx + len(doc[end - 1])]
    return text.count(name) == text.count(name + " movement")


_NAME_SUFFIXES = lexicon.words("name_suffixes")


def _name_suffix(doc: Doc, i: int) -> bool:
    """Token ``i`` ends the name before it: a patronymic marker ("uulu") or a ruler's number
    in capitals ("II"; "I" only where no sentence goes on after it)."""
    tok = doc[i]
    if tok.text in {"I", "V"}:  # "the king Juan Carlos I a mafia boss": no pronoun before "a"
        return i + 1 == len(doc) or doc[i + 1].is_punct and doc[i + 1].text not in {"-", "'"} \
            or doc[i + 1].lower_ in {"a", "an", "the", "of"}
    return tok.lower_ in _NAME_SUFFIXES and (tok.is_lower or tok.is_upper and len(tok) > 1)


_ORG_OF = frozenset({"of", "for", "in", "on"})
# "Abu Dhabi-based", "Kremlin-backed": a name turned into a modifier, not a longer name.
_MODIFIER_SUFFIXES = frozenset("""
based born led owned run backed funded affiliated linked aligned controlled registered
headquartered sponsored famed supported trained educated inspired allied appointed
""".split())


def _unit_word(tok) -> bool:  # noqa: ANN001 - spaCy Token
    return tok.is_alpha and tok.text[0].isupper() and tok.ent_type_ in {"", "ORG", "GPE"} \
        and not tok.is_sent_start


_PLACE_LABELS = frozenset({"GPE", "NORP", "LOC"})


def _extend_org(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """An organization's name with a head noun takes in the words the model left outside it:
    a place or people before it ("Amhara Media Center", "Allahabad High Court"), a unit
    before "in"/"for" ("Writers in Prison Committee") and an "of"/"for" part after it
    ("Academy for the Performing Arts", "Court of Appeal")."""
    if not rules.has_org_head(doc, start, end):
        return start, end
    for _ in range(3):
        p = start - 1
        if p < 0 or doc[p].is_sent_start and doc[p].lower_ in _stop_words() or "\n" in doc[p].whitespace_:
            break
        tok = doc[p]
        named = tok.ent_type_ in _PLACE_LABELS or tok.pos_ == "PROPN" and tok.ent_type_ in ("", "ORG")
        if tok.lower_ in {"the", "a", "an"} or tok.lower_ in rules.CREDIT_WORDS:
            break  # "... The Federation of Film Directors", "Courtesy Tibet Times": no name
            # runs on over a determiner or a credit word
        if tok.is_alpha and tok.text[0].isupper() and tok.whitespace_ and not tok.is_sent_start and named:
            start = p
        elif rules.ORDINAL_WORD.match(tok.text) and p > 0 and doc[p - 1].is_alpha \
                and doc[p - 1].text[0].isupper() and not doc[p - 1].is_sent_start \
                and doc[p - 1].ent_type_ not in {"DATE", "NORP"}:
            start = p - 1  # "the Elazığ 2nd High Criminal Court": a city's numbered court
            break
        elif tok.lower_ in _ORG_OF - {"of"} and p > 0 and _unit_word(doc[p - 1]):
            start = p - 1  # "Writers in Prison Committee"
        else:
            break
    if end + 1 < len(doc) and doc[end].lower_ in {"and", "&"} and doc[end - 1].lower_ in rules.ORG_HEADS \
            and doc[end + 1].lower_ in rules.ORG_HEADS and doc[end + 1].is_title and (
            end + 2 == len(doc) or not doc[end + 2].is_title):
        end += 2  # "Riverside Medical College and Hospital": one body's two head nouns
    j = end
    if j + 1 < len(doc) and doc[j].lower_ in {"of", "for"} and doc[end - 1].lower_ in rules.ORG_HEADS:
        k = j + 1 + (doc[j + 1].lower_ == "the")
        stop = k
        while stop < len(doc) and stop - k < 4 and doc[stop].is_alpha and doc[stop].text[0].isupper() \
                and doc[stop].ent_type_ not in {"PERSON", "DATE"} and "\n" not in doc[stop - 1].whitespace_:
            stop += 1
        if stop > k:
            end = stop
    elif j + 1 < len(doc) and doc[j].lower_ == "of" and any(
            t.lower_ in ("of", "for") for t in doc[start:end]):
        # "National Union of Journalists of the Philippines": after an "of"/"for" part, the
        # country or city the body is of (a place the gazetteer knows) is part of its name
        k = j + 1 + (doc[j + 1].lower_ == "the")
        stop = k
        while stop < len(doc) and stop - k < 3 and doc[stop].is_alpha and doc[stop].text[0].isupper() \
                and "\n" not in doc[stop - 1].whitespace_:
            stop += 1
        if stop > k and places.resolve(doc[k:stop].text) is not None:
            end = stop
    return start, end


def list_names(doc: Doc) -> list[Span]:
    """People in lists written "Name, role" ("- Roya Sadat, director"), one per line."""
    out: list[Span] = []
    for m in _LIST_LINE.finditer(doc_text(doc)):
        if m.group("role").lower() not in TITLES:
            continue
        words = m.group("name").split()
        if not all(w[0].isupper() or w.lower() in _PARTICLES for w in words) or \
                any(w.lower().strip(".") in TITLES for w in words):
            continue
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if span is not None:
            out.append(Span(span.start, span.end, PERSON, votes=[PERSON, PERSON]))
    return out


_HONORIFICS = lexicon.words("courtesy_titles")
_CONNECTORS = frozenset("of for on at the de du la to".split())


def _name_run(doc: Doc, i: int, limit: int, connectors: bool, any_entity: bool = False) -> int:
    """End of a run of capitalised words from token ``i`` (with "of", "for"... inside when asked)."""
    end = i
    j = i
    while j < len(doc) and j - i < limit:
        tok = doc[j]
        if (not any_entity and tok.ent_type_ not in {"", "PERSON", "ORG"}) or (
                j > i and "\n" in doc[j - 1].whitespace_):
            break
        if tok.is_alpha and tok.text[0].isupper() and tok.lower_ not in TITLES or tok.like_num and j > i:
            j += 1
            end = j
        elif connectors and tok.lower_ in _CONNECTORS and j > i or tok.text == "-" and not tok.whitespace_:
            j += 1
        else:
            break
    return end


def after_honorifics(doc: Doc) -> list[Span]:
    """"Mrs Nasrin Sotoudeh": the words after an honorific are a person even when ner missed them."""
    out: list[Span] = []
    for tok in doc_tokens(doc):
        if tok.lower_.rstrip(".") in _HONORIFICS and tok.text[0].isupper() and tok.i + 1 < len(doc):
            start = tok.i + 2 if doc[tok.i + 1].text == "." else tok.i + 1
            end = _name_run(doc, start, 4, connectors=False, any_entity=True)
            if end > start:
                out.append(Span(start, end, PERSON, votes=[PERSON, PERSON]))
    return out


def coordinated(doc: Doc, spans: list[Span]) -> list[Span]:
    """"Amnesty International, Human Rights Watch and PEN Belarus": ner often keeps only the first."""
    out: list[Span] = []
    for sp in spans:
        if sp.kind is None:
            continue
        end = sp.end
        while end + 1 < len(doc) and doc[end].lower_ in {",", "and", "&"}:
            start = end + 1
            if doc[end].text == "," and doc[start].lower_ == "and":
                start += 1
            if start < len(doc) and doc[start].lower_ == "the":
                start += 1
            if start >= len(doc) or doc[start].ent_type_ not in {"", "PERSON", "ORG"} or \
                    doc[start].ent_iob_ == "B":
                break  # the next name is already an entity, or not a person or organization
            stop = _name_run(doc, start, 8, connectors=sp.kind == ORGANIZATION)
            if stop == start or stop - start < 2 and sp.kind == ORGANIZATION and not doc[start].is_upper:
                break
            out.append(Span(start, stop, sp.kind))
            end = stop
    return out


def people_pairs(doc: Doc, spans: list[Span]) -> list[Span]:
    """"Salhi and Lazizi" labelled as one organization where the document names "Salim
    Salhi" and "Adel Lazizi": two people's surnames (or given names) joined by "and" are
    those two people. ``spans`` with each such organization replaced by its two people."""
    parts: set[str] = set()
    for sp in spans:  # the model labels a full name now and then as a body: its shape decides
        if sp.end - sp.start > 1 and not rules.has_org_head(doc, sp.start, sp.end) and (
                sp.kind == PERSON or sp.kind == ORGANIZATION and not sp.ent_id
                and rules.person_shaped(doc, sp.start, sp.end)):
            parts.update((doc[sp.start].text, doc[sp.end - 1].text))
    out: list[Span] = []
    for sp in spans:
        cut = next((i for i in range(sp.start + 1, sp.end - 1) if doc[i].lower_ in ("and", "&")), None)
        sides = [] if cut is None or sp.kind != ORGANIZATION or sp.ent_id else \
            [(sp.start, cut), (cut + 1, sp.end)]
        if sides and all(e - s == 1 and doc[s].text in parts and is_name_token(doc[s]) for s, e in sides):
            out.extend(Span(s, e, PERSON) for s, e in sides)
        else:
            out.append(sp)
    return out


def bare_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """A surname or given name ner missed ("Daneshvar had been summoned") next to a full name."""
    parts: set[str] = set()
    for sp in spans:
        if sp.kind == PERSON and sp.end - sp.start > 1 and not rules.has_org_head(doc, sp.start, sp.end):
            parts.add(doc[sp.start].text)
            parts.add(doc[sp.end - 1].text)
    taken = {i for sp in spans for i in range(sp.start, sp.end)}
    return [Span(t.i, t.i + 1, PERSON) for t in doc_tokens(doc)
            if t.text in parts and t.i not in taken and t.is_alpha and t.text[0].isupper()
            and t.pos_ == "PROPN" and len(t.text) > 2 and not _hyphen_half(doc, t.i)]


def _hyphen_half(doc: Doc, i: int) -> bool:
    """"Jalal" in "Jalal-Abad": half of a hyphenated word is no name of its own."""
    return i + 1 < len(doc) and doc[i + 1].text in rules.HYPHENS and not doc[i].whitespace_ or \
        i > 0 and doc[i - 1].text in rules.HYPHENS and not doc[i - 1].whitespace_


def dedupe(spans: list[Span]) -> list[Span]:
    """Keep one span per stretch of text: watchlist first, then the longest."""
    spans.sort(key=lambda s: (not s.ent_id, -(s.end - s.start), not s.votes, s.start))
    taken: set[int] = set()
    out: list[Span] = []
    for sp in spans:
        if taken.isdisjoint(range(sp.start, sp.end)):
            taken.update(range(sp.start, sp.end))
            out.append(sp)
    out.sort(key=lambda s: s.start)
    return out

