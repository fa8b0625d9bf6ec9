"""The one event-type registry (``extract/lexicon/event_types.toml``), read once.

Every part that names event types takes them from here: the event rules, config
validation and the default alert rule, alerts, the digest and the case file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from extract import lexicon

REGISTRY = lexicon.HERE / "event_types.toml"


@dataclass(frozen=True)
class EventType:
    name: str
    label: str  # "arrested": how reports word it
    status: str  # "detained": the state a person is in after it
    alert: bool  # in the default [alerts] events
    means: str = ""
    cameo: str = ""
    plover: str = ""

    @property
    def title(self) -> str:
        """The type as an alert title shows it: "HUNGER STRIKE"."""
        return self.name.replace("_", " ").upper()


@cache
def registry() -> tuple[EventType, ...]:
    """Every event type, gravest first."""
    data = tomllib.loads(REGISTRY.read_text(encoding="utf-8"))
    types = tuple(EventType(**entry) for entry in data["types"])
    names = [t.name for t in types]
    if len(set(names)) != len(names):
        raise ValueError(f"{REGISTRY}: an event type is listed twice: {names}")
    return types


def by_name() -> dict[str, EventType]:
    return {t.name: t for t in registry()}


# the order DESIGN.md lists them in (storage, config and export never depend on it)
_DOC_ORDER = ("arrest", "charge", "summons", "sentence", "release", "ban", "confiscation",
              "hunger_strike", "killing")


def names() -> tuple[str, ...]:
    """Type names in the documented order (then any type added to the registry later)."""
    known = [n for n in _DOC_ORDER if n in by_name()]
    return (*known, *[t.name for t in registry() if t.name not in known])


def by_gravity() -> tuple[str, ...]:
    """Type names, gravest first."""
    return tuple(t.name for t in registry())


def default_alert_types() -> tuple[str, ...]:
    """The types the default [alerts] rule sends, in the documented order."""
    return tuple(n for n in names() if by_name()[n].alert)


def labels() -> dict[str, str]:
    return {t.name: t.label for t in registry()}


def statuses() -> dict[str, str]:
    return {t.name: t.status for t in registry()}
