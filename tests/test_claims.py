"""Analysis claims and new-event decisions when workers analyse documents out of order."""

from __future__ import annotations

from collections import Counter
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


REPORT = "Police in Tehran arrested the filmmaker Amir Karimi, his lawyer said."
DAYS_APART = 45  # more than [alerts] new_window_days (30) and [incidents] window_days (30)


def _arrests_stored_in_order(tmp_path: Path, pages: list[tuple[str, str]], reverse: bool,
                             ) -> dict[str, tuple[bool, bool, int]]:
    """Two pages, the first published DAYS_APART days before the second, stored (as a crawl
    would) in that order or the reverse, then analysed: url -> (background, new, alerts)."""
    db = open_database(f"sqlite:///{tmp_path / 'atrisk.db'}")
    today = date.today()
    (first_url, first_text), (second_url, second_text) = pages
    dated = [(first_url, first_text, today - timedelta(days=DAYS_APART)), (second_url, second_text, today)]
    for url, text, published in reversed(dated) if reverse else dated:
        _store(db, url, text, published)
    analyse_pending(db, WATCHLIST, Config(alerts=AlertsConfig(max_age_days=100000)))
    with db.sessions() as s:
        alerted = Counter(dict(s.execute(
            select(Event.document_id, func.count(func.distinct(Alert.alert_id)))
            .join(Alert, Alert.event_id == Event.id).group_by(Event.document_id)).tuples().all()))
        arrests = {url: (ev.background, ev.is_new, alerted[ev.document_id]) for ev, url in s.execute(
            select(Event, Document.url).join(Document).where(Event.type == "arrest")).tuples()}
    db.dispose()
    return arrests


@pytest.mark.parametrize("recollection_first", [False, True])
def test_a_later_recollection_stored_first_does_not_silence_the_report(tmp_path: Path,
                                                                       recollection_first: bool) -> None:
    # A report of an arrest, and a page six weeks later recalling it as background: the
    # crawl may store either first; the report alerts once whichever is analysed first.
    pages = [("https://ngo.example/report", REPORT),
             ("https://ngo.example/recalled", "Amir Karimi had previously been arrested for his films.")]
    assert _arrests_stored_in_order(tmp_path, pages, recollection_first) == {
        "https://ngo.example/report": (False, True, 1), "https://ngo.example/recalled": (True, False, 0)}


@pytest.mark.parametrize("later_first", [False, True])
def test_two_reports_further_apart_than_the_window_are_both_new_in_either_order(
        tmp_path: Path, later_first: bool) -> None:
    # Undated reports further apart than the window are two incidents, both new and both
    # alerting, whichever page the crawl stored first.
    pages = [("https://ngo.example/spring", REPORT),
             ("https://ngo.example/summer",
              "Police in Tabriz arrested the filmmaker Amir Karimi, his son said.")]
    assert _arrests_stored_in_order(tmp_path, pages, later_first) == {
        "https://ngo.example/spring": (False, True, 1), "https://ngo.example/summer": (False, True, 1)}
