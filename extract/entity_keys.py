"""Identity keys of names, and a watchlist's names indexed by key.

:func:`entity_key` folds case, accents, punctuation and transliteration variants so
that two spellings of one name compare equal; :func:`resolve_to_watchlist` finds the
listed person or organization a name refers to. Both are used by the extractors and by
storage, and import nothing else of the project but the watchlist's types.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from extract import lexicon
from extract.watchlist import WatchedEntity, Watchlist, watchlist_index

PERSON = "person"
ORGANIZATION = "organization"

# Letters NFKD leaves alone, folded by hand.
_LETTERS = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l",
                          "þ": "th", "ð": "d", "ʼ": "", "ʻ": "", "’": "", "'": ""})
# Transliteration variants that do not separate two real names: doubled letters
# (Moghaddam/Moghadam) and a final -ov/-ev written -of/-ef (Rasoulov/Rasoulof).
# Vowel changes (Rasoulof/Rasulof, Louis/Luis) can, so they are left to the fuzzy step.
_TRANSLIT = ((re.compile(r"([a-z])\1+"), r"\1"), (re.compile(r"(?<=[oe])v\b"), "f"))


@lru_cache(maxsize=8192)
def entity_key(name: str) -> str:
    """Normalised identity key: case, accents, punctuation and transliteration folded."""
    s = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    s = "".join(c for c in s if not unicodedata.combining(c)).translate(_LETTERS)
    s = re.sub(r"[^\w\s]|_", " ", s)
    for pattern, repl in _TRANSLIT:
        s = pattern.sub(repl, s)
    return " ".join(s.split())


# Spellings that vary between transliterations of one name and are folded for matching
# only (stored identity keys stay entity_key): "ou" for "u" (Rasoulof/Rasulof) and a final
# -iy/-yi/-ii for -y (Zelenskiy/Zelensky).
_SPELLING = ((re.compile(r"ou"), "u"), (re.compile(r"(?:iy|yi|ii)\b"), "y"))


@lru_cache(maxsize=1)
def _given_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lexicon.entries("name_variants"):
        forms = [entity_key(w) for w in line.split()]
        for form in forms:
            out.setdefault(form, forms[0])
    return out


@lru_cache(maxsize=8192)
def variant_key(name: str) -> str:
    """:func:`entity_key` with transliteration variants folded too, for matching two
    spellings of one name: given-name variants (``lexicon/name_variants.txt``:
    Mohammad/Mohammed/Muhammad) and the spellings of ``_SPELLING``."""
    given = _given_names()
    words = []
    for word in entity_key(name).split():
        word = given.get(word, word)
        for pattern, repl in _SPELLING:
            word = pattern.sub(repl, word)
        words.append(word)
    return " ".join(words)


class WatchIndex:
    """Keys of a watchlist's names and aliases, built once per watchlist."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.exact: dict[tuple[str, str], WatchedEntity] = {}
        self.surnames: dict[str, list[WatchedEntity]] = {}
        self.by_kind: dict[str, dict[str, WatchedEntity]] = {PERSON: {}, ORGANIZATION: {}}
        self.variants: dict[tuple[str, str], WatchedEntity] = {}
        # keys by (kind, initials): the fuzzy step compares only names of the same shape
        self.by_shape: dict[tuple[str, str], dict[str, WatchedEntity]] = {}
        for ent in watchlist.entities:
            for surface in (ent.name, *ent.aliases):
                key = entity_key(surface)
                self.exact.setdefault((ent.kind, key), ent)
                self.by_kind[ent.kind].setdefault(key, ent)
                self.by_shape.setdefault((ent.kind, _key_shape(key)), {}).setdefault(key, ent)
                self.variants.setdefault((ent.kind, variant_key(surface)), ent)
                if ent.kind == PERSON and len(key.split()) > 1:
                    last = key.split()[-1]
                    bucket = self.surnames.setdefault(last, [])
                    if ent not in bucket:
                        bucket.append(ent)


def watch_index(watchlist: Watchlist) -> WatchIndex:
    """The key index of ``watchlist``, built on first use."""
    return watchlist_index(watchlist, WatchIndex)


def resolve_to_watchlist(name: str, kind: str, watchlist: Watchlist | None) -> WatchedEntity | None:
    """The watched entity ``name`` refers to: exact key or alias, a transliteration variant
    of one (:func:`variant_key`), else a tight fuzzy match.

    The fuzzy step allows one edit on a key of at least 8 letters with the same
    number of words and the same initials: "Mohammad Rasulov" finds "Mohammad
    Rasoulof", while "Mohammad Rasouli" (another surname) does not.
    """
    if not watchlist or not watchlist.entities:
        return None
    idx = watch_index(watchlist)
    key = entity_key(name)
    hit = idx.exact.get((kind, key))
    if hit is None and kind == PERSON:
        hit = idx.variants.get((kind, variant_key(name)))
    if hit is not None or len(key) < 8:
        return hit
    choices = idx.by_shape.get((kind, _key_shape(key)), {})  # same number of words and initials
    best = process.extractOne(key, list(choices), scorer=Levenshtein.distance, score_cutoff=1)
    return choices[best[0]] if best else None


def _key_shape(key: str) -> str:
    return " ".join(w[0] for w in key.split())  # the first letter of each word

