"""Script normalization for matching names and trigger words across spellings.

Texts in Persian, Arabic, Russian, Ukrainian, Turkish... write one name many ways:
Arabic and Persian yeh and kaf forms (ي/ی, ك/ک), with or without zero-width
non-joiners and vowel marks, Cyrillic in any case with or without ё, Latin with or
without accents. :func:`normalize` folds these differences character by character and
keeps, for every character it outputs, the offset of the character it came from, so a
match in the normalized text maps back to the original one. :func:`tokens` splits a
normalized text into words with their original offsets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Characters written differently in Arabic and Persian, or with presentation variants.
_FOLD = {
    "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
    "\u0649": "\u06cc",  # alef maksura -> yeh
    "\u06d2": "\u06cc",  # yeh barree (Urdu) -> yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u06c0": "\u0647",  # heh with yeh above -> heh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627", "\u0622": "\u0627",  # alef forms
    "\u0624": "\u0648",  # waw with hamza -> waw
    "\u0626": "\u06cc",  # yeh with hamza -> yeh
    "\u0451": "\u0435",  # ё -> е
    "\u0131": "i",  # dotless i (Turkish)
    "\u00df": "ss",
    "\u2019": "'", "\u02bc": "'", "\u02bb": "'", "`": "'",
}
# Removed outright: zero-width (non-)joiners, tatweel, soft hyphen, bidi marks.
_DROP = {"\u200c", "\u200d", "\u0640", "\u00ad", "\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069"}
# Persian and Arabic-Indic digits read as ASCII digits.
_DIGITS = {chr(0x06F0 + i): str(i) for i in range(10)} | {chr(0x0660 + i): str(i) for i in range(10)}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _DROP:
        return ""
    if char in _DIGITS:
        return _DIGITS[char]
    low = char.lower()
    if len(low) != 1:  # "İ".lower() is two characters
        low = char
    low = _FOLD.get(low, low)
    out = []
    for c in unicodedata.normalize("NFD", low):
        if unicodedata.combining(c):  # accents, Arabic harakat, superscript alef
            continue
        out.append(_FOLD.get(c, c))
    return "".join(out)


@dataclass(frozen=True)
class Normalized:
    """A normalized text and, per character of it, the offset of its source character."""

    text: str
    source: tuple[int, ...]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the normalized characters ``start:end``."""
        if start >= len(self.source):
            return self.original_length, self.original_length
        first = self.source[start]
        last = self.source[end - 1] + 1 if end > start else first
        return first, last


def normalize(text: str) -> Normalized:
    """Fold case, accents and vowel marks, Arabic/Persian letter forms, ZWNJ and ё."""
    out: list[str] = []
    source: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        source.extend([i] * len(folded))
    return Normalized("".join(out), tuple(source), len(text))


def fold(text: str) -> str:
    """The normalized form of ``text`` only."""
    return "".join(_fold_char(c) for c in text)


# Han and kana characters are words one by one (those scripts write no spaces).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+", re.UNICODE)


@dataclass(frozen=True)
class Token:
    text: str  # normalized
    start: int  # offsets in the normalized text
    end: int


def tokens(normalized: str) -> list[Token]:
    """Words of a normalized text (letters and digits; apostrophes and hyphens split)."""
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(normalized)]


def script_of(word: str) -> str:
    """Unicode script of a word's first letter: "LATIN", "CYRILLIC", "ARABIC"..."""
    for char in word:
        if char.isalpha():
            name = unicodedata.name(char, "")
            return name.split(" ", 1)[0] if name else ""
    return ""
