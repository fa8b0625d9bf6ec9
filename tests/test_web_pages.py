"""Workbench pages: login, CSRF, sessions, headers, escaping, roles, review-first, confidential, feeds."""

from __future__ import annotations

import re
import time
from dataclasses import replace

from sqlalchemy import select
from starlette.testclient import TestClient

from pipeline.analysis import decisions
from pipeline.config import Config
from pipeline.delivery.alerts import enqueue_alerts
from pipeline.reports.export import iter_records
from pipeline.storage.db import open_database
from pipeline.storage.models import Alert, Document, Entity, Event
from tests.webworld import HOSTILE_TITLE, PASSWORD, WebWorld, login


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found[1]


def test_pages_need_login_and_send_security_headers(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        r = c.get("/review", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        login(c, "viewer")
        for path in ("/", "/review", "/people", "/people/Mina Rahimi", "/organizations", "/documents",
                     "/documents?q=propaganda", "/sources", "/alerts", "/activity", "/feeds/type/arrest.atom",
                     "/feeds/tag/iran.atom", "/feeds/person/Mina Rahimi.atom"):
            page = c.get(path)
            assert page.status_code == 200, (path, page.text[:300])
            csp = page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
            assert "unsafe-inline" not in csp
            assert page.headers["x-frame-options"] == "DENY"
        assert c.get("/admin").status_code == 403  # a viewer is no admin
        cookie = c.cookies.jar
        session = next(ck for ck in cookie if ck.name == "atrisk_session")
        assert session.has_nonstandard_attr("HttpOnly") or "httponly" in str(session._rest).lower()


def test_login_is_rate_limited_and_wrong_passwords_refused(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        for _ in range(5):
            assert c.post("/login", data={"username": "analyst",
                                          "password": "wrong password!"}).status_code == 401
        r = c.post("/login", data={"username": "analyst", "password": PASSWORD})
        assert r.status_code == 429  # even the right password waits now


def test_forms_need_the_csrf_token_and_the_role(world):
    arrest = world.events["arrest"]
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        token = login(c, "viewer")
        r = c.post(f"/review/{arrest}", data={"decision": "confirm", "csrf": token}, follow_redirects=False)
        assert r.status_code == 403  # a viewer's write
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        token = login(c, "analyst")
        assert c.post(f"/review/{arrest}", data={"decision": "confirm"}).status_code == 403
        assert c.post(f"/review/{arrest}", data={"decision": "confirm", "csrf": "forged"}).status_code == 403
        with world.db.sessions() as s:
            assert s.get(Event, arrest).review == "pending"
        r = c.post(f"/review/{arrest}", data={"decision": "confirm", "csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        with world.db.sessions() as s:
            assert s.get(Event, arrest).review == "confirmed"
        assert "confirm" in c.get("/activity").text


def test_an_expired_session_is_refused(world):
    with TestClient(world.app(session_seconds=1), base_url="http://127.0.0.1") as c:
        token = login(c, "analyst")
        time.sleep(2.1)
        r = c.post(f"/review/{world.events['arrest']}", data={"decision": "confirm", "csrf": token},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        with world.db.sessions() as s:
            assert s.get(Event, world.events["arrest"]).review == "pending"


def test_crawled_markup_is_shown_as_text(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        for path in ("/review", "/documents", "/people/Mina Rahimi", "/"):
            html = c.get(path).text
            assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in c.get("/documents").text
        review = c.get("/review").text
        assert "&lt;img src=x onerror=alert(1)&gt;" in review
        assert '<mark class="person">Mina Rahimi</mark>' in review
        assert '<mark class="trigger">arrested</mark>' in review
        assert HOSTILE_TITLE not in review


def test_case_page_actions_merge_notes_watchlist_confidential(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        token = login(c, "analyst")
        r = c.post("/people/Mina Rahimi/merge", data={"other": "M. Rahimi", "csrf": token})
        assert r.status_code == 200
        page = c.get("/people/Mina Rahimi").text
        assert "M. Rahimi" in page and "banned" in page  # the merged person's ban is on the case file
        c.post("/people/Mina Rahimi/note", data={"text": "Lawyer <b>confirmed</b> by phone", "csrf": token})
        version = re.search(r'name="watchlist_version" value="([0-9a-f]{64})"', page)[1]
        r = c.post("/people/Mina Rahimi/watch", data={"watchlisted": "1", "tags": "iran, film, urgent",
                                                      "csrf": token, "watchlist_version": version})
        assert r.status_code == 200, r.text
        assert 'tags = ["iran", "film", "urgent"]' in world.watchlist_path.read_text(encoding="utf-8")
        page = c.get("/people/Mina Rahimi").text
        assert "Lawyer &lt;b&gt;confirmed&lt;/b&gt; by phone" in page and "urgent" in page
        c.post("/people/Mina Rahimi/confidential", data={"confidential": "1", "csrf": token})
        assert "confidential" in c.get("/people?q=rahimi").text  # analysts still see them
        assert "Mina Rahimi" not in c.get("/feeds/tag/iran.atom").text
        c.post("/people/Mina Rahimi/unmerge", data={"other": "M. Rahimi", "csrf": token})
        assert c.get("/people/M. Rahimi").status_code == 200
    people = {p for rec in iter_records(world.db) for p in rec["people"]}
    assert "Mina Rahimi" not in people and "Omar Khalil" in people
    assert "Mina Rahimi" in {p for rec in iter_records(world.db,
                                                       include_confidential=True) for p in rec["people"]}
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "viewer")
        assert c.get("/people/Mina Rahimi").status_code == 404
        assert "Mina Rahimi" not in c.get("/people").text
    from pipeline.storage.models import Decision
    with world.db.sessions() as s:
        actions = [(d.user_name, d.action) for d in s.scalars(select(Decision).order_by(Decision.id))]
    assert actions == [("analyst", a) for a in ("merge", "note", "watchlist", "confidential", "unmerge")]


def test_review_first_holds_alerts_until_confirmed(db_url):
    db = open_database(db_url)
    cfg = Config()
    cfg = replace(cfg, alerts=replace(cfg.alerts, review="first", urls=("json://127.0.0.1:9/hook",)))
    world = WebWorld(db, cfg)
    with db.session() as s:
        for key in ("arrest", "charge"):
            ev = s.get(Event, world.events[key])
            enqueue_alerts(s, ev, s.get(Document, ev.document_id), s.get(Entity, ev.person_id), world.config)
    with db.sessions() as s:
        assert set(s.scalars(select(Alert.status))) == {"held"}
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        assert "2</strong> alert(s) held" in c.get("/review").text
    decisions.review_event(db, world.config, world.events["arrest"], "confirm", "analyst")
    decisions.review_event(db, world.config, world.events["charge"], "dismiss", "analyst")
    with db.sessions() as s:
        rows = {(e, ch, st) for e, ch, st in s.execute(select(Alert.event_id, Alert.channel, Alert.status))}
    arrest, charge = world.events["arrest"], world.events["charge"]
    assert {st for e, ch, st in rows if e == arrest} == {"pending", "sent"}  # delivery row, feed entry
    assert {st for e, ch, st in rows if e == charge} == {"cancelled"}
    db.dispose()


def test_alerts_link_to_the_workbench_when_base_url_is_set(db_url):
    from pipeline.config import WebConfig
    from pipeline.delivery.alerts import render_message

    db = open_database(db_url)
    world = WebWorld(db, replace(Config(), web=WebConfig(base_url="https://atrisk.example.org/")))
    with db.session() as s:
        ev = s.get(Event, world.events["arrest"])
        enqueue_alerts(s, ev, s.get(Document, ev.document_id), s.get(Entity, ev.person_id), world.config)
    with db.sessions() as s:
        payload = s.scalar(select(Alert.payload))
    title, body = render_message(payload)
    assert title == "atrisk: ARREST — Mina Rahimi"
    case = "Case file: https://atrisk.example.org/people/Mina%20Rahimi"
    assert f"{case}\nLink: https://icfr.example/arrest" in body
    assert body.splitlines()[-1].startswith("Alert id: ")
    db.dispose()


def test_digest_links_people_to_the_workbench_and_mail_leaves_out_confidential(world):
    from datetime import timedelta

    from pipeline.reports.digest import build_digest, render_html

    decisions.update_person(world.db, "analyst", "Omar Khalil", confidential=True)
    d = build_digest(world.db, since=world.now - timedelta(days=1), now=world.now + timedelta(minutes=1),
                     include_confidential=False)
    d.base_url = "https://atrisk.example.org"
    html = render_html(d)
    assert '<a href="https://atrisk.example.org/people/Mina%20Rahimi"' in html
    assert "Omar Khalil" not in html  # confidential: not in the digest sent by email
    shown = build_digest(world.db, since=world.now - timedelta(days=1), now=world.now + timedelta(minutes=1))
    assert "Omar Khalil" in {e.person for e in shown.events}  # the workbench still shows them
