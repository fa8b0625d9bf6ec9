"""A small workbench world: sources, people, documents, events, and one user per role."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from hashlib import sha256
from pathlib import Path

from sqlalchemy import select

from pipeline.analysis import incidents
from pipeline.config import Config
from pipeline.storage import users
from pipeline.storage.db import Database
from pipeline.storage.models import Document, Entity, Event, Mention, Source

PASSWORD = "correct horse battery"
HOSTILE_TITLE = "<script>alert('title')</script> Statement"
HOSTILE_SENTENCE = "Mina Rahimi was arrested <img src=x onerror=alert(1)> in Tehran."


WATCHLIST = """\
# Our desk's watchlist: people we follow, with the tags alerts are routed on.

[[people]]
name = "Mina Rahimi"  # filmmaker, Tehran
aliases = ["Rahimi"]
tags = ["iran", "film"]

[[people]]
name = "Omar Khalil"
tags = ["syria"]
"""


class WebWorld:
    def __init__(self, db: Database, config: Config | None = None) -> None:
        self.db = db
        # the watchlist file the workbench edits (removed with this world)
        self._tmp = tempfile.TemporaryDirectory(prefix="atrisk-webworld-")
        self.watchlist_path = Path(self._tmp.name) / "watchlist.toml"
        self.watchlist_path.write_text(WATCHLIST, encoding="utf-8")
        self.config = config or Config()
        self.config = replace(self.config, alerts=replace(self.config.alerts, max_age_days=100000))
        now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC as stored
        self.now = now
        with db.session() as s:
            for name in ("icfr", "pen"):
                s.add(Source(name=name, kind="ngo", consecutive_failures=0, last_success_at=now,
                             last_crawled_at=now, last_new_document_at=now))
        self.people: dict[str, int] = {}
        for name, tags, country, profession in [
                ("Mina Rahimi", ["iran", "film"], "Iran", "filmmaker"),
                ("Omar Khalil", ["syria"], "Syria", None),
                ("Lena Novak", [], None, "poet"), ("M. Rahimi", [], None, None)]:
            self.add_person(name, tags, country, profession)
        self.events: dict[str, int] = {}
        self.incidents: dict[str, int | None] = {}
        for i, (key, person, etype, sentence, title) in enumerate([
            ("arrest", "Mina Rahimi", "arrest", HOSTILE_SENTENCE, HOSTILE_TITLE),
            ("charge", "Omar Khalil", "charge", "Omar Khalil was charged with propaganda.", "Khalil charged"),
            ("summons", "Lena Novak", "summons", "Lena Novak was summoned by the prosecutor.", "Novak"),
            ("ban", "M. Rahimi", "ban", "M. Rahimi was banned from travelling abroad.", "Travel ban"),
        ]):
            self.add_report(key, person, etype, sentence, title, now - timedelta(hours=5 - i))
        # a second publisher reports the same arrest: one incident, two sentences
        self.add_report("detained", "Mina Rahimi", "arrest",
                        "Filmmaker Mina Rahimi remains detained, her lawyer said.", "Rahimi still held",
                        now - timedelta(hours=1), source="pen", new=False)
        self.regroup()
        self.tokens = {}
        for role in users.ROLES:
            users.add_user(db, role, role, PASSWORD)
            self.tokens[role] = users.new_token(db, role)

    def add_person(self, name: str, tags: list[str], country: str | None = None,
                   profession: str | None = None) -> int:
        with self.db.session() as s:
            e = Entity(kind="person", name=name, key=name.lower().replace(".", ""), watchlisted=bool(tags),
                       country=country, profession=profession, tags=tags, created_at=self.now,
                       confidential=False)
            s.add(e)
            s.flush()
            self.people[name] = e.id
            return e.id

    def add_report(self, key: str, person: str, etype: str, sentence: str, title: str, seen: datetime, *,
                   source: str = "icfr", new: bool = True, day: date | None = None) -> int:
        """One document of ``source`` reporting one event of ``person``; call :meth:`regroup` after."""
        with self.db.session() as s:
            site = s.scalar(select(Source).where(Source.name == source))
            digest = sha256(key.encode()).hexdigest()
            doc = Document(url=f"https://{source}.example/{key}", source_id=site.id, title=title,
                           published=seen.date(), language="en", text=sentence, content_hash=digest,
                           first_seen_at=seen, updated_at=seen, analysed=True, analysed_hash=digest,
                           text_purged=False)
            s.add(doc)
            s.flush()
            pid = self.people[person]
            s.add(Mention(document_id=doc.id, entity_id=pid, text=person, name=person, start=0,
                          end=len(person), sentence=sentence))
            ev = Event(document_id=doc.id, person_id=pid, person_name=person, type=etype,
                       date=day or date.today(), term=None, sentence=sentence, sent_start=0, background=False,
                       is_new=new, dismissed=False, created_at=seen, review="pending")
            s.add(ev)
            s.flush()
            self.events[key] = ev.id
            return ev.id

    def regroup(self) -> None:
        """Group the reports into incidents, as analysis does."""
        incidents.backfill(self.db, self.config)
        with self.db.sessions() as s:
            self.incidents = {k: s.get(Event, v).incident_id for k, v in self.events.items()}

    def app(self, **kwargs):  # noqa: ANN003, ANN201
        from web.app import create_app

        kwargs.setdefault("watchlist_path", self.watchlist_path)
        return create_app(self.db, self.config, secret="test-secret-key-0123456789", **kwargs)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def login(client, role: str) -> str:  # noqa: ANN001 - a starlette TestClient
    """Sign ``role`` in through the form; returns the session's CSRF token."""
    import re

    r = client.post("/login", data={"username": role, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/review").text)
    assert found, "no CSRF field in the page"
    return found[1]
