"""Word lists and patterns as data files: one list per concept.

Each list is a UTF-8 text file beside this module, ``<name>.txt``: one word or phrase a
line, ``#`` starts a comment, blank lines are ignored, entries are lower-cased. Lists are
read once and cached; a missing list is an error naming the file, never an empty set.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


class LexiconMissing(FileNotFoundError):
    """A word list the code asks for is not shipped."""


def path(name: str) -> Path:
    """The file that holds the list ``name``."""
    return HERE / f"{name}.txt"


@cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of list ``name`` in file order, lower-cased, without duplicates."""
    file = path(name)
    if not file.is_file():
        raise LexiconMissing(f"word list {name!r} not found: {file}")
    seen: dict[str, None] = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            seen.setdefault(entry, None)
    return tuple(seen)


@cache
def words(name: str) -> frozenset[str]:
    """The entries of list ``name`` as a set (one set per list, shared by every module)."""
    return frozenset(entries(name))
