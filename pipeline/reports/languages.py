"""How reports name the language of a quoted sentence and how its event was found."""

from __future__ import annotations

LEXICON_NOTE = "watchlist and trigger words, not parsed"


def sentence_label(language: str | None, method: str | None) -> str:
    """"" for an English sentence read by the parser, else e.g. "[fa; watchlist and trigger
    words, not parsed] " to put before the original sentence."""
    parts = []
    if language and language != "en":
        parts.append(language)
    if method == "lexicon":
        parts.append(LEXICON_NOTE)
    return f"[{'; '.join(parts)}] " if parts else ""
