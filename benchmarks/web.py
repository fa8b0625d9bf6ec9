"""Workbench page times on the ``benchmarks.dbscale`` database (100k documents, 1M mentions).

Each page is requested in-process (Starlette's test client, no network) once to warm up,
then ``REPEAT`` times; the figure is the server's own time from the ``Server-Timing``
header the workbench sends (request in, response head out, the page rendered whole).
Target: every page under 300 ms. Writes ``benchmarks/results/web.json``.

    python -m benchmarks.web [--keep=/tmp/scale.db] [--quick]
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.storage.db import open_database

RESULTS = Path(__file__).resolve().parent / "results"
REPEAT = 5
TARGET_MS = 300.0
PASSWORD = "benchmark password 1"


def _server_ms(response: Any) -> float:
    found = re.search(r"app;dur=([\d.]+)", response.headers.get("server-timing", ""))
    if not found:
        raise RuntimeError("no Server-Timing header")
    return float(found[1])


def pages(day: date, top: str, rank100: str) -> list[tuple[str, str]]:
    return [
        ("Today (digest of a day)", f"/?date={day.isoformat()}"),
        ("Review (pending events)", "/review"),
        ("People (facets)", "/people"),
        ("People search", "/people?q=person+12"),
        ("People by status and last event", "/people?status=in_custody&last=30d"),
        ("Person, most-named", f"/people/{quote(top)}"),
        ("Person, 100th", f"/people/{quote(rank100)}"),
        ("Organizations", "/organizations"),
        ("Documents (latest)", "/documents"),
        ("Documents full-text search", "/documents?q=court+ruled"),
        ("Documents by source and date",
         f"/documents?source=source-7&since={(day - timedelta(days=30)).isoformat()}"),
        ("Sources (health, per-day chart)", "/sources"),
        ("Alerts", "/alerts"),
        ("Activity", "/activity"),
        ("Feed per person", f"/feeds/person/{quote(top)}.atom"),
        ("Feed per event type", "/feeds/type/arrest.atom"),
        ("API events?review=pending", "/api/events?review=pending"),
        ("API people/{name}", f"/api/people/{quote(top)}"),
    ]


def measure(db_url: str, day: date) -> dict[str, Any]:
    from sqlalchemy import func, select
    from starlette.testclient import TestClient

    from pipeline.config import Config
    from pipeline.reports.digest import build_digest
    from pipeline.storage import users
    from pipeline.storage.models import Entity, Mention
    from web.app import create_app

    db = open_database(db_url)
    with db.sessions() as s:
        ranked = s.execute(select(Entity.name, func.count()).join(Mention, Entity.id == Mention.entity_id)
                           .where(Entity.kind == "person").group_by(Entity.id)
                           .order_by(func.count().desc()).limit(100)).all()
    top, rank100 = ranked[0][0], ranked[-1][0]
    if not users.list_users(db):
        users.add_user(db, "bench", "analyst", PASSWORD)
    token = users.new_token(db, "bench")
    build_digest(db, day=day - timedelta(days=1))  # signatures of the day before, as in dbscale
    rows = []
    with TestClient(create_app(db, Config(), secret="benchmark-secret-key"),
                    base_url="http://127.0.0.1") as c:
        r = c.post("/login", data={"username": "bench", "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 303, r.text
        for label, path in pages(day, top, rank100):
            headers = {"Authorization": f"Bearer {token}"} if path.startswith(("/api/", "/feeds/")) else {}
            first = c.get(path, headers=headers)
            assert first.status_code == 200, (path, first.status_code, first.text[:200])
            times = []
            wall = time.perf_counter()
            for _ in range(REPEAT):
                resp = c.get(path, headers=headers)
                times.append(_server_ms(resp))
            rows.append({"page": label, "path": path, "first_ms": round(_server_ms(first), 1),
                         "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                         "bytes": len(resp.content),
                         "client_ms": round((time.perf_counter() - wall) * 1000 / REPEAT, 1)})
    db.dispose()
    import os

    return {"day": day.isoformat(), "top_person": top, "rank100_person": rank100, "repeat": REPEAT,
            "load_average_1m_after": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
            "target_ms": TARGET_MS, "pages": rows,
            "all_under_target": all(r["max_ms"] < TARGET_MS for r in rows)}


def table(result: dict[str, Any]) -> str:
    lines = ["| page | path | first (ms) | median (ms) | max (ms) |", "|---|---|---|---|---|"]
    for r in result["pages"]:
        lines.append(f"| {r['page']} | `{r['path']}` | {r['first_ms']} | {r['median_ms']} | {r['max_ms']} |")
    return "\n".join(lines)


def run(quick: bool = False, keep: str | None = None) -> dict[str, Any]:
    from benchmarks.dbscale import scale_database

    with scale_database(quick, keep) as scale:
        scale.info.update(measure(scale.url, scale.day))
        return scale.info


if __name__ == "__main__":
    from benchmarks.dbscale import scale_args

    logging.basicConfig(level=logging.WARNING)
    args = scale_args("Server time of every workbench page on the generated year.")
    result = run(quick=args.quick, keep=args.keep)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(json.dumps({k: v for k, v in result.items() if k != "pages"}, indent=2))
