"""The watchlist: people and organizations with canonical names and aliases."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

DEFAULT_WATCHLIST = Path(__file__).resolve().parent.parent / "watchlist.toml"


class WatchlistError(ValueError):
    """The watchlist file is invalid; the message names the file, entry and field."""


@dataclass(frozen=True)
class WatchedEntity:
    """One listed person or organization: canonical name, other spellings, routing tags."""

    kind: str  # "person" | "organization"
    name: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    country: str | None = None  # people: where they live and work, when the text is silent
    profession: str | None = None  # people: filmmaker, actor, poet...


@dataclass(frozen=True)
class Watchlist:
    """Listed people and organizations; an empty watchlist is valid."""

    entities: tuple[WatchedEntity, ...] = field(default_factory=tuple)

    @property
    def people(self) -> list[WatchedEntity]:
        return [e for e in self.entities if e.kind == "person"]

    @property
    def organizations(self) -> list[WatchedEntity]:
        return [e for e in self.entities if e.kind == "organization"]


_T = TypeVar("_T")
_INDEXES: dict[tuple[int, Callable[[Watchlist], object]], tuple[Watchlist, object]] = {}


def watchlist_index(watchlist: Watchlist, build: Callable[[Watchlist], _T]) -> _T:
    """``build(watchlist)``, made once per watchlist object and kind of index.

    The extractors index a watchlist's names in their own ways (keys for resolving a name,
    phrases for the lexicon languages); each index is built on first use and kept while the
    watchlist object lives, so a changed watchlist (a new object) gets fresh ones.
    """
    key = (id(watchlist), build)
    cached = _INDEXES.get(key)
    if cached is None or cached[0] is not watchlist:
        cached = (watchlist, build(watchlist))
        _INDEXES[key] = cached
    return cached[1]  # type: ignore[return-value]


_SECTIONS = {"people": "person", "organizations": "organization"}
_KEYS = {"name", "aliases", "tags", "country", "profession"}


def parse_watchlist(data: dict, origin: str = "<watchlist>") -> Watchlist:
    """Check and build a watchlist from parsed TOML; errors name the file, entry and field."""
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise WatchlistError(
            f"{origin}: unknown section(s) {sorted(unknown)}; expected [[people]] or [[organizations]]")
    from extract.entity_keys import entity_key  # entity_keys imports this module

    entities: list[WatchedEntity] = []
    for section, kind in _SECTIONS.items():
        rows = data.get(section, [])
        if not isinstance(rows, list):
            raise WatchlistError(f"{origin}: [{section}] must be an array of tables ([[{section}]])")
        # every name and alias identifies one entry of its kind, compared by entity key
        owners: dict[str, str] = {}
        for i, row in enumerate(rows, 1):
            where = f"{origin}: {section} entry {i}"
            if not isinstance(row, dict):
                raise WatchlistError(f"{where}: must be a table")
            bad = set(row) - _KEYS
            if bad:
                raise WatchlistError(f"{where}: unknown key(s) {sorted(bad)}; "
                                     "expected name, aliases, tags, country, profession")
            name = row.get("name")
            if not isinstance(name, str) or not name.strip():
                raise WatchlistError(f"{where}: field 'name' is required and must be a non-empty string")
            where = f"{origin}: {section} entry {i} ({name.strip()!r})"
            for fld in ("aliases", "tags"):
                val = row.get(fld, [])
                if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
                    raise WatchlistError(f"{where}: field {fld!r} must be a list of non-empty strings")
            for fld in ("country", "profession"):
                val = row.get(fld)
                if val is not None and (not isinstance(val, str) or not val.strip()):
                    raise WatchlistError(f"{where}: field {fld!r} must be a non-empty string")
            aliases = tuple(dict.fromkeys(a.strip() for a in row.get("aliases", [])))
            for fld, surface in [("name", name.strip()), *(("aliases", a) for a in aliases)]:
                key = entity_key(surface)
                if not key:
                    raise WatchlistError(f"{where}: field {fld!r}: {surface!r} has no letters or digits")
                owner = owners.get(key)
                if owner is not None and owner != where:
                    raise WatchlistError(
                        f"{where}: field {fld!r}: duplicate name {surface!r}, already used by {owner}")
                owners[key] = where
            entities.append(
                WatchedEntity(kind, name.strip(), aliases, tuple(t.strip() for t in row.get("tags", [])),
                              _text(row.get("country")), _text(row.get("profession")))
            )
    return Watchlist(tuple(entities))


def _text(value: str | None) -> str | None:
    return value.strip() if value else None


def load_watchlist(path: str | Path | None = None) -> Watchlist:
    """Read a watchlist file (the packaged default when ``path`` is None)."""
    p = Path(path) if path else DEFAULT_WATCHLIST
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WatchlistError(f"{p}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"{p}: invalid TOML: {exc}") from exc
    return parse_watchlist(data, str(p))
