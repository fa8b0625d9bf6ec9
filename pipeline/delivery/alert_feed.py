"""The Atom feed of alerts: every alert that matched a rule, whether or not any channel is set.

Readers poll it, so it is rewritten whole and atomically after each delivery pass.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from sqlalchemy import or_, select

from pipeline.delivery.alerts import FEED_CHANNEL, SENT, render_message, utcnow
from pipeline.storage.db import Database
from pipeline.storage.models import Alert, Entity, Event

FEED_LIMIT = 200
ATOM_NS = "http://www.w3.org/2005/Atom"


def _atom_time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def write_feed(db: Database, path: str | Path, *, limit: int = FEED_LIMIT) -> None:
    """Write an Atom feed of the latest alerts, one entry per alert id, atomically."""
    with db.session() as s:
        rows = s.execute(
            select(Alert.alert_id, Alert.payload, Alert.created_at)
            .outerjoin(Event, Event.id == Alert.event_id)
            .outerjoin(Entity, Entity.id == Event.person_id)
            # held for review, cancelled, or about a person flagged confidential: not in the feed
            .where(Alert.channel == FEED_CHANNEL, Alert.status == SENT,
                   or_(Entity.confidential.is_(None), Entity.confidential.is_(False)))
            .order_by(Alert.created_at.desc(), Alert.id.desc())
            .limit(limit)
        ).all()

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", "urn:atrisk:alerts")
    _sub(feed, "title", "atrisk alerts")
    _sub(feed, "subtitle", "New repression events reported about filmmakers, artists and writers")
    _sub(feed, "updated", _atom_time(rows[0][2] if rows else utcnow()))
    author = _sub(feed, "author")
    _sub(author, "name", "atrisk")
    _sub(feed, "generator", "atrisk")
    for alert_id, payload, created_at in rows:
        title, body = render_message(payload)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:atrisk:alert:{alert_id}")
        _sub(entry, "title", title.removeprefix("atrisk: "))
        _sub(entry, "updated", _atom_time(created_at))
        _sub(entry, "published", _atom_time(created_at))
        if payload.get("link"):
            _sub(entry, "link", rel="alternate", href=str(payload["link"]))
        _sub(entry, "category", term=str(payload.get("what") or "event"))
        _sub(entry, "summary", payload.get("sentence") or title, type="text")
        _sub(entry, "content", body, type="text")

    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # feed readers and web servers run as other users
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
