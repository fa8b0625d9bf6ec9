"""Language of a document and of each sentence (lingua, offline, short-text aware).

Two detectors, each built once per process and loading its language models lazily
(only the models of the scripts a text is written in):

- documents: lingua's low-accuracy mode over the languages below, on the first
  1,000 characters, or the first 5,000 when that names a language whose close
  neighbour lingua tells apart only over more text (reliable on texts of 120
  characters and more, ~60 MB);
- sentences: high-accuracy mode over the languages atrisk can analyse (a parser or a
  trigger lexicon), English and the languages most often taken for them, so a short
  quoted sentence in a French statement or a Persian line in an English report gets its
  own language; below a confidence margin the document's language is kept.

A script that names one language (Hangul, Thai, Malayalam...) decides alone; without
lingua installed both fall back to that and to the caller's default.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from extract.script_norm import script_of

log = logging.getLogger(__name__)

# The languages documents are told apart in: the ones atrisk reads and the big web languages.
DOCUMENT_LANGUAGES = (
    "en fr de es it pt nl pl tr fa ar ur ru uk be bg kk az zh ja ko he el hi vi id sv ro cs hu "
    "da nb fi lt lv et ca sq hr sr bs sk sl tl ms sw so af eu"
).split()
# Languages a sentence is also told apart from: those most often taken for one of ours.
SENTENCE_NEIGHBOURS = ("it", "pt", "nl", "pl")
SAMPLE = 5000
# Documents are read on their first DETECT_SAMPLE characters (lingua's time grows with the
# text: a third of the CPU of 5,000), again on SAMPLE when that names one of CLOSE_LANGUAGES,
# pairs that share most of their trigrams (Indonesian and Malay, Croatian, Bosnian and
# Serbian, Danish and Bokmal, Czech and Slovak).
DETECT_SAMPLE = 1000
CLOSE_LANGUAGES = frozenset({"id", "ms", "hr", "bs", "sr", "da", "nb", "cs", "sk"})
# From this many characters on, a document's detected language beats what the page declares.
RELIABLE_CHARS = 120
MIN_LETTERS = 3
# A sentence's detected language replaces the document's only when lingua is this sure.
MIN_CONFIDENCE = 0.5

# Scripts that belong to one language (those of lingua's list are detected the usual way).
SCRIPT_LANGUAGE = {
    "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "THAI": "th", "GEORGIAN": "ka",
    "ARMENIAN": "hy", "BENGALI": "bn", "MALAYALAM": "ml", "TAMIL": "ta", "TELUGU": "te",
    "KANNADA": "kn", "GUJARATI": "gu", "GURMUKHI": "pa", "SINHALA": "si", "KHMER": "km",
    "LAO": "lo", "MYANMAR": "my", "ETHIOPIC": "am", "TIBETAN": "bo", "HEBREW": "he", "GREEK": "el",
    "CJK": "zh",  # Han without kana (kana make a text "HIRAGANA", Japanese)
}  # fmt: skip


# Script of each letter met so far (a dictionary look-up is a fifth of the name's cost).
_SCRIPT_OF: dict[str, str] = {}


def dominant_script(text: str, sample: int = 2000) -> str | None:
    """Unicode script of most letters in (the start of) ``text``: "LATIN", "CYRILLIC"...

    Japanese counts as "HIRAGANA" as soon as kana make a tenth of the letters, since
    its kanji alone would read as Chinese.
    """
    counts: dict[str, int] = {}
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        script = _SCRIPT_OF.get(char)
        if script is None:
            script = _SCRIPT_OF[char] = script_of(char)
        counts[script] = counts.get(script, 0) + 1
        letters += 1
        if letters >= sample:
            break
    if not counts:
        return None
    kana = counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0)
    if kana * 10 >= letters:
        return "HIRAGANA"
    return max(counts, key=lambda s: counts[s])


def _lingua() -> Any | None:
    try:
        import lingua
    except ImportError:  # pragma: no cover - lingua is a dependency; kept usable without it
        return None
    return lingua


@cache
def _detector(codes: tuple[str, ...], low_accuracy: bool) -> Any | None:
    lingua = _lingua()
    if lingua is None:
        return None
    isos = [getattr(lingua.IsoCode639_1, c.upper()) for c in codes if hasattr(lingua.IsoCode639_1, c.upper())]
    builder = lingua.LanguageDetectorBuilder.from_iso_codes_639_1(*isos)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


def _code(language: Any) -> str:
    return str(language.iso_code_639_1.name).lower()


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def document_language(text: str) -> str | None:
    """Two-letter code of the language a document is written in, or ``None``."""
    sample = text[:SAMPLE]
    if _letters(sample) < MIN_LETTERS:
        return None
    script = dominant_script(sample)
    if script in SCRIPT_LANGUAGE:
        return SCRIPT_LANGUAGE[script]
    det = _detector(tuple(DOCUMENT_LANGUAGES), True)
    if det is None:
        return None
    found = det.detect_language_of(sample[:DETECT_SAMPLE])
    code = _code(found) if found is not None else None
    if code in CLOSE_LANGUAGES and len(sample) > DETECT_SAMPLE:
        found = det.detect_language_of(sample)
        code = _code(found) if found is not None else None
    return code


def sentence_languages() -> tuple[str, ...]:
    """Languages a sentence is told apart in: English and those with a parser or lexicon."""
    from extract import lexicon_events, nlp

    return tuple(sorted({"en", *nlp.PARSER_LANGUAGES, *lexicon_events.lexicon_languages()}))


def sentence_language(text: str, default: str | None = None) -> str | None:
    """Language of one (short) sentence; ``default`` when the text cannot tell."""
    if _letters(text) < MIN_LETTERS:
        return default
    script = dominant_script(text)
    if script in SCRIPT_LANGUAGE:
        return SCRIPT_LANGUAGE[script]
    candidates = set(sentence_languages()) | set(SENTENCE_NEIGHBOURS)
    if default in DOCUMENT_LANGUAGES:
        candidates.add(default)  # an Italian sentence in an Italian text stays Italian
    det = _detector(tuple(sorted(candidates)), False)
    if det is None:
        return default
    values = det.compute_language_confidence_values(text)
    if not values:
        return default
    best = values[0]
    code = _code(best.language)
    if code == default:
        return code
    if best.value >= MIN_CONFIDENCE:
        return code
    return default if default is not None else document_language(text)
