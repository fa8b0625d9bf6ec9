"""The workbench's JSON API and users, as DESIGN.md states them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from starlette.testclient import TestClient

from pipeline.analysis import decisions
from pipeline.reports.export import iter_records
from pipeline.storage import users
from pipeline.storage.db import open_database
from tests.webworld import HOSTILE_SENTENCE, PASSWORD, login


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


def test_events_api_fields_are_the_contract(client, world):
    """Every field of GET /api/events as DESIGN.md gives it, value by value."""
    rows = client.get("/api/events?review=pending", headers=world.auth("analyst")).json()
    by_id = {r["id"]: r for r in rows}
    arrest = by_id[world.events["arrest"]]
    assert arrest == {"id": world.events["arrest"], "type": "arrest", "person": "Mina Rahimi",
                      "date": date.today().isoformat(), "sentence": HOSTILE_SENTENCE,
                      "url": "https://icfr.example/arrest", "source": "icfr", "new": True,
                      "review": "pending", "incident": world.incidents["arrest"]}
    detained = by_id[world.events["detained"]]  # the same arrest from another publisher: one incident
    assert (detained["incident"], detained["new"], detained["source"]) == (world.incidents["arrest"], False,
                                                                           "pen")
    assert client.get("/api/events?review=dismissed", headers=world.auth("analyst")).status_code == 400
    # without ?review: every event not dismissed
    assert {r["id"] for r in client.get("/api/events", headers=world.auth("viewer")).json()} == set(
        world.events.values())


def test_review_api_answers_the_event_and_refuses_bad_bodies(client, world):
    h = world.auth("analyst")
    url = f"/api/events/{world.events['ban']}/review"
    r = client.post(url, json={"decision": "correct", "type": "confiscation", "person": "Mina Rahimi"},
                    headers=h)
    assert r.status_code == 200
    assert r.json() == {"id": world.events["ban"], "type": "confiscation", "person": "Mina Rahimi",
                        "date": date.today().isoformat(),
                        "sentence": "M. Rahimi was banned from travelling abroad.",
                        "url": "https://icfr.example/ban", "source": "icfr", "new": True,
                        "review": "corrected", "incident": world.incidents["ban"]}
    listed = client.get("/api/events?review=corrected", headers=h).json()
    assert listed == [r.json()]
    for body in (b"not json", b"[1, 2]", b'{"decision": 3}', b'{"decision": "confirm", "person": ["x"]}',
                 b'{"decision": "correct"}', b'{"decision": "correct", "type": "party"}'):
        bad = client.post(url, content=body, headers={**h, "Content-Type": "application/json"})
        assert bad.status_code == 400, body
        assert "error" in bad.json()
    assert client.post("/api/events/abc/review", json={"decision": "confirm"}, headers=h).status_code == 400
    assert client.post(url, json={"decision": "confirm"}).status_code == 401


def test_the_api_takes_tokens_only_not_the_browser_session(client, world):
    login(client, "admin")
    assert client.get("/review").status_code == 200  # the session works for pages
    assert client.get("/api/events").status_code == 401  # not for the API
    r = client.post(f"/api/events/{world.events['arrest']}/review", json={"decision": "confirm"})
    assert r.status_code == 401


def test_person_api_is_the_case_file_of_atrisk_person(client, world, db_url):
    from click.testing import CliRunner

    from cli import main

    decisions.review_event(world.db, world.config, world.events["arrest"], "confirm", "analyst")
    api = client.get("/api/people/Mina Rahimi", headers=world.auth("viewer"))
    assert api.status_code == 200
    res = CliRunner().invoke(main, ["--db", db_url, "person", "Mina Rahimi", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert api.json() == json.loads(res.output)
    case = api.json()
    # the status with the incident it rests on (an object, as `atrisk person --format json` has it)
    assert (case["status"], case["status_incident"]) == ("in_custody", world.incidents["arrest"])
    assert case["country"] == "Iran" and case["profession"] == "filmmaker"
    assert [i["id"] for i in case["incidents"]] == [world.incidents["arrest"]]
    # a confidential person is a 404 for a viewer, a case file for an analyst
    decisions.update_person(world.db, "analyst", "Mina Rahimi", confidential=True)
    assert client.get("/api/people/Mina Rahimi", headers=world.auth("viewer")).status_code == 404
    assert client.get("/api/people/Mina Rahimi", headers=world.auth("analyst")).status_code == 200


def test_the_session_key_is_made_once_and_kept_in_the_database(world, monkeypatch):
    from pipeline.storage.models import Setting
    from web.app import create_app

    monkeypatch.delenv("ATRISK_SECRET_KEY", raising=False)
    first = create_app(world.db, world.config)
    with TestClient(first, base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        cookie = c.cookies["atrisk_session"]
    with world.db.sessions() as s:
        stored = s.get(Setting, "session_key").value
    assert len(stored) >= 40
    # a restart (a new application on the same database) keeps the sessions signed before it
    with TestClient(create_app(world.db, world.config), base_url="http://127.0.0.1",
                    cookies={"atrisk_session": cookie}) as c:
        assert c.get("/review", follow_redirects=False).status_code == 200
    # ATRISK_SECRET_KEY replaces it: the old cookies no longer sign anyone in
    monkeypatch.setenv("ATRISK_SECRET_KEY", "another-key-from-the-environment-0123456789")
    with TestClient(create_app(world.db, world.config), base_url="http://127.0.0.1",
                    cookies={"atrisk_session": cookie}) as c:
        r = c.get("/review", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with world.db.sessions() as s:
        assert s.get(Setting, "session_key").value == stored
