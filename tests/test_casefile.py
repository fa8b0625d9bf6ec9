"""The case file of one person followed through arrest, hunger strike, release and sentence."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select

from pipeline.app import App
from pipeline.reports import casefile
from pipeline.reports.casefile import build_case_file, resolve_entity, suggest_names
from pipeline.storage.db import Database, open_database
from pipeline.storage.models import Alias, Document, Entity, Event, Mention, Source

PERSON = "Leyla Darvish"


class Case:
    """Reports about one filmmaker over three weeks, on four sites, with copies and a wrong event."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.urls: dict[str, str] = {}
        t0 = datetime(2026, 10, 1)
        with db.session() as s:
            self.src = {n: Source(name=n, kind="ngo", consecutive_failures=0)
                        for n in ("icfr", "pen", "filmguild", "newswire")}
            s.add_all(self.src.values())
            me = Entity(kind="person", name=PERSON, key="leyla darvish", watchlisted=True,
                        tags=["iran", "film"], created_at=t0)
            other = Entity(kind="person", name="Reza Amini", key="reza amini", watchlisted=False, tags=[],
                           created_at=t0)
            s.add_all([me, other])
            s.flush()
            merged = Entity(kind="person", name="L. Darvish", key="l darvish", watchlisted=False,
                            tags=["cinema"], merged_into_id=me.id, created_at=t0)
            s.add(merged)
            s.add(Alias(entity_id=me.id, kind="person", alias="Leila Darvish", key="leila darvish",
                        origin="watchlist", created_at=t0))
            s.flush()
            self.ids = {"me": me.id, "merged": merged.id, "other": other.id}

            def report(key, source, day, etype, *, when=None, term=None, who="me", sentence="",
                       background=False, dismissed=False, start=0):
                doc = self._doc(s, key, source, day)
                s.add(Mention(document_id=doc.id, entity_id=self.ids[who], text="Darvish" if who == "me"
                              else "L. Darvish", name=PERSON, start=start, end=start + 7,
                              sentence=sentence or f"{PERSON} in the news."))
                if etype:
                    s.add(Event(document_id=doc.id, person_id=self.ids[who], person_name=PERSON, type=etype,
                                date=when, term=term, sentence=sentence, sent_start=start,
                                background=background, is_new=False, dismissed=dismissed,
                                created_at=datetime.combine(day, datetime.min.time())))
                return doc

            report("arrest", "icfr", date(2026, 11, 1), "arrest", when=date(2026, 11, 1),
                   sentence="Filmmaker Leyla Darvish was arrested at her home in Tehran on Sunday.")
            # the next day another site repeats it without a date of its own
            report("arrest-copy", "pen", date(2026, 11, 2), "arrest", who="merged",
                   sentence="L. Darvish was detained on Sunday, PEN said.")
            report("strike", "filmguild", date(2026, 11, 8), "hunger_strike", when=date(2026, 11, 7),
                   sentence="Darvish began a hunger strike in Evin prison on Saturday.")
            report("strike-copy", "newswire", date(2026, 11, 9), "hunger_strike", when=date(2026, 11, 8),
                   sentence="Darvish has been on hunger strike since the weekend.")
            report("release", "pen", date(2026, 11, 15), "release", when=date(2026, 11, 15),
                   sentence="Leyla Darvish was released on bail on Sunday.")
            sentence_doc = report("sentence", "icfr", date(2026, 11, 20), "sentence", when=date(2026, 11, 20),
                                  term="five years", start=0,
                                  sentence="Leyla Darvish was sentenced to five years in prison on Friday.")
            # the same article recalls an older arrest: background, dated in the past
            s.add(Event(document_id=sentence_doc.id, person_id=me.id, person_name=PERSON, type="arrest",
                        date=date(2019, 6, 1), sentence="She was first arrested in June 2019.",
                        sent_start=200,
                        background=True, is_new=False, dismissed=False, created_at=datetime(2026, 11, 20)))
            # an analyst dismissed a wrong reading; it must not become the status
            report("wrong", "newswire", date(2026, 11, 21), "killing", dismissed=True,
                   when=date(2026, 11, 21),
                   sentence="A film about Darvish killed at the box office.")
            report("profile", "newswire", date(2026, 11, 22), None,
                   sentence="Leyla Darvish's new film is ready, her producer said.")
            unrelated = self._doc(s, "unrelated", "icfr", date(2026, 11, 3))
            s.add(Event(document_id=unrelated.id, person_id=other.id, person_name="Reza Amini",
                        type="killing",
                        date=date(2026, 11, 3), sentence="Reza Amini was killed.", sent_start=0,
                        background=False, is_new=True, dismissed=False, created_at=datetime(2026, 11, 3)))

    def _doc(self, s, key: str, source: str, day: date) -> Document:
        url = f"https://{source}.example/{key}"
        doc = Document(url=url, source_id=self.src[source].id, title=f"{key} report", published=day,
                       language="en", text=f"Text of {key}.", content_hash=key,
                       first_seen_at=datetime.combine(day, datetime.min.time()).replace(hour=9),
                       updated_at=datetime(2026, 11, 22), analysed=True, text_purged=False)
        s.add(doc)
        s.flush()
        self.urls[key] = url
        return doc


@pytest.fixture()
def case(db_url, tmp_path):
    db = open_database(db_url)
    written = Case(db)
    db.dispose()
    # the events were stored without incidents, as by a version before incidents existed: the
    # next command's first use of the database groups them (case files only read)
    app = App(db_url)
    written.db = app.db
    yield written
    app.close()


def test_opening_an_old_database_groups_its_events_into_incidents(db_url):
    db = open_database(db_url)
    Case(db)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.incident_id.is_(None))) == 9
        assert build_case_file(db, PERSON).incidents == []  # a report builder writes nothing
    db.dispose()
    app = App(db_url)
    try:
        with app.db.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Event).where(Event.incident_id.is_(None))) == 0
        assert {i["type"] for i in build_case_file(app.db, PERSON).incidents} >= {"arrest", "sentence"}
    finally:
        app.close()


def test_timeline_lists_each_happening_once_at_its_first_report(case):
    cf = build_case_file(case.db, PERSON)
    assert cf is not None
    rows = [(e.date.isoformat(), e.type, e.first_report.source, e.copies) for e in cf.timeline]
    assert rows == [
        ("2019-06-01", "arrest", "icfr", 0),
        ("2026-11-01", "arrest", "icfr", 1),
        ("2026-11-07", "hunger_strike", "filmguild", 1),
        ("2026-11-15", "release", "pen", 0),
        ("2026-11-20", "sentence", "icfr", 0),
    ]
    arrest = cf.timeline[1]
    assert arrest.first_report.url == case.urls["arrest"] and arrest.dated
    assert [r.url for r in arrest.later_reports] == [case.urls["arrest-copy"]]
    assert cf.timeline[0].background
    assert cf.timeline[4].term == "five years"


def test_latest_status_follows_the_timeline(case):
    cf = build_case_file(case.db, PERSON)
    assert (cf.status, cf.status_date, cf.status_term) == ("sentenced", date(2026, 11, 20), "five years")


def test_status_after_each_step(case):
    # the case file as it read before later reports arrived
    order = ["arrest", "arrest-copy", "strike", "strike-copy", "release", "sentence"]
    expected = ["detained", "detained", "on hunger strike", "on hunger strike", "released", "sentenced"]
    for key, status in reversed(list(zip(order, expected, strict=True))):
        assert build_case_file(case.db, PERSON).status == status, key
        with case.db.session() as s:
            s.execute(delete(Document).where(Document.url == case.urls[key]))


def test_name_resolution_by_key_alias_merge_and_case(case):
    for name in (PERSON, "leyla  DARVISH", "Leila Darvish", "L. Darvish", "Léyla Darvish"):
        found = resolve_entity(case.db, name)
        assert found is not None and found.name == PERSON, name
    assert build_case_file(case.db, "Nobody Known") is None
    assert build_case_file(case.db, "  ") is None
    assert "Leyla Darvish" in suggest_names(case.db, "Leyla Darvis")


def test_aliases_spellings_tags_and_documents(case):
    cf = build_case_file(case.db, "Leila Darvish")
    assert cf.name == PERSON and cf.watchlisted
    assert cf.aliases == ["L. Darvish", "Leila Darvish"]
    assert cf.spellings == ["Darvish"]
    assert cf.tags == ["cinema", "film", "iran"]
    urls = [d.url for d in cf.documents]
    assert urls[0] == case.urls["profile"]  # newest first
    assert set(urls) == {case.urls[k] for k in ("arrest", "arrest-copy", "strike", "strike-copy", "release",
                                                  "sentence", "wrong", "profile")}
    assert case.urls["unrelated"] not in urls


def test_markdown_and_json(case):
    cf = build_case_file(case.db, PERSON)
    md = casefile.render_markdown(cf)
    assert md.startswith("# Leyla Darvish\n")
    assert "**Latest known status: sentenced (five years) since 2026-11-20**" in md
    assert "2026-11-07: on hunger strike; first reported by filmguild" in md
    assert "Reported again 1 time(s): newswire" in md
    assert "killed" not in md.split("## Documents")[0]
    data = casefile.render_json(cf)
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "name", "kind", "watchlisted", "tags", "aliases", "spellings", "status", "status_incident",
        "status_since", "status_term", "profession", "country", "timeline", "documents",
        "incidents", "confidential", "notes"]
    sentence = next(i for i in data["incidents"] if i["type"] == "sentence")
    assert (data["status"], data["status_incident"], data["status_since"], data["status_term"]) == (
        "sentenced", sentence["id"], "2026-11-20", "five years")
    types = [e["type"] for e in data["timeline"]]
    assert types == ["arrest", "arrest", "hunger_strike", "release", "sentence"]
    assert data["timeline"][1]["copies"] == 1


def test_other_people_and_a_person_without_events(case):
    cf = build_case_file(case.db, "Reza Amini")
    assert cf.status == "killed" and len(cf.timeline) == 1
    with case.db.session() as s:
        s.add(Entity(kind="person", name="Quiet Person", key="quiet person", watchlisted=False, tags=[],
                     created_at=datetime(2026, 11, 1)))
    quiet = build_case_file(case.db, "Quiet Person")
    assert quiet.status is None and quiet.timeline == [] and quiet.documents == []
    assert "No events recorded." in casefile.render_markdown(quiet)


def test_a_page_of_documents_keeps_the_count_and_sentences(case):
    full = build_case_file(case.db, PERSON)
    page = build_case_file(case.db, PERSON, documents_limit=2)
    assert page.document_count == len(full.documents) > 2 and len(page.documents) == 2
    sentences = {d.url: d.sentence for d in full.documents}
    assert all(sentences[d.url] == d.sentence for d in page.documents)
    assert page.timeline == full.timeline and page.spellings == full.spellings
