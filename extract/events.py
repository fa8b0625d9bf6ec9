"""Repression events tied to a named person (arrest, sentence, release, ban...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from extract.entities import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

EVENT_TYPES = (
    "arrest",
    "charge",
    "summons",
    "sentence",
    "release",
    "ban",
    "confiscation",
    "hunger_strike",
    "killing",
)


@dataclass(frozen=True)
class Event:
    """One event that a sentence reports about one person."""

    type: str  # one of EVENT_TYPES
    person: str  # the person's name as resolved by the mentions (Mention.name)
    sentence: str
    sent_start: int
    date: date | None = None
    term: str | None = None
    background: bool = False  # placed clearly before the publication date
    negated: bool = False
    hypothetical: bool = False
    trigger: str = ""

    @property
    def asserted(self) -> bool:
        """Reported as having happened (neither negated nor hypothetical)."""
        return not (self.negated or self.hypothetical)


def find_events(doc: Doc, mentions: list[Mention], published: date | None = None) -> list[Event]:
    """Events in ``doc`` tied to the person ``mentions``; placeholder until the rules land."""
    return []
