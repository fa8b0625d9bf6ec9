"""Article extraction: text, dates, encodings, metadata, and malformed input."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.article import (
    Article,
    decode_html,
    extract_article,
    language_code,
    repair_unclosed,
    text_hash,
)

URL = "https://ngo.example.org/news/statement-on-arrest"
TODAY = date(2025, 6, 30)

BODY = (
    "<p>The filmmaker Maryam Rahimi was arrested at her home in Tehran on Monday by agents "
    "of the intelligence ministry and taken to Evin prison, her family said.</p>"
    "<p>She has not been allowed to see a lawyer. Her arrest follows the screening of her "
    "documentary at a festival abroad, which the authorities called propaganda.</p>"
    "<p>We call for her immediate and unconditional release and for all charges against "
    "her to be dropped.</p>"
)


def page(body: str = BODY, head: str = "", before: str = "", after: str = "") -> str:
    """A plain NGO page: navigation, one article, a footer."""
    return (
        f"<!DOCTYPE html><html><head><title>Statement on the arrest of Maryam Rahimi</title>"
        f"{head}</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Statement on the arrest of Maryam Rahimi</h1>{before}{body}{after}"
        f"</article><footer><p>Contact: press@ngo.example.org</p></footer></body></html>"
    )


def published(html: str | bytes, today: date = TODAY) -> date | None:
    article = extract_article(html, URL, today=today)
    assert article is not None
    return article.published


# --- main text -------------------------------------------------------------------------


def test_main_text_without_navigation_or_footer() -> None:
    article = extract_article(page(), URL, today=TODAY)
    assert article is not None
    assert "arrested at her home in Tehran" in article.text
    assert "unconditional release" in article.text
    assert "press@ngo.example.org" not in article.text
    assert article.url == URL


def test_text_hash_ignores_whitespace_layout() -> None:
    assert text_hash("a  b\n c") == text_hash("a b c")
    assert text_hash("a b c") != text_hash("a b d")
    article = extract_article(page(), URL, today=TODAY)
    assert article is not None
    assert article.text_hash == text_hash(article.text)


def test_title_author_and_canonical_url() -> None:
    head = (
        '<meta name="author" content="Jane Doe">'
        '<link rel="canonical" href="/en/news/statement-on-arrest">'
    )
    article = extract_article(page(head=head), URL + "?utm_source=feed", today=TODAY)
    assert article is not None
    assert article.title == "Statement on the arrest of Maryam Rahimi"
    assert article.author == "Jane Doe"
    assert article.canonical_url == "https://ngo.example.org/en/news/statement-on-arrest"


def test_canonical_url_defaults_to_the_page_url() -> None:
    article = extract_article(page(), URL, today=TODAY)
    assert article is not None
    assert article.canonical_url == URL


def test_a_short_statement_is_kept() -> None:
    html = (
        "<html><body><article><p>PEN condemns the detention of the poet Ali Karimi, "
        "arrested in Baku on 2 May.</p></article></body></html>"
    )
    article = extract_article(html, URL, today=TODAY)
    assert article is not None
    assert "detention of the poet Ali Karimi" in article.text


def test_a_page_of_links_only_is_no_article() -> None:
    html = "<html><body><nav><a href='/'>Home</a> <a href='/about'>About</a></nav></body></html>"
    assert extract_article(html, URL, today=TODAY) is None


# --- publication date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Monday, 3 March 2025", date(2025, 3, 3)),
        ("12 June 2024", date(2024, 6, 12)),
        ("June 12th, 2024", date(2024, 6, 12)),
        ("Published: 3 March 2025", date(2025, 3, 3)),
        ("Posted on 21.05.2025 by the press office", date(2025, 5, 21)),
        ("2024年06月12日", date(2024, 6, 12)),
    ],
)
def test_date_from_a_visible_line(line: str, expected: date) -> None:
    assert published(page(before=f"<p class='meta'><span>{line}</span></p>")) == expected


def test_date_from_time_element() -> None:
    before = '<p><time datetime="2025-04-17T09:30:00+00:00">17 April</time></p>'
    assert published(page(before=before)) == date(2025, 4, 17)


def test_date_from_article_published_time() -> None:
    head = '<meta property="article:published_time" content="2025-02-11T08:00:00Z">'
    assert published(page(head=head)) == date(2025, 2, 11)


def test_date_from_json_ld() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "headline": "Statement", '
        '"datePublished": "2025-01-20T10:00:00Z", "dateModified": "2025-06-01T10:00:00Z"}'
        "</script>"
    )
    assert published(page(head=head)) == date(2025, 1, 20)


def test_publication_line_preferred_over_update_line() -> None:
    before = "<p>Updated: 20 June 2025</p><p>Published: 3 March 2025</p>"
    assert published(page(before=before)) == date(2025, 3, 3)


def test_a_future_date_is_refused() -> None:
    head = '<meta property="article:published_time" content="2031-01-01T08:00:00Z">'
    assert published(page(head=head, before="<p>Published: 9 September 2030</p>")) is None


def test_today_bounds_the_date() -> None:
    before = "<p>Published: 3 March 2025</p>"
    assert published(page(before=before), today=date(2025, 3, 3)) == date(2025, 3, 3)
    assert published(page(before=before), today=date(2025, 3, 2)) is None


def test_no_date_from_links_to_other_pages() -> None:
    after = (
        "<aside><a href='/2019/11/04/older-statement'>Earlier statement</a> "
        "<img src='/uploads/2020/07/banner.jpg' alt=''></aside>"
    )
    assert published(page(after=after)) is None


def test_a_copyright_year_is_no_date() -> None:
    assert published(page(after="<p>© 2024 The Example Network</p>")) is None


def test_a_numeric_date_with_an_unambiguous_order() -> None:
    assert published(page(before="<p>Date: 06/25/2025</p>")) == date(2025, 6, 25)
    assert published(page(before="<p>Date: 25/06/2025</p>")) == date(2025, 6, 25)


# --- encodings and language --------------------------------------------------------------


def test_windows_1251_declared_only_in_meta() -> None:
    text = "Режиссёр был арестован в понедельник у себя дома, сообщили правозащитники. " * 3
    html = (
        "<html lang='ru'><head><meta charset='windows-1251'><title>Заявление об аресте</title>"
        f"</head><body><article><p>{text}</p></article></body></html>"
    ).encode("cp1251")
    article = extract_article(html, URL, today=TODAY)
    assert article is not None
    assert "Режиссёр был арестован" in article.text
    assert article.title == "Заявление об аресте"
    assert article.language == "ru"


def test_windows_1256_declared_in_http_equiv_meta() -> None:
    text = "اعتقلت السلطات المخرج في منزله يوم الاثنين وفق منظمات حقوق الإنسان. " * 3
    html = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1256'>"
        f"</head><body><article><p>{text}</p></article></body></html>"
    ).encode("cp1256")
    article = extract_article(html, URL, today=TODAY)
    assert article is not None
    assert "اعتقلت السلطات المخرج" in article.text
    assert article.language == "ar"


def test_undeclared_utf8_bytes() -> None:
    article = extract_article(page(BODY.replace("Maryam", "Maryam Žáková")).encode(), URL)
    assert article is not None
    assert "Maryam Žáková Rahimi" in article.text


def test_utf16_with_bom_and_iso_2022_jp() -> None:
    utf16 = extract_article(page().encode("utf-16"), URL, today=TODAY)
    assert utf16 is not None
    assert "arrested at her home in Tehran" in utf16.text
    text = "映画監督が月曜日に自宅で逮捕されたと家族が明らかにした。" * 4
    html = (
        "<html><head><meta charset='iso-2022-jp'></head>"
        f"<body><article><p>{text}</p></article></body></html>"
    ).encode("iso-2022-jp")
    jis = extract_article(html, URL, today=TODAY)
    assert jis is not None
    assert "映画監督が月曜日" in jis.text


def test_decode_html_reads_the_meta_declaration() -> None:
    html = "<meta charset='windows-1251'><p>Свобода</p>".encode("cp1251")
    decoded = decode_html(html)
    assert decoded is not None
    assert "Свобода" in decoded


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("en-US", "en"), ("fr_CA", "fr"), ("deu", "de"), ("FA", "fa"), ("", None), ("x", None)],
)
def test_language_code(declared: str, expected: str | None) -> None:
    assert language_code(declared) == expected


def article_in(text: str, lang: str = "") -> Article:
    html = f"<html{lang}><body><article><p>{text}</p></article></body></html>"
    article = extract_article(html, URL, today=TODAY)
    assert article is not None
    return article


def test_language_from_the_script_when_undeclared() -> None:
    persian = "جعفر پناهی، کارگردان ایرانی، روز دوشنبه در تهران بازداشت شد و به زندان اوین منتقل شد. " * 3
    ukrainian = "Журналістку затримали в Сімферополі, її доставили до слідчого ізолятора. " * 3
    japanese = "映画監督が月曜日に自宅で逮捕されたと家族が明らかにした。" * 4
    assert article_in(persian).language == "fa"
    assert article_in(ukrainian).language == "uk"
    assert article_in(japanese).language == "ja"


def test_a_template_language_that_does_not_fit_the_text_is_ignored() -> None:
    arabic = "اعتقلت السلطات المخرج في منزله يوم الاثنين وفق منظمات حقوق الإنسان. " * 3
    assert article_in(arabic, " lang='en'").language == "ar"
    english = "The filmmaker was arrested at her home on Monday, rights groups said. " * 3
    assert article_in(english, " lang='en-GB'").language == "en"


def test_language_from_og_locale() -> None:
    head = '<meta property="og:locale" content="en_GB">'
    article = extract_article(page(head=head), URL, today=TODAY)
    assert article is not None
    assert article.language == "en"


# --- malformed input -------------------------------------------------------------------


def test_truncated_html_still_gives_its_text() -> None:
    html = page()
    cut = html[: html.index("We call for")]
    article = extract_article(cut, URL, today=TODAY)
    assert article is not None
    assert "arrested at her home in Tehran" in article.text


def test_a_page_without_closing_tags_still_gives_its_text() -> None:
    # an open <title> would swallow the page, open links would make it all navigation
    html = re.sub(r"</[a-z0-9]+>", "", page(head="<script>var x = 1;\n</script>"))
    article = extract_article(html, URL, today=TODAY)
    assert article is not None
    assert "arrested at her home in Tehran" in article.text
    assert article.title == "Statement on the arrest of Maryam Rahimi"


def test_repair_unclosed_closes_only_what_is_open() -> None:
    assert repair_unclosed("<title>T\n<p>x") == "<title>T</title>\n<p>x"
    assert repair_unclosed("<a href='/'>Home<p>x") == "<a href='/'>Home</a><p>x"
    closed = "<title>T</title><a href='/'>Home</a><p>x"
    assert repair_unclosed(closed) == closed


def test_bare_fragment_and_plain_text() -> None:
    sentence = "The writer Omar Haddad was sentenced to six years in prison on Tuesday."
    for html in (f"<p>{sentence}</p>", sentence):
        article = extract_article(html, URL, today=TODAY)
        assert article is not None
        assert "sentenced to six years" in article.text


@pytest.mark.parametrize("junk", ["", "   ", b"", b"\x00" * 64, b"\xff\xfe\x00\x01" * 50, "<<<>>>"])
def test_garbage_gives_none(junk: str | bytes) -> None:
    assert extract_article(junk, URL, today=TODAY) is None


def test_random_bytes_never_raise() -> None:
    rng = random.Random(7)
    for size in (1, 10, 100, 5000):
        assert extract_article(rng.randbytes(size), URL, today=TODAY) is None


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)))
def test_any_input_gives_an_article_or_none(data: str | bytes) -> None:
    article = extract_article(data, URL, today=TODAY)
    assert article is None or (article.text.strip() and article.url == URL)


def test_article_is_a_frozen_value() -> None:
    article = Article(url=URL, text="x")
    with pytest.raises(AttributeError):
        article.text = "y"  # type: ignore[misc]


METADATA_HEADS = [
    "",
    '<meta name="author" content="Leyla Karimova"><meta property="og:title" content="Arrest in Tehran">'
    '<meta property="article:published_time" content="2025-03-03T10:00:00Z">'
    '<link rel="canonical" href="https://ngo.example.org/s/1">',
    '<meta name="author" content="Karimova">'  # one word: no author's name
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "From JSON-LD", '
    '"author": {"@type": "Person", "name": "Jonas Weber"}, "datePublished": "2024-11-20"}</script>',
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>',  # broken
]
METADATA_BYLINES = ["", '<p class="byline">By <span class="author">Amal Haddad</span></p>',
                    '<time datetime="2025-01-15">15 January 2025</time>']


@pytest.mark.parametrize("head", METADATA_HEADS)
@pytest.mark.parametrize("byline", METADATA_BYLINES)
def test_metadata_fields_are_trafilaturas(head: str, byline: str) -> None:
    import trafilatura

    from extract.article import _date_params, _metadata, _parse

    html = page(head=head, before=byline)
    config = _date_params(TODAY, extensive=False)
    ours = _metadata(_parse(html), URL, config)
    theirs = trafilatura.extract_metadata(_parse(html), URL, date_config=config)
    fields = ("title", "author", "url", "date")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert ours.title
