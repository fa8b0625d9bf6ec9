"""Listing, index, tag, category and search pages: text that is mostly other pages' titles.

Such a page repeats the headlines of the articles it links to ("Director sentenced to six
years", "Festival condemns arrest of poet"), each one a line, with a date, a teaser cut
off with an ellipsis or a "Read more" between them. Analysed as a statement it would
report every headline's event a second time, from a page that states none of them.

:func:`is_listing` tells such a text from an article by its lines: an article is mostly
prose (long lines, whole sentences); a listing is mostly headline-length lines. A list
of signatories or partners (one or a few words a line) under a statement is not one.
Pure function of the text; the pipeline decides what to do with a listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Fewest headline lines that make a listing; fewer is an article with a few subheadings.
MIN_HEADLINES = 5
_WORD = re.compile(r"\w[\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?:;。！？][\"'”’)\]」]*$")
_TEASER_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])[\"'”’)\]]*$")
_MORE = re.compile(r"^(?:read more|continue reading|more|read the full (?:story|statement|article)|"
                   r"full story|learn more|view all|see all|next|previous|older posts|newer posts|"
                   r"load more|page \d+(?: of \d+)?)\W*$", re.I)


@dataclass(frozen=True)
class LineCounts:
    """How the lines of a text divide: prose, headline-like, teasers and link labels."""

    prose: int = 0
    prose_chars: int = 0
    headlines: int = 0
    headline_chars: int = 0
    teasers: int = 0
    more_links: int = 0


def _lines(text: str) -> list[str]:
    """Non-blank lines, a hard-wrapped line (the next starts in lower case) joined to the next."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if out and line[0].islower():
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def count_lines(text: str) -> LineCounts:
    """Prose, headline-like, teaser and "Read more" lines of ``text`` (table rows count as none)."""
    prose = prose_chars = headlines = headline_chars = teasers = more = 0
    for line in _lines(text):
        if _MORE.match(line):
            more += 1
            continue
        if line.count("|") >= 2:
            continue  # a table row
        words = len(_WORD.findall(line))
        ends = _SENTENCE_END.search(line)
        if _TEASER_END.search(line):
            teasers += 1
        elif words >= 15 or words >= 8 and ends or ends and len(line) >= 40 and " " not in line[:40]:
            prose += 1
            prose_chars += len(line)
        elif 4 <= words <= 20:
            headlines += 1
            headline_chars += len(line)
    return LineCounts(prose, prose_chars, headlines, headline_chars, teasers, more)


def is_listing(text: str, title: str | None = None) -> bool:
    """Whether ``text`` is a listing of other pages rather than an article.

    A listing has at least :data:`MIN_HEADLINES` headline-length lines (4 to 20 words,
    no closing full stop) and no more prose than headlines, counted in lines and in
    characters; teasers cut off with an ellipsis and "Read more" links count for it.
    ``title`` (the page's own) is not counted.
    """
    counts = count_lines(text)
    if title:
        own = count_lines(title)
        counts = LineCounts(counts.prose, counts.prose_chars, max(0, counts.headlines - own.headlines),
                            max(0, counts.headline_chars - own.headline_chars), counts.teasers,
                            counts.more_links)
    listed = counts.headlines + max(counts.teasers, counts.more_links)
    if counts.headlines < MIN_HEADLINES and counts.more_links < MIN_HEADLINES:
        return False
    return counts.prose <= listed and counts.prose_chars <= counts.headline_chars + 200 * counts.teasers
