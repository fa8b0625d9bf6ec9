"""Russian documents: natasha's named entities for people and organizations, the Russian
trigger lexicon for events.

natasha (PyPI; its NER model ships inside the package, nothing is downloaded) has no
parser, so events are still found by the clause rules of :mod:`extract.lexicon_events`
and exported with ``method = "lexicon"``; what natasha adds is every person and
organization named, not only the watchlist's, each under its nominative form
("Алексея Горинова" -> "Алексей Горинов"). Measured in ``benchmarks/languages.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from extract import lexicon_events
from extract.entities import ORGANIZATION, PERSON, Mention
from extract.events import Event
from extract.ner_mentions import NamedSpan, clean, looks_like_person, mentions_from_spans
from extract.nlp import Natasha
from extract.watchlist import Watchlist

LANGUAGE = "ru"
_KINDS = {"PER": PERSON, "ORG": ORGANIZATION}


def named_spans(text: str, models: Natasha) -> list[NamedSpan]:
    from natasha import Doc

    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_ner(models.ner)
    _tag_morph_of_spans(doc, models)
    out = []
    for span in doc.spans:
        kind = _KINDS.get(span.type)
        if kind is None:
            continue
        span.normalize(models.vocab)
        written = clean(span.text)
        name = clean(span.normal or span.text) or written
        if not written or (kind == PERSON and not looks_like_person(name)):
            continue
        start = span.start + max(0, span.text.find(written))
        out.append(NamedSpan(kind, start, start + len(written), written, name))
    return out


def _tag_morph_of_spans(doc: Any, models: Natasha) -> None:
    """The morphology natasha's ``Doc.tag_morph`` gives, for the sentences holding a named
    span only: the nominative of a name reads only its own tokens, and the tagger reads each
    sentence on its own, so the tags are the same; it is three quarters of natasha's time."""
    from natasha.doc import inject_morph

    named = {id(token) for span in doc.spans for token in span.tokens}
    sents = [sent for sent in doc.sents if any(id(token) in named for token in sent.tokens)]
    markups = models.morph.map([[token.text for token in sent.tokens] for sent in sents])
    for sent, markup in zip(sents, markups, strict=True):
        inject_morph(sent.tokens, markup.tokens)


def analyse(text: str, watchlist: Watchlist, models: Natasha, published: date | None = None
            ) -> tuple[list[Mention], list[Event], dict[int, str | None]]:
    """Mentions (watchlist and natasha), lexicon events and each sentence's language."""
    sentences = lexicon_events.sentences_of(text, LANGUAGE)
    mentions = mentions_from_spans(named_spans(text, models), sentences, watchlist)
    return lexicon_events.events_and_languages(sentences, mentions, LANGUAGE, published)
