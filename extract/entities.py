"""People and organizations named in a document.

This first version keeps spaCy's PERSON and ORG spans and adds the watchlist as an
``entity_ruler`` before ``ner``; the quality rules live here as they are added.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extract.watchlist import Watchlist

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PERSON = "person"
ORGANIZATION = "organization"
_LABELS = {"PERSON": PERSON, "ORG": ORGANIZATION}


@dataclass(frozen=True)
class Mention:
    """One mention of a person or organization in a document."""

    kind: str  # PERSON | ORGANIZATION
    text: str  # as written
    name: str  # the full name it resolves to in this document (canonical when watchlisted)
    start: int  # character offsets in the document text
    end: int
    sentence: str
    sent_start: int  # character offset of the sentence
    watchlisted: bool = False

    @property
    def key(self) -> str:
        return entity_key(self.name)


def entity_key(name: str) -> str:
    """Normalised identity key: case, accents and punctuation folded."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^\w\s]", " ", s.casefold())
    return " ".join(s.split())


def add_watchlist(nlp: Language, watchlist: Watchlist) -> Language:
    """Add the watchlist as an entity ruler before ``ner`` (pattern id = canonical name)."""
    patterns = []
    for ent in watchlist.entities:
        label = "PERSON" if ent.kind == PERSON else "ORG"
        for surface in (ent.name, *ent.aliases):
            patterns.append({"label": label, "pattern": surface, "id": ent.name})
    if "entity_ruler" in nlp.pipe_names:
        nlp.remove_pipe("entity_ruler")
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", before=before, config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp


def find_mentions(doc: Doc, watchlist: Watchlist | None = None) -> list[Mention]:
    """People and organizations in an analysed document."""
    out: list[Mention] = []
    for ent in doc.ents:
        kind = _LABELS.get(ent.label_)
        if kind is None:
            continue
        sent = ent.sent
        watch = bool(ent.ent_id_)
        out.append(
            Mention(
                kind=kind,
                text=ent.text,
                name=ent.ent_id_ if watch else ent.text,
                start=ent.start_char,
                end=ent.end_char,
                sentence=sent.text,
                sent_start=sent.start_char,
                watchlisted=watch,
            )
        )
    return out
