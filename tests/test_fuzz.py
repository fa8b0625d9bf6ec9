"""Fuzzing the pure extraction functions with random and mutated pages and text.

Nothing may escape them, and what they return must be well-formed: offsets inside the
text, known event types, no date after the publication date. ``extract_article`` catches
everything so a crawl goes on; a failure it catches is logged as "extraction failed",
and such a record counts as a crash here too, since the page is lost.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.localsite import fill_placeholders
from extract import entities, nlp, watchlist
from extract.analyse import Analyser
from extract.article import Article, extract_article
from extract.entities import Mention, find_mentions
from extract.events import EVENT_TYPES, Event, find_events

DEMO = Path(__file__).resolve().parent.parent / "demo_site"
TODAY = date(2026, 11, 22)
URL = "https://ngo.example.org/statements/fuzz"


def fuzz(examples: int) -> settings:
    """Reproducible runs (same examples on every machine), no time limit per example."""
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@cache
def real_pages() -> tuple[str, ...]:
    pages = sorted([*DEMO.glob("statements/*.html"), *DEMO.glob("news/*.html")])
    return tuple(fill_placeholders(p.read_text("utf-8"), "https://ngo.example.org", TODAY)
                 for p in pages)


@cache
def real_texts() -> tuple[str, ...]:
    out = []
    for page in real_pages():
        art = extract_article(page, URL, today=TODAY)
        assert art is not None, "every demo page holds an article"
        out.append(art.text)
    return tuple(out)


@cache
def pipeline():  # noqa: ANN201 - spaCy Language with the watchlist ruler
    return entities.add_watchlist(nlp.load_model(), the_watchlist())


@cache
def the_watchlist() -> watchlist.Watchlist:
    return watchlist.load_watchlist()


@cache
def analyser() -> Analyser:
    return Analyser(the_watchlist())


class _Crashes(logging.Handler):
    """Collects the "extraction failed" records that extract_article writes for caught errors."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("extraction failed"):
            self.records.append(record)


@pytest.fixture(scope="module")
def crashes() -> Iterator[_Crashes]:
    handler = _Crashes()
    logger = logging.getLogger("extract.article")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


# --- page mutations --------------------------------------------------------------------

_TAG = re.compile(r"<[^<>]{0,200}>")
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "cp1251", "cp1256", "koi8-r",
             "shift_jis", "gb18030", "iso-8859-7", "ascii")


def _tags(page: str) -> list[re.Match[str]]:
    return list(_TAG.finditer(page))


@st.composite
def mutated_pages(draw: st.DrawFn) -> str | bytes:
    page: str = draw(st.sampled_from(real_pages()))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("truncate", "delete_tag", "duplicate_tag", "nul", "huge_attr",
                                   "deep_nesting", "garbage", "unclosed", "swap_halves")))
        tags = _tags(page)
        if op == "truncate":
            page = page[: draw(st.integers(0, len(page)))]
        elif op == "delete_tag" and tags:
            m = draw(st.sampled_from(tags))
            page = page[: m.start()] + page[m.end():]
        elif op == "duplicate_tag" and tags:
            m = draw(st.sampled_from(tags))
            page = page[: m.end()] + m[0] * draw(st.integers(1, 50)) + page[m.end():]
        elif op == "nul":
            at = draw(st.integers(0, len(page)))
            page = page[:at] + "\x00" * draw(st.integers(1, 20)) + page[at:]
        elif op == "huge_attr" and tags:
            m = draw(st.sampled_from(tags))
            if m[0].startswith("<") and not m[0].startswith("</"):
                attr = f' data-x="{"A" * draw(st.integers(10_000, 300_000))}"'
                page = page[: m.end() - 1] + attr + page[m.end() - 1:]
        elif op == "deep_nesting":
            depth = draw(st.integers(100, 5000))
            tag = draw(st.sampled_from(("div", "p", "span", "b", "table", "li")))
            at = page.find("<body")
            at = page.find(">", at) + 1 if at >= 0 else 0
            page = page[:at] + f"<{tag}>" * depth + "Deep text. " + f"</{tag}>" * (depth // 2) + page[at:]
        elif op == "garbage":
            at = draw(st.integers(0, len(page)))
            page = page[:at] + draw(st.text(max_size=200)) + page[at:]
        elif op == "unclosed":
            page = re.sub(r"</[a-zA-Z0-9]+>", "", page)
        elif op == "swap_halves":
            mid = draw(st.integers(0, len(page)))
            page = page[mid:] + page[:mid]
    if draw(st.booleans()):
        return page
    enc = draw(st.sampled_from(ENCODINGS))
    if draw(st.booleans()):  # a declaration that may well be wrong
        declared = draw(st.sampled_from((*ENCODINGS, "x-unknown", "utf-7", "")))
        page = page.replace("<head>", f'<head><meta charset="{declared}">', 1)
    return page.encode(enc, errors="replace")


def check_article(art: Article | None, today: date = TODAY) -> None:
    if art is None:
        return
    assert isinstance(art.text, str) and art.text.strip()
    assert art.url == URL
    assert art.published is None or art.published <= today
    assert art.language is None or re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", art.language), art.language
    for value in (art.title, art.author, art.canonical_url):
        assert value is None or isinstance(value, str)


@fuzz(80)
@given(data=st.binary(max_size=4000))
@example(data=b"")
@example(data=b"\x00" * 1000)
@example(data=b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00")
@example(data=b"<html><body>" + "Статья на русском языке. ".encode("cp1251") * 40 + b"</body></html>")
def test_extract_article_random_bytes(crashes: _Crashes, data: bytes) -> None:
    check_article(extract_article(data, URL, today=TODAY))
    assert not crashes.records, crashes.records[-1].exc_info


@fuzz(80)
@given(text=st.text(max_size=3000))
@example(text="")
@example(text="<")
@example(text="<!DOCTYPE html><html><head><title>x</title></head></html>")
@example(text="<p>" + "Jafar Panahi was arrested in Tehran on Monday. " * 30 + "</p>")
@example(text="<?xml version='1.0' encoding='utf-8'?><rss><channel></channel></rss>")
def test_extract_article_random_text(crashes: _Crashes, text: str) -> None:
    check_article(extract_article(text, URL, today=TODAY))
    assert not crashes.records, crashes.records[-1].exc_info


@fuzz(120)
@given(page=mutated_pages(), today=st.dates(date(2000, 1, 1), date(2030, 12, 31)))
def test_extract_article_mutated_real_pages(crashes: _Crashes, page: str | bytes, today: date) -> None:
    art = extract_article(page, URL, today=today)
    check_article(art, today)
    assert not crashes.records, crashes.records[-1].exc_info


def test_truncated_unclosed_statements_keep_their_text() -> None:
    # a page cut off in the middle of its article, with no </p> anywhere, still gives the
    # statement's opening and its date
    for page, full in zip(real_pages(), real_texts(), strict=True):
        start, end = page.find("<article"), page.find("</article>")
        art = extract_article(page[: (start + end) // 2].replace("</p>", ""), URL, today=TODAY)
        assert art is not None
        assert full[:150] in art.text
        assert art.published is not None and art.published <= TODAY


# --- text for the analysis -------------------------------------------------------------

WORDS = (
    "Jafar", "Panahi", "Mohammad", "Rasoulof", "was", "were", "is", "arrested", "detained",
    "sentenced", "to", "six", "years", "in", "prison", "released", "freed", "on", "bail",
    "banned", "from", "leaving", "the", "country", "charged", "with", "summoned", "by",
    "authorities", "hunger", "strike", "executed", "killed", "his", "her", "passport", "was",
    "confiscated", "Monday", "yesterday", "last", "week", "in", "2010", "2019", "March", "5",
    "on", "12", "January", "2024", ".", ",", ";", "\n", "\n\n", "\"", "'", "(", ")", "-", "—",
    "not", "could", "be", "may", "if", "filmmaker", "poet", "director", "Mr", "Ms", "Dr", ".",
    "Berlinale", "Amnesty", "International", "PEN", "America", "said", "and", "or", "who",
    "Tehran", "Minsk", "Istanbul", "police", "court", "Evin", "Prison", "ago", "days", "later",
    "’s", "'s", "Ms.", "U.S.", "he", "she", "they", "them", "\u200b", "\u00a0", "\t", "ا", "Ж",
)


@st.composite
def english_texts(draw: st.DrawFn) -> str:
    how = draw(st.sampled_from(("words", "mutated", "mixed")))
    if how == "words":
        return " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=150)))
    text: str = draw(st.sampled_from(real_texts()))
    for _ in range(draw(st.integers(1, 5))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 200)))
        op = draw(st.sampled_from(("delete", "duplicate", "insert", "truncate", "case")))
        if op == "delete":
            text = text[:a] + text[b:]
        elif op == "duplicate":
            text = text[:b] + text[a:b] * draw(st.integers(1, 5)) + text[b:]
        elif op == "insert":
            piece = (" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=20))) if how == "mutated"
                     else draw(st.text(max_size=50)))
            text = text[:a] + piece + text[a:]
        elif op == "truncate":
            text = text[:a]
        else:
            text = text[:a] + text[a:b].upper() + text[b:]
    return text


def check_mentions(text: str, mentions: list[Mention]) -> None:
    for m in mentions:
        assert m.kind in (entities.PERSON, entities.ORGANIZATION), m
        assert 0 <= m.start < m.end <= len(text), m
        assert 0 <= m.sent_start <= m.start, m
        assert text[m.sent_start:m.sent_start + len(m.sentence)] == m.sentence, m
        assert m.name.strip(), m


def check_events(text: str, mentions: list[Mention], evs: list[Event], published: date | None) -> None:
    people = {m.name for m in mentions if m.kind == entities.PERSON}
    for e in evs:
        assert e.type in EVENT_TYPES, e
        assert e.person in people, e
        assert 0 <= e.sent_start <= len(text), e
        assert text[e.sent_start:e.sent_start + len(e.sentence)] == e.sentence, e
        if published is not None and e.date is not None:
            assert e.date <= published, e


PUBLISHED = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31)))


@fuzz(100)
@given(text=english_texts(), published=PUBLISHED)
@example(text="", published=None)
@example(text="Jafar Panahi was arrested.", published=date(2024, 1, 1))
@example(text="Jafar Panahi was arrested tomorrow and sentenced next year.", published=date(2024, 1, 1))
@example(text="Panahi " * 400, published=None)
@example(text="\n\n\n . . . ’s 's", published=date(2024, 1, 1))
@example(text="On 31 December 2099 Jafar Panahi was arrested.", published=date(2000, 1, 1))
def test_mentions_and_events_on_english_text(text: str, published: date | None) -> None:
    doc = pipeline()(text)
    wl = the_watchlist()
    mentions = find_mentions(doc, wl)
    check_mentions(text, mentions)
    evs = find_events(doc, mentions, published)
    check_events(text, mentions, evs, published)


@fuzz(60)
@given(text=st.text(max_size=1500), published=PUBLISHED)
@example(text="\x00" * 50, published=None)
@example(text="A" * 1400, published=date(2020, 2, 29))
def test_mentions_and_events_on_random_text(text: str, published: date | None) -> None:
    doc = pipeline()(text)
    mentions = find_mentions(doc, the_watchlist())
    check_mentions(text, mentions)
    check_events(text, mentions, find_events(doc, mentions, published), published)


@fuzz(60)
@given(text=english_texts(), published=PUBLISHED)
@example(text="Jafar Panahi was sentenced to six years in prison last week.",
         published=date(2023, 7, 1))
def test_analyser_matches_its_parts(text: str, published: date | None) -> None:
    result = analyser().analyse(text, published)
    check_mentions(text, result.mentions)
    check_events(text, result.mentions, result.events, published)
    doc = pipeline()(text)
    mentions = find_mentions(doc, the_watchlist())
    assert result.mentions == mentions
    assert result.events == find_events(doc, mentions, published)


def test_event_dates_stay_before_publication() -> None:
    published = date(2024, 3, 6)
    text = "Jafar Panahi was arrested on Monday. He was released on 10 March."
    result = analyser().analyse(text, published)
    assert result.events, "the sentence reports events"
    assert all(e.date is None or e.date <= published for e in result.events)
