"""Export of every stored document in the public schema (JSON lines or CSV), streamed."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select

from pipeline.storage.db import Database
from pipeline.storage.models import Document, Entity, Event, Mention, Source

CHUNK = 1000
CSV_FIELDS = ("url", "source", "title", "published", "language", "analysed", "people",
              "organizations", "events")


def iter_records(db: Database, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One dict per stored document, in the export schema, oldest first."""
    last_id = 0
    with db.sessions() as s:
        sources: dict[int | None, str] = dict(s.execute(select(Source.id, Source.name)).tuples().all())
        while True:
            q = (select(Document.id, Document.url, Document.source_id, Document.title,
                        Document.published, Document.language, Document.analysed)
                 .where(Document.id > last_id).order_by(Document.id).limit(CHUNK))
            if since is not None:
                q = q.where(Document.updated_at >= since)
            docs = s.execute(q).all()
            if not docs:
                return
            last_id = docs[-1][0]
            ids = [d[0] for d in docs]
            names: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"person": [], "organization": []})
            for doc_id, kind, name in s.execute(
                select(Mention.document_id, Entity.kind, Entity.name)
                .join(Entity, Entity.id == Mention.entity_id)
                .where(Mention.document_id.in_(ids))
                .order_by(Mention.document_id, Mention.start)
            ):
                bucket = names[doc_id][kind]
                if name not in bucket:
                    bucket.append(name)
            events: dict[int, list[dict]] = defaultdict(list)
            for ev, person in s.execute(
                select(Event, Entity.name)
                .join(Entity, Entity.id == Event.person_id)
                .where(Event.document_id.in_(ids), Event.dismissed.is_(False))
                .order_by(Event.document_id, Event.sent_start, Event.id)
            ):
                events[ev.document_id].append({
                    "type": ev.type,
                    "person": person,
                    "date": ev.date.isoformat() if ev.date else None,
                    "term": ev.term,
                    "sentence": ev.sentence,
                    "new": bool(ev.is_new),
                })
            for doc_id, url, source_id, title, published, language, analysed in docs:
                yield {
                    "url": url,
                    "source": sources.get(source_id),
                    "title": title,
                    "published": published.isoformat() if published else None,
                    "language": language,
                    "analysed": bool(analysed),
                    "people": names[doc_id]["person"] if analysed else [],
                    "organizations": names[doc_id]["organization"] if analysed else [],
                    "events": events[doc_id] if analysed else [],
                }


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    w = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    w.writeheader()
    n = 0
    for rec in records:
        row = dict(rec)
        row["people"] = "; ".join(rec["people"])
        row["organizations"] = "; ".join(rec["organizations"])
        row["events"] = "; ".join(f"{e['type']}:{e['person']}" for e in rec["events"])
        row["analysed"] = "true" if rec["analysed"] else "false"
        row["published"] = rec["published"] or ""
        w.writerow(row)
        n += 1
    return n
