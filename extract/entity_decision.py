"""A learned keep-or-drop decision for the organizations the rules find in a document.

The rules of :mod:`extract.entities` decide what is an organization from the words in
and around each span; tuned on a few dozen pages, they keep many spans that are not
bodies at all (a film title, a slogan, a place, a group of people). Here every
organization name of a document becomes one candidate described by named features (how
the model labelled it, its shape, its words in the lexicon lists, the words around its
mentions, whether the watchlist lists it) and a logistic model
(``extract/models/org_spans.json``, fitted by ``python -m benchmarks.learn org_spans`` on
``dev`` pages of the statements corpus and the ``dev2`` pages) keeps it or drops all its
mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from extract import lexicon, places
from extract.entity_keys import ORGANIZATION, entity_key
from extract.learned import LinearModel
from extract.sentences import doc_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc

MODEL_NAME = "org_spans"

_ORG_WORDS = lexicon.words("org_words")
_GROUP_WORDS = lexicon.words("group_words")
_DEMONYMS = lexicon.words("demonyms")
_TIME_WORDS = lexicon.words("time_words")
_ROLES = lexicon.words("roles")
_AWARDS = lexicon.words("award_words")
_LAWS = lexicon.words("law_words")
_FUNCTION = frozenset("of for on at the and de du la in & to with".split())
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&\-]{1,9}$")


class OrgMention(Protocol):
    """What the decision reads of a mention (:class:`extract.entities.Mention`)."""

    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def start(self) -> int: ...  # character offsets
    @property
    def end(self) -> int: ...
    @property
    def watchlisted(self) -> bool: ...


M = TypeVar("M", bound=OrgMention)


def _bucket(n: int, top: int) -> str:
    return str(n) if n < top else f"{top}+"


def _shape(word: str) -> str:
    if _ACRONYM.match(word):
        return "A"
    if word.lower() in _FUNCTION:
        return "f"
    if word[:1].isupper():
        return "C"
    if word[:1].isdigit():
        return "d"
    return "l"


def name_features(name: str) -> dict[str, float]:
    """Features of the name alone: its words, shape and length."""
    words = name.split()
    lows = [w.lower().strip(".,'’()") for w in words]
    f: dict[str, float] = {f"len={_bucket(len(words), 5)}": 1.0,
                           f"shape={''.join(_shape(w) for w in words)[:6]}": 1.0,
                           f"head={lows[-1]}": 1.0, f"first={lows[0]}": 1.0}
    for w in lows:
        for tag, words_in in (("org", _ORG_WORDS), ("group", _GROUP_WORDS), ("demonym", _DEMONYMS),
                              ("time", _TIME_WORDS), ("role", _ROLES), ("award", _AWARDS),
                              ("law", _LAWS)):
            if w in words_in:
                f[f"has_{tag}"] = 1.0
                if w == lows[-1]:
                    f[f"head_{tag}"] = 1.0
    if any(c.isdigit() for c in name):
        f["digit"] = 1.0
    if len(words) == 1 and _ACRONYM.match(words[0]):
        f["acronym"] = 1.0
    elif any(_ACRONYM.match(w) for w in words):
        f["acronym_inside"] = 1.0  # "PEN Norway", "Scottish PEN"
    if name.isupper() and len(words) > 1:
        f["all_caps"] = 1.0
    if any(_shape(w) == "l" for w in words):
        f["lower_word"] = 1.0
    if places.resolve(name) is not None:
        f["place"] = 1.0
    return f


def context_features(doc: Doc, start: int, end: int) -> dict[str, float]:
    """Features of one mention's surroundings (token offsets ``start``..``end``)."""
    f: dict[str, float] = {f"ner={doc[start].ent_type_ or 'none'}": 1.0}
    if start > 0:
        prev = doc[start - 1]
        f[f"prev={prev.lower_}" if prev.pos_ in {"ADP", "DET", "VERB", "PUNCT", "CCONJ"} else
          f"prev_pos={prev.pos_}"] = 1.0
        if prev.lower_ == "the":
            f["the"] = 1.0
    else:
        f["doc_start"] = 1.0
    if end < len(doc):
        nxt = doc[end]
        f[f"next={nxt.lemma_.lower()}" if nxt.pos_ in {"VERB", "AUX", "ADP", "PUNCT", "PART"} else
          f"next_pos={nxt.pos_}"] = 1.0
        if nxt.text == "(" and end + 1 < len(doc) and _ACRONYM.match(doc[end + 1].text):
            f["acronym_after"] = 1.0
    if "\n" in doc[start:end].text:
        f["crosses_line"] = 1.0
    return f


def features(doc: Doc, mentions: Sequence[OrgMention],
             offsets: Sequence[tuple[int, int]]) -> dict[str, float]:
    """One organization name of a document: its mentions and their token offsets."""
    f = name_features(mentions[0].name)
    f[f"mentions={_bucket(len(mentions), 4)}"] = 1.0
    if any(m.watchlisted for m in mentions):
        f["watchlisted"] = 1.0
    share = 1.0 / len(offsets)
    for start, end in offsets:
        for k, v in context_features(doc, start, end).items():
            f[k] = f.get(k, 0.0) + v * share
    return f


def candidates(doc: Doc, mentions: Sequence[OrgMention]) -> list[tuple[str, dict[str, float]]]:
    """(name key, features) of every organization name among ``mentions``."""
    groups: dict[str, list[OrgMention]] = {}
    for m in mentions:
        if m.kind == ORGANIZATION:
            groups.setdefault(entity_key(m.name), []).append(m)
    if not groups:
        return []
    by_char = {t.idx: t.i for t in doc_tokens(doc)}
    by_end = {t.idx + len(t): t.i + 1 for t in doc_tokens(doc)}
    out = []
    for key, group in groups.items():
        offsets = [(by_char[m.start], by_end[m.end]) for m in group if m.start in by_char and m.end in by_end]
        out.append((key, features(doc, group, offsets or [(0, 1)])))
    return out


_RAW_LABELS = frozenset({"ORG", "FAC", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "GPE"})


def raw_candidates(doc: Doc, taken: set[str]) -> list[tuple[str, dict[str, float]]]:
    """(name, features) of the model's own entity spans whose names the rules did not
    keep (training samples: what the rules turned down looks like what they should have)."""
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for ent in doc.ents:
        if ent.label_ not in _RAW_LABELS:
            continue
        start, end = ent.start, ent.end
        if doc[start].lower_ == "the":
            start += 1
        if end - start > 1 and doc[end - 1].text in {"'s", "’s", "'", "’"}:
            end -= 1
        if start >= end or not any(t.is_alpha for t in doc[start:end]):
            continue
        name = " ".join(doc[start:end].text.split())
        key = entity_key(name)
        if key and key not in taken:
            groups.setdefault(key, []).append((name, start, end))
    out = []
    for group in groups.values():
        mentions = [_Raw(name=group[0][0]) for _ in group]
        out.append((group[0][0], features(doc, mentions, [(a, b) for _, a, b in group])))
    return out


class _Raw:
    kind = ORGANIZATION
    watchlisted = False
    start = end = 0

    def __init__(self, name: str) -> None:
        self.name = name


def decide(doc: Doc, mentions: list[M], model: LinearModel,
           on_decision: Callable[[str, dict[str, float], bool], None] | None = None) -> list[M]:
    """``mentions`` without the organizations ``model`` rejects (watchlisted names stay)."""
    rejected: set[str] = set()
    for key, feats in candidates(doc, mentions):
        keep = "watchlisted" in feats or model.accepts(feats)
        if on_decision is not None:
            on_decision(key, feats, keep)
        if not keep:
            rejected.add(key)
    if not rejected:
        return mentions
    return [m for m in mentions if m.kind != ORGANIZATION or entity_key(m.name) not in rejected]
