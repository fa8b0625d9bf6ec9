"""Listing, index and tag pages are stored but never analysed as statements (invented texts)."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest
from sqlalchemy import func, select

from extract.article import Article
from extract.listing import is_listing
from pipeline.analysis.analyse import analyse_pending
from pipeline.app import App
from pipeline.reports.export import iter_records
from pipeline.storage.models import Alert, Document, Event
from pipeline.storage.store import save_article, sync_sources

HEADLINES = [
    "Documentary director arrested at the airport in the capital",
    "Festival condemns six-year sentence against a young poet",
    "Rapper freed on bail after three months in custody",
    "Two cartoonists summoned by the prosecutor over a drawing",
    "Theatre company banned from touring after a satirical play",
    "Novelist begins a hunger strike in the central prison",
]
LISTING = "\n".join(f"{h}\n{d} March 2026\nRead more" for d, h in enumerate(HEADLINES, 1))
TEASERS = "\n".join(f"{h}\nThe authorities in the capital said on Monday that the case would go on…"
                    for h in HEADLINES)
ARTICLE = (
    "Documentary director arrested at the airport\n"
    "12 March 2026\n"
    "The documentary director Tomas Berg was arrested at the airport on Tuesday as he returned "
    "from a festival abroad, his lawyer said.\n"
    "Police seized his laptop and two hard drives. He has not been told why he is held.\n"
    "What we know\n"
    "Berg has made four films about the city's housing crisis. The last one was banned in 2024, "
    "and he was questioned twice about it.\n"
    "Reactions from the festival\n"
    "The festival said it was deeply worried and asked the authorities to explain the arrest."
)
SIGNED = (
    "We, the undersigned, call on the authorities to free the detained filmmakers at once and to "
    "drop every charge against them. Their only crime is to have filmed the protests.\n"
    + "\n".join(f"{name} Film Festival" for name in ("Nordvik", "Eastport", "Lakeside", "Riverton",
                                                    "Hillcrest", "Baymouth", "Stonebridge"))
)

# an article whose lines were hard-wrapped: short lines, each going on in the next
WRAPPED = "\n".join(textwrap.wrap(ARTICLE.split("\n")[2] + " " + ARTICLE.split("\n")[3], 40))
TABLE = "Results of the vote\n" + "\n".join(f"| {n} | Candidate number {n} of the list | {n * 7} |"
                                              for n in range(1, 12))


@pytest.mark.parametrize(("text", "listing"), [
    (WRAPPED, False),
    (TABLE, False),
    (LISTING, True),
    (TEASERS, True),
    (ARTICLE, False),
    (SIGNED, False),
    ("\n".join(HEADLINES[:3]), False),  # too few lines to tell
])
def test_listing_pages_are_told_from_articles(text: str, listing: bool) -> None:
    assert is_listing(text) is listing


class _Src:
    name, kind = "example-ngo", "ngo"


@pytest.fixture()
def app(db_url):  # noqa: ANN001, ANN201
    a = App(db_url=db_url)
    yield a
    a.close()


def test_a_listing_page_is_stored_but_yields_no_events_or_alerts(app) -> None:  # noqa: ANN001
    ids = sync_sources(app.db, [_Src])
    with app.db.session() as s:
        for url, text in (("https://ngo.example/news/", LISTING), ("https://ngo.example/news/berg", ARTICLE)):
            save_article(s, Article(url=url, text=text, language="en", title="News",
                                    published=date(2026, 3, 12)), source_id=ids[_Src.name])
    counters = analyse_pending(app.db, app.watchlist, app.config)
    assert counters.errors == 0
    records = {r["url"]: r for r in iter_records(app.db)}
    index = records["https://ngo.example/news/"]
    assert index["analysed"] is False and index["events"] == [] and index["people"] == []
    assert records["https://ngo.example/news/berg"]["analysed"] is True
    with app.db.sessions() as s:
        index_id = s.scalar(select(Document.id).where(Document.url == "https://ngo.example/news/"))
        assert s.scalar(select(Document.analysis_error).where(Document.id == index_id)) == "listing page"
        assert s.scalar(select(func.count()).select_from(Event).where(Event.document_id == index_id)) == 0
        alerts_from_index = select(func.count()).select_from(Alert).join(Event, Alert.event_id == Event.id) \
            .where(Event.document_id == index_id)
        assert s.scalar(alerts_from_index) == 0
