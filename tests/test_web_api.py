"""The workbench's JSON API and users, as DESIGN.md states them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from pipeline.reports.export import iter_records
from pipeline.storage import users
from pipeline.storage.db import open_database
from tests.webworld import PASSWORD


@pytest.fixture()
def client(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        yield c


def test_healthz_and_login_form_need_no_login(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.text == "ok"
    form = client.get("/login")
    assert form.status_code == 200
    assert 'name="username"' in form.text and 'name="password"' in form.text


def test_api_needs_a_token_and_viewers_cannot_write(client, world):
    assert client.get("/api/events").status_code == 401
    assert client.get("/api/events", headers={"Authorization": "Bearer atk_nonsense"}).status_code == 401
    assert client.get("/api/people/Mina Rahimi").status_code == 401
    rows = client.get("/api/events?review=pending", headers=world.auth("viewer")).json()
    assert {r["id"] for r in rows} == set(world.events.values())
    assert set(rows[0]) == {"id", "type", "person", "date", "sentence", "url", "source", "new", "review",
                            "incident"}
    r = client.post(f"/api/events/{world.events['arrest']}/review", json={"decision": "confirm"},
                    headers=world.auth("viewer"))
    assert r.status_code == 403
    assert client.get("/api/events?review=confirmed", headers=world.auth("viewer")).json() == []


def test_review_decisions_through_the_api_reach_the_export_and_case_file(client, world):
    h = world.auth("analyst")
    arrest, charge, summons = world.events["arrest"], world.events["charge"], world.events["summons"]
    r = client.post(f"/api/events/{arrest}/review", json={"decision": "confirm"}, headers=h)
    assert r.status_code == 200 and r.json()["review"] == "confirmed" and r.json()["id"] == arrest
    r = client.post(f"/api/events/{charge}/review", json={"decision": "dismiss"}, headers=h)
    assert r.status_code == 200
    r = client.post(f"/api/events/{summons}/review", json={"decision": "correct", "type": "arrest",
                                                          "person": "Omar Khalil"}, headers=h)
    assert r.status_code == 200
    assert (r.json()["type"], r.json()["person"], r.json()["review"]) == ("arrest", "Omar Khalil",
                                                                          "corrected")
    assert [e["id"] for e in client.get("/api/events?review=confirmed", headers=h).json()] == [arrest]
    assert [e["id"] for e in client.get("/api/events?review=corrected", headers=h).json()] == [summons]
    assert charge not in {e["id"] for e in client.get("/api/events", headers=h).json()}

    exported = {rec["url"].rsplit("/", 1)[1]: rec for rec in iter_records(world.db)}
    assert [e["review"] for e in exported["arrest"]["events"]] == ["confirmed"]
    assert exported["charge"]["events"] == []  # dismissed events are not exported
    assert [(e["type"], e["person"], e["review"]) for e in exported["summons"]["events"]] == [
        ("arrest", "Omar Khalil", "corrected")]

    case = client.get("/api/people/Omar Khalil", headers=world.auth("viewer")).json()
    assert case["name"] == "Omar Khalil"
    assert [(e["type"], e["review"]) for e in case["timeline"]] == [("arrest", "corrected")]
    assert client.get("/api/people/Nobody Atall", headers=h).status_code == 404

    bad = client.post(f"/api/events/{arrest}/review", json={"decision": "explode"}, headers=h)
    assert bad.status_code == 400
    assert client.post("/api/events/999999/review", json={"decision": "confirm"},
                       headers=h).status_code == 404
    # every decision is in the activity log, with before and after
    from sqlalchemy import select

    from pipeline.storage.models import Decision
    with world.db.sessions() as s:
        log = [(d.user_name, d.action, d.before["review"], d.after["review"])
               for d in s.scalars(select(Decision).where(Decision.target == "event").order_by(Decision.id))]
    assert log == [("analyst", "confirm", "pending", "confirmed"), ("analyst", "dismiss", "pending",
                                                                    "dismissed"),
                   ("analyst", "correct", "pending", "corrected")]


def test_tokens_are_revoked_and_disabled_users_refused(client, world):
    h = world.auth("analyst")
    assert client.get("/api/events", headers=h).status_code == 200
    users.revoke_tokens(world.db, "analyst")
    assert client.get("/api/events", headers=h).status_code == 401
    fresh = users.new_token(world.db, "analyst")
    assert client.get("/api/events", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    users.set_disabled(world.db, "analyst")
    assert client.get("/api/events", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


def test_users_cli(db_url, tmp_path):
    def atrisk(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "cli", "--db", db_url, *args], input=stdin,
                              capture_output=True, text=True, timeout=120, cwd=tmp_path,
                              env={"PYTHONPATH": str(__import__("pathlib").Path(__file__).parent.parent),
                                   "PATH": "/usr/bin:/bin"})

    short = atrisk("users", "add", "maria", "--role", "analyst", stdin="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    ok = atrisk("users", "add", "maria", "--role", "analyst", stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    assert atrisk("users", "add", "maria", "--role", "viewer", stdin=PASSWORD + "\n").returncode == 1
    token = atrisk("users", "token", "maria")
    assert token.returncode == 0 and token.stdout.strip().startswith("atk_")
    listed = json.loads(atrisk("users", "list", "--format", "json").stdout)
    assert [(u["name"], u["role"], u["tokens"], u["disabled"]) for u in listed] == [("maria", "analyst",
                                                                                     1, False)]
    assert atrisk("users", "passwd", "maria", stdin="another long password\n").returncode == 0
    db = open_database(db_url)
    assert users.authenticate(db, "maria", PASSWORD) is None
    assert users.authenticate(db, "maria", "another long password") is not None
    assert users.token_user(db, token.stdout.strip()) is not None
    assert atrisk("users", "revoke", "maria").returncode == 0
    assert users.token_user(db, token.stdout.strip()) is None
    assert atrisk("users", "disable", "maria").returncode == 0
    assert users.authenticate(db, "maria", "another long password") is None
    # the hash is argon2id, never the password
    from sqlalchemy import select

    from pipeline.storage.models import User
    with db.sessions() as s:
        stored = s.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and "another" not in stored
    db.dispose()
