"""The Review page by incidents: one row per incident with its reports, actions on all its events."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import select, update
from starlette.testclient import TestClient

from pipeline.config import Config
from pipeline.delivery.alerts import enqueue_alerts
from pipeline.reports.export import iter_records
from pipeline.reports.incidents import list_incidents
from pipeline.storage.db import open_database
from pipeline.storage.models import Alert, Decision, Document, Entity, Event
from tests.webworld import WebWorld, login


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="card" id="([a-z]+-\d+)"', html)


def _reviews(world: WebWorld) -> dict[str, str]:
    with world.db.sessions() as s:
        return {k: ("dismissed" if ev.dismissed else ev.review)
                for k, ev in ((k, s.get(Event, v)) for k, v in world.events.items())}


def test_one_row_per_incident_with_every_report_highlighted(world):
    inc = world.incidents
    assert inc["arrest"] == inc["detained"] and len(set(inc.values())) == 4
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        page = c.get("/review").text
        assert _cards(page) == [f"incident-{inc[k]}" for k in ("detained", "ban", "summons", "charge")]
        assert 'id="pending-count">4<' in page and "4 pending incident(s), 5 report(s)" in page
        card = page.split(f'id="incident-{inc["arrest"]}"')[1].split('<li class="card"')[0]
        assert card.count('<blockquote class="sentence">') == 2
        assert '<mark class="person">Mina Rahimi</mark> remains <mark class="trigger">detained</mark>' in card
        assert '<mark class="trigger">arrested</mark>' in card
        assert "&lt;img src=x onerror=alert(1)&gt;" in card and "<img src=x" not in card
        assert "2 source(s)" in card and f'action="/review/incident/{inc["arrest"]}"' in card
        assert "Confirm (2)" in card


def test_incident_decisions_act_on_all_its_events_and_are_recorded(world):
    inc = world.incidents
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        csrf = login(c, "analyst")

        def post(key: str, **form: str):
            return c.post(f"/review/incident/{inc[key]}", data={"csrf": csrf, "next": "/review", **form},
                          follow_redirects=False)

        assert post("arrest", decision="confirm").status_code == 303
        assert post("charge", decision="dismiss").status_code == 303
        assert post("summons", decision="correct", type="arrest", person="Omar Khalil").status_code == 303
        assert post("ban", decision="background").status_code == 303
        assert post("ban", decision="explode").status_code == 400
        assert post("summons", decision="correct", person="Nobody Known").status_code == 400
        assert c.post("/review/incident/99999", data={"csrf": csrf, "decision": "confirm"}).status_code == 400
        no_csrf = c.post(f"/review/incident/{inc['ban']}", data={"decision": "confirm"})
        assert no_csrf.status_code == 403
        page = c.get("/review").text
        assert _cards(page) == [] and 'id="pending-count">0<' in page
        assert f"incident-{inc['arrest']}" in c.get("/review?review=confirmed").text
    assert _reviews(world) == {"arrest": "confirmed", "detained": "confirmed", "charge": "dismissed",
                               "summons": "corrected", "ban": "corrected"}
    records = {r["id"]: r for r in list_incidents(world.db)}
    assert records[inc["arrest"]]["review"] == "confirmed" and records[inc["arrest"]]["sources"] == 2
    assert inc["charge"] not in records  # a dismissed incident leaves the records
    assert (records[inc["summons"]]["type"], records[inc["summons"]]["person"],
            records[inc["summons"]]["review"]) == ("arrest", "Omar Khalil", "corrected")
    exported = {rec["url"].rsplit("/", 1)[1]: rec for rec in iter_records(world.db)}
    assert [(e["type"], e["person"], e["review"]) for e in exported["summons"]["events"]] == [
        ("arrest", "Omar Khalil", "corrected")]
    assert exported["charge"]["events"] == []
    with world.db.sessions() as s:
        log = [(d.action, d.target, d.target_id) for d in s.scalars(select(Decision).order_by(Decision.id))]
    ev = world.events
    assert log == [("confirm", "event", ev["arrest"]), ("confirm", "event", ev["detained"]),
                   ("confirm", "incident", inc["arrest"]),
                   ("dismiss", "event", ev["charge"]), ("dismiss", "incident", inc["charge"]),
                   ("correct", "event", ev["summons"]), ("correct", "incident", inc["summons"]),
                   ("background", "event", ev["ban"]), ("background", "incident", inc["ban"])]


def test_confirming_an_incident_leaves_its_decided_events_as_they_are(world):
    from pipeline.analysis import decisions

    decisions.review_event(world.db, world.config, world.events["detained"], "correct", "ana",
                           when=world.now.date())
    out = decisions.review_incident(world.db, world.config, world.incidents["arrest"], "confirm", "ana")
    assert [e["id"] for e in out["events"]] == [world.events["arrest"]]
    assert _reviews(world)["detained"] == "corrected" and _reviews(world)["arrest"] == "confirmed"


def test_a_viewer_sees_no_buttons_and_cannot_post(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        csrf = login(c, "viewer")
        page = c.get("/review").text
        assert len(_cards(page)) == 4 and 'class="confirm"' not in page
        r = c.post(f"/review/incident/{world.incidents['arrest']}",
                   data={"csrf": csrf, "decision": "confirm"})
        assert r.status_code == 403
    assert set(_reviews(world).values()) == {"pending"}


def test_an_event_outside_any_incident_is_its_own_row(world):
    with world.db.session() as s:
        s.execute(update(Event).where(Event.id == world.events["summons"]).values(incident_id=None))
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        csrf = login(c, "analyst")
        page = c.get("/review").text
        assert f"event-{world.events['summons']}" in _cards(page)
        assert f'action="/review/{world.events["summons"]}"' in page
        assert c.post(f"/review/{world.events['summons']}", data={"csrf": csrf, "decision": "confirm"},
                      follow_redirects=False).status_code == 303
    assert _reviews(world)["summons"] == "confirmed"


def test_held_alerts_stay_visible_and_go_out_when_the_incident_is_confirmed(db_url):
    db = open_database(db_url)
    cfg = Config()
    world = WebWorld(db, replace(cfg, alerts=replace(cfg.alerts, review="first", urls=("json://127.0.0.1:9/x",))))
    with db.session() as s:
        for key in ("arrest", "charge"):
            ev = s.get(Event, world.events[key])
            enqueue_alerts(s, ev, s.get(Document, ev.document_id), s.get(Entity, ev.person_id), world.config)
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        csrf = login(c, "analyst")
        page = c.get("/review").text
        assert "<strong>2</strong> alert(s) held" in page and 'href="/alerts?status=held"' in page
        arrest = page.split(f'id="incident-{world.incidents["arrest"]}"')[1].split('<li class="card"')[0]
        assert "alert held" in arrest
        summons = page.split(f'id="incident-{world.incidents["summons"]}"')[1].split('<li class="card"')[0]
        assert "alert held" not in summons
        c.post(f"/review/incident/{world.incidents['arrest']}", data={"csrf": csrf, "decision": "confirm"})
        c.post(f"/review/incident/{world.incidents['charge']}", data={"csrf": csrf, "decision": "dismiss"})
        assert "<strong>0</strong> alert(s) held" in c.get("/review").text
    with db.sessions() as s:
        rows = list(s.execute(select(Alert.event_id, Alert.status)))
    assert {st for e, st in rows if e == world.events["arrest"]} == {"pending", "sent"}
    assert {st for e, st in rows if e == world.events["charge"]} == {"cancelled"}
    db.dispose()
