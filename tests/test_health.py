"""Source health: operator notices fire once per incident and once on recovery; `status`."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.crawl import run_crawl
from crawler.localsite import LocalSite, fill_placeholders
from pipeline.app import App
from pipeline.config import Config, OperatorConfig
from pipeline.delivery.health import send_pending_notices, update_health
from pipeline.delivery.sender import channel_of
from pipeline.passes import run_pass
from pipeline.reports.status import render_status, status
from pipeline.storage.models import OPERATOR_ROUTE, Alert, FetchState, Notice, Source
from pipeline.storage.store import sync_sources, utcnow

ROOT = Path(__file__).resolve().parent.parent


class Receiver:
    """JSON POSTs collected on 127.0.0.1 (apprise ``json://`` URLs); ``status`` to refuse."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.status == 200:
                    receiver.posts.append((self.path, json.loads(body)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}{path}"

    def titles(self, path: str = "/operator") -> list[str]:
        return [p["title"] for where, p in self.posts if where == path]


@pytest.fixture()
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


class _Src:
    def __init__(self, name: str) -> None:
        self.name, self.kind = name, "ngo"


@pytest.fixture()
def app(db_url, tmp_path: Path):
    a = App(db_url=db_url)
    sync_sources(a.db, [_Src("ngo-a")])
    yield a
    a.close()


def _config(receiver: Receiver, **operator: int) -> Config:
    return replace(Config(), operator=OperatorConfig(urls=(receiver.url("/operator"),), **operator))


def _crawled(app: App, ok: bool, new_document: bool, now: datetime) -> None:
    """What the crawl records on the source row after a pass."""
    with app.db.session() as s:
        src = s.scalar(select(Source).where(Source.name == "ngo-a"))
        src.last_crawled_at = now
        if ok:
            src.consecutive_failures = 0
            src.last_success_at = now
        else:
            src.consecutive_failures = (src.consecutive_failures or 0) + 1
        if new_document:
            src.last_new_document_at = now


def _pass(app: App, config: Config, ok: bool, new_document: bool = False, days_later: int = 0) -> None:
    now = utcnow() + timedelta(days=days_later)
    _crawled(app, ok, new_document, now)
    update_health(app.db, config, ["ngo-a"], now=now)
    send_pending_notices(app.db, config)


def test_failing_source_is_notified_once_and_recovers_once(app, receiver):
    config = _config(receiver, fail_after=2, stale_days=0)
    with app.db.session() as s:  # an entry URL with a token, to be masked in the notice
        src = s.scalar(select(Source).where(Source.name == "ngo-a"))
        s.add(FetchState(url="https://ngo.example/feed?token=s3cr3tT0ken99", source_id=src.id,
                         kind="feed", last_status=None, last_error="dns", failures=1))
    _pass(app, config, ok=True)
    _pass(app, config, ok=False)
    assert receiver.posts == []  # one failure is not an incident yet
    _pass(app, config, ok=False)
    _pass(app, config, ok=False)
    _pass(app, config, ok=False)
    assert receiver.titles() == ["atrisk: source 'ngo-a' is failing"]
    message = receiver.posts[0][1]["message"]
    assert "2 pass(es) in a row" in message and "dns" in message
    assert "s3cr3tT0ken99" not in message and "token=***" in message
    _pass(app, config, ok=True)
    _pass(app, config, ok=True)
    assert receiver.titles() == ["atrisk: source 'ngo-a' is failing",
                                 "atrisk: source 'ngo-a' works again"]
    # a new incident after the recovery is notified again, once
    _pass(app, config, ok=False)
    _pass(app, config, ok=False)
    _pass(app, config, ok=False)
    assert receiver.titles().count("atrisk: source 'ngo-a' is failing") == 2
    assert [n.status for n in _notices(app)] == ["sent"] * 3


def _notices(app: App) -> list[Alert]:
    """The operator notices in the outbox."""
    with app.db.sessions() as s:
        return list(s.scalars(select(Alert).where(Alert.route == OPERATOR_ROUTE).order_by(Alert.id)))


def test_stale_source_is_notified_once_and_recovers_when_new_documents_come(app, receiver):
    config = _config(receiver, fail_after=3, stale_days=7)
    _pass(app, config, ok=True, new_document=True)
    _pass(app, config, ok=True, days_later=3)
    assert receiver.posts == []
    _pass(app, config, ok=True, days_later=8)
    _pass(app, config, ok=True, days_later=9)
    assert receiver.titles() == ["atrisk: no new documents from 'ngo-a'"]
    with app.db.sessions() as s:
        assert s.scalar(select(Source.incident)) == "stale"
    # the source yields a new document: the next update closes the incident, once
    _pass(app, config, ok=True, new_document=True, days_later=10)
    _pass(app, config, ok=True, days_later=10)
    assert receiver.titles() == ["atrisk: no new documents from 'ngo-a'",
                                 "atrisk: source 'ngo-a' works again"]
    assert "yields new documents again" in receiver.posts[-1][1]["message"]


def test_undelivered_notice_is_retried_not_repeated(app, receiver):
    config = _config(receiver, fail_after=1, stale_days=0)
    receiver.status = 500
    _pass(app, config, ok=False)
    _pass(app, config, ok=False)  # right after a failure the notice waits (backoff)
    assert [(n.status, n.attempts) for n in _notices(app)] == [("pending", 1)]
    send_pending_notices(app.db, config, now=utcnow() + timedelta(minutes=2))
    assert receiver.posts == []
    (notice,) = _notices(app)
    assert (notice.status, notice.attempts) == ("pending", 2) and notice.next_attempt_at is not None
    receiver.status = 200
    send_pending_notices(app.db, config, now=utcnow() + timedelta(minutes=10))
    send_pending_notices(app.db, config, now=utcnow() + timedelta(minutes=20))
    assert receiver.titles() == ["atrisk: source 'ngo-a' is failing"]
    assert [n.status for n in _notices(app)] == ["sent"]


def test_pending_notices_of_an_older_version_are_sent_from_the_outbox(app, receiver):
    config = _config(receiver, fail_after=1, stale_days=0)
    with app.db.session() as s:  # as the notices table held them before the outbox
        src = s.scalar(select(Source).where(Source.name == "ngo-a"))
        src.consecutive_failures, src.incident, src.incident_since = 3, "failing", utcnow()
        s.add(Notice(key=f"health:{src.id}:failing:20261120T080000000000:{channel_of(receiver.url('/operator'))}",
                     kind="operator", status="pending", attempts=1, created_at=utcnow()))
    assert send_pending_notices(app.db, config) == 1
    assert send_pending_notices(app.db, config) == 0
    assert receiver.titles() == ["atrisk: source 'ngo-a' is failing"]
    with app.db.sessions() as s:
        assert s.scalar(select(Notice.status)) == "moved"


def test_without_operator_urls_the_notice_goes_to_the_log_once(app, caplog):
    config = replace(Config(), operator=OperatorConfig(urls=(), fail_after=1, stale_days=0))
    with caplog.at_level("WARNING", logger="pipeline.delivery.health"):
        _pass(app, config, ok=False)
        _pass(app, config, ok=False)
    assert sum("is failing (no [operator] urls configured)" in r.getMessage()
               for r in caplog.records) == 1


def test_real_crawl_failure_and_recovery_reach_only_the_operator(db_url, tmp_path: Path, receiver):
    site = LocalSite(ROOT / "demo_site").start()
    port = int(site.base.rsplit(":", 1)[1])
    (tmp_path / "sources.toml").write_text(
        fill_placeholders((ROOT / "demo_site" / "sources.toml").read_text("utf-8"), site.base))
    (tmp_path / "config.toml").write_text(
        "[crawl]\ndownload_delay = 0.0\nautothrottle = false\nretries = 0\n"
        f'[alerts]\nurls = ["{receiver.url("/alerts")}"]\nfeed = "{tmp_path.as_posix()}/alerts.xml"\n'
        f'[digest]\ndir = "{tmp_path.as_posix()}/digests"\n'
        f'[operator]\nurls = ["{receiver.url("/operator")}"]\nfail_after = 2\n', encoding="utf-8")
    app = App(db_url=db_url, sources_path=str(tmp_path / "sources.toml"),
              config_path=str(tmp_path / "config.toml"))
    try:
        first = run_pass(app, run_crawl)
        assert first.status == "ok" and first.counters["new_documents"] == 10
        site.stop()  # the site goes down: connections refused
        results = [run_pass(app, run_crawl, analyse=False, alerts=False, digest=False) for _ in range(3)]
        assert [r.counters["sources_failed"] for r in results] == [2, 2, 2]
        assert [r.counters["incidents_opened"] for r in results] == [0, 2, 0]
        assert sorted(receiver.titles()) == ["atrisk: source 'demo-news' is failing",
                                             "atrisk: source 'demo-statements' is failing"]
        data = status(app)
        json.dumps(data)
        assert {s["name"]: (s["state"], s["consecutive_failures"]) for s in data["sources"]} == {
            "demo-news": ("failing", 3), "demo-statements": ("failing", 3)}
        text = render_status(data)
        assert "demo-news" in text and "failing since" in text
        site = LocalSite(ROOT / "demo_site", port=port).start()  # back on the same address
        again = [run_pass(app, run_crawl) for _ in range(2)]
        assert [r.counters["incidents_recovered"] for r in again] == [2, 0]
        assert sorted(receiver.titles())[:2] == ["atrisk: source 'demo-news' is failing",
                                                 "atrisk: source 'demo-news' works again"]
        assert len(receiver.titles()) == 4
        assert all("source '" not in p.get("title", "") for where, p in receiver.posts
                   if where == "/alerts")
        assert {s["state"] for s in status(app)["sources"]} == {"ok"}
        assert status(app)["runs"][0]["counters"]["not_modified"] >= 4
    finally:
        site.stop()
        app.close()
