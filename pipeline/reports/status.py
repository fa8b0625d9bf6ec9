"""`atrisk status`: the last passes, each source's health, and work waiting in the database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, inspect, select, text

from pipeline.redact import mask_text
from pipeline.storage.models import OPERATOR_ROUTE, Alert, Document, Run, Source

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
PARKED_SHOWN = 20  # parked documents listed (newest first); the count covers all


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _source_state(src: Source) -> str:
    if src.incident:
        return src.incident
    if src.last_crawled_at is None:
        return "never crawled"
    if src.consecutive_failures:
        return "failing"  # below the notice threshold
    return "ok"


def status(app: Any, *, runs: int = 10) -> dict[str, Any]:
    """Last ``runs`` passes, per-source health, pending work and scheduled jobs (read only)."""
    db = app.db
    out: dict[str, Any] = {"database": db.safe_url}
    with db.sessions() as s:
        out["runs"] = [
            {
                "id": r.id,
                "command": r.command,
                "status": r.status,
                "started_at": _iso(r.started_at),
                "finished_at": _iso(r.finished_at),
                "seconds": round((r.finished_at - r.started_at).total_seconds(), 1)
                if r.finished_at else None,
                "counters": r.counters or {},
                "errors": r.errors or {},
            }
            for r in s.scalars(select(Run).order_by(Run.id.desc()).limit(runs))
        ]
        known = {src.name: src for src in s.scalars(select(Source).order_by(Source.name))}
        docs_by_source = dict(s.execute(select(Document.source_id, func.count())
                                        .group_by(Document.source_id)).all())
        sources = []
        for name, src in known.items():
            sources.append({
                "name": name,
                "kind": src.kind,
                "state": _source_state(src),
                "consecutive_failures": src.consecutive_failures or 0,
                "last_crawled_at": _iso(src.last_crawled_at),
                "last_success_at": _iso(src.last_success_at),
                "last_new_document_at": _iso(src.last_new_document_at),
                "incident": src.incident,
                "incident_since": _iso(src.incident_since),
                "documents": int(docs_by_source.get(src.id, 0)),
            })
        out["sources"] = sources
        pending = s.scalar(select(func.count()).select_from(Document).where(
            (Document.analysed_hash.is_(None)) | (Document.analysed_hash != Document.content_hash))) or 0
        outbox = dict(s.execute(select(Alert.status, func.count())
                                .where(Alert.channel != "feed", ~Alert.route.startswith("@"))
                                .group_by(Alert.status)).all())
        notices = dict(s.execute(select(Alert.status, func.count()).where(Alert.route == OPERATOR_ROUTE)
                                 .group_by(Alert.status)).all())
        parked = [
            {"url": d.url, "attempts": d.analysis_attempts, "error": d.analysis_error,
             "parked_at": _iso(d.analysis_parked_at)}
            for d in s.scalars(select(Document).where(Document.analysis_parked_at.is_not(None))
                               .order_by(Document.analysis_parked_at.desc()).limit(PARKED_SHOWN))
        ]
        out["analysis"] = {
            "parked": int(s.scalar(select(func.count()).select_from(Document)
                                   .where(Document.analysis_parked_at.is_not(None))) or 0),
            "failing": int(s.scalar(select(func.count()).select_from(Document).where(
                Document.analysis_parked_at.is_(None), Document.analysis_attempts > 0)) or 0),
            "truncated": int(s.scalar(select(func.count()).select_from(Document)
                                      .where(Document.analysis_note.is_not(None))) or 0),
            "parked_documents": parked,
        }
        out["pending"] = {
            "documents_to_analyse": int(pending),
            "alerts": {k: int(v) for k, v in outbox.items()},
            "operator_notices": {k: int(v) for k, v in notices.items()},
            "documents": int(s.scalar(select(func.count()).select_from(Document)) or 0),
            "documents_text_purged": int(s.scalar(select(func.count()).select_from(Document)
                                                  .where(Document.text_purged.is_(True))) or 0),
        }
    out["configured_sources_missing"] = _configured_missing(app, set(known))
    out["scheduler_jobs"] = _jobs(db)
    return out


def _configured_missing(app: Any, known: set[str]) -> list[str]:
    """Sources in sources.toml that no pass has seen yet."""
    from pipeline.sources import SourcesError, load_sources

    try:
        return sorted(s.name for s in load_sources(app.sources_path) if s.name not in known)
    except SourcesError as exc:
        log.warning("sources file not readable for status: %s", exc)
        return []


def _jobs(db: Any) -> list[dict[str, Any]]:
    """Jobs stored by `atrisk schedule` (id and next run), without unpickling them."""
    if not inspect(db.engine).has_table(JOBS_TABLE):
        return []
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE} ORDER BY id")).all()
    return [{"id": job_id, "next_run_at": _iso(_from_epoch(t))} for job_id, t in rows]


def _from_epoch(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None) if seconds is not None else None


def _counter_line(counters: dict[str, Any]) -> str:
    keys = ("fetched", "not_modified", "new_documents", "changed_documents", "analysed",
            "mentions", "events", "alerts_queued", "alerts_sent")
    parts = [f"{k}={counters[k]}" for k in keys if counters.get(k)]
    return " ".join(parts) or "-"


def render_status(data: dict[str, Any]) -> str:
    """Plain text for a terminal or a cron mail."""
    lines = [f"database: {data['database']}", "", "last passes (newest first):"]
    if not data["runs"]:
        lines.append("  none yet: run `atrisk run` or `atrisk schedule`")
    for r in data["runs"]:
        errors = ", ".join(f"{k}={v}" for k, v in sorted(r["errors"].items())) or "none"
        took = f"{r['seconds']}s" if r["seconds"] is not None else "-"
        lines.append(f"  #{r['id']:<5} {r['started_at']}  {r['command']:<16} {r['status']:<11} "
                     f"{took:>8}  {_counter_line(r['counters'])}  errors: {errors}")
    lines += ["", "sources:"]
    width = max([len(s["name"]) for s in data["sources"]] + [6])
    lines.append(f"  {'source':<{width}}  {'state':<13} {'fails':>5}  {'last success':<19}  "
                 f"{'last new document':<19}  docs")
    for s in data["sources"]:
        state = s["state"] + (f" since {s['incident_since'][:10]}" if s["incident_since"] else "")
        lines.append(f"  {s['name']:<{width}}  {state:<13} {s['consecutive_failures']:>5}  "
                     f"{s['last_success_at'] or 'never':<19}  {s['last_new_document_at'] or 'never':<19}  "
                     f"{s['documents']}")
    for name in data.get("configured_sources_missing", []):
        lines.append(f"  {name:<{width}}  not crawled yet")
    p = data["pending"]
    lines += ["", f"documents: {p['documents']} stored, {p['documents_to_analyse']} waiting for "
              f"analysis, {p['documents_text_purged']} with text removed by retention"]
    a = data["analysis"]
    lines.append(f"analysis: {a['parked']} parked after repeated failures, {a['failing']} failed and "
                 f"waiting for another try, {a['truncated']} analysed in part (text cut at the limit)")
    for d in a["parked_documents"]:
        lines.append(f"  parked {d['parked_at']}  {mask_text(d['url'])}  ({d['attempts']} attempts: "
                     f"{mask_text(d['error'] or '')[:200]})")
    alerts = ", ".join(f"{k} {v}" for k, v in sorted(p["alerts"].items())) or "none"
    lines.append(f"alert outbox: {alerts}")
    notices = ", ".join(f"{k} {v}" for k, v in sorted(p["operator_notices"].items())) or "none"
    lines.append(f"operator notices: {notices}")
    if data["scheduler_jobs"]:
        lines += ["", "scheduled jobs (atrisk schedule):"]
        lines += [f"  {j['id']:<{width + 6}}  next {j['next_run_at'] or 'paused'} UTC"
                  for j in data["scheduler_jobs"]]
    return "\n".join(lines) + "\n"
