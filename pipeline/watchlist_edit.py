"""Edits of ``watchlist.toml`` from the workbench: comments and layout kept, written atomically.

The watchlist file is what analysis syncs into the database on every pass, so an edit
made in the database alone would be undone by the next pass. The workbench therefore
writes the file (with tomlkit, which keeps comments, key order and spacing), after
checking that it has not changed since the page was loaded (:func:`version` is the
SHA-256 of its bytes, sent with the form) and that it can be replaced. The new text is
validated as a watchlist before it replaces the old one, through a temporary file in
the same directory and ``os.replace``: a reader sees the old file or the new one, never
half of one. A lock file beside it keeps two edits from interleaving.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from filelock import FileLock, Timeout
from tomlkit.exceptions import TOMLKitError

from extract.entities import entity_key
from extract.watchlist import WatchlistError, parse_watchlist

SECTIONS = {"person": "people", "organization": "organizations"}
LOCK_SECONDS = 10.0


class WatchlistEditError(ValueError):
    """The watchlist file cannot be edited; the message says why and what to do."""


@dataclass(frozen=True)
class Entry:
    """What the watchlist file says about one entity (``listed`` False when it is not in it)."""

    listed: bool
    tags: tuple[str, ...] = ()


def version(path: Path) -> str:
    """The file's version as the page saw it: the SHA-256 of its bytes ("missing" if absent)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


def _load(path: Path) -> tuple[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return "missing", tomlkit.document()
    except OSError as exc:
        raise WatchlistEditError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return hashlib.sha256(raw).hexdigest(), tomlkit.parse(raw.decode("utf-8"))
    except (UnicodeDecodeError, TOMLKitError) as exc:
        raise WatchlistEditError(f"{path}: not valid TOML ({exc}); fix the file by hand first") from None


def _find(doc: Any, kind: str, name: str) -> int | None:
    """The index of the entry whose name or one of whose aliases is ``name`` (by entity key)."""
    key = entity_key(name)
    for i, row in enumerate(doc.get(SECTIONS[kind], [])):
        names = [row.get("name", ""), *row.get("aliases", [])]
        if any(isinstance(n, str) and entity_key(n) == key for n in names):
            return i
    return None


def entry(path: Path, kind: str, name: str) -> Entry:
    """Whether the file lists the entity, and with which tags."""
    _, doc = _load(path)
    i = _find(doc, kind, name)
    if i is None:
        return Entry(False)
    return Entry(True, tuple(str(t) for t in doc[SECTIONS[kind]][i].get("tags", [])))


def _writable(path: Path) -> None:
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        raise WatchlistEditError(f"{path} is not writable by the workbench; change its permissions "
                                 "or edit it by hand")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WatchlistEditError(f"the folder {folder} is not writable by the workbench, so {path.name} "
                                 "cannot be replaced safely; change its permissions or edit the file by hand")


def _edit(doc: Any, kind: str, name: str, watched: bool, tags: list[str]) -> bool:
    """Change the document in place; False when it already says this."""
    section = SECTIONS[kind]
    i = _find(doc, kind, name)
    if not watched:
        if i is None:
            return False
        del doc[section][i]
        if not doc[section]:
            del doc[section]
        return True
    if i is None:
        row = tomlkit.table()
        row["name"] = name
        if tags:
            row["tags"] = tags
        row.add(tomlkit.nl())
        if section not in doc:
            doc.append(section, tomlkit.aot())
        doc[section].append(row)
        return True
    row = doc[section][i]
    if list(row.get("tags", [])) == tags:
        return False
    if tags:
        row["tags"] = tags
    else:
        del row["tags"]
    return True


def _replace(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def set_entry(path: Path, kind: str, name: str, *, watched: bool, tags: list[str],
              expected: str | None) -> bool:
    """List ``name`` with ``tags`` (or take it off the list) in the watchlist file.

    ``expected`` is the :func:`version` the page was loaded with: when the file changed
    since, nothing is written and the error says to reload. Returns False when the file
    already said this (nothing written).
    """
    if kind not in SECTIONS:
        raise WatchlistEditError(f"unknown kind {kind!r}")
    tags = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    _writable(path)
    try:
        with FileLock(f"{path}.lock", timeout=LOCK_SECONDS):
            current, doc = _load(path)
            if expected is not None and expected != current:
                raise WatchlistEditError(f"{path} changed since this page was loaded (edited by hand or "
                                         "by another analyst); reload the page and make the change again")
            if not _edit(doc, kind, name, watched, tags):
                return False
            text = tomlkit.dumps(doc)
            try:
                parse_watchlist(tomlkit.parse(text).unwrap(), str(path))
            except WatchlistError as exc:
                raise WatchlistEditError(f"the edit would make the watchlist invalid: {exc}") from None
            _replace(path, text)
            return True
    except Timeout:
        raise WatchlistEditError(f"{path} is being edited by someone else; try again") from None
    except PermissionError as exc:
        raise WatchlistEditError(f"{path} cannot be written ({exc.strerror}); change its permissions "
                                 "or edit it by hand") from None
