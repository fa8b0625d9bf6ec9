"""Sentence boundaries from the page's layout, set before the parser runs.

Extracted pages keep one block a line: the title, headings, captions, list items,
paragraphs. The parser alone often runs a heading into the first sentence below it
("Statement Coalition condemns ..."), so a line break starts a sentence here unless
the next line continues the previous one in lower case (a hard-wrapped paragraph).
The parser keeps sentence starts that are already set and splits lines further.

Also here: :func:`heading_lines`, the lines written in headline case ("Court Jails
Poet For Five Years"), whose capitals say nothing about names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

COMPONENT = "atrisk_line_breaks"
T = TypeVar("T")

# Short words a headline may leave in lower case ("Jailed for Five Years in Tehran").
_MINOR = frozenset("""
a an the and or but nor of for to in on at by from with as into over under after before
about against amid vs via per off up out than
""".split())
_BULLETS = frozenset({"-", "–", "•", "*", "·", "▪", "●"})
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s*$")


# Per name, the document last asked for and what was made of it (see per_document).
_LAST: dict[str, tuple[Doc, Any]] = {}


def per_document(doc: Doc, name: str, make: Callable[[Doc], T]) -> T:
    """``make(doc)``, made once per document for ``name``: the rules ask the same questions of
    one document many times over. The last document is kept per name, by identity (a
    ``Doc``'s text and tokens never change, and the rules never retokenize)."""
    last = _LAST.get(name)
    if last is None or last[0] is not doc:
        last = _LAST[name] = (doc, make(doc))
    return last[1]


def _text(doc: Doc) -> str:
    return doc.text


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per document: spaCy joins every token's text on each
    access (~0.4 ms a news article), and the rules read a document's text about nine times."""
    return per_document(doc, "text", _text)


def doc_tokens(doc: Doc) -> list[Token]:
    """``list(doc)``, made once per document: iterating a ``Doc`` (or ``doc[i]``) builds a
    new ``Token`` for every word each time (~0.2 µs), and the rules walk a document's
    tokens about a dozen times."""
    return per_document(doc, "tokens", list)


def _line_break_before(doc: Doc, i: int) -> bool:
    prev = doc[i - 1]
    return "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text)


def set_line_starts(doc: Doc) -> Doc:
    """Mark the first word of every line as a sentence start (a lower-case word continues)."""
    for tok in doc[1:]:
        if tok.is_space or not _line_break_before(doc, tok.i):
            continue
        if tok.is_lower and tok.is_alpha:
            continue  # a wrapped line: "... was held\nfor two days"
        tok.is_sent_start = True
        if tok.text in _BULLETS and tok.i + 1 < len(doc) and not doc[tok.i + 1].is_space:
            doc[tok.i + 1].is_sent_start = False  # "- Name, role": the bullet starts the item
    return doc


def line_breaks(doc: Doc) -> Doc:
    return set_line_starts(doc)


def add_to(nlp: Language) -> Language:
    """Add the line-break component before the parser (once).

    The component is registered with spaCy here, not at import: this module is imported
    by every ``atrisk`` command, and importing spaCy costs ~1.5 s of CPU."""
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):
        Language.component(COMPONENT, func=line_breaks)
    if COMPONENT not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        nlp.add_pipe(COMPONENT, before=before)
    return nlp


def is_heading(line: str) -> bool:
    """A line in headline case: most words capitalised, no sentence-final full stop.

    "Court Jails Poet For Five Years" is one; "The court jailed the poet." and a list of
    names separated by commas are not.
    """
    text = line.strip()
    if not text or _SENTENCE_END.search(text) and not text.endswith("?") or text.count(",") > 1:
        return False
    words = [w for w in _WORD.findall(text) if w.lower() not in _MINOR]
    if len(words) < 3 or len(words) > 20:
        return False
    capital = sum(1 for w in words if w[0].isupper())
    return capital >= 0.8 * len(words)


def heading_lines(text: str) -> list[tuple[int, int]]:
    """Character ranges ``(start, end)`` of the lines of ``text`` written in headline case."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if is_heading(line):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out
