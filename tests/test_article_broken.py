"""Broken page structure that browsers tolerate must not lose the article."""

from __future__ import annotations

import re

from extract.article import extract_article
from tests.test_fuzz import TODAY, URL, real_pages, real_texts


def test_unclosed_nav_and_div_do_not_swallow_the_article() -> None:
    # A template that forgets </div> and </nav> leaves the article inside <nav> for
    # libxml2; browsers still show it, and the statement must not be dropped as navigation.
    for page, full in zip(real_pages(), real_texts(), strict=True):
        art = extract_article(re.sub(r"</(div|nav)>", "", page), URL, today=TODAY)
        assert art is not None and full[:150] in art.text
