"""When an event happened: dates resolved against the publication, background, terms.

Dates are read from the time modifiers of the trigger's own clause; a term ("six
years", "death") from the ``to``/``for`` argument of a sentencing verb.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from extract.event_lexicon import NOUN_TYPE

if TYPE_CHECKING:
    from spacy.tokens import Token

PAST_CUES = frozenset({"previously", "formerly", "once"})  # not "earlier this week"
DURATION = re.compile(r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.I)
_AGO = re.compile(r"\b(?:ago|last|previous|earlier)\b", re.I)
_YEAR = re.compile(r"^(?:in\s+)?((?:19|20)\d\d)$")
BACKGROUND_DAYS = 31
_TIME_PREPS = frozenset("in on at since during from by until till before after between around of "
                        "early late".split())


def pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)


@lru_cache(maxsize=4096)
def resolve_date(text: str, published: date | None) -> date | None:
    """A date expression ("on Friday", "in July", "3 March", "2010") as a day, never after
    ``published``; ``None`` for durations ("six years") or what dateparser cannot read."""
    import dateparser

    s = re.sub(r"^(?:on|in|since|from|by|at|during|early|late|mid)\s+", "", text.strip(),
               flags=re.I).strip()
    if not s or DURATION.search(s) and not _AGO.search(s):
        return None
    y = _YEAR.match(s)
    if y:
        found: date | None = date(int(y.group(1)), 1, 1)
    else:
        base = datetime.combine(published or date.today(), datetime.min.time())
        settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past",
                    "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
        try:
            parsed = dateparser.parse(s, languages=["en"], settings=settings)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return None
        found = parsed.date() if parsed else None
    limit = published or date.today()
    if found is not None and found > limit:
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:
            return None
        if found > limit:
            return None
    return found


def _clause_heads(t: Token) -> list[Token]:
    """The trigger, and for a noun trigger the verb it is the object of."""
    heads = [t]
    if t.pos_ in ("NOUN", "PROPN") and t.dep_ in ("dobj", "pobj"):
        up = t.head if t.dep_ == "dobj" else t.head.head
        if up.pos_ in ("VERB", "AUX"):
            heads.append(up)
    return heads


def _date_entity(tok: Token) -> str | None:
    """The DATE entity around ``tok`` (found from the IOB tags, not by scanning doc.ents)."""
    if tok.ent_type_ != "DATE":
        return None
    first, last = tok.i, tok.i
    while first > 0 and tok.doc[first].ent_iob_ == "I":
        first -= 1
    while last + 1 < len(tok.doc) and tok.doc[last + 1].ent_iob_ == "I":
        last += 1
    return tok.doc[first: last + 1].text


def _date_under(prep: Token, depth: int = 0) -> str | None:
    """A date reached through time prepositions: "on the morning of Friday, 20 November"."""
    p = pobj(prep)
    if prep.lower_ not in _TIME_PREPS or p is None or depth > 2:
        return None
    found = _date_entity(p)
    for c in p.children:
        if found is None and c.dep_ == "prep":
            found = _date_under(c, depth + 1)
    return found


def event_date(t: Token, published: date | None) -> tuple[date | None, bool]:
    """(date, placed in the past) from the time modifiers of the trigger's own clause.

    Only modifiers of the clause count ("arrested on Friday", "in 2010 he was arrested"),
    not dates inside its objects ("over a documentary about the 2019 protests"). A clause
    coordinated without its own date takes its head's ("in 2010 arrested and later
    sentenced"). The pluperfect places an event in the past except in reported speech,
    where it is only the tense shift ("his lawyer said he had been taken to Evin").
    """
    past = False
    for head in _clause_heads(t):
        for c in head.children:
            if c.dep_ == "advmod" and c.lower_ in PAST_CUES:
                past = True
            if c.dep_ == "aux" and c.lower_ == "had" and head.dep_ != "ccomp":
                past = True
        for c in head.children:
            when = None
            if c.dep_ == "prep":
                when = _date_under(c)
            elif c.dep_ in ("npadvmod", "advmod", "tmod", "nummod", "pobj"):
                when = _date_entity(c)
            d = resolve_date(when, published) if when else None
            if d is not None:
                return d, past
    if t.dep_ == "conj" and t.head.pos_ in ("VERB", "AUX", "NOUN"):
        d, head_past = event_date(t.head, published)
        return d, past or head_past
    return None, past


def sentence_term(t: Token, etype: str) -> str | None:
    if etype not in ("sentence", "arrest"):
        return None
    if t.pos_ in ("NOUN", "PROPN"):
        mods = [c for c in t.children if c.dep_ in ("compound", "amod", "nummod")
                and c.lower_ not in ("prison", "jail", "suspended", "harsh", "new", "long")]
        if etype == "sentence" and mods:
            return " ".join(tok.text for m in mods for tok in m.subtree).replace(" - ", "-")
        return None
    for c in t.children:
        if c.dep_ != "prep" or (c.lower_ != "to" and not (c.lower_ == "for" and
                                                          etype == "arrest")):
            continue
        p = pobj(c)
        if p is None:
            continue
        toks = [x for x in p.subtree if not any(a.dep_ == "relcl" for a in x.ancestors
                                                if a.i in {y.i for y in p.subtree})]
        last = toks[-1].i if toks else p.i
        for extra in t.children:  # "to ten years and a travel ban", the ban parsed apart
            if extra.i > last and extra.dep_ in ("conj", "dobj") and extra.lower_ in NOUN_TYPE:
                last = extra.right_edge.i
        text = p.doc[toks[0].i if toks else p.i: last + 1].text
        if etype == "arrest" and not DURATION.search(text):
            continue
        return text.strip(" ,;")
    return None
