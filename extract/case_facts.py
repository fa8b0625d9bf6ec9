"""What a parsed document says around its events: where, by whom, and what people do.

For each sentence that reports an event: the country and city (or prison) it names,
from spaCy's GPE/LOC/FAC spans and nationality adjectives (NORP, "an Iranian court");
the authority that acted (a noun phrase headed by a word of the ``authorities`` list:
"the Revolutionary Court", "security forces", "the Ministry of Intelligence"). For the
document: its main country (the most named one, the title counting twice). For each
person: a profession from an apposition or a title word next to the name ("filmmaker
X", "X, a poet,"). Pure functions of the parse; no database, no other project package.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extract import lexicon, places
from extract.entities import Mention
from extract.event_view import person_spans

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PLACE_LABELS = ("GPE", "LOC", "FAC")
# nouns for people that a nationality adjective may describe, beside the professions list
_PEOPLE = {"national", "citizen", "man", "woman", "activist", "defender", "student", "dissident",
           "blogger", "lawyer", "member", "people", "refugee", "resident", "son", "daughter"}
MAX_AUTHORITY_WORDS = 8


@dataclass(frozen=True)
class SentenceFacts:
    """Where and by whom, as one sentence states it (None where it is silent)."""

    country: str | None = None
    place: str | None = None  # a city or prison
    authority: str | None = None


@dataclass(frozen=True)
class CaseFacts:
    """The facts of one document: per event sentence (by its start offset), the
    document's main country, and a profession per person name."""

    sentences: dict[int, SentenceFacts] = field(default_factory=dict)
    country: str | None = None
    professions: dict[str, str] = field(default_factory=dict)

    def for_sentence(self, sent_start: int) -> SentenceFacts:
        return self.sentences.get(sent_start, SentenceFacts())


def _professions() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lexicon.entries("professions"):
        word, _, target = line.partition(":")
        out[word.strip()] = target.strip() or word.strip()
    return out


def _described_noun(tok: Token) -> Token:
    """The noun an adjective modifies, through chains like "Swedish-Turkish journalist"."""
    while tok.dep_ in ("amod", "compound", "punct", "nmod", "conj") and tok.head.i != tok.i \
            and tok.head.pos_ in ("ADJ", "NOUN", "PROPN", "PUNCT"):
        tok = tok.head
        if tok.pos_ == "NOUN" or tok.ent_type_ == "PERSON":
            break
    return tok


def _is_people_word(tok: Token) -> bool:
    return tok.ent_type_ == "PERSON" or tok.lower_ in _professions() or tok.lemma_.lower() in _PEOPLE


def _in_organization_name(ent: Span) -> bool:
    """"PEN Norway", "Amnesty International UK": a country closing an organization's name."""
    start = ent.start
    if start == 0:
        return False
    left = ent.doc[start - 1]
    return left.ent_type_ == "ORG" or (left.pos_ == "PROPN" and left.head.i in range(ent.start, ent.end)
                                       and left.dep_ == "compound" and places.resolve(left.text) is None)


def _span_places(span: Span) -> list[tuple[places.Place, bool]]:
    """Places a span names, each with whether it is a named place (else a nationality).

    A nationality that describes a person ("a Palestinian poet", "the British-Egyptian
    writer") says who someone is, not where something happened, and is left out; so is a
    country that ends an organization's name.
    """
    found: list[tuple[places.Place, bool]] = []
    for ent in span.ents:
        named = ent.label_ in _PLACE_LABELS
        if not named and ent.label_ != "NORP":
            continue
        if named and _in_organization_name(ent):
            continue
        if not named and _is_people_word(_described_noun(ent.root)):
            continue
        p = places.resolve(ent.text)
        if p is not None:
            found.append((p, named))
    return found


def _city_or_prison(sent: Span, found: list[tuple[places.Place, bool]]) -> str | None:
    jails = places.prisons(sent.text)
    if jails:
        return jails[0]
    return next((p.city for p, _ in found if p.city), None)


def _authority(sent: Span) -> str | None:
    heads = lexicon.words("authorities")
    for chunk in sent.noun_chunks:
        root = chunk.root
        if root.lower_ not in heads and root.lemma_.lower() not in heads:
            continue
        if root.ent_type_ == "PERSON" or root.lower_ in ("minister", "judge") and not _is_agent(root):
            continue
        spaces = [t.i for t in chunk if t.is_space]  # a title line the parser ran into
        words = [t for t in chunk if (not spaces or t.i > spaces[-1]) and not t.is_space
                 and (t.dep_ not in ("det", "poss") or t.ent_type_ and t.lower_ not in ("the", "a", "an"))]
        while words and words[0].is_punct:
            words = words[1:]
        end = chunk.end
        nxt = sent.doc[end] if end < len(sent.doc) else None
        if nxt is not None and nxt.lower_ == "of" and nxt.head.i == root.i:
            obj = [c for c in nxt.children if c.dep_ == "pobj"]
            if obj:
                end = obj[0].right_edge.i + 1
        text = " ".join([t.text for t in words] + [t.text for t in sent.doc[chunk.end:end]])
        if 0 < len(text.split()) <= MAX_AUTHORITY_WORDS:
            return text.replace(" 's", "'s")
    return None


def _is_agent(tok: Token) -> bool:
    """A judge or minister acting ("by Judge X", "the judge sentenced ..."), not described."""
    return tok.dep_ in ("nsubj", "pobj") and (tok.dep_ == "nsubj" or tok.head.lower_ == "by")


def _profession_near(span: Span, lookup: dict[str, str]) -> str | None:
    """A profession word in front of the name or in apposition with it."""
    doc = span.doc
    root = span.root
    # "filmmaker Jafar Panahi", "Iranian film director X": words just before the name
    i = span.start - 1
    words: list[str] = []
    while i >= 0 and i >= span.start - 4 and doc[i].pos_ in ("NOUN", "PROPN", "ADJ", "PUNCT") \
            and doc[i].text not in (",", "(", "."):
        words.insert(0, doc[i].lower_)
        i -= 1
    for n in (2, 1):
        if len(words) >= n:
            phrase = " ".join(words[-n:])
            if phrase in lookup:
                return lookup[phrase]
    # "X, a poet and translator," / "X, the director of ..."
    for c in root.children:
        if c.dep_ == "appos":
            prof = _phrase_profession(c, lookup)
            if prof:
                return prof
    if root.dep_ == "appos":
        prof = _phrase_profession(root.head, lookup)
        if prof:
            return prof
    return None


def _phrase_profession(head: Token, lookup: dict[str, str]) -> str | None:
    compound = " ".join(c.lower_ for c in head.lefts if c.dep_ == "compound")
    for phrase in (f"{compound} {head.lower_}".strip(), head.lower_, head.lemma_.lower()):
        if phrase in lookup:
            return lookup[phrase]
    return None


def _doc_country(doc: Doc) -> str | None:
    weighted: list[places.Place | None] = []
    sents = list(doc.sents)
    for n, sent in enumerate(sents):
        found = [p for p, _ in _span_places(sent)]
        weighted += found * (2 if n == 0 else 1)  # the title (first line) counts twice
    return places.main_country(weighted)


def read_facts(doc: Doc, mentions: Iterable[Mention], event_sentences: Iterable[int]) -> CaseFacts:
    """The facts of a parsed document for the events found in it."""
    starts = set(event_sentences)
    by_start = {s.start_char: s for s in doc.sents}
    sentences: dict[int, SentenceFacts] = {}
    for start in starts:
        sent = by_start.get(start)
        if sent is None:
            continue
        found = _span_places(sent)
        # a named place ("in Tehran") says where before a nationality ("Iranian authorities")
        country = next((p.country for p, named in sorted(found, key=lambda f: not f[1]) if p.country), None)
        sentences[start] = SentenceFacts(country, _city_or_prison(sent, found), _authority(sent))
    lookup = _professions()
    votes: dict[str, Counter[str]] = {}
    for m, span in person_spans(doc, mentions):
        prof = _profession_near(span, lookup)
        if prof:
            votes.setdefault(m.name, Counter())[prof] += 1
    professions = {name: c.most_common(1)[0][0] for name, c in votes.items()}
    return CaseFacts(sentences, _doc_country(doc) if starts else None, professions)
