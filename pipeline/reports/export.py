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


def iter_records(db: Database, since: datetime | None = None, *,
                 include_confidential: bool = False) -> Iterator[dict[str, Any]]:
    """One dict per stored document, in the export schema, oldest first.

    People flagged confidential (and their events) are left out unless asked for.
    """
    last_id = 0
    with db.sessions() as s:
        sources: dict[int | None, str] = dict(s.execute(select(Source.id, Source.name)).tuples().all())
        hidden = set() if include_confidential else set(
            s.scalars(select(Entity.name).where(Entity.confidential.is_(True))))
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
                if name not in bucket and name not in hidden:
                    bucket.append(name)
            events: dict[int, list[dict]] = defaultdict(list)
            for ev, person, doc_language in s.execute(
                select(Event, Entity.name, Document.language)
                .join(Entity, Entity.id == Event.person_id)
                .join(Document, Document.id == Event.document_id)
                .where(Event.document_id.in_(ids), Event.dismissed.is_(False))
                .order_by(Event.document_id, Event.sent_start, Event.id)
            ):
                if person in hidden:
                    continue
                events[ev.document_id].append({
                    "type": ev.type,
                    "person": person,
                    "date": ev.date.isoformat() if ev.date else None,
                    "term": ev.term,
                    "sentence": ev.sentence,
                    "new": bool(ev.is_new),
                    "incident": ev.incident_id,
                    "language": ev.language or doc_language,
                    "method": ev.method or "parse",
                    "review": ev.review,
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


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"): such cells get a leading apostrophe, and every cell is quoted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A cell value a spreadsheet shows as text: ``'=HYPERLINK(...)`` instead of ``=HYPERLINK(...)``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_writer(out: IO[str], fieldnames: tuple[str, ...]) -> csv.DictWriter:
    """The one way atrisk writes CSV: every cell quoted; write rows with :func:`write_safe_row`."""
    return csv.DictWriter(out, fieldnames=fieldnames, quoting=csv.QUOTE_ALL)


def write_safe_row(writer: csv.DictWriter, row: dict[str, Any]) -> None:
    writer.writerow({k: csv_safe(v) for k, v in row.items()})


def write_csv(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    w = csv_writer(out, CSV_FIELDS)
    w.writeheader()
    n = 0
    for rec in records:
        row = dict(rec)
        row["people"] = "; ".join(rec["people"])
        row["organizations"] = "; ".join(rec["organizations"])
        row["events"] = "; ".join(f"{e['type']}:{e['person']}" for e in rec["events"])
        row["analysed"] = "true" if rec["analysed"] else "false"
        row["published"] = rec["published"] or ""
        write_safe_row(w, row)
        n += 1
    return n
