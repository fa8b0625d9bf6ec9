"""The daily digest: sections, copies of one statement, trends, formats, empty days, delivery."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import replace
from datetime import date, datetime, timedelta
from hashlib import sha256

import pytest
from sqlalchemy import select

from extract.article import extract_article
from pipeline.analysis.analyse import analyse_pending
from pipeline.app import App
from pipeline.config import AlertsConfig, Config, DigestConfig
from pipeline.delivery.digests import deliver_digest, digest_due
from pipeline.reports.casefile import build_case_file
from pipeline.reports.digest import (
    build_digest,
    render_html,
    render_json,
    render_markdown,
)
from pipeline.storage.db import Database, open_database
from pipeline.storage.models import Document, Entity, Event, Mention, Notice, Run, Source, SourceRun
from pipeline.storage.store import save_article, sync_sources
from tests.servers import WebhookReceiver
from tests.sites import LocalSite, Page, html_page

DAY = date(2026, 11, 21)

ARREST = (
    "The Iranian Film Guild condemns the arrest of filmmaker Mina Rahimi, who was detained by "
    "security forces in Tehran on Friday. Rahimi, whose documentary on women workers premiered at "
    "the Berlinale last year, was taken to Evin prison. We call on the authorities to release her "
    "immediately and unconditionally, and to drop all charges against her. Her family has not been "
    "allowed to visit her and her lawyer has been denied access to the case file."
)
# the same statement as republished elsewhere: an intro line, a date added, a few words changed
ARREST_COPY = (
    "Republished from the Iranian Film Guild. The Iranian Film Guild condemns the arrest of "
    "film-maker Mina Rahimi, who was detained by security forces in Tehran on Friday 20 November. "
    "Rahimi, whose documentary about women workers premiered at the Berlinale last year, was taken "
    "to Evin prison. We call on the authorities to release her immediately and unconditionally and "
    "to drop all charges. Her family has not been allowed to visit her and her lawyer has been "
    "denied access to the case file."
)
SENTENCE = (
    "Writer Omar Khalil was sentenced to six years in prison by a court in Cairo on charges of "
    "spreading false news. PEN condemns the verdict and demands his release. Khalil, a novelist and "
    "columnist, had been held in pre-trial detention since March."
)
LINEUP = (
    "The Berlinale announced its competition line-up today, with twenty films from eighteen "
    "countries. The festival opens with a new comedy by Lena Novak, and tickets go on sale next "
    "week for all screenings at the main venue."
)
FRENCH = "Le cinéaste a été arrêté à Téhéran mardi, selon sa famille."


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


class World:
    """A database with a week of history and one busy day (DAY), built through the ORM."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.urls: dict[str, str] = {}
        with db.session() as s:
            self.sources = {}
            for name, kind in [("icfr", "ngo"), ("pen", "ngo"), ("filmguild", "guild"),
                               ("newswire", "news"), ("quiet", "festival")]:
                src = Source(name=name, kind=kind, consecutive_failures=0,
                             last_success_at=at(DAY, 6, 5) if name != "quiet" else at(DAY - timedelta(10), 6))
                s.add(src)
                self.sources[name] = src
            quiet = self.sources["quiet"]
            quiet.consecutive_failures, quiet.incident = 3, "failing"
            self.people = {}
            for name, kind, watch in [("Mina Rahimi", "person", True), ("Omar Khalil", "person", False),
                                      ("Lena Novak", "person", False),
                                      ("Berlin International Film Festival", "organization", True)]:
                ent = Entity(kind=kind, name=name, key=name.lower(), watchlisted=watch, tags=[],
                             created_at=at(DAY - timedelta(30), 0))
                s.add(ent)
                self.people[name] = ent
            s.flush()
            # another spelling an analyst merged into Mina Rahimi
            rahimy = Entity(kind="person", name="Mina Rahimy", key="mina rahimy", watchlisted=False,
                            tags=[], merged_into_id=self.people["Mina Rahimi"].id,
                            created_at=at(DAY - timedelta(30), 0))
            s.add(rahimy)
            s.flush()
            self.people["Mina Rahimy"] = rahimy
            self._history(s)
            self._day(s)
            self._runs(s)

    def doc(self, s, key: str, source: str, seen: datetime, text: str, *, title: str | None = None,
            language: str = "en", analysed: bool = True, error: str | None = None,
            names: tuple[str, ...] = ()) -> Document:
        url = f"https://{source}.example/{key}"
        doc = Document(url=url, source_id=self.sources[source].id, title=title or key.replace("-", " "),
                       published=seen.date(), language=language, text=text,
                       content_hash=sha256(key.encode()).hexdigest(),  # 64 hex digits, as stored
                       first_seen_at=seen, updated_at=seen, analysed=analysed, analysis_error=error,
                       text_purged=False)
        s.add(doc)
        s.flush()
        for i, name in enumerate(names):
            s.add(Mention(document_id=doc.id, entity_id=self.people[name].id, text=name, name=name,
                          start=i * 100, end=i * 100 + len(name), sentence=f"{name} was named."))
        self.urls[key] = url
        return doc

    def event(self, s, doc: Document, person: str, etype: str, *, new: bool, created: datetime,
              sentence: str, term: str | None = None, dismissed: bool = False, start: int = 0) -> None:
        s.add(Event(document_id=doc.id, person_id=self.people[person].id, person_name=person, type=etype,
                    date=doc.published, term=term, sentence=sentence, sent_start=start, background=False,
                    is_new=new, dismissed=dismissed, created_at=created))

    def _history(self, s) -> None:
        # Khalil once a day and Novak twice a day over the previous week; Rahimi twice.
        for back in range(1, 8):
            day = DAY - timedelta(back)
            names = ("Omar Khalil", "Lena Novak") + (("Mina Rahimi",) if back in (3, 6) else ())
            self.doc(s, f"old-{back}-a", "newswire", at(day, 9), f"Older report number {back} about courts "
                     f"and cinema, item a, with some words of its own {back * 7}.", names=names)
            self.doc(s, f"old-{back}-b", "newswire", at(day, 15), f"Another older report {back} on festivals "
                     f"and press freedom, item b, carrying figures {back * 13}.", names=("Lena Novak",))
        # yesterday: an event stored then is not news today; the line-up appeared first here
        old = self.doc(s, "old-event", "pen", at(DAY - timedelta(1), 11), "Omar Khalil was arrested in "
                       "Cairo on Thursday night, his family said.", names=("Omar Khalil",))
        self.event(s, old, "Omar Khalil", "arrest", new=True, created=at(DAY - timedelta(1), 11, 5),
                   sentence="Omar Khalil was arrested in Cairo on Thursday night.")
        self.doc(s, "lineup-first", "newswire", at(DAY - timedelta(1), 18), LINEUP, title="Line-up announced")

    def _day(self, s) -> None:
        d1 = self.doc(s, "rahimi-arrest", "icfr", at(DAY, 8), ARREST, title="Filmmaker Mina Rahimi arrested",
                      names=("Mina Rahimi", "Berlin International Film Festival"))
        d2 = self.doc(s, "rahimi-arrest-copy", "pen", at(DAY, 10), ARREST_COPY,
                      title="Guild: filmmaker Mina Rahimi detained", names=("Mina Rahimy",))
        d3 = self.doc(s, "khalil-sentence", "filmguild", at(DAY, 12), SENTENCE,
                      title="Omar Khalil sentenced <six years>", names=("Omar Khalil",))
        self.doc(s, "french", "newswire", at(DAY, 13), FRENCH, title="Cinéaste arrêté", language="fr",
                 analysed=False, error="no model for language 'fr'")
        self.doc(s, "lineup", "icfr", at(DAY, 16), LINEUP, title="Berlinale line-up",
                 names=("Berlin International Film Festival", "Lena Novak"))
        self.event(s, d1, "Mina Rahimi", "arrest", new=True, created=at(DAY, 8, 1),
                   sentence="Mina Rahimi was detained by security forces in Tehran on Friday.")
        self.event(s, d2, "Mina Rahimy", "arrest", new=False, created=at(DAY, 10, 1),
                   sentence="Mina Rahimi was detained by security forces in Tehran on Friday 20 November.")
        self.event(s, d3, "Omar Khalil", "sentence", new=True, created=at(DAY, 12, 1), term="six years",
                   sentence="Writer Omar Khalil was sentenced to six years in prison by a court in Cairo.")
        self.event(s, d3, "Omar Khalil", "ban", new=True, created=at(DAY, 12, 1), dismissed=True,
                   sentence="PEN condemns the verdict.", start=120)

    def _runs(self, s) -> None:
        for day, counts in [(DAY - timedelta(1), {"icfr": (50, 9, 9)}),
                            (DAY, {"icfr": (12, 2, 0), "pen": (5, 1, 2), "filmguild": (4, 1, 0),
                                   "newswire": (3, 1, 0)})]:
            run = Run(started_at=at(day, 6), finished_at=at(day, 6, 5), status="done", command="run",
                      counters={}, errors={})
            s.add(run)
            s.flush()
            for name, (fetched, new, failed) in counts.items():
                s.add(SourceRun(run_id=run.id, source_id=self.sources[name].id, fetched=fetched,
                                not_modified=0, new_documents=new, changed_documents=0, failed=failed,
                                finished_at=at(day, 6, 5)))


@pytest.fixture()
def db(db_url, tmp_path):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture()
def world(db):
    return World(db)


def test_new_events_first_with_who_what_term_source_link_and_sentence(world):
    d = build_digest(world.db, day=DAY)
    assert [(e.person, e.type) for e in d.events] == [("Mina Rahimi", "arrest"), ("Omar Khalil", "sentence")]
    arrest, sentence = d.events
    assert arrest.document.source == "icfr" and arrest.document.url == world.urls["rahimi-arrest"]
    assert "detained by security forces" in arrest.sentence
    # the copy's event (not new, stored under the merged spelling) is listed as another report
    assert [r.url for r in arrest.also_reported_by] == [world.urls["rahimi-arrest-copy"]]
    assert sentence.term == "six years" and sentence.what == "sentenced"
    # dismissed and yesterday's events are left out
    assert all(e.type != "ban" for e in d.events)
    assert all("Thursday" not in e.sentence for e in d.events)


def test_republished_statement_appears_once_with_its_copy(world):
    d = build_digest(world.db, day=DAY)
    by_source = {src.source: src.statements for src in d.sources}
    assert set(by_source) == {"icfr", "filmguild", "newswire"}  # pen's copy sits under icfr
    arrest = next(st for st in by_source["icfr"] if st.document.url == world.urls["rahimi-arrest"])
    assert [(c.source, c.url) for c in arrest.copies] == [("pen", world.urls["rahimi-arrest-copy"])]
    assert d.document_count == 5 and d.statement_count == 4
    # the line-up was first seen yesterday on another site
    lineup = next(st for st in by_source["icfr"] if st.document.url == world.urls["lineup"])
    assert lineup.copies == [] and lineup.earlier is not None
    assert lineup.earlier.url == world.urls["lineup-first"]
    # unrelated statements are not merged
    assert [st.copies for st in by_source["filmguild"]] == [[]]


def test_signatures_are_computed_once_and_cached(world):
    build_digest(world.db, day=DAY)
    with world.db.sessions() as s:
        sigs = dict(s.execute(select(Document.url, Document.simhash)).all())
    assert sigs[world.urls["rahimi-arrest"]] is not None
    assert sigs[world.urls["old-1-a"]] is not None  # compared as an earlier copy candidate
    build_digest(world.db, day=DAY)
    with world.db.sessions() as s:
        assert dict(s.execute(select(Document.url, Document.simhash)).all()) == sigs


def test_people_and_organizations_with_trend_against_previous_week(world):
    d = build_digest(world.db, day=DAY)
    people = {t.name: t for t in d.people}
    assert set(people) == {"Mina Rahimi", "Omar Khalil", "Lena Novak"}  # Rahimy counted as Rahimi
    rahimi, khalil, novak = people["Mina Rahimi"], people["Omar Khalil"], people["Lena Novak"]
    assert (rahimi.count, rahimi.previous, rahimi.previous_per_day) == (2, 2, 0.29)
    assert rahimi.trend == "up" and rahimi.arrow == "↑" and rahimi.delta == pytest.approx(1.71)
    # yesterday's arrest report adds to Khalil's week: 8 documents, 1.14 a day
    assert (khalil.count, khalil.previous, khalil.previous_per_day, khalil.trend) == (1, 8, 1.14, "steady")
    assert (novak.count, novak.previous, novak.previous_per_day, novak.trend) == (1, 14, 2.0, "down")
    assert novak.arrow == "↓" and novak.delta == -1.0
    assert d.people[0].name == "Mina Rahimi"  # most documents first
    [org] = d.organizations
    assert (org.name, org.count, org.previous) == ("Berlin International Film Festival", 2, 0)
    assert org.trend == "new"


def test_source_health_counts_the_period_only(world):
    d = build_digest(world.db, day=DAY)
    health = {h.source: h for h in d.health}
    assert (health["icfr"].fetched, health["icfr"].new, health["icfr"].failed) == (12, 2, 0)
    assert (health["pen"].fetched, health["pen"].failed, health["pen"].status) == (5, 2, "ok")
    assert health["quiet"].passes == 0 and health["quiet"].status == "failing"
    assert health["icfr"].last_success_at == at(DAY, 6, 5)


def test_documents_not_analysed_are_listed_with_the_reason(world):
    d = build_digest(world.db, day=DAY)
    [u] = d.unanalysed
    assert u.document.url == world.urls["french"] and u.document.language == "fr"
    assert "no model" in u.reason
    assert "no model for language 'fr'" in render_markdown(d)
    assert "no model for language &#x27;fr&#x27;" in render_html(d)


def test_three_formats_carry_every_section(world):
    d = build_digest(world.db, day=DAY)
    md = render_markdown(d)
    order = [md.index(h) for h in ("## New events", "## New documents", "## People mentioned",
                                   "## Organizations mentioned", "## Sources", "## Not analysed")]
    assert order == sorted(order)
    assert "**Mina Rahimi** arrested" in md and "copy: pen" in md
    assert "| Mina Rahimi ★ | 2 | 2 (0.29) | ↑ +1.71 |" in md
    assert "Omar Khalil sentenced \\<six years\\>" in md  # crawled text cannot inject markup

    page = render_html(d)
    assert page.startswith("<!DOCTYPE html>") and 'name="viewport"' in page
    assert "<script" not in page.lower() and "<style" not in page.lower()
    assert "Omar Khalil sentenced &lt;six years&gt;" in page
    assert 'href="https://icfr.example/rahimi-arrest"' in page

    data = render_json(d)
    assert list(data) == ["digest", "summary", "events", "documents", "people", "organizations",
                          "sources", "not_analysed", "incidents"]
    assert json.loads(json.dumps(data)) == data
    assert data["summary"] == {"events": 2, "documents": 5, "statements": 4, "empty": False, "message": None}
    assert data["events"][0]["person"] == "Mina Rahimi" and data["events"][0]["url"].startswith("https://")
    assert data["people"][0]["trend"] == "up" and data["people"][0]["previous_per_day"] == 0.29


def test_empty_day_says_so_in_every_format(world):
    empty = date(2026, 11, 25)
    d = build_digest(world.db, day=empty)
    assert d.empty and d.events == [] and d.sources == []
    assert "No new documents on 2026-11-25" in render_markdown(d)
    assert "No new documents on 2026-11-25" in render_html(d)
    assert render_json(d)["summary"]["message"] == "No new documents on 2026-11-25"
    assert "No new events." in render_markdown(d)
    assert {h.source for h in d.health} == set(world.sources)  # health is still reported


def test_since_and_timezone_move_the_period(world):
    d = build_digest(world.db, since=at(DAY, 9), now=at(DAY, 14))
    urls = {st.document.url for src in d.sources for st in src.statements}
    assert urls == {world.urls["rahimi-arrest-copy"], world.urls["khalil-sentence"], world.urls["french"]}
    assert [e.type for e in d.events] == ["sentence"]
    assert d.no_documents_message.startswith("No new documents since 2026-11-21 09:00")
    # 07:00 in UTC+1 is 06:00 UTC: the local day of 2026-11-22 starts at 23:00 UTC on the 21st
    berlin = build_digest(world.db, day=DAY, timezone="Europe/Berlin")
    assert berlin.start == at(DAY - timedelta(1), 23) and berlin.end == at(DAY, 23)
    assert world.urls["old-1-b"] not in {st.document.url for src in berlin.sources for st in src.statements}


def _config(tmp_path, urls: tuple[str, ...], alert_urls: tuple[str, ...] = ()) -> Config:
    return Config(alerts=AlertsConfig(urls=alert_urls),
                  digest=DigestConfig(urls=urls, at="07:00", timezone="UTC", dir=str(tmp_path / "digests")))


def test_delivered_once_a_day_at_the_configured_time_to_digest_urls_only(world, tmp_path):
    analysts, campaigners = WebhookReceiver().start(), WebhookReceiver().start()
    try:
        config = _config(tmp_path, (analysts.url("/digest"),), (campaigners.url("/alerts"),))
        assert digest_due(world.db, config, at(DAY + timedelta(1), 6, 59)) is None
        assert digest_due(world.db, config, at(DAY + timedelta(1), 7, 0)) == DAY
        assert deliver_digest(world.db, config, DAY, now=at(DAY + timedelta(1), 7)) is True
        assert deliver_digest(world.db, config, DAY, now=at(DAY + timedelta(1), 8)) is False
        assert digest_due(world.db, config, at(DAY + timedelta(1), 9)) is None
        assert len(analysts.posts) == 1 and campaigners.posts == []
        post = analysts.posts[0]["json"]
        assert "atrisk digest 2026-11-21" in post["title"] and "Mina Rahimi" in post["message"]
        for ext in ("md", "html", "json"):
            assert (tmp_path / "digests" / f"2026-11-21.{ext}").is_file()
        data = json.loads((tmp_path / "digests" / "2026-11-21.json").read_text())
        assert data["digest"]["day"] == "2026-11-21"
        with world.db.sessions() as s:
            assert s.scalar(select(Notice.status).where(Notice.key == "digest:2026-11-21")) == "sent"
    finally:
        analysts.stop()
        campaigners.stop()


def test_timezone_decides_when_the_digest_is_due(world, tmp_path):
    config = replace(_config(tmp_path, ()), digest=DigestConfig(at="07:00", timezone="Asia/Tehran",
                                                                dir=str(tmp_path / "d")))
    # 03:29 UTC is 06:59 in Tehran (UTC+3:30), 03:30 UTC is 07:00
    assert digest_due(world.db, config, at(DAY + timedelta(1), 3, 29)) is None
    assert digest_due(world.db, config, at(DAY + timedelta(1), 3, 30)) == DAY


def test_failed_delivery_is_retried_and_a_good_channel_is_not_sent_twice(world, tmp_path):
    good, bad = WebhookReceiver().start(), WebhookReceiver(status=500).start()
    try:
        config = _config(tmp_path, (good.url("/a"), bad.url("/b")))
        now = at(DAY + timedelta(1), 7, 30)
        assert deliver_digest(world.db, config, DAY, now=now) is False
        assert len(good.posts) == 1 and bad.posts == []
        assert digest_due(world.db, config, now) == DAY  # still due
        with world.db.sessions() as s:
            notice = s.scalar(select(Notice).where(Notice.key == "digest:2026-11-21"))
            assert notice.status == "pending" and notice.attempts == 1 and notice.last_error
        bad.status = 200
        assert deliver_digest(world.db, config, DAY, now=now + timedelta(hours=1)) is True
        assert len(good.posts) == 1 and len(bad.posts) == 1
        assert digest_due(world.db, config, now + timedelta(hours=2)) is None
    finally:
        good.stop()
        bad.stop()


def test_without_urls_the_digest_is_only_written(world, tmp_path):
    config = _config(tmp_path, ())
    assert deliver_digest(world.db, config, DAY, now=at(DAY + timedelta(1), 7)) is True
    assert "No new documents" not in (tmp_path / "digests" / "2026-11-21.md").read_text()
    assert deliver_digest(world.db, config, DAY, now=at(DAY + timedelta(1), 8)) is False


PANAHI = ("<p>Iranian filmmaker Jafar Panahi was arrested on Tuesday in Tehran, his family said. "
          "Security forces took him from his home and his whereabouts are unknown.</p>"
          "<p>The guild calls on the authorities to release him immediately and unconditionally, and to "
          "end the harassment of independent filmmakers in Iran. His lawyer has not been given access.</p>")


def test_statement_served_by_two_local_sites_through_extraction_and_analysis(db_url):
    """End to end with the real parts: local HTTP sites, article extraction, storage, spaCy analysis."""
    class _Source:
        def __init__(self, name: str) -> None:
            self.name, self.kind = name, "ngo"

    app = App(db_url=db_url)
    ids = sync_sources(app.db, [_Source("guild"), _Source("pen")])
    copy = "<p>Republished statement.</p>" + PANAHI.replace("immediately and unconditionally", "immediately")
    guild = LocalSite({"/a": Page(html_page(
        "Filmmaker Jafar Panahi arrested",
        f"<article><h1>Filmmaker Jafar Panahi arrested</h1>{PANAHI}</article>",
    ))})
    pen = LocalSite({"/b": Page(html_page(
        "Guild: Panahi arrested", f"<article><h1>Guild: Panahi arrested</h1>{copy}</article>"
    ))})
    with guild, pen:
        for site, path, source in ((guild, "/a", "guild"), (pen, "/b", "pen")):
            with urllib.request.urlopen(site.url(path), timeout=10) as response:
                article = extract_article(response.read(), site.url(path))
            assert article is not None
            with app.db.session() as s:
                save_article(s, article, source_id=ids[source])
    try:
        assert analyse_pending(app.db, app.watchlist, app.config).documents == 2
        d = build_digest(app.db)
        [src] = d.sources
        [statement] = src.statements
        assert (src.source, [c.source for c in statement.copies]) == ("guild", ["pen"])
        assert [(e.person, e.type, [r.source for r in e.also_reported_by]) for e in d.events] == [
            ("Jafar Panahi", "arrest", ["pen"])]
        assert [(p.name, p.count, p.trend) for p in d.people] == [("Jafar Panahi", 2, "new")]
        case = build_case_file(app.db, "Panahi")
        assert case.status == "detained" and [e.copies for e in case.timeline] == [1]
    finally:
        app.close()
