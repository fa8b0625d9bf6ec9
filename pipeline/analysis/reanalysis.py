"""Re-analysis after a watchlist change costs only the documents the change can touch.

The watchlist the stored analyses used is kept in the database (``settings`` row
``analysis_watchlist``: every entry as it was). When the watchlist differs (entries
added, removed, or edited in any field), only documents that can read differently are
queued again:

* documents whose title or text contains one of the changed entries' names or aliases
  (old and new spellings), or a changed person's surname (a surname alone resolves to a
  listed person), found through the search index (FTS5 on SQLite, the GIN index on
  PostgreSQL);
* documents with a stored mention of an entity the changed names resolve to: the same
  key (case, accents and transliteration folded: "Rasulof" for "Rasoulof"), the
  watchlist's tight fuzzy match (one edit on a key of 8 letters or more, same words and
  initials), or the same surname.

A document that contains none of these reads the same with either watchlist: the
watchlist ruler matches nothing in it and no name in it resolves to a changed entry.
The analysis speed (documents per second, from the last analysis stage that analysed
enough documents) is kept too, so a full ``reprocess`` can say how long it will take.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from extract.entities import entity_key
from extract.watchlist import WatchedEntity, Watchlist
from pipeline.storage.db import Database, conflict_insert
from pipeline.storage.models import Alias, Document, Entity, Mention, Setting
from pipeline.storage.search import documents_containing
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)

WATCHLIST_KEY = "analysis_watchlist"
RATE_KEY = "analysis_rate"
RATE_MIN_DOCS = 20  # an analysis stage shorter than this says little about the speed
DEFAULT_DOCS_PER_S = 5.0  # the small English model on one core, when nothing was measured
IDS_PER_QUERY = 500


def _entry_id(e: WatchedEntity) -> str:
    return f"{e.kind}:{entity_key(e.name)}"


def _entry(e: WatchedEntity) -> dict[str, Any]:
    return {"kind": e.kind, "name": e.name, "aliases": list(e.aliases), "tags": list(e.tags),
            "country": e.country, "profession": e.profession}


def snapshot(watchlist: Watchlist) -> dict[str, dict[str, Any]]:
    """Every entry of a watchlist, by kind and key of its canonical name."""
    return {_entry_id(e): _entry(e) for e in watchlist.entities}


@dataclass
class WatchlistChange:
    """What differs between the watchlist the stored analyses used and the current one."""

    recorded: bool  # False: no record yet (a new database, or one analysed before this was kept)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # every name and alias of a changed entry
    surnames: list[str] = field(default_factory=list)  # keys of changed people's last names

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.edited)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "edited": self.edited}


def _stored(s: Session, key: str) -> Any:
    row = s.get(Setting, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except ValueError:
        return None


def _store(s: Session, key: str, value: Any) -> None:
    """Write one settings row; workers starting at once on a new database may all write it,
    so it is an upsert where the database has one (SQLite, PostgreSQL)."""
    data = json.dumps(value, sort_keys=True, ensure_ascii=False)
    insert = conflict_insert(s)
    if insert is not None:
        stmt = insert(Setting).values(key=key, value=data)
        s.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": data}))
        for obj in list(s.identity_map.values()):  # a row read earlier in this session is stale
            if isinstance(obj, Setting) and obj.key == key:
                s.expire(obj)
        return
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=data))
    else:
        row.value = data


def compare(before: dict[str, dict[str, Any]] | None, watchlist: Watchlist) -> WatchlistChange:
    """The entries added, removed and edited, with the names they (used to) go by."""
    if before is None:
        return WatchlistChange(recorded=False)
    now = snapshot(watchlist)
    change = WatchlistChange(recorded=True)
    touched: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(now)):
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        (change.added if old is None else change.removed if new is None else change.edited).append(
            (new or old or {}).get("name", key))
        touched += [e for e in (old, new) if e]
    names, surnames = [], []
    for e in touched:
        for surface in (e.get("name", ""), *e.get("aliases", [])):
            names.append(surface)
            words = entity_key(surface).split()
            if e.get("kind") == "person" and len(words) > 1:
                surnames.append(words[-1])
    change.names = list(dict.fromkeys(n for n in names if n))
    change.surnames = list(dict.fromkeys(surnames))
    return change


def watchlist_change(db: Database, watchlist: Watchlist) -> WatchlistChange:
    with db.sessions() as s:
        return compare(_stored(s, WATCHLIST_KEY), watchlist)


def record_watchlist(db: Database, watchlist: Watchlist) -> None:
    """Note ``watchlist`` as the one the stored analyses use (after a full reprocess)."""
    with db.session() as s:
        _store(s, WATCHLIST_KEY, snapshot(watchlist))


def affected_documents(db: Database, change: WatchlistChange) -> set[int]:
    """Ids of the stored documents a watchlist change can make read differently."""
    if not change.changed:
        return set()
    found = documents_containing(db, change.names + change.surnames)
    keys = {entity_key(n) for n in change.names} - {""}
    surnames = set(change.surnames)
    with db.sessions() as s:
        entity_keys = [(eid, key) for eid, key in s.execute(select(Entity.id, Entity.key))]
        entity_keys += [(eid, key) for eid, key in s.execute(select(Alias.entity_id, Alias.key))]
        ids = {eid for eid, key in entity_keys if _close(key, keys, surnames)}
        ids |= _fuzzy(entity_keys, keys)
        ordered = sorted(ids)
        for i in range(0, len(ordered), IDS_PER_QUERY):
            found.update(s.execute(select(Mention.document_id).distinct()
                                   .where(Mention.entity_id.in_(ordered[i:i + IDS_PER_QUERY]))).scalars())
    return found


def _close(key: str, keys: set[str], surnames: set[str]) -> bool:
    words = key.split()
    return key in keys or bool(words) and words[-1] in surnames


def _fuzzy(entity_keys: list[tuple[int, str]], keys: set[str]) -> set[int]:
    """Entities within the watchlist's fuzzy match of a changed key (see resolve_to_watchlist)."""
    out: set[int] = set()
    by_key: dict[str, list[int]] = {}
    for eid, key in entity_keys:
        if len(key) >= 8:
            by_key.setdefault(key, []).append(eid)
    choices = list(by_key)
    for key in keys:
        if len(key) < 8:
            continue
        words = key.split()
        for other, _score, _i in process.extract(key, choices, scorer=Levenshtein.distance,
                                                 score_cutoff=1, limit=None):
            ow = other.split()
            if len(ow) == len(words) and all(a[0] == b[0] for a, b in zip(ow, words, strict=True)):
                out.update(by_key[other])
    return out


@dataclass
class Queued:
    """What a watchlist check queued for re-analysis."""

    change: WatchlistChange
    documents: int = 0
    seconds: float = 0.0


def queue_changed(db: Database, watchlist: Watchlist) -> Queued:
    """Queue the documents a watchlist change touches and record the new watchlist.

    Without a record (a new database, or one analysed before records were kept) the
    current watchlist is recorded as the one the stored analyses used.
    """
    t0 = time.perf_counter()
    change = watchlist_change(db, watchlist)
    if change.recorded and not change.changed:
        return Queued(change)
    ids = affected_documents(db, change) if change.changed else set()
    ordered = sorted(ids)
    queued = 0
    with db.session() as s:
        for i in range(0, len(ordered), IDS_PER_QUERY):
            res = s.execute(update(Document)
                            .where(Document.id.in_(ordered[i:i + IDS_PER_QUERY]), Document.text.is_not(None))
                            .values(analysed_hash=None, analysis_attempts=0, analysis_parked_at=None,
                                    analysis_note=None))
            queued += int(getattr(res, "rowcount", 0) or 0)
        _store(s, WATCHLIST_KEY, snapshot(watchlist))  # in the transaction that queues them
    result = Queued(change, queued, time.perf_counter() - t0)
    if change.changed:
        log.info("watchlist changed (added %s, removed %s, edited %s): %d documents queued for "
                 "re-analysis in %.1f s", change.added, change.removed, change.edited, queued,
                 result.seconds)
    return result


def record_rate(db: Database, documents: int, seconds: float) -> None:
    """Keep the speed of an analysis stage that analysed enough documents to tell."""
    if documents < RATE_MIN_DOCS or seconds <= 0:
        return
    with db.session() as s:
        _store(s, RATE_KEY, {"docs_per_s": round(documents / seconds, 3), "documents": documents,
                             "measured_at": utcnow().isoformat(timespec="seconds")})


def estimate(db: Database, documents: int) -> tuple[float, float, bool]:
    """(seconds, documents per second, measured) for analysing ``documents``."""
    with db.sessions() as s:
        rate = _stored(s, RATE_KEY) or {}
    per_s = float(rate.get("docs_per_s") or 0)
    measured = per_s > 0
    per_s = per_s if measured else DEFAULT_DOCS_PER_S
    return documents / per_s, per_s, measured


def describe_estimate(db: Database, documents: int) -> str:
    seconds, per_s, measured = estimate(db, documents)
    how = "measured on this database" if measured else "assumed; nothing measured here yet"
    return (f"re-analysing {documents:,} documents: about {timedelta(seconds=round(seconds))} "
            f"at {per_s:.1f} documents/s ({how})")
