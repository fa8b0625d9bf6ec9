"""When an event happened: dates resolved against the publication, background, terms.

Dates are read from the time modifiers of the trigger's own clause; a term ("six
years", "death") from the ``to``/``for`` argument of a sentencing verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from extract.event_lexicon import NOUN_TYPE, VERDICT_VERBS

if TYPE_CHECKING:
    from dateparser.date import DateDataParser
    from spacy.tokens import Span, Token

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
def resolve_period(text: str, published: date | None) -> tuple[date, str] | None:
    """A date expression as (first day, precision), precision "day", "week", "month" or
    "year"; never after ``published``; ``None`` for durations or unreadable text.

    A month or a year is kept as its first day with its precision, so no caller mistakes
    "in 2010" for 1 January 2010: compare with :func:`period_end` when the last possible
    day matters (deciding whether an event is background).
    """
    s = re.sub(r"^(?:on|in|since|from|by|at|during|early|late|mid)\s+", "", text.strip(),
               flags=re.I).strip()
    if not s or DURATION.search(s) and not _AGO.search(s):
        return None
    y = _YEAR.match(s)
    if y:
        found: date | None = date(int(y.group(1)), 1, 1)
        precision = "year"
    else:
        base = datetime.combine(published or date.today(), datetime.min.time())
        try:
            data = _parser(base).get_date_data(s)
        except (ValueError, OverflowError):
            return None
        found = data.date_obj.date() if data and data.date_obj else None
        precision = (data.period or "day") if data else "day"
        if precision == "month" and found is not None:
            found = found.replace(day=1)
    limit = published or date.today()
    if found is not None and found > limit:
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:
            return None
        if found > limit:
            return None
    return (found, precision) if found is not None else None


@lru_cache(maxsize=64)
def _parser(base: datetime) -> DateDataParser:
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={
        "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False})


def resolve_date(text: str, published: date | None) -> date | None:
    """A date expression ("on Friday", "in July", "3 March", "2010") as a day, never after
    ``published``; ``None`` for durations ("six years") or what dateparser cannot read.
    A month or a year gives its first day (see :func:`resolve_period`)."""
    found = resolve_period(text, published)
    return found[0] if found else None


def period_end(start: date, precision: str) -> date:
    """The last day of the period that starts on ``start``."""
    if precision == "year":
        return date(start.year, 12, 31)
    if precision == "month":
        nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return nxt - timedelta(days=1)
    if precision == "week":
        return start + timedelta(days=6)
    return start


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


def event_date(t: Token, published: date | None) -> tuple[date | None, str | None, bool]:
    """(date, its precision, placed in the past) from the time modifiers of the trigger's
    own clause.

    Only modifiers of the clause count ("arrested on Friday", "in 2010 he was arrested"),
    not dates inside its objects ("over a documentary about the 2019 protests"). A clause
    coordinated without its own date takes its head's ("in 2010 arrested and later
    sentenced"). The pluperfect places an event in the past except in reported speech,
    where it is only the tense shift ("his lawyer said he had been taken to Evin").
    """
    past = False
    for head in _clause_heads(t):
        for c in head.children:
            if c.dep_ == "advmod" and (c.lower_ in PAST_CUES or c.lower_ == "before" and not any(c.children)):
                past = True  # "previously arrested", "who was arrested before"
            if c.dep_ == "aux" and c.lower_ == "had" and head.dep_ != "ccomp":
                past = True
        found = _modifier_date(head, published)
        if found is not None:
            return found[0], found[1], past
    if t.dep_ == "conj" and t.head.pos_ in ("VERB", "AUX", "NOUN"):
        d, precision, head_past = event_date(t.head, published)
        return d, precision, past or head_past
    # "since his release" (undated): a time that began before the telling
    return None, None, past or t.dep_ == "pobj" and t.head.lower_ == "since"


def _modifier_date(head: Token, published: date | None) -> tuple[date, str] | None:
    for c in head.children:
        when = None
        if c.dep_ == "prep":
            when = _date_under(c)
        elif c.dep_ in ("npadvmod", "advmod", "tmod", "nummod", "pobj"):
            when = _date_entity(c)
        found = resolve_period(when, published) if when else None
        if found is not None:
            return found
    return None


def sentence_term(t: Token, etype: str) -> str | None:
    if etype not in ("sentence", "arrest"):
        return None
    if t.pos_ in ("NOUN", "PROPN"):
        mods = [c for c in t.children if c.dep_ in ("compound", "amod", "nummod")
                and c.lower_ not in ("prison", "jail", "suspended", "harsh", "new", "long")]
        head = t.head if t.dep_ in ("nsubjpass", "dobj") else None
        if etype == "sentence" and head is not None and head.lower_ in VERDICT_VERBS:
            # "her sentence was cut to three years": the new term
            for c in head.children:
                p = pobj(c) if c.dep_ == "prep" and c.lower_ == "to" else None
                if p is not None and DURATION.search(p.doc[p.left_edge.i: p.i + 1].text):
                    return p.doc[p.left_edge.i: p.i + 1].text
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


# ---------------------------------------------------------------- background


_NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS |= {"a": 1, "an": 1, "several": 3, "few": 3, "thirty": 30, "forty": 40}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650}
# "after serving a three-year sentence": the time served has passed already; not "is
# serving a six-year sentence", which says nothing of how much of it has gone
_ELAPSED_VERBS = frozenset("served spent completed finished".split())
_ELAPSING_VERBS = frozenset("serving spending completing finishing".split())
_HELD = frozenset({"held", "kept"})
# words that set an event apart from an earlier one of the same kind
_CONTRAST = frozenset("again new latest fresh another second third now currently "
                      "rearrested re-arrested".split())
_EARLIER = frozenset("first previously earlier formerly once also before prior too".split())


def is_old(found: tuple[date, str], published: date | None) -> bool:
    """Whether the period lies clearly before the publication date.

    A month or a week counts from its last day, so "in December" in a January article
    stays news. A bare year before the publication's year is always old: writers who
    mean last month do not say "in 2022".
    """
    ref = published or date.today()
    if found[1] == "year" and found[0].year < ref.year:
        return True
    return (ref - period_end(*found)).days > BACKGROUND_DAYS


def duration_days(tok: Token) -> int | None:
    """Days in "14 months", "three-year", "a decade" headed by ``tok``; None if not one."""
    unit = tok.lower_.rstrip("s")
    if unit not in _UNIT_DAYS:
        return None
    count = 1
    for c in tok.children:
        if c.dep_ in ("nummod", "det", "amod"):
            word = c.lower_.replace(",", "")
            if word.isdigit():
                count = int(word)
            elif word in _NUMBER_WORDS:
                count = _NUMBER_WORDS[word]
    return count * _UNIT_DAYS[unit]


def elapsed_days(t: Token) -> int | None:
    """Time already gone since the event began, when the sentence says so: "after 14 months
    in detention", "nine days after his arrest", "after serving a three-year sentence",
    "has been held for two years"."""
    head = t.head
    if t.dep_ == "pobj" and head.lower_ in ("in", "into"):
        up = head.head
        days = duration_days(up) if up.dep_ == "pobj" and up.head.lower_ in (
            "after", "following") or up.dep_ in ("dobj", "npadvmod") and _has_elapsed(
            up.head) else None
        if days is None and _has_elapsed(up):
            days = next((d for c in up.children if c.dep_ in ("dobj", "npadvmod")
                         for d in [duration_days(c)] if d is not None), None)
        return days
    if t.dep_ == "pobj" and head.lower_ in ("after", "since", "following"):
        return next((d for c in head.children if c.dep_ == "npadvmod"
                     for d in [duration_days(c)] if d is not None), None)
    if t.dep_ == "dobj" and _has_elapsed(head):
        return next((d for c in t.children if c.dep_ in ("compound", "nmod", "amod")
                     for d in [duration_days(c)] if d is not None), None)
    if t.lower_ in _HELD and any(c.lower_ in ("has", "have", "had", "been", "was", "were")
                                 for c in t.children if c.dep_ in ("aux", "auxpass")):
        for c in t.children:
            p = pobj(c) if c.dep_ == "prep" and c.lower_ == "for" else None
            if p is not None:
                return duration_days(p)
    return None


def _has_elapsed(verb: Token) -> bool:
    """"served", "spent", or "after serving": time that has gone by."""
    if verb.lower_ in _ELAPSED_VERBS:
        return True
    return verb.lower_ in _ELAPSING_VERBS and verb.dep_ == "pcomp" and verb.head.lower_ in (
        "after", "following")


def inherited_background(t: Token, published: date | None) -> bool | None:
    """Background from the nearest enclosing clause that has a date of its own.

    "released on bail in February 2023 after beginning a hunger strike": the strike sits in
    a clause under the release and shares its time. The walk stops at reported speech
    (the date of "said" is not the event's) and at a relative clause about a person
    ("X, who was jailed in 2010, was arrested" says nothing about the arrest's time); a
    place or time relative clause is crossed ("the airport, where police seized...").
    """
    own = {h.i for h in _clause_heads(t)}
    cur = t
    for _ in range(8):
        if cur.dep_ in ("ccomp", "parataxis", "ROOT") or cur.head == cur:
            return None
        kids = {c.lower_ for c in cur.children}
        if cur.dep_ in ("relcl", "acl") and not kids & {"where", "when"} and (
                cur.head.pos_ == "PROPN" or kids & {"who", "whom", "whose"}):
            return None
        cur = cur.head
        if cur.i in own:
            continue
        found = _modifier_date(cur, published)
        if found is not None:
            return is_old(found, published)
    return None


def simple_past(t: Token) -> bool:
    """Whether the trigger's clause is in the simple past ("was barred", "seized"), the
    tense of narration; not the perfect or present of news ("has been barred", "remains")."""
    v = t
    if t.pos_ in ("NOUN", "PROPN"):
        heads = _clause_heads(t)
        v = heads[-1] if len(heads) > 1 else t.head.head if t.dep_ == "pobj" else t.head
    for _ in range(3):
        aux = {c.lower_ for c in v.children if c.dep_ in ("aux", "auxpass")}
        if aux & {"has", "have", "is", "are", "am", "will", "remains", "remain"}:
            return False
        if v.tag_ == "VBD" or v.tag_ == "VBN" and aux & {"was", "were"}:
            return True
        if v.dep_ != "conj" or aux:
            return False
        v = v.head
    return False


def subordinate(t: Token) -> bool:
    """Whether the trigger sits in a relative or adverbial clause, where given information
    goes ("finishes the film he was stopped from making")."""
    cur = t
    for _ in range(8):
        if cur.dep_ in ("relcl", "acl", "advcl"):
            return True
        if cur.dep_ in ("ROOT", "ccomp") or cur.head == cur:
            return False
        cur = cur.head
    return False


def contrast_words(sentence: Span) -> tuple[bool, bool]:
    """(sets the event apart as a new one, refers to an earlier one) from its sentence."""
    words = {tok.lower_ for tok in sentence}
    return bool(words & _CONTRAST), bool(words & _EARLIER)


@dataclass(frozen=True)
class Telling:
    """How one event is told, for the rules that read time off the story around it."""

    person: str
    type: str
    sentence: int  # index of its sentence in the document
    paragraph: int
    dated: bool  # its own clause has a date
    background: bool
    anchored: bool  # background because of a date or a time gone by, not only the tense
    simple_past: bool
    subordinate: bool
    new_cue: bool  # "again", "new", "latest"... in its sentence
    earlier_cue: bool  # "first", "previously", "also"... in its sentence


def narrative_background(told: list[Telling]) -> set[int]:
    """Indices (into ``told``, in document order) of undated events the story places in
    the past.

    An undated event told in the simple past continues the time of the sentence before
    it in the same paragraph when every event about the same person there is old by its
    date ("He began a hunger strike in January 2021... He was barred from leaving"); an
    event old only by the pluperfect does not carry over, as the pluperfect itself sets
    it before the narration ("had been sentenced... He was released").
    An undated one in a subordinate clause is the same event as a dated old one of the
    same type and person elsewhere, unless a word sets either apart as a different one
    ("first", "again"). The perfect and present ("has been barred", "remains") always
    stay news.
    """
    anchored = [e.anchored for e in told]
    out: set[int] = set()
    for i, e in enumerate(told):
        if e.dated or e.background or not e.simple_past or e.new_cue:
            continue
        prev = [j for j, x in enumerate(told) if x.person == e.person
                and x.sentence == e.sentence - 1 and x.paragraph == e.paragraph]
        same = [x for j, x in enumerate(told) if j != i and x.person == e.person
                and x.type == e.type]
        if prev and all(anchored[j] for j in prev) or e.subordinate and same and all(
                x.background for x in same) and any(x.dated for x in same) and not any(
                x.earlier_cue or x.new_cue for x in same):
            anchored[i] = True
            out.add(i)
    return out
