"""Analysis claims and new-event decisions when workers analyse documents out of order."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from pipeline.analysis.analyse import Claims, analyse_pending
from pipeline.config import AlertsConfig, Config
from pipeline.storage.db import open_database
from pipeline.storage.models import Alert, Document, Event
from tests.test_integrity import WATCHLIST, _store


def test_out_of_order_analysis_makes_one_new_event_not_two(tmp_path: Path) -> None:
    # Two workers: one holds the earlier document while the other analyses the later one.
    db = open_database(f"sqlite:///{tmp_path / 'atrisk.db'}")
    _store(db, "https://ngo.example/1", "The filmmaker Amir Karimi was arrested in Tehran on Monday.")
    _store(db, "https://ngo.example/2", "The filmmaker Amir Karimi was arrested in Tehran, his family said.")
    other_worker = Claims(db)
    other_worker.prefix = "worker-elsewhere:1"  # as another host would name its claims
    _token, held = other_worker.next_chunk(1)
    assert [row[0] for row in held] == [1]
    analyse_pending(db, WATCHLIST, Config())  # analyses document 2 only
    with db.session() as s:  # the other worker's lease runs out; document 1 is analysed now
        s.execute(update(Document).where(Document.id == 1)
                  .values(claimed_at=Document.claimed_at - timedelta(hours=1)))
    analyse_pending(db, WATCHLIST, Config())
    with db.sessions() as s:
        arrests = s.scalars(select(Event).where(Event.type == "arrest")).all()
        assert len(arrests) == 2
        assert sum(e.is_new for e in arrests) == 1
        assert s.scalar(select(func.count(func.distinct(Alert.alert_id)))) == 1
    db.dispose()


def test_claims_of_two_workers_in_one_process_never_share_a_token(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'atrisk.db'}")
    _store(db, "https://ngo.example/1", "Amir Karimi was arrested.")
    _store(db, "https://ngo.example/2", "Leila Haddad was arrested.")
    first_token, first = Claims(db).next_chunk(1)
    second_token, second = Claims(db).next_chunk(1)
    assert first_token != second_token
    assert {r[0] for r in first}.isdisjoint({r[0] for r in second})
    db.dispose()


@pytest.mark.parametrize("recollection_first", [False, True])
def test_a_later_recollection_stored_first_does_not_silence_the_report(tmp_path: Path,
                                                                       recollection_first: bool) -> None:
    # A report of an arrest, and a page six weeks later recalling it as background: the
    # crawl may store either first; the report alerts once whichever is analysed first.
    db = open_database(f"sqlite:///{tmp_path / 'atrisk.db'}")
    today = date.today()
    pages = [("https://ngo.example/report",
              "Police in Tehran arrested the filmmaker Amir Karimi, his lawyer said.",
              today - timedelta(days=45)),
             ("https://ngo.example/recalled",
              "Amir Karimi had previously been arrested for his films.", today)]
    for url, text, published in reversed(pages) if recollection_first else pages:
        _store(db, url, text, published)
    analyse_pending(db, WATCHLIST, Config(alerts=AlertsConfig(max_age_days=100000)))
    with db.sessions() as s:
        arrests = {url: (ev.background, ev.is_new) for ev, url in s.execute(
            select(Event, Document.url).join(Document).where(Event.type == "arrest")).tuples()}
        assert arrests == {"https://ngo.example/report": (False, True),
                           "https://ngo.example/recalled": (True, False)}
        assert s.scalar(select(func.count(func.distinct(Alert.alert_id)))) == 1
    db.dispose()


@pytest.mark.parametrize("later_first", [False, True])
def test_two_reports_further_apart_than_the_window_are_both_new_in_either_order(
        tmp_path: Path, later_first: bool) -> None:
    # Undated reports 45 days apart (new_window_days is 30) are two incidents, both new,
    # whichever page the crawl stored first.
    db = open_database(f"sqlite:///{tmp_path / 'atrisk.db'}")
    today = date.today()
    pages = [("https://ngo.example/spring",
              "Police in Tehran arrested the filmmaker Amir Karimi, his lawyer said.",
              today - timedelta(days=45)),
             ("https://ngo.example/summer",
              "Police in Tabriz arrested the filmmaker Amir Karimi, his son said.",
              today)]
    for url, text, published in reversed(pages) if later_first else pages:
        _store(db, url, text, published)
    analyse_pending(db, WATCHLIST, Config(alerts=AlertsConfig(max_age_days=100000)))
    with db.sessions() as s:
        new = dict(s.execute(select(Document.url, Event.is_new).join(Document)
                             .where(Event.type == "arrest")).tuples().all())
        assert new == {"https://ngo.example/spring": True, "https://ngo.example/summer": True}
    db.dispose()
