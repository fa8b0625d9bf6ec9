"""HTML page -> :class:`Article` (trafilatura, with htmldate and dateparser for the date).

The page is decoded and parsed once; the same tree serves trafilatura (main text,
title, author, canonical URL), htmldate (publication date from markup) and a
last look at short visible date lines ("Published: 3 March 2025") for pages whose
markup says nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import urljoin, urlsplit

import dateparser
import htmldate
import trafilatura
from charset_normalizer import from_bytes
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Document
from w3lib.encoding import html_to_unicode

from extract import langid
from extract.langid import dominant_script

logger = logging.getLogger(__name__)

# Below this many characters the precise extraction may have cut a real statement
# short, so the balanced extraction gets a chance too.
SHORT_TEXT = 500
# Less than this (menus, a lone "Home" link) is no article.
MIN_TEXT = 25
# Nothing published on the web before this is news to anyone.
EARLIEST = date(1995, 1, 1)
# Decoded bytes with more control characters than this share are not a page.
BINARY_SHARE = 0.02
# ...or more undecodable bytes than this share.
MISDECODED_SHARE = 0.25


@dataclass(frozen=True)
class Article:
    """The main text of one page and what is known about it."""

    url: str
    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    language: str | None = None
    canonical_url: str | None = None

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    """Stable hash of a text, insensitive to whitespace layout."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def extract_article(html: str | bytes, url: str, *, today: date | None = None) -> Article | None:
    """Extract the main text of ``html``; ``None`` when the page holds no article text.

    ``today`` bounds the publication date (a page cannot be published after it is
    fetched); it defaults to the current day. Never raises on malformed input.
    """
    today = today or date.today()
    try:
        return _extract(html, url, today)
    except Exception:  # a broken page must not stop a crawl
        logger.warning("extraction failed for %s", url, exc_info=True)
        return None


def _extract(html: str | bytes, url: str, today: date) -> Article | None:
    markup = decode_html(html)
    if markup is None:
        return None
    tree = _parse(markup)
    text = _main_text(tree, url) if tree is not None else None
    if text is None:
        repaired = repair_unclosed(markup)
        if repaired == markup:
            return None
        tree = _parse(repaired)
        text = _main_text(tree, url) if tree is not None else None
    if tree is None or text is None:
        return None
    # One metadata pass; its htmldate call is the markup stage of find_published.
    meta = _metadata(tree, url, _date_params(today, extensive=False))
    markup_date = _valid(date.fromisoformat(meta.date[:10]), today) if meta.date else None
    language = _language(tree, text)
    return Article(
        url=url,
        text=text,
        title=_clean(meta.title),
        author=_clean(meta.author),
        published=markup_date or _published_from_text(tree, url, today, language),
        language=language,
        canonical_url=_canonical(tree, meta.url, url),
    )


def _metadata(tree: HtmlElement, url: str, date_config: dict[str, object]) -> Document:
    """``trafilatura.extract_metadata`` for what an :class:`Article` keeps: title, author,
    URL and date, found by its steps in its order. Site name, categories, tags and licence,
    which nothing reads, are not looked for (a third of its CPU)."""
    meta = trafilatura_metadata.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # as trafilatura: a single word is no author's name
    try:
        meta = trafilatura_metadata.extract_meta_json(tree, meta)
    except Exception:  # trafilatura's JSON-LD reader has bugs; it carries on without it too
        logger.warning("JSON metadata extraction failed", exc_info=True)
    if not meta.title:
        meta.title = trafilatura_metadata.extract_title(tree)
    if not meta.author:
        meta.author = trafilatura_metadata.extract_author(tree)
    if not meta.url:
        meta.url = trafilatura_metadata.extract_url(tree, url)
    meta.date = htmldate.find_date(tree, **{**date_config, "url": meta.url})  # type: ignore[arg-type]
    meta.clean_and_trim()
    return meta


# --- decoding and parsing ---------------------------------------------------------


def decode_html(html: str | bytes) -> str | None:
    """Text of a page; bytes are decoded by BOM, then ``<meta charset>``, then by guessing.

    ``None`` for empty input and for binary data that is no page at all.
    """
    if isinstance(html, str):
        return html if html.strip() else None
    if not html.strip():
        return None
    _, text = html_to_unicode(None, html, auto_detect_fun=_guess_encoding)
    head = text[:4096]
    # Binary data decodes to control characters and replacement marks, not to text;
    # a page in a mislabelled encoding has some replacement marks but stays readable.
    controls = sum(1 for c in head if c < " " and c not in "\t\n\r")
    replaced = head.count("\ufffd")
    if controls > BINARY_SHARE * len(head) or replaced > MISDECODED_SHARE * len(head):
        return None
    return text


def _guess_encoding(data: bytes) -> str | None:
    # Undeclared pages are nearly always UTF-8; guess only when they are not.
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(data[:65536]).best()
        return best.encoding if best else None


def _parse(markup: str) -> HtmlElement | None:
    if "<" not in markup:
        if sum(c.isspace() for c in markup) * 50 < len(markup):
            return None  # no tags and no words: not text anyone wrote
        # plain text: each blank-line-separated block is a paragraph
        blocks = (escape(b.strip()) for b in re.split(r"\n\s*\n", markup) if b.strip())
        markup = "".join(f"<p>{b}</p>" for b in blocks)
    tree = trafilatura.load_html(markup)
    if tree is None and "<" in markup:
        # A bare fragment ("<p>...</p>") is refused as "not a document": wrap it.
        tree = trafilatura.load_html(f"<html><body>{markup}</body></html>")
    if tree is not None:
        _unwrap_swallowing_boilerplate(tree)
    return tree


_BOILERPLATE_TAGS = ("nav", "header", "footer", "aside")


def _unwrap_swallowing_boilerplate(tree: HtmlElement) -> None:
    """A page that forgets ``</nav>`` leaves its article inside the nav for the parser;
    browsers still show it. Such containers lose their tag (their content stays), so the
    article is not thrown away as navigation."""
    for el in list(tree.iter(*_BOILERPLATE_TAGS)):
        holds_article = el.find(".//article") is not None or el.find(".//main") is not None
        if not holds_article:
            prose = sum(len(p.text_content()) for p in el.iter("p"))
            holds_article = prose > 500
        if holds_article and el.getparent() is not None:
            el.drop_tag()


_RAW_TEXT_TAGS = ("title", "textarea", "script", "style")


def repair_unclosed(markup: str) -> str:
    """Close what a broken page leaves open and what then hides its article.

    ``<title>``, ``<script>``, ``<style>`` and ``<textarea>`` hold raw text up to
    their closing tag, so one left open swallows the rest of the page: a title ends
    at its line or at the next tag, the others before the first line that starts
    with a tag. Links left open nest the whole page inside one link, which reads as
    navigation: each ends at the next tag.
    """
    lower = markup.lower()
    for tag in _RAW_TEXT_TAGS:
        if f"</{tag}" in lower:
            continue
        stop = re.compile(r"[<\n]") if tag == "title" else re.compile(r"\n\s*<|$")
        markup = _close_each(markup, re.compile(rf"<{tag}(?:\s[^>]*)?>", re.IGNORECASE), stop, tag)
    if "</a" not in lower:
        markup = _close_each(markup, re.compile(r"<a(?:\s[^>]*)?>", re.IGNORECASE), re.compile("<|$"), "a")
    return markup


def _close_each(markup: str, opening: re.Pattern[str], stop: re.Pattern[str], tag: str) -> str:
    parts = []
    at = 0
    for match in opening.finditer(markup):
        if match.start() < at:
            continue  # inside raw text already closed
        end = stop.search(markup, match.end())
        close = end.start() if end else len(markup)
        parts.append(markup[at:close] + f"</{tag}>")
        at = close
    parts.append(markup[at:])
    return "".join(parts)


# --- main text ----------------------------------------------------------------------


def _main_text(tree: HtmlElement, url: str) -> str | None:
    """Precise extraction first; the balanced one when that finds little or nothing."""
    best = _trafilatura(tree, url, precise=True)
    if len(best) < SHORT_TEXT:
        balanced = _trafilatura(tree, url, precise=False)
        best = balanced if len(balanced) > len(best) else best
    if len("".join(best.split())) < MIN_TEXT:
        return None
    return best


def _trafilatura(tree: HtmlElement, url: str, *, precise: bool) -> str:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=precise,
        # no readability/jusText comparison: a third of trafilatura's time for 0.001 of
        # text F1 on the extraction corpus (0.9677 -> 0.9665; plain trafilatura 0.953)
        fast=True,
        include_comments=False,
        # a process-wide cache would hide repeated pages; the database deduplicates
        deduplicate=False,
    )
    return (doc.text or "") if isinstance(doc, Document) else ""


def _clean(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    return value or None


def _canonical(tree: HtmlElement, found: str | None, url: str) -> str | None:
    """The page's own idea of its address, made absolute; else the address it came from."""
    declared = tree.xpath('//link[@rel="canonical"]/@href|//meta[@property="og:url"]/@content')
    for candidate in [*(str(d) for d in declared), found or ""]:
        absolute = urljoin(url, candidate.strip()) if candidate.strip() else ""
        if urlsplit(absolute).scheme in ("http", "https"):
            return absolute
    return url or None


# --- language -----------------------------------------------------------------------

_ISO_639_2 = {
    "ara": "ar", "chi": "zh", "deu": "de", "eng": "en", "fas": "fa", "fra": "fr", "fre": "fr",
    "ger": "de", "ita": "it", "per": "fa", "por": "pt", "rus": "ru", "spa": "es", "tur": "tr",
    "ukr": "uk", "zho": "zh",
}  # fmt: skip
_LANG_XPATHS = (
    "/html/@lang",
    "/html/@xml:lang",
    '//meta[@http-equiv="content-language" or @http-equiv="Content-Language"]/@content',
    '//meta[@property="og:locale"]/@content',
    '//meta[@name="language" or @name="Language" or @name="dc.language" '
    'or @name="DC.language"]/@content',
)


def language_code(value: str | None) -> str | None:
    """Two-letter code for a declared language ("en-US", "fr_CA", "deu"), else ``None``."""
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_,;\s]|$)", value or "")
    if not match:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else _ISO_639_2.get(code)


def _language(tree: HtmlElement, text: str) -> str | None:
    """Detected language when a detector is installed, else the first declaration
    that fits the script the text is written in, else what the script alone says."""
    if len(text) >= langid.RELIABLE_CHARS:  # lingua: better than what the page declares
        detected = langid.document_language(text)
        if detected:
            return detected
    script = dominant_script(text)
    for xpath in _LANG_XPATHS:
        for value in tree.xpath(xpath):
            code = language_code(str(value))
            # sites often keep a template's lang="en" on pages in other languages
            if code and _fits_script(code, script):
                return code
    return _SCRIPT_LANGUAGE.get(script or "") or _by_letters(text, script)


# Scripts that name one language; the others (Latin, Cyrillic, Arabic) do not.
_SCRIPT_LANGUAGE = {
    "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh", "GREEK": "el",
    "HEBREW": "he", "THAI": "th", "GEORGIAN": "ka", "ARMENIAN": "hy", "BENGALI": "bn",
    "DEVANAGARI": "hi",
}  # fmt: skip
_SCRIPT_LANGUAGES = {
    "CYRILLIC": {"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba", "ce"},
    "ARABIC": {"ar", "fa", "ur", "ps", "ku", "sd", "ug", "ckb"},
    "DEVANAGARI": {"hi", "mr", "ne", "sa"},
    "CJK": {"zh", "ja"},
    "HIRAGANA": {"ja"}, "KATAKANA": {"ja"}, "HANGUL": {"ko"}, "GREEK": {"el"},
    "HEBREW": {"he", "iw", "yi"}, "THAI": {"th"}, "GEORGIAN": {"ka"}, "ARMENIAN": {"hy"},
    "BENGALI": {"bn", "as"},
}  # fmt: skip
_NON_LATIN = set().union(*_SCRIPT_LANGUAGES.values()) - {"sr"}  # Serbian is written both ways


# Letters that only some languages of a shared script use, most telling first.
_TELLING_LETTERS = {
    "ARABIC": (("ur", "ےٹڈڑں"), ("fa", "پچژگیک"), ("ar", "يةك")),
    "CYRILLIC": (("uk", "їєґ"), ("be", "ў"), ("ru", "ыэё")),
}


def _by_letters(text: str, script: str | None) -> str | None:
    """Language of an Arabic- or Cyrillic-script text from the letters only it uses."""
    sample = text[:4000]
    for code, letters in _TELLING_LETTERS.get(script or "", ()):
        if sum(sample.count(letter) for letter in letters) >= max(3, len(sample) // 400):
            return code
    return None


def _fits_script(code: str, script: str | None) -> bool:
    if script is None:
        return True
    if script == "LATIN":
        return code not in _NON_LATIN
    allowed = _SCRIPT_LANGUAGES.get(script)
    return allowed is None or code in allowed


# --- publication date ---------------------------------------------------------------


def find_published(tree: HtmlElement, url: str, *, today: date) -> date | None:
    """Original publication day of a parsed page; never after ``today``.

    Markup first (URL, meta and JSON-LD, ``<time>``, date-bearing elements), then
    short visible date lines, then htmldate's free-text search over the page with
    links removed, so a date in the address of another page is never taken.
    """
    return _htmldate(tree, url, today, extensive=False) or _published_from_text(tree, url, today)


def _published_from_text(
    tree: HtmlElement, url: str, today: date, language: str | None = None
) -> date | None:
    found = visible_date(tree, today=today, language=language)
    if found is None:
        found = _htmldate(_without_links(tree), url, today, extensive=True)
        if found is not None and found.day == 1:
            # a bare year or month ("© 2020", "/2020-09/" in an image path) comes
            # back as the first of the month: not a day anyone published on
            found = None
    return found


def _date_params(today: date, *, extensive: bool) -> dict[str, object]:
    return {
        "original_date": True,
        "extensive_search": extensive,
        "max_date": today.isoformat(),
        "min_date": EARLIEST.isoformat(),
    }


def _htmldate(tree: HtmlElement, url: str, today: date, *, extensive: bool) -> date | None:
    found = htmldate.find_date(tree, url=url, **_date_params(today, extensive=extensive))  # type: ignore[arg-type]
    return _valid(date.fromisoformat(found), today) if found else None


def _without_links(tree: HtmlElement) -> HtmlElement:
    copy = deepcopy(tree)
    for element in copy.iter():
        for attribute in ("href", "src", "data-src", "srcset", "action", "onclick", "content"):
            if attribute in element.attrib and element.tag != "meta":
                del element.attrib[attribute]
    return copy


def _valid(day: date | None, today: date) -> date | None:
    return day if day is not None and EARLIEST <= day <= today else None


_MONTH_WORD = r"[^\W\d_]{3,}\.?"
_DATE_SHAPES = re.compile(
    r"""
    \b\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+|de\s+)?"""
    + _MONTH_WORD
    + r""",?\s+(?:de\s+)?\d{4}\b          # 3 March 2025, 12 июня 2024, 5 de mayo de 2024
    | \b"""
    + _MONTH_WORD
    + r"""\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b   # June 12th, 2024
    | \b\d{4}-\d{1,2}-\d{1,2}\b                  # 2024-06-12
    | \b\d{1,2}\.\d{1,2}\.\d{4}\b                # 12.06.2024
    | \b\d{1,2}/\d{1,2}/\d{4}\b                  # 12/06/2024 (only when unambiguous)
    | \d{4}\s?[年년]\s?\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일]     # 2020年07月03日, 2020년 7월 3일
    """,
    re.VERBOSE | re.UNICODE,
)
_PUBLISHED_WORDS = re.compile(
    r"publi|posted|date|released|issued|veröffentlicht|datum|опубликован|дата|"
    r"تاريخ|نشر|منتشر|yayın|data|fecha|pubblicato",
    re.IGNORECASE,
)
_UPDATED_WORDS = re.compile(
    r"updat|modif|edited|revised|aktualisiert|mis à jour|обновлен|actualizado|aggiornato|"
    r"güncelle|copyright|©",
    re.IGNORECASE,
)
_DATE_LINE_TAGS = {"time", "span", "p", "div", "li", "small", "em", "strong", "b", "i", "dd",
                   "td", "abbr", "h2", "h3", "h4", "h5", "h6", "header", "footer", "a", "font"}  # fmt: skip
_MAX_LINE = 80
_MAX_CANDIDATES = 40


def _dateparser(text: str, settings: dict[str, object], language: str | None) -> date | None:
    languages = sorted({language, "en"}) if language else None
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except ValueError:  # a language dateparser does not know: let it detect
        parsed = dateparser.parse(text, settings=settings)
    return parsed.date() if parsed else None


_DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "DATE_ORDER": "DMY",
}


def visible_date(tree: HtmlElement, *, today: date, language: str | None = None) -> date | None:
    """Publication day from a short visible line such as "Published: 3 March 2025".

    A line that says it is a publication date wins; otherwise the first dated line
    after the headline, then the first dated line at all. Lines about updates and
    copyright are ignored. Month names are read in ``language`` and English when
    the page's language is known, in any language dateparser knows otherwise.
    """
    labelled: date | None = None
    after_headline: date | None = None
    first: date | None = None
    seen_headline = False
    for element, line in _short_lines(tree):
        if element.tag == "h1":
            seen_headline = True
            continue
        if _UPDATED_WORDS.search(line):
            continue
        day = _parse_date_line(line, today, language)
        if day is None:
            continue
        if _PUBLISHED_WORDS.search(_DATE_SHAPES.sub("", line)):
            labelled = labelled or day
            break
        if seen_headline and after_headline is None:
            after_headline = day
        first = first or day
    return labelled or after_headline or first


def _short_lines(tree: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    body = tree.find("body")
    candidates = 0
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "h1":
            yield element, ""
            continue
        if element.tag not in _DATE_LINE_TAGS or _has_block_child(element):
            continue
        line = " ".join(element.text_content().split())
        if not 6 <= len(line) <= _MAX_LINE or not _DATE_SHAPES.search(line):
            continue
        yield element, line
        candidates += 1
        if candidates >= _MAX_CANDIDATES:
            return


def _has_block_child(element: HtmlElement) -> bool:
    return any(isinstance(c.tag, str) and c.tag in ("div", "p", "li", "ul", "table") for c in element)


def _parse_date_line(line: str, today: date, language: str | None = None) -> date | None:
    for match in _DATE_SHAPES.finditer(line):
        text = match.group(0)
        cjk = re.fullmatch(r"(\d{4})\s?[年년]\s?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日일]", text)
        if cjk:
            try:
                day = _valid(date(*(int(part) for part in cjk.groups())), today)
            except ValueError:
                continue
            if day is not None:
                return day
            continue
        slashed = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if slashed and int(slashed.group(1)) <= 12 and int(slashed.group(2)) <= 12:
            continue  # 03/04/2025: day and month cannot be told apart
        settings = dict(_DATEPARSER_SETTINGS)
        if slashed and int(slashed.group(1)) <= 12:
            settings["DATE_ORDER"] = "MDY"
        day = _valid(_dateparser(text, settings, language), today)
        if day is not None:
            return day
    return None
