"""Events without a parser: watchlisted names and trigger words in the same clause.

For a language with no model, a document is still read for what campaigners need most:
a watchlisted person and a repression trigger ("بازداشت شد", "задержан", "gözaltına
alındı") standing in one clause of a sentence. Names come from the watchlist (native
script and transliterated aliases), matched after :mod:`extract.script_norm`, with
inflected Cyrillic forms ("Горинову", "Евгению") and Arabic one-letter prefixes ("و", "ب")
accepted. Trigger lexicons are data files, one per language: ``extract/lexicon/
triggers_<lang>.txt``, each line ``KIND: phrase``, where KIND is an event type or

- ``ignore``: a phrase that contains a trigger word without reporting the event
  ("محکوم کردن" = to condemn, "требует освобождения" = demands the release);
- ``not``: a negation, modal or demand word that cancels a trigger up to two words
  after it ("n'a pas été arrêté", "exigeons la libération", "должны предъявить");
  ``not_after`` the same for words after the trigger (Persian "بازداشت نشد");
- ``speech``: a verb of saying; the person before it is the speaker, not the subject;
- ``source``: "according to" ("selon", "по словам", "به گفته"): the people named after it,
  up to the next comma, are the source, not the subject;
- ``anaphor``: a pronoun or role noun ("the director") standing for the person named
  in the previous sentence, when the clause names nobody.

A word ending in ``*`` matches any word it starts. The same engine runs on the
sentences and mentions of a parsed French document (see :mod:`extract.french`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from extract import lexicon, script_norm
from extract.entities import ORGANIZATION, PERSON, Mention
from extract.events import EVENT_TYPES, Event
from extract.watchlist import WatchedEntity, Watchlist, watchlist_index

SPECIAL_KINDS = ("ignore", "not", "not_after", "speech", "source", "anaphor")
NOT_WINDOW = 2  # words between a negation or modal and the trigger it cancels
ANAPHOR_LOOKBACK = 3  # sentences back in which the one person an anaphor stands for is named

# Endings of Russian and Ukrainian nouns and names (case, gender, number).
_CYRILLIC_ENDINGS = frozenset(
    "а я у ю е є і ї и ы о ь ом ем ём ой ей ою ею ым им ых их ого его ому ему ую юю ая яя ий ия ию "
    "ией ии ов ев ам ям ами ями ах ях ея ію ії ією ій ім іх ої єю".split()) | {""}
_CYRILLIC_VOWELS = "аяоеёыиійьюуєї"
_ARABIC_PREFIXES = ("و", "ب", "ل", "ف")
_SENTENCE_END = re.compile(r"(?<=[.!?؟。！？])[\"'»”)\]]*\s+|\n\s*\n|\n(?=\S)")
# Clause barriers inside a sentence (commas are not: names stand in apposition).
_CLAUSE_PUNCT = re.compile(r"[;؛:—–]|\s-\s")
_YEAR = re.compile(r"(?<!\d)(1[3-4]\d\d|19\d\d|20\d\d)(?!\d)")


class LexiconError(ValueError):
    """A trigger lexicon file has a line that is not ``KIND: phrase``."""


# ---------------------------------------------------------------- word patterns


def _word_matches(word: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


def _name_word_matches(word: str, pattern: str) -> bool:
    """A word of a name: exact, inflected (Cyrillic) or with a one-letter prefix (Arabic)."""
    if word == pattern:
        return True
    script = script_norm.script_of(pattern)
    if script == "CYRILLIC":
        stem = pattern.rstrip(_CYRILLIC_VOWELS) or pattern
        if len(stem) >= 3 and word.startswith(stem) and word[len(stem):] in _CYRILLIC_ENDINGS:
            return True
    elif script == "ARABIC" and len(word) == len(pattern) + 1 and word[0] in _ARABIC_PREFIXES:
        return word[1:] == pattern
    return False


def _keys(word: str) -> list[str]:
    """Index keys of a text word: its first two letters (and after an Arabic prefix)."""
    keys = [word[:2]]
    if word[:1] in _ARABIC_PREFIXES and len(word) > 2:
        keys.append(word[1:3])
    return keys


@dataclass(frozen=True)
class Match:
    first: int  # token indexes, end exclusive
    last: int
    value: object


class PhraseIndex:
    """Phrases (sequences of word patterns) found in a token list, longest first."""

    def __init__(self, name_words: bool = False) -> None:
        self.by_key: dict[str, list[tuple[tuple[str, ...], object]]] = {}
        self.match_word = _name_word_matches if name_words else _word_matches

    def add(self, phrase: str, value: object) -> None:
        words = tuple(t.text for t in script_norm.tokens(script_norm.fold(phrase)))
        if phrase.strip().endswith("*") and words:
            words = (*words[:-1], words[-1] + "*")
        if not words:
            return
        first = words[0].rstrip("*")
        key = first[:2]
        if self.match_word is _name_word_matches and script_norm.script_of(first) == "CYRILLIC":
            key = first[:2]
        self.by_key.setdefault(key, []).append((words, value))

    def find(self, words: Sequence[str]) -> list[Match]:
        found: list[Match] = []
        for i, word in enumerate(words):
            for key in _keys(word):
                for pattern, value in self.by_key.get(key, ()):
                    n = len(pattern)
                    if i + n <= len(words) and all(
                            self.match_word(words[i + k], pattern[k]) for k in range(n)):
                        found.append(Match(i, i + n, value))
        # longest first, then leftmost; overlapping shorter matches dropped
        found.sort(key=lambda m: (-(m.last - m.first), m.first))
        taken: set[int] = set()
        kept: list[Match] = []
        for m in found:
            span = set(range(m.first, m.last))
            if span & taken:
                continue
            taken |= span
            kept.append(m)
        return sorted(kept, key=lambda m: m.first)


# ---------------------------------------------------------------- lexicons


@dataclass
class TriggerLexicon:
    language: str
    triggers: PhraseIndex = field(default_factory=PhraseIndex)
    special: dict[str, PhraseIndex] = field(default_factory=lambda: {k: PhraseIndex() for k in SPECIAL_KINDS})


def lexicon_name(language: str) -> str:
    return f"triggers_{language}"


def has_lexicon(language: str | None) -> bool:
    return bool(language) and lexicon.path(lexicon_name(str(language))).is_file()


def lexicon_languages() -> frozenset[str]:
    """Languages with a trigger lexicon shipped."""
    return frozenset(p.stem.removeprefix("triggers_") for p in lexicon.HERE.glob("triggers_*.txt"))


@cache
def load_lexicon(language: str) -> TriggerLexicon:
    """The trigger lexicon of ``language`` (``LexiconMissing`` when none is shipped)."""
    lex = TriggerLexicon(language)
    for entry in lexicon.entries(lexicon_name(language)):
        kind, sep, phrase = entry.partition(":")
        kind, phrase = kind.strip(), phrase.strip()
        if not sep or not phrase or (kind not in EVENT_TYPES and kind not in SPECIAL_KINDS):
            raise LexiconError(f"{lexicon.path(lexicon_name(language))}: bad entry {entry!r}; "
                               f"expected 'KIND: phrase' with KIND one of {sorted(EVENT_TYPES)} "
                               f"or {list(SPECIAL_KINDS)}")
        if kind in SPECIAL_KINDS:
            lex.special[kind].add(phrase, kind)
        else:
            lex.triggers.add(phrase, kind)
    return lex


# ---------------------------------------------------------------- names


class NameIndex:
    """Every name and alias of a watchlist, matched in normalized text."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.index = PhraseIndex(name_words=True)
        for ent in watchlist.entities:
            for surface in (ent.name, *ent.aliases):
                self.index.add(surface, ent)

    def find(self, words: Sequence[str]) -> list[Match]:
        return self.index.find(words)


def name_index(watchlist: Watchlist) -> NameIndex:
    return watchlist_index(watchlist, NameIndex)


# ---------------------------------------------------------------- sentences


@dataclass
class Sentence:
    """One sentence: its text, offset in the document, language and normalized words."""

    text: str
    start: int
    language: str | None
    norm: script_norm.Normalized = field(init=False)
    words: list[script_norm.Token] = field(init=False)

    def __post_init__(self) -> None:
        self.norm = script_norm.normalize(self.text)
        self.words = script_norm.tokens(self.norm.text)

    def offsets(self, first: int, last: int) -> tuple[int, int]:
        """Document offsets of words ``first:last``."""
        a, b = self.norm.span(self.words[first].start, self.words[last - 1].end)
        return self.start + a, self.start + b

    def word_at(self, offset: int) -> int:
        """Index of the word holding document offset ``offset`` (or the next one)."""
        rel = offset - self.start
        for i, w in enumerate(self.words):
            a, b = self.norm.span(w.start, w.end)
            if b > rel:
                return i
        return len(self.words)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of a text without a parser."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return [(a + (len(text[a:b]) - len(text[a:b].lstrip())), b) for a, b in spans if text[a:b].strip()]


def watchlist_mentions(sentence: Sentence, watchlist: Watchlist) -> list[Mention]:
    """Mentions of watchlisted people and organizations in one sentence."""
    out = []
    for m in name_index(watchlist).find([w.text for w in sentence.words]):
        ent: WatchedEntity = m.value  # type: ignore[assignment]
        start, end = sentence.offsets(m.first, m.last)
        out.append(Mention(PERSON if ent.kind == "person" else ORGANIZATION,
                           sentence.text[start - sentence.start:end - sentence.start], ent.name,
                           start, end, sentence.text, sentence.start, watchlisted=True))
    return out


# ---------------------------------------------------------------- events


def _cancelled(m: Match, special: dict[str, list[Match]]) -> bool:
    if any(i.first < m.last and m.first < i.last for i in special["ignore"]):
        return True
    return (any(n.last <= m.first and m.first - n.last <= NOT_WINDOW for n in special["not"])
            or any(n.first >= m.last and n.first - m.last <= NOT_WINDOW for n in special["not_after"]))


def _barriers(sentence: Sentence, speech: list[Match]) -> list[int]:
    """Word indexes where a clause ends: punctuation barriers and verbs of saying."""
    cuts = {m.last for m in speech}
    for p in _CLAUSE_PUNCT.finditer(sentence.text):
        cuts.add(sentence.word_at(sentence.start + p.start()))
    return sorted(cuts)


def _clause(index: int, cuts: list[int], n: int) -> tuple[int, int]:
    lo, hi = 0, n
    for c in cuts:
        if c <= index:
            lo = max(lo, c)
        else:
            hi = min(hi, c)
            break
    return lo, hi


_COORDINATORS = frozenset({"و", "и", "й", "та", "and", "et", "y", "e", "und", "ve", "ile", "&", "або"})


def _people_for(trigger: Match, persons: list[tuple[int, int, Mention]], sentence: Sentence) -> list[Mention]:
    """The nearest person to a trigger, with the people coordinated with them."""
    if not persons:
        return []

    def distance(p: tuple[int, int, Mention]) -> int:
        # a name right after the trigger wins a tie: "arrest of X" (بازداشت X), "задержан X"
        first, last, _ = p
        return trigger.first - last + 1 if last <= trigger.first else first - trigger.last

    persons = sorted(persons, key=lambda p: p[0])
    best = min(range(len(persons)), key=lambda i: (distance(persons[i]), -persons[i][0]))
    chosen = {best}
    for step in (-1, 1):
        i = best
        while 0 <= i + step < len(persons):
            a, b = (persons[i], persons[i + step]) if step == 1 else (persons[i + step], persons[i])
            gap = [w.text for w in sentence.words[a[1]:b[0]]]
            # "X and Y", "X, Y", "X and the playwright Y"
            if len(gap) > 2 or (gap and gap[0] not in _COORDINATORS):
                break
            i += step
            chosen.add(i)
    return [persons[i][2] for i in sorted(chosen)]


def _background(clause_text: str, published: date | None) -> bool:
    """The clause dates what it reports to a year before the publication (Persian solar years too)."""
    if published is None:
        return False
    years = []
    for y in _YEAR.findall(script_norm.fold(clause_text)):
        year = int(y)
        years.append(year + 621 if 1300 <= year < 1500 else year)
    years = [y for y in years if 1900 <= y <= published.year + 1]
    return bool(years) and max(years) < published.year


def find_events(sentences: Sequence[Sentence], mentions: Iterable[Mention],
                lexicons: dict[str, TriggerLexicon], published: date | None = None,
                default_language: str | None = None) -> list[Event]:
    """Events for people in ``mentions`` where a trigger of the sentence's language stands
    in the same clause (or an anaphor there stands for the one person just named)."""
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.kind == PERSON:
            by_sentence.setdefault(m.sent_start, []).append(m)
    out: dict[tuple[str, str, int], Event] = {}
    recent: list[list[Mention]] = []
    for sentence in sentences:
        people = by_sentence.get(sentence.start, [])
        lex = lexicons.get(sentence.language or "") or lexicons.get(default_language or "")
        if lex is not None and sentence.words:
            _sentence_events(sentence, people, recent, lex, published, out)
        recent = (recent + [people])[-ANAPHOR_LOOKBACK:]
    return list(out.values())


def _sentence_events(sentence: Sentence, people: list[Mention], recent: list[list[Mention]],
                     lex: TriggerLexicon, published: date | None,
                     out: dict[tuple[str, str, int], Event]) -> None:
    words = [w.text for w in sentence.words]
    special = {k: idx.find(words) for k, idx in lex.special.items()}
    triggers = [m for m in lex.triggers.find(words)
                if not _cancelled(m, special)]
    if not triggers:
        return
    spans = []
    for p in people:
        first = sentence.word_at(p.start)
        last = max(first + 1, sentence.word_at(p.end - 1) + 1)
        spans.append((first, last, p))
    cuts = _barriers(sentence, special["speech"])
    spans = _without_sources(spans, _source_spans(sentence, special["source"]))
    for trig in triggers:
        lo, hi = _clause(trig.first, cuts, len(words))
        in_clause = [s for s in spans if lo <= s[0] and s[1] <= hi]
        chosen = _people_for(trig, in_clause, sentence)
        if not chosen:
            chosen = _antecedent(trig, lo, hi, special["anaphor"], spans, recent)
        a, b = sentence.offsets(lo, hi)
        clause_text = sentence.text[a - sentence.start:b - sentence.start]
        t_start, t_end = sentence.offsets(trig.first, trig.last)
        for person in chosen:
            key = (str(trig.value), person.name, sentence.start)
            if key in out:
                continue
            out[key] = Event(type=str(trig.value), person=person.name, sentence=sentence.text,
                             sent_start=sentence.start, background=_background(clause_text, published),
                             trigger=sentence.text[t_start - sentence.start:t_end - sentence.start])


def _source_spans(sentence: Sentence, markers: list[Match]) -> list[tuple[int, int]]:
    """Word ranges naming a source: from an "according to" marker to the next comma."""
    out = []
    for m in markers:
        rel = sentence.offsets(m.first, m.last)[1] - sentence.start
        commas = [p for p in (sentence.text.find(",", rel), sentence.text.find("،", rel)) if p >= 0]
        end = sentence.word_at(sentence.start + min(commas)) if commas else len(sentence.words)
        out.append((m.last, end))
    return out


SOURCE_REACH = 6  # words from an "according to" marker to the source it names ("selon son avocate, X")


def _without_sources(spans: list[tuple[int, int, Mention]], sources: list[tuple[int, int]]
                     ) -> list[tuple[int, int, Mention]]:
    """People who are not named as a source: not before the next comma after a marker,
    nor the first person within reach of it (an apposition: "selon son avocate, X")."""
    out = []
    for span in spans:
        if any(a <= span[0] < b for a, b in sources):
            continue
        if any(a <= span[0] <= a + SOURCE_REACH and not any(a <= o[0] < span[0] for o in spans)
               for a, _ in sources):
            continue
        out.append(span)
    return out


def _antecedent(trig: Match, lo: int, hi: int, anaphors: list[Match], spans: list[tuple[int, int, Mention]],
                recent: list[list[Mention]]) -> list[Mention]:
    """The one person an anaphor in the trigger's clause stands for, if the text makes it clear."""
    if not any(lo <= a.first and a.last <= hi for a in anaphors):
        return []
    earlier = [s[2] for s in spans if s[1] <= lo]  # named earlier in this sentence
    candidates = earlier or [m for ms in reversed(recent) for m in ms][:8]
    names = {m.name for m in candidates}
    if len(names) != 1:
        return []
    return [candidates[0]]


# ---------------------------------------------------------------- whole documents


def sentences_of(text: str, language: str | None,
                 spans: Iterable[tuple[int, int]] | None = None) -> list[Sentence]:
    """Sentences of a text, each with the language it is written in."""
    from extract import langid

    out = []
    for a, b in spans if spans is not None else split_sentences(text):
        chunk = text[a:b]
        out.append(Sentence(chunk, a, langid.sentence_language(chunk, default=language)))
    return out


def events_and_languages(sentences: list[Sentence], mentions: list[Mention], language: str | None,
                         published: date | None = None
                         ) -> tuple[list[Mention], list[Event], dict[int, str | None]]:
    """``(mentions, events, sentence offset -> language)``, each sentence read with the
    lexicon of its own language (the document's when it has none)."""
    langs = {s.language for s in sentences} | {language}
    lexicons = {code: load_lexicon(code) for code in langs if code and has_lexicon(code)}
    events = find_events(sentences, mentions, lexicons, published, default_language=language)
    return mentions, events, {s.start: s.language for s in sentences}


def analyse_text(text: str, language: str | None, watchlist: Watchlist,
                 published: date | None = None) -> tuple[list[Mention], list[Event], dict[int, str | None]]:
    """Watchlist mentions, lexicon events and each sentence's language of one document."""
    sentences = sentences_of(text, language)
    mentions = [m for s in sentences for m in watchlist_mentions(s, watchlist)]
    return events_and_languages(sentences, mentions, language, published)
