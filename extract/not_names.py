"""Spans that name no person and no organization, used by :mod:`extract.entities`.

The model labels money amounts, month and day words, laws, prizes, faiths, peoples,
countries and capitalised common nouns PERSON or ORG; :func:`not_a_name` says which
of these a span is, and :func:`place_name` whether a name is a country's or a region's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from extract import lexicon, places
from extract.entity_keys import ORGANIZATION, entity_key
from extract.entity_rules import DEMONYM, ORG_HEADS
from extract.sentences import doc_tokens, per_document

if TYPE_CHECKING:
    from spacy.tokens import Doc

LAW_WORDS = lexicon.words("law_words")
AWARD_WORDS = lexicon.words("award_words")
_TIME_WORDS = lexicon.words("time_words")
_STREET_WORDS = lexicon.words("street_words")
_GROUP_WORDS = lexicon.words("group_words")
_OCCASION_WORDS = lexicon.words("occasion_words")
_ROMAN = re.compile(r"^[IVX]{2,}$")
_PRIZE_METALS = frozenset("golden silver bronze crystal best".split())
_CURRENCY = re.compile(r"[$€£¥₹₦]|\b(?:usd|eur|gbp|aed|zw|rs|inr|tl|try|rub)\b", re.I)


def not_a_name(doc: Doc, start: int, end: int) -> str | None:
    """Why the span names no person or organization, or None.

    "money": an amount ("ZW$70,000", "AED 1 million"); "place": a street or a square
    ("Fortress Hill Road"); "time": month, day or time words only ("On Wednesday");
    "law": a law or code ("the National Security Law"); "award": a prize ("Silver Bear",
    "Best Film"); "group": a faith, people or nationality ("Tibetan Buddhism", "Crimean
    Tatars", "French"); "occasion": an event's name ("the Press Conference"); "numeral": a
    Roman number alone ("XXII"); "common noun": one word the text also writes in lower case
    ("Court", "Community"), capitalised only by its place.
    """
    toks = doc[start:end]
    words = [t for t in toks if t.is_alpha]
    if not words:
        return None
    lows = [t.lower_ for t in words]
    if any(t.ent_type_ == "MONEY" for t in toks) or _CURRENCY.search(toks.text) and any(
            t.like_num for t in toks):
        return "money"
    if all(w in _TIME_WORDS for w in lows) or lows[-1] == "day" and len(lows) > 1:
        return "time"
    if lows[-1] in _STREET_WORDS and len(lows) > 1:
        return "place"  # "Fortress Hill Road", "King's Road"
    if lows[-1] in LAW_WORDS and not any(w in ORG_HEADS for w in lows):
        return "law"
    if any(w in AWARD_WORDS for w in lows) or lows[0] == "best" and len(lows) > 1 or \
            lows[0] in _PRIZE_METALS and len(lows) <= 3 and not any(w in ORG_HEADS for w in lows):
        return "award"
    if lows[-1] in _OCCASION_WORDS and len(lows) > 1 or " ".join(lows[-2:]) in _OCCASION_WORDS:
        return "occasion"  # "the Press Conference", "the Opening Ceremony"
    if len(toks) == 1 and _ROMAN.match(toks.text):
        return "numeral"  # "DokuFest XXII": an edition's number
    if lows[-1] in _GROUP_WORDS or lows[-1].endswith("ism") and not any(w in ORG_HEADS for w in lows):
        return "group"
    one = words[0]
    if len(toks) == 1 and (one.ent_type_ == "NORP" or one.pos_ == "ADJ" and DEMONYM.search(lows[0])):
        return "group"
    if len(toks) == 1 and not words[0].is_upper and written_lower(doc, lows[0]):
        return "common noun"
    return None


def common_phrase(doc: Doc, start: int, end: int) -> bool:
    """Every word of the span is one the text also writes in lower case ("Gender Apartheid",
    "Screening Schedule", "Human Rights" in a text that speaks of human rights): common
    words capitalised by a heading, not a person's name."""
    words = [t for t in doc[start:end] if t.is_alpha]
    return len(words) >= 2 and not any(t.is_upper for t in words) and \
        all(written_lower(doc, t.lower_) for t in words)


def written_lower(doc: Doc, low: str) -> bool:
    """Whether the text writes ``low`` in lower case somewhere (a common noun, not a name)."""
    return low in per_document(doc, "lower_words", _lower_words)


def _lower_words(doc: Doc) -> frozenset[str]:
    return frozenset(t.text for t in doc_tokens(doc) if t.is_lower)


@lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], frozenset[str]]:
    """Keys of country names (ISO names, common names and the short forms of a list) and of
    the ISO names of provinces, regions and capital districts."""
    import pycountry

    countries = {entity_key(n) for n in lexicon.words("country_names")}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                countries.add(entity_key(value))
    regions = {entity_key(s.name) for s in pycountry.subdivisions}
    return frozenset(countries), frozenset(regions - countries)


def country_key(key: str) -> bool:
    """An identity key (:func:`entity_key`) that is a country's, present or past ("iran",
    "soviet union")."""
    return key in _places()[0]


def place_name(name: str, kind: str | None) -> bool:
    """A country's name (any kind), a city's of two or more words ("Buenos Aires", "Ciudad
    Juárez", any kind), or a province's or region's (an organization only).

    One-word cities and regions are not tested for people: many share a name with a
    person ("Santiago", "Sofia", "Córdoba").
    """
    countries, regions = _places()
    key = entity_key(name)
    if key in countries or kind == ORGANIZATION and key in regions:
        return True
    place = places.resolve(name) if len(key.split()) >= 2 else None
    return place is not None and place.city is not None

