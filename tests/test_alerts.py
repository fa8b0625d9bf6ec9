"""Alerts: outbox, delivery to a real local SMTP server and webhook, retries, feed, dismissal."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select, update

from pipeline.analysis import decisions
from pipeline.config import AlertsConfig, Config, Route
from pipeline.delivery import alerts
from pipeline.storage.db import Database, open_database
from pipeline.storage.models import Alert, Dismissal, Document, Entity, Event, Source
from tests.servers import SMTPReceiver, WebhookReceiver, free_port

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "Sup3rSecretPw77"
VERBS = {"arrest": "arrested", "sentence": "sentenced to six years", "release": "released"}


@pytest.fixture
def db(db_url, tmp_path: Path) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def smtp() -> Iterator[SMTPReceiver]:
    server = SMTPReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


def make_config(tmp_path: Path, urls: tuple[str, ...] = (), **kwargs: Any) -> Config:
    return Config(alerts=AlertsConfig(urls=urls, feed=str(tmp_path / "alerts.xml"), **kwargs))


def store_event(
    db: Database,
    config: Config,
    *,
    url: str = "https://ngo.example.org/statements/panahi",
    person: str = "Jafar Panahi",
    etype: str = "arrest",
    tags: tuple[str, ...] = (),
    watchlisted: bool = False,
    is_new: bool = True,
    background: bool = False,
    published: date | None = None,
    first_seen: datetime | None = None,
    sent_start: int = 0,
    term: str | None = None,
) -> tuple[int, int]:
    """Store a document, person and event the way the analysis stage does; (event id, rows queued)."""
    now = alerts.utcnow()
    with db.session() as s:
        source = s.scalar(select(Source).where(Source.name == "icfr"))
        if source is None:
            source = Source(name="icfr", kind="ngo", consecutive_failures=0)
            s.add(source)
        doc = s.scalar(select(Document).where(Document.url == url))
        if doc is None:
            doc = Document(url=url, source=source, title=f"Statement on {person}",
                           published=published if published is not None else date.today(),
                           content_hash=url, first_seen_at=first_seen or now, updated_at=now)
            s.add(doc)
        key = person.lower()
        ent = s.scalar(select(Entity).where(Entity.kind == "person", Entity.key == key))
        if ent is None:
            ent = Entity(kind="person", name=person, key=key, tags=list(tags),
                         watchlisted=watchlisted, created_at=now)
            s.add(ent)
        s.flush()
        sentence = f"{person} was {VERBS.get(etype, etype)} by the authorities in Tehran."
        ev = Event(document_id=doc.id, person_id=ent.id, person_name=person, type=etype,
                   term=term, sentence=sentence, sent_start=sent_start, background=background,
                   is_new=is_new, dismissed=alerts.is_dismissed(s, doc.id, ent.key, etype),
                   created_at=now)
        s.add(ev)
        s.flush()
        queued = alerts.enqueue_alerts(s, ev, doc, ent, config)
        return ev.id, queued


def rows(db: Database) -> list[Alert]:
    with db.session() as s:
        return list(s.scalars(select(Alert).where(Alert.channel != alerts.FEED_CHANNEL)
                              .order_by(Alert.id)))


def later(hours: float) -> datetime:
    return alerts.utcnow() + timedelta(hours=hours)


def test_alerts_arrive_once_by_email_and_webhook(db, smtp, hook, tmp_path):
    config = make_config(tmp_path, (smtp.url(), hook.url()))
    _, queued = store_event(db, config, term="six years", etype="sentence")
    store_event(db, config, url="https://news.example.org/rasoulof", person="Mohammad Rasoulof")
    assert queued == 2

    first = alerts.deliver_pending(db, config)
    assert (first.sent, first.failed, first.pending) == (4, 0, 0)
    assert len(smtp.messages) == 2 and len(hook.posts) == 2

    # the message says who, what, the term, the sentence, the source and the link
    subjects = sorted(str(m["Subject"]) for m in smtp.messages)
    assert subjects == ["atrisk: ARREST — Mohammad Rasoulof", "atrisk: SENTENCE — Jafar Panahi"]
    body = next(b for b in smtp.bodies() if "Panahi" in b)
    for part in ("Who: Jafar Panahi", "What: sentence", "Term: six years",
                 "Jafar Panahi was sentenced to six years by the authorities", "Source: icfr",
                 "https://ngo.example.org/statements/panahi", "Alert id: "):
        assert part in body
    # receivers can deduplicate on the stable alert id: JSON field, header and body
    ids = {r.alert_id for r in rows(db)}
    assert set(hook.alert_ids()) == ids
    assert {p["headers"][alerts.ALERT_ID_HEADER] for p in hook.posts} == ids
    assert {str(m[alerts.ALERT_ID_HEADER]) for m in smtp.messages} == ids

    second = alerts.deliver_pending(db, config)
    assert (second.sent, second.failed, second.pending) == (0, 0, 0)
    assert len(smtp.messages) == 2 and len(hook.posts) == 2
    assert all(r.status == "sent" and r.sent_at and r.attempts == 1 for r in rows(db))


def test_reanalysis_of_the_same_document_sends_nothing_again(db, hook, tmp_path):
    config = make_config(tmp_path, (hook.url(),))
    store_event(db, config)
    assert alerts.deliver_pending(db, config).sent == 1
    # the same document analysed again: a new event row (another sentence), same person and type
    _, queued = store_event(db, config, sent_start=120)
    assert queued == 0
    assert alerts.deliver_pending(db, config).sent == 0
    assert len(hook.posts) == 1
    assert len(rows(db)) == 1


def test_receiver_that_is_down_gets_the_alerts_later_once(db, smtp, hook, tmp_path):
    config = make_config(tmp_path, (smtp.url(), hook.url()), retry_base_seconds=60)
    store_event(db, config)
    store_event(db, config, url="https://news.example.org/2", person="Mohammad Rasoulof")
    hook.stop()  # not listening at all
    smtp.failing = True  # answers 451 to every message

    down = alerts.deliver_pending(db, config)
    # one attempt per channel: a channel that failed is not hammered again in the same pass
    assert (down.sent, down.failed, down.pending) == (0, 2, 4)
    tried = [r for r in rows(db) if r.attempts]
    assert len(tried) == 2 and all(r.last_error and r.next_attempt_at for r in tried)
    assert all(r.status == "pending" and r.claimed_by is None and r.next_attempt_at
               for r in rows(db))

    # still inside the backoff: nothing is tried even though the receivers are back
    hook.start()
    smtp.failing = False
    assert alerts.deliver_pending(db, config).sent == 0

    back = alerts.deliver_pending(db, config, now=later(1))
    assert (back.sent, back.failed, back.pending) == (4, 0, 0)
    assert alerts.deliver_pending(db, config, now=later(2)).sent == 0
    assert Counter(hook.alert_ids()) == Counter({r.alert_id: 1 for r in rows(db)})
    assert len(smtp.messages) == 2


def test_webhook_answering_500_is_retried_with_exponential_backoff(db, hook, tmp_path):
    config = make_config(tmp_path, (hook.url(),), retry_base_seconds=60, max_attempts=3)
    store_event(db, config)
    hook.status = 500
    t0 = alerts.utcnow()
    alerts.deliver_pending(db, config, now=t0)
    (row,) = rows(db)
    assert row.attempts == 1 and row.next_attempt_at == t0 + timedelta(seconds=60)
    assert "500" in (row.last_error or "")
    t1 = t0 + timedelta(seconds=61)
    alerts.deliver_pending(db, config, now=t1)
    (row,) = rows(db)
    assert row.attempts == 2 and row.next_attempt_at == t1 + timedelta(seconds=120)
    alerts.deliver_pending(db, config, now=t1 + timedelta(seconds=121))
    (row,) = rows(db)
    assert row.status == "failed" and row.attempts == 3
    # given up: it is not sent even when the receiver recovers
    hook.status = 200
    assert alerts.deliver_pending(db, config, now=later(24)).sent == 0
    assert hook.posts == []


def test_backoff_is_capped():
    assert alerts.backoff(0, 60) == timedelta(seconds=60)
    assert alerts.backoff(3, 60) == timedelta(seconds=480)
    assert alerts.backoff(40, 60) == alerts.MAX_BACKOFF


def test_concurrent_deliveries_send_nothing_twice(db, smtp, hook, tmp_path):
    config = make_config(tmp_path, (smtp.url(), hook.url()))
    for i in range(12):
        store_event(db, config, url=f"https://ngo.example.org/s/{i}", person=f"Person Number{i}")
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[alerts.DeliveryResult] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        # each worker has its own engine and connections, like a separate `atrisk alerts`
        own = Database(db.url)
        try:
            barrier.wait()
            results.append(alerts.deliver_pending(own, config, worker_id=f"w{n}"))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(r.sent for r in results) == 24
    assert Counter(hook.alert_ids()).most_common(1)[0][1] == 1 and len(hook.posts) == 12
    assert len({str(m[alerts.ALERT_ID_HEADER]) for m in smtp.messages}) == len(smtp.messages) == 12
    assert all(r.status == "sent" for r in rows(db))


# one `atrisk alerts`-like delivery in its own process: argv = db url, feed path, alert URLs
DELIVER = """
import sys
from pipeline.delivery.alerts import deliver_pending
from pipeline.config import AlertsConfig, Config
from pipeline.storage.db import Database
cfg = Config(alerts=AlertsConfig(urls=tuple(sys.argv[3:]), feed=sys.argv[2]))
res = deliver_pending(Database(sys.argv[1]), cfg)
print(res.sent)
"""


def deliver_in_process(db: Database, config: Config) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", DELIVER, db.url, config.alerts.feed, *config.alerts.urls],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_two_delivery_processes_at_once_send_nothing_twice(db, smtp, hook, tmp_path):
    config = make_config(tmp_path, (smtp.url(), hook.url()))
    for i in range(10):
        store_event(db, config, url=f"https://ngo.example.org/p/{i}", person=f"Person Number{i}")
    procs = [deliver_in_process(db, config) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sum(int(out.strip()) for out, _ in outputs) == 20
    assert len(hook.posts) == 10 and len(set(hook.alert_ids())) == 10
    assert len(smtp.messages) == 10
    assert len({str(m[alerts.ALERT_ID_HEADER]) for m in smtp.messages}) == 10


def test_process_killed_after_sending_gives_one_repeat_with_the_same_id(db, hook, tmp_path):
    config = make_config(tmp_path, (hook.url(),))
    store_event(db, config)
    hook.hold = True
    proc = deliver_in_process(db, config)
    deadline = time.monotonic() + 60
    while not hook.posts and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(hook.posts) == 1
    os.kill(proc.pid, signal.SIGKILL)  # received, but the sender dies before recording it
    proc.wait(timeout=10)
    hook.hold = False
    hook.released.set()
    (row,) = rows(db)
    assert row.status == "sending"

    assert alerts.deliver_pending(db, config).sent == 0  # the claim's lease still runs
    assert alerts.deliver_pending(db, config, now=later(0.1)).sent == 1
    assert alerts.deliver_pending(db, config, now=later(1)).sent == 0
    assert hook.alert_ids() == [row.alert_id, row.alert_id]


def test_routes_deliver_only_their_own_cases(db, smtp, hook, tmp_path):
    everything, iran = hook.url("/all"), hook.url("/iran")
    config = Config(alerts=AlertsConfig(
        urls=(everything,),
        feed=str(tmp_path / "alerts.xml"),
        routes=(
            Route(urls=(iran,), name="iran-desk", tags=("Iran",)),
            Route(urls=(smtp.url("belarus@example.org"),), name="belarus", tags=("belarus",),
                  events=("sentence",)),
        ),
    ))
    store_event(db, config, url="https://a.example.org/1", person="Jafar Panahi",
                tags=("iran", "film"))
    store_event(db, config, url="https://a.example.org/2", person="Ales Bialiatski",
                tags=("belarus",), etype="sentence")
    store_event(db, config, url="https://a.example.org/3", person="Maria Kalesnikava",
                tags=("belarus",), etype="arrest")  # not a sentence: not for that route
    store_event(db, config, url="https://a.example.org/4", person="Someone Untagged")
    assert alerts.deliver_pending(db, config).sent == 4 + 1 + 1

    by_path = Counter(p["path"] for p in hook.posts)
    assert by_path == {"/all": 4, "/iran": 1}
    iran_post = next(p for p in hook.posts if p["path"] == "/iran")
    assert "Jafar Panahi" in iran_post["json"]["title"]
    assert [str(m["Subject"]) for m in smtp.messages] == ["atrisk: SENTENCE — Ales Bialiatski"]
    assert {r.route for r in rows(db)} == {"alerts", "iran-desk", "belarus"}


def test_a_url_in_both_alerts_and_a_route_gets_each_alert_once(db, hook, tmp_path):
    config = Config(alerts=AlertsConfig(
        urls=(hook.url(),), feed=str(tmp_path / "alerts.xml"),
        routes=(Route(urls=(hook.url(),), tags=("iran",)),),
    ))
    store_event(db, config, tags=("iran",))
    alerts.deliver_pending(db, config)
    assert len(hook.posts) == 1


@pytest.mark.parametrize(
    ("settings", "case"),
    [
        ({"scope": "watchlist"}, {"watchlisted": False}),
        ({}, {"is_new": False}),
        ({}, {"background": True}),
        ({}, {"etype": "release"}),  # not in the default alert types
        ({"max_age_days": 14}, {"published": date.today() - timedelta(days=30)}),
    ],
)
def test_events_outside_the_rules_are_not_queued(db, hook, tmp_path, settings, case):
    config = make_config(tmp_path, (hook.url(),), **settings)
    _, queued = store_event(db, config, **case)
    assert queued == 0
    assert alerts.deliver_pending(db, config).sent == 0
    assert hook.posts == []


def test_rules_admit_watchlist_old_news_when_asked_and_first_seen_dates(db, hook, tmp_path):
    config = make_config(tmp_path, (hook.url(),), scope="watchlist", new_only=False,
                         events=("release",))
    assert store_event(db, config, watchlisted=True, is_new=False, etype="release")[1] == 1
    # an undated document counts from when it was first seen
    undated = make_config(tmp_path, (hook.url("/undated"),))
    old = alerts.utcnow() - timedelta(days=40)
    fresh = alerts.utcnow() - timedelta(days=1)
    for url, seen, expected in (("https://x.example.org/old", old, 0),
                                ("https://x.example.org/fresh", fresh, 1)):
        with db.session() as s:
            s.add(Document(url=url, title="t", published=None, content_hash=url,
                           first_seen_at=seen, updated_at=seen))
        assert store_event(db, undated, url=url, person=f"Person {url[-3:]}")[1] == expected


def test_interrupted_delivery_repeats_at_most_once_with_the_same_alert_id(db, hook, tmp_path):
    config = make_config(tmp_path, (hook.url(),))
    store_event(db, config)
    alerts.deliver_pending(db, config)
    (row,) = rows(db)
    # a process sent the alert and died before committing 'sent'
    with db.session() as s:
        s.execute(update(Alert).where(Alert.id == row.id).values(
            status="sending", claimed_by="dead-worker", sent_at=None,
            claimed_at=alerts.utcnow() - timedelta(minutes=2)))
    # inside the lease the claim is respected (the other process might still be sending)
    assert alerts.deliver_pending(db, config).sent == 0
    assert alerts.deliver_pending(db, config, now=later(0.1)).sent == 1
    assert alerts.deliver_pending(db, config, now=later(1)).sent == 0
    assert hook.alert_ids() == [row.alert_id, row.alert_id]
    (row,) = rows(db)
    assert row.status == "sent"


def test_secrets_in_channel_urls_never_reach_last_error_or_logs(db, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    dead = free_port()
    urls = (
        f"json://alerts:{SECRET}@127.0.0.1:{dead}/hook",
        f"mailto://desk:{SECRET}@127.0.0.1:{dead}?from=a@example.org&to=b@example.org"
        "&mode=insecure",
    )
    config = make_config(tmp_path, urls)
    store_event(db, config)
    result = alerts.deliver_pending(db, config)
    assert result.failed == 2
    errors = [r.last_error for r in rows(db)]
    assert all(errors)
    assert not any(SECRET in e for e in errors)
    assert "alerts:***@127.0.0.1" in caplog.text  # the failure is logged, masked
    assert SECRET not in caplog.text
    with db.session() as s:
        stored = " ".join(str(a.payload) + a.channel for a in s.scalars(select(Alert)))
    assert SECRET not in stored and "127.0.0.1" not in stored


def test_alerts_for_an_unconfigured_channel_stay_pending_with_a_warning(db, hook, tmp_path, caplog):
    config = make_config(tmp_path, (hook.url(),))
    store_event(db, config)
    caplog.set_level(logging.WARNING, logger="pipeline.delivery.alerts")
    removed = make_config(tmp_path, ())
    result = alerts.deliver_pending(db, removed)
    assert (result.sent, result.pending) == (0, 1)
    assert alerts.channel_of(hook.url()) in caplog.text
    assert "no longer" in caplog.text
    assert alerts.deliver_pending(db, config).sent == 1
    assert len(hook.posts) == 1


def test_invalid_apprise_url_is_recorded_as_a_failure(db, tmp_path):
    config = make_config(tmp_path, ("nosuchscheme://whatever",))
    store_event(db, config)
    assert alerts.deliver_pending(db, config).failed == 1
    (row,) = rows(db)
    assert "not a valid apprise URL" in (row.last_error or "")


def test_atom_feed_is_written_without_any_url_one_entry_per_alert(db, tmp_path):
    config = make_config(tmp_path, ())
    feed_path = Path(config.alerts.feed)
    alerts.deliver_pending(db, config)
    empty = etree.parse(str(feed_path)).getroot()
    assert empty.tag == f"{ATOM}feed" and empty.findall(f"{ATOM}entry") == []

    store_event(db, config, term="six years", etype="sentence")
    store_event(db, config, url="https://news.example.org/2", person="Mohammad Rasoulof")
    alerts.deliver_pending(db, config)
    root = etree.parse(str(feed_path)).getroot()
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    with db.session() as s:
        ids = {a.alert_id for a in s.scalars(select(Alert))}
    assert {e.findtext(f"{ATOM}id") for e in entries} == {f"urn:atrisk:alert:{i}" for i in ids}
    panahi = next(e for e in entries if "Panahi" in e.findtext(f"{ATOM}title"))
    assert panahi.find(f"{ATOM}link").get("href") == "https://ngo.example.org/statements/panahi"
    assert panahi.findtext(f"{ATOM}updated").endswith("Z")
    assert "six years" in panahi.findtext(f"{ATOM}content")
    assert "Panahi was sentenced to six years" in panahi.findtext(f"{ATOM}summary")
    assert not list(tmp_path.glob(".alerts.xml.*"))  # no temp file left behind


def test_feed_has_one_entry_per_alert_whatever_the_channels(db, hook, smtp, tmp_path):
    config = make_config(tmp_path, (hook.url(), smtp.url()))
    store_event(db, config)
    feed_path = tmp_path / "elsewhere" / "feed.xml"
    alerts.deliver_pending(db, config, feed_path=feed_path)
    assert len(etree.parse(str(feed_path)).getroot().findall(f"{ATOM}entry")) == 1


def test_dismissal_cancels_pending_alerts_and_survives_reanalysis(db, hook, tmp_path):
    config = make_config(tmp_path, (hook.url(),))
    event_id, _ = store_event(db, config)
    other_id, _ = store_event(db, config, url="https://news.example.org/2", person="Other Person")
    assert decisions.dismiss_event(db, event_id) == 1

    with db.session() as s:
        event = s.get(Event, event_id)
        assert event is not None and event.dismissed
        assert s.scalar(select(Dismissal.person_key)) == "jafar panahi"
        assert alerts.is_dismissed(s, event.document_id, "jafar panahi", "arrest")
        assert not alerts.is_dismissed(s, event.document_id, "jafar panahi", "sentence")
        statuses = {a.alert_id: a.status for a in s.scalars(select(Alert).where(
            Alert.event_id == event_id))}
    assert set(statuses.values()) == {"cancelled"}

    assert alerts.deliver_pending(db, config).sent == 1
    assert ["Other Person" in p["json"]["title"] for p in hook.posts] == [True]
    feed = etree.parse(config.alerts.feed).getroot().findall(f"{ATOM}entry")
    assert len(feed) == 1 and "Other Person" in feed[0].findtext(f"{ATOM}title")

    # re-analysis stores the event again: it comes back dismissed and queues nothing
    new_id, queued = store_event(db, config, sent_start=40)
    assert queued == 0
    with db.session() as s:
        assert s.get(Event, new_id).dismissed
    assert other_id != new_id


def test_dismissing_an_unknown_event_names_the_problem(db):
    with pytest.raises(decisions.EventNotFound, match="no event with id 999"):
        decisions.dismiss_event(db, 999)


def test_dismissing_from_the_command_line_is_a_recorded_decision(db, db_url, hook, tmp_path):
    from click.testing import CliRunner

    from cli import main
    from pipeline.storage.models import Decision, Review

    event_id, queued = store_event(db, make_config(tmp_path, (hook.url(),)))
    assert queued == 1
    res = CliRunner().invoke(main, ["--db", db_url, "events", "dismiss", str(event_id), "--by", "Sara"])
    assert res.exit_code == 0, res.output
    assert f"event {event_id} dismissed; 1 pending alert(s) cancelled" in res.output
    with db.session() as s:
        decision = s.scalars(select(Decision)).one()
        assert (decision.user_name, decision.action, decision.target_id) == ("Sara", "dismiss", event_id)
        assert s.scalars(select(Review)).one().status == "dismissed"
        assert s.get(Event, event_id).dismissed
    res = CliRunner().invoke(main, ["--db", db_url, "events", "dismiss", "999"])
    assert res.exit_code == 1 and "no event with id 999" in res.output


def test_message_title_and_body():
    title, body = alerts.render_message({
        "alert_id": "abc", "who": "Jafar Panahi", "what": "hunger_strike", "term": None,
        "date": "2026-11-20", "sentence": "Panahi began a hunger strike.", "source": "icfr",
        "title": "Statement", "link": "https://x.example.org/1", "published": "2026-11-21",
    })
    assert title == "atrisk: HUNGER STRIKE — Jafar Panahi"
    assert "When: 2026-11-20" in body and "Term" not in body
    assert body.endswith("Alert id: abc")


def test_alert_id_is_stable_and_channels_hide_urls():
    a = alerts.make_alert_id("https://x.example.org/1", "jafar panahi", "arrest")
    assert a == alerts.make_alert_id("https://x.example.org/1", "jafar panahi", "arrest")
    assert a != alerts.make_alert_id("https://x.example.org/1", "jafar panahi", "sentence")
    channel = alerts.channel_of(f"json://u:{SECRET}@host/hook")
    assert len(channel) == 16 and SECRET not in channel


def test_config_url_replacement_via_env_keeps_channels_stable(tmp_path, monkeypatch):
    monkeypatch.setenv("ATRISK_ALERT_URLS", "json://127.0.0.1:9/a json://127.0.0.1:9/b")
    from pipeline.config import load_config

    cfg = load_config(None)
    channels = alerts.configured_channels(cfg)
    assert {url for url, _ in channels.values()} == {"json://127.0.0.1:9/a", "json://127.0.0.1:9/b"}
    assert set(channels) == {alerts.channel_of("json://127.0.0.1:9/a"),
                             alerts.channel_of("json://127.0.0.1:9/b")}
