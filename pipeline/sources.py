"""Loading and validating ``sources.toml``: the sites atrisk watches."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import regex

from pipeline.durations import parse_duration

DEFAULT_SOURCES = Path(__file__).resolve().parent.parent / "sources.toml"
KINDS = ("ngo", "festival", "guild", "news")
_LIST_KEYS = ("start_urls", "feeds", "sitemaps", "allow", "deny", "domains")
_URL_KEYS = ("start_urls", "feeds", "sitemaps")


class SourcesError(ValueError):
    """sources.toml is invalid; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class SourceConfig:
    """One watched site as configured."""

    name: str
    kind: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # extra domains beyond those of the entry URLs
    every: str | None = None
    allow_private: bool = False
    max_pages: int | None = None
    max_depth: int | None = None
    _allowed_domains: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def entry_urls(self) -> tuple[str, ...]:
        return self.start_urls + self.feeds + self.sitemaps

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """Host names this source may crawl: those of its entry URLs plus ``domains``."""
        hosts = {urlsplit(u).hostname or "" for u in self.entry_urls}
        hosts.update(self.domains)
        return tuple(sorted(h.lower() for h in hosts if h))

    @property
    def every_seconds(self) -> int | None:
        return parse_duration(self.every) if self.every else None


def _check_url(url: object, where: str) -> str:
    if not isinstance(url, str):
        raise SourcesError(f"{where}: must be a string URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourcesError(f"{where}: {url!r} is not an http(s) URL with a host")
    return url


def parse_source(row: object, where: str) -> SourceConfig:
    if not isinstance(row, dict):
        raise SourcesError(f"{where}: must be a table ([[sources]])")
    known = {"name", "kind", "every", "allow_private", "max_pages", "max_depth", *_LIST_KEYS}
    if isinstance(row.get("name"), str) and row["name"].strip():
        where = f"{where} ({row['name'].strip()})"
    unknown = sorted(set(row) - known)
    if unknown:
        raise SourcesError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: field 'name' is required and must be a non-empty string")
    kind = row.get("kind")
    if kind not in KINDS:
        raise SourcesError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    values: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        val = row.get(key, [])
        if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
            raise SourcesError(f"{where}: field {key!r} must be a list of strings")
        if key in _URL_KEYS:
            for i, u in enumerate(val):
                _check_url(u, f"{where}: field {key!r} item {i + 1}")
        if key in ("allow", "deny"):
            for pattern in val:
                problem = pattern_problem(pattern)
                if problem:
                    raise SourcesError(f"{where}: field {key!r}: {problem}")
        values[key] = tuple(val)
    if not (values["start_urls"] or values["feeds"] or values["sitemaps"]):
        raise SourcesError(f"{where}: needs at least one of 'start_urls', 'feeds', 'sitemaps'")
    every = row.get("every")
    if every is not None:
        if not isinstance(every, str):
            raise SourcesError(f"{where}: field 'every' must be a string such as '1h'")
        try:
            parse_duration(every)
        except ValueError as exc:
            raise SourcesError(f"{where}: field 'every': {exc}") from None
    allow_private = row.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise SourcesError(f"{where}: field 'allow_private' must be true or false")
    return SourceConfig(
        name=name.strip(), kind=kind, every=every, allow_private=allow_private,
        start_urls=values["start_urls"], feeds=values["feeds"], sitemaps=values["sitemaps"],
        allow=values["allow"], deny=values["deny"], domains=values["domains"],
        max_pages=_limit(row, "max_pages", where), max_depth=_limit(row, "max_depth", where),
    )


# allow/deny patterns run on every link of every page; the `regex` module bounds each
# search (PATTERN_TIMEOUT), and patterns that backtrack catastrophically on simple
# probes are refused when sources.toml is read.
PATTERN_TIMEOUT = 0.05  # seconds per search at crawl time
_PROBE_TIMEOUT = 0.2
_PROBES = tuple(c * 40 + tail for c in ("a", "0", "/", "-", ".", "a/", "ab") for tail in ("", "!", "\n"))


def compile_pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why an allow/deny pattern is refused (bad syntax, exponential backtracking), or None."""
    try:
        re.compile(pattern)
        compiled = compile_pattern(pattern)
    except (re.error, regex.error) as exc:
        return f"bad regex {pattern!r}: {exc}"
    for probe in _PROBES:
        for text in (probe, "https://example.org/" + probe):
            try:
                compiled.search(text, timeout=_PROBE_TIMEOUT)
            except TimeoutError:
                return (f"regex {pattern!r} takes too long on a {len(text)}-character string "
                        "(catastrophic backtracking: a repeated group whose alternatives overlap, "
                        "such as (a|aa)+); write it so each character can match only one way")
    return None


def _limit(row: dict, key: str, where: str) -> int | None:
    val = row.get(key)
    if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 0):
        raise SourcesError(f"{where}: field {key!r} must be a non-negative integer")
    return val


def parse_sources(data: dict, origin: str = "<sources>") -> list[SourceConfig]:
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise SourcesError(f"{origin}: unknown top-level key(s) {unknown}; expected [[sources]]")
    rows = data.get("sources", [])
    if not isinstance(rows, list):
        raise SourcesError(f"{origin}: 'sources' must be an array of tables ([[sources]])")
    out: list[SourceConfig] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, 1):
        src = parse_source(row, f"{origin}: source {i}")
        if src.name in seen:
            raise SourcesError(f"{origin}: source {i} ({src.name}): field 'name': duplicate name")
        seen.add(src.name)
        out.append(src)
    return out


def resolve_path(path: str | Path | None) -> Path:
    return Path(path or os.environ.get("ATRISK_SOURCES") or DEFAULT_SOURCES)


def load_sources(path: str | Path | None = None) -> list[SourceConfig]:
    """Read and validate a sources file (``ATRISK_SOURCES`` or the packaged default)."""
    p = resolve_path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{p}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{p}: invalid TOML: {exc}") from None
    return parse_sources(data, str(p))
