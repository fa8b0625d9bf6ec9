"""Mentions from a named-entity tagger's spans (spaCy's French model, natasha for Russian).

Watchlisted names are found first, in normalized text (:mod:`extract.lexicon_events`);
a tagger span overlapping one is dropped. A person span is resolved to the watchlist
(exact key or a tight fuzzy match), else a surname alone is linked to the one full name
in the document that ends with it ("Mohammadi" -> "Narges Mohammadi"), else it keeps its
own (normal) form. A one-word span the tagger took for a place or other thing is kept
only when it is such a surname.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from extract import lexicon_events
from extract.entities import ORGANIZATION, PERSON, Mention, resolve_to_watchlist
from extract.lexicon_events import Sentence
from extract.watchlist import Watchlist

MAYBE = "maybe"  # a one-word span labelled as a place or other: a person only if a known surname
MAX_NAME_WORDS = 5
_TITLES = re.compile(r"^(?:M\.|Mme|Mlle|Me|Dr|Pr)\s+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_LOWER_PARTICLES = {"de", "du", "des", "la", "le", "d", "al", "el", "ben", "ibn", "van", "von", "e"}


@dataclass(frozen=True)
class NamedSpan:
    kind: str  # PERSON, ORGANIZATION or MAYBE
    start: int
    end: int
    text: str  # as written
    name: str  # its normal form (the nominative, for Russian), as written otherwise


def clean(text: str) -> str:
    """A span's text without titles, quotes and edge punctuation."""
    text = _TITLES.sub("", re.sub(r"\s+", " ", text.strip()))
    return _EDGE.sub("", text)


def looks_like_person(name: str) -> bool:
    words = name.replace("-", " ").split()
    if not words or len(words) > MAX_NAME_WORDS or any(c.isdigit() for c in name):
        return False
    return all(w[:1].isupper() or w.lower().strip("'’") in _LOWER_PARTICLES for w in words) \
        and any(w[:1].isupper() for w in words)


def mentions_from_spans(spans: Iterable[NamedSpan], sentences: list[Sentence],
                        watchlist: Watchlist) -> list[Mention]:
    """People and organizations: the watchlist's names, then the tagger's spans."""
    starts = [s.start for s in sentences]
    mentions = [m for s in sentences for m in lexicon_events.watchlist_mentions(s, watchlist)]
    taken = [(m.start, m.end) for m in mentions]
    candidates = [sp for sp in spans if sp.text and not any(sp.start < e and s < sp.end for s, e in taken)]
    full_names = {m.name for m in mentions if m.kind == PERSON}
    full_names |= {sp.name for sp in candidates if sp.kind == PERSON and len(sp.name.split()) > 1}
    surnames: dict[str, set[str]] = {}
    for name in full_names:
        surnames.setdefault(name.split()[-1].lower(), set()).add(name)
    for sp in candidates:
        at = bisect.bisect_right(starts, sp.start) - 1
        if at < 0:
            continue
        sent, kind, name = sentences[at], sp.kind, sp.name
        if kind in (PERSON, MAYBE):
            watched = resolve_to_watchlist(name, PERSON, watchlist)
            owners = surnames.get(name.lower(), set()) if len(name.split()) == 1 else set()
            if watched is not None:
                name = watched.name
            elif len(owners) == 1:
                name = next(iter(owners))
            elif kind == MAYBE:
                continue
            kind = PERSON
        else:
            watched = resolve_to_watchlist(name, ORGANIZATION, watchlist)
            name = watched.name if watched is not None else name
        mentions.append(Mention(kind, sp.text, name, sp.start, sp.end, sent.text, sent.start,
                                watchlisted=watched is not None))
    return sorted(mentions, key=lambda m: m.start)
