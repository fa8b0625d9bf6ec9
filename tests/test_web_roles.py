"""README's table of what each role may do is what the workbench enforces: every route in
it is tried as a viewer, an analyst and an admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.analysis import decisions
from pipeline.storage.models import Alert
from tests.webworld import login

README = Path(__file__).resolve().parent.parent / "README.md"
ROLES = ("viewer", "analyst", "admin")


def role_table() -> list[tuple[str, list[tuple[str, str]], dict[str, bool]]]:
    """(what, [(method, path)], {role: may}) for each row of README's table."""
    text = README.read_text(encoding="utf-8").split("### Users and roles", 1)[1]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("what", "---"):
            if rows and not line.startswith("|"):
                break
            continue
        routes = re.findall(r"`(GET|POST) ([^`]+)`", cells[1])
        rows.append((cells[0], routes, {r: c == "yes" for r, c in zip(ROLES, cells[2:], strict=True)}))
    return rows


def test_the_table_is_there_and_names_every_route():
    rows = role_table()
    assert len(rows) >= 8 and all(routes for _, routes, _ in rows)
    assert {p for _, routes, _ in rows for _, p in routes} >= {"/review", "/people/{name}/watch", "/admin"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_what_the_readme_says(world, role):
    decisions.update_person(world.db, "admin", "Omar Khalil", confidential=True)
    with world.db.session() as s:
        alert = Alert(alert_id="a" * 64, event_id=world.events["charge"], channel="c" * 16, route="alerts",
                      payload={}, status="failed", attempts=1, created_at=world.now)
        s.add(alert)
        s.flush()
        alert_id = alert.id
    values = {"name": "Lena Novak", "confidential": "Omar Khalil", "incident": world.incidents["summons"],
              "event": world.events["summons"], "alert": alert_id, "action": "token"}
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        csrf = login(c, role)
        for what, routes, may in role_table():
            for method, template in routes:
                path = re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), template)
                api = path.startswith("/api/")
                headers = world.auth(role) if api else {}
                if method == "GET":
                    r = c.get(path, headers=headers, follow_redirects=False)
                    allowed = r.status_code == 200
                elif api:
                    r = c.post(path, json={"decision": "confirm"}, headers=headers)
                    allowed = r.status_code not in (401, 403)
                else:
                    r = c.post(path, data={"csrf": csrf, "decision": "confirm", "name": "viewer"},
                               follow_redirects=False)
                    allowed = r.status_code not in (401, 403)
                assert allowed == may[role], (what, method, path, role, r.status_code)
