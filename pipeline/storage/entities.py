"""Canonical entities in the database: watchlist sync, identity resolution, merges, analysts' notes."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, cast

from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.orm import Session

from extract.entities import entity_key
from extract.watchlist import Watchlist
from pipeline.storage.db import Database, conflict_insert
from pipeline.storage.models import Alias, Entity, Event, Mention, Note
from pipeline.storage.store import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")
WATCHLIST_LOCK_KEY = 0x61747277  # PostgreSQL advisory lock: one watchlist sync at a time


class EntityNotFound(LookupError):
    """No entity has that name, key or alias."""


def sync_watchlist(session: Session, watchlist: Watchlist) -> None:
    """Make every watchlist entry an entity with its aliases (origin 'watchlist').

    The entities and aliases already there are read in one query each (this runs at the
    start of every pass: a query and a flush per entry cost ~0.25 s of CPU for 167 entries),
    then the entries are applied in watchlist order, so new rows get the ids they got
    when each entry was looked up on its own.
    """
    if session.get_bind().dialect.name == "postgresql":
        # analysis workers starting together would otherwise insert the same entries twice
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WATCHLIST_LOCK_KEY})
    now = utcnow()
    items = list(watchlist.entities)
    ents = {(e.kind, e.key): e for e in _with_keys(session, Entity, {entity_key(i.name) for i in items})}
    known = {(a.kind, a.key): a for a in _with_keys(session, Alias, {entity_key(alias) for i in items
                                                                     for alias in i.aliases})}
    for item in items:
        key = entity_key(item.name)
        ent = ents.get((item.kind, key))
        if ent is None:
            ent = ents[(item.kind, key)] = Entity(kind=item.kind, name=item.name, key=key, created_at=now)
            session.add(ent)
        ent.name = item.name
        ent.watchlisted = True
        ent.tags = list(item.tags)
        ent.country = item.country or ent.country
        ent.profession = item.profession or ent.profession
        if ent.id is None:
            session.flush()  # its id, for its aliases
        for alias in item.aliases:
            akey = entity_key(alias)
            if not akey or akey == key:
                continue
            row = known.get((item.kind, akey))
            if row is None:
                row = known[(item.kind, akey)] = Alias(entity_id=ent.id, kind=item.kind, alias=alias,
                                                       key=akey, origin="watchlist", created_at=now)
                session.add(row)
            elif row.origin == "watchlist":
                row.entity_id = ent.id


def _with_keys(session: Session, model: type[Entity] | type[Alias], keys: set[str]) -> list[Any]:
    """Rows of ``model`` (entities or aliases) whose key is one of ``keys``, of every kind."""
    rows: list[Any] = []
    for chunk in _chunks(sorted(keys)):
        rows += session.scalars(select(model).where(model.key.in_(chunk)))
    return rows


# keys per ``IN (...)`` list and rows per INSERT statement (SQLite binds at most 32,766 values)
INSERT_ROWS = 500


def _chunks(items: list[T]) -> Iterator[list[T]]:
    """``items`` in lists of at most :data:`INSERT_ROWS`, in order."""
    for at in range(0, len(items), INSERT_ROWS):
        yield items[at:at + INSERT_ROWS]


class EntityResolver:
    """Maps (kind, name) to an entity id, following aliases and merges; caches per pass."""

    def __init__(self, session: Session, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._cache: dict[tuple[str, str], int] = {}
        self._merged: dict[int, int] = {}
        for eid, target in session.execute(
            select(Entity.id, Entity.merged_into_id).where(Entity.merged_into_id.is_not(None))
        ):
            if target is not None:  # always, by the query; narrows the type
                self._merged[eid] = target
        for kind, key, eid in session.execute(select(Alias.kind, Alias.key, Alias.entity_id)):
            self._cache[(kind, key)] = eid
        for kind, key, eid in session.execute(select(Entity.kind, Entity.key, Entity.id)):
            self._cache.setdefault((kind, key), eid)

    def _follow(self, eid: int) -> int:
        seen = set()
        while eid in self._merged and eid not in seen:
            seen.add(eid)
            eid = self._merged[eid]
        return eid

    def resolve(self, session: Session, kind: str, name: str) -> int:
        key = entity_key(name) or name.casefold()
        eid = self._cache.get((kind, key))
        if eid is None:
            eid = self._fuzzy(kind, name)
        if eid is None:
            eid = _find_or_create(session, kind, name, key)
        self._cache[(kind, key)] = eid
        return self._follow(eid)

    def create_missing(self, session: Session, names: Iterable[tuple[str, str]]) -> None:
        """Insert at once the entities of ``(kind, name)`` pairs that :meth:`resolve` would
        create one by one, in the same order (so they get the same ids); then it finds them."""
        missing: dict[tuple[str, str], str] = {}
        for kind, name in names:
            key = entity_key(name) or name.casefold()
            if (kind, key) in self._cache or (kind, key) in missing:
                continue
            eid = self._fuzzy(kind, name)
            if eid is not None:
                self._cache[(kind, key)] = eid
            else:
                missing[(kind, key)] = name
        if missing:
            self._cache.update(_find_or_create_many(session, missing))

    def _fuzzy(self, kind: str, name: str) -> int | None:
        """A close spelling of a watchlist entry (tight threshold, watchlist only)."""
        try:
            from extract.entities import resolve_to_watchlist
        except ImportError:
            return None
        match = resolve_to_watchlist(name, kind, self.watchlist)
        if match is None:
            return None
        return self._cache.get((kind, entity_key(match.name)))


def _find_or_create(session: Session, kind: str, name: str, key: str) -> int:
    """The id of entity (kind, key), inserted when missing.

    Several analysis workers may meet the same new name at once: the insert skips a
    row another transaction has written (on PostgreSQL it waits for that transaction
    to end), and the row is then read back.
    """
    found = session.scalar(select(Entity.id).where(Entity.kind == kind, Entity.key == key))
    if found is not None:
        return found
    insert = conflict_insert(session)
    if insert is None:
        ent = Entity(kind=kind, name=name, key=key, created_at=utcnow(), tags=[])
        session.add(ent)
        session.flush()
        return ent.id
    table = cast(Table, Entity.__table__)
    stmt = (insert(table)
            .values(kind=kind, name=name, key=key, created_at=utcnow(), tags=[], watchlisted=False)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(table.c.id))
    eid = session.execute(stmt).scalar()
    if eid is None:
        eid = session.scalar(select(Entity.id).where(Entity.kind == kind, Entity.key == key))
    assert eid is not None
    return int(eid)


def _find_or_create_many(session: Session, missing: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
    """:func:`_find_or_create` for many ``(kind, key) -> name`` at once: one ``INSERT ...
    ON CONFLICT DO NOTHING RETURNING`` per ``INSERT_ROWS`` rows, in order; a row another
    worker has written is read back."""
    insert = conflict_insert(session)
    if insert is None:
        return {(kind, key): _find_or_create(session, kind, name, key)
                for (kind, key), name in missing.items()}
    table = cast(Table, Entity.__table__)
    found: dict[tuple[str, str], int] = {}
    # rows already there are read first and left out of the insert: PostgreSQL takes a
    # sequence value for every row offered, conflicting or not, so offering them would leave
    # gaps and give later entities other ids than resolving one name at a time gives
    keys = sorted({key for _, key in missing})
    for chunk in _chunks(keys):
        for there, kind, key in session.execute(
                select(Entity.id, Entity.kind, Entity.key).where(Entity.key.in_(chunk))):
            if (kind, key) in missing:
                found[(kind, key)] = int(there)
    rows = [{"kind": kind, "name": name, "key": key, "created_at": utcnow(), "tags": [], "watchlisted": False}
            for (kind, key), name in missing.items() if (kind, key) not in found]
    for batch in _chunks(rows):
        stmt = (insert(table).values(batch)
                .on_conflict_do_nothing(index_elements=["kind", "key"])
                .returning(table.c.id, table.c.kind, table.c.key))
        found.update({(kind, key): int(eid) for eid, kind, key in session.execute(stmt)})
    for kind, key in missing:
        if (kind, key) not in found:
            eid = session.scalar(select(Entity.id).where(Entity.kind == kind, Entity.key == key))
            assert eid is not None
            found[(kind, key)] = int(eid)
    return found


def find_entity(session: Session, name: str, kind: str | None = None) -> Entity:
    """An entity by canonical name, key or alias (merges followed)."""
    key = entity_key(name)
    q = select(Entity).where(Entity.key == key)
    if kind:
        q = q.where(Entity.kind == kind)
    ent = session.scalars(q).first()
    if ent is None:
        aq = select(Alias).where(Alias.key == key)
        if kind:
            aq = aq.where(Alias.kind == kind)
        alias = session.scalars(aq).first()
        ent = session.get(Entity, alias.entity_id) if alias else None
    if ent is None:
        raise EntityNotFound(f"no person or organization named {name!r}: see `atrisk entities`")
    seen: set[int] = set()
    while ent.merged_into_id and ent.id not in seen:
        seen.add(ent.id)
        target = session.get(Entity, ent.merged_into_id)
        if target is None:  # merged into a row that is gone: the last one found stands
            break
        ent = target
    return ent


def merge_entities(session: Session, keep: str, other: str) -> tuple[Entity, Entity]:
    """Record that ``other`` is the same as ``keep``: an alias, and its mentions and events moved."""
    target = find_entity(session, keep)
    source = find_entity(session, other, target.kind)
    if source.id == target.id:
        raise ValueError(f"{other!r} is already {target.name!r}")
    now = utcnow()
    existing = session.scalar(select(Alias).where(Alias.kind == source.kind, Alias.key == source.key))
    if existing is None:
        session.add(Alias(entity_id=target.id, kind=source.kind, alias=source.name, key=source.key,
                          origin="merge", created_at=now))
    else:
        existing.entity_id, existing.origin = target.id, "merge"
    source.merged_into_id = target.id
    session.execute(update(Mention).where(Mention.entity_id == source.id).values(entity_id=target.id))
    session.execute(update(Event).where(Event.person_id == source.id).values(person_id=target.id))
    return target, source


def unmerge_entity(session: Session, name: str) -> Entity:
    """Undo a merge: the entity stands alone again, with the mentions and events written under its name."""
    key = entity_key(name)
    alias = session.scalar(select(Alias).where(Alias.key == key, Alias.origin == "merge"))
    ent = session.scalars(select(Entity).where(Entity.key == key, Entity.merged_into_id.is_not(None))).first()
    if alias is None and ent is None:
        raise EntityNotFound(f"{name!r} is not a merged entity")
    kind = ent.kind if ent else alias.kind  # type: ignore[union-attr]
    if ent is None:
        ent = Entity(kind=kind, name=alias.alias, key=key, created_at=utcnow(), tags=[])  # type: ignore[union-attr]
        session.add(ent)
        session.flush()
    target_id = ent.merged_into_id or (alias.entity_id if alias else None)
    ent.merged_into_id = None
    if alias is not None:
        session.execute(delete(Alias).where(Alias.id == alias.id))
    if target_id is not None:
        # mentions and events that were written under this name go back to it
        for m in session.scalars(select(Mention).where(Mention.entity_id == target_id)):
            if entity_key(m.name) == key:
                m.entity_id = ent.id
        for e in session.scalars(select(Event).where(Event.person_id == target_id)):
            if entity_key(e.person_name) == key:
                e.person_id = ent.id
    return ent


def list_entities(db: Database, *, kind: str | None = None, limit: int = 50) -> list[dict]:
    """Entities by mention count, with their aliases."""
    from sqlalchemy import func

    with db.sessions() as s:
        q = (select(Entity, func.count(Mention.id), func.count(func.distinct(Mention.document_id)))
             .join(Mention, Mention.entity_id == Entity.id, isouter=True)
             .where(Entity.merged_into_id.is_(None))
             .group_by(Entity.id)
             .order_by(func.count(Mention.id).desc(), Entity.name)
             .limit(limit))
        if kind:
            q = q.where(Entity.kind == kind)
        rows = s.execute(q).all()
        aliases: dict[int, list[str]] = {}
        ids = [e.id for e, _, _ in rows]
        for eid, alias in s.execute(select(Alias.entity_id, Alias.alias).where(Alias.entity_id.in_(ids))):
            aliases.setdefault(eid, []).append(alias)
        return [{"name": e.name, "kind": e.kind, "mentions": n, "documents": d,
                 "watchlisted": e.watchlisted, "aliases": sorted(aliases.get(e.id, []))}
                for e, n, d in rows]


def notes_of(s: Session, entity_ids: list[int]) -> list[dict[str, Any]]:
    """Analysts' notes on these entities, newest first (``decisions.add_note`` writes them)."""
    return [{"user": n.user_name, "at": n.at.isoformat(timespec="minutes"), "text": n.text}
            for n in s.scalars(select(Note).where(Note.entity_id.in_(entity_ids)).order_by(Note.at.desc()))]
