"""Repression events tied to a named person (arrest, sentence, release, ban...).

A trigger lexicon finds candidate words (verbs, nouns, participles); the dependency
parse then decides whom each trigger is about: the passive subject or object of a
verb, the ``of``/possessive argument of a noun, the noun a participle modifies, and
everything coordinated or in apposition with those. People who merely report,
comment on or represent the subject are never in those positions, so they do not
inherit the event. Flags (negated, hypothetical, background), the event date and the
term of a sentence are read from the trigger's own clause.

Whom a noun phrase refers to is :mod:`extract.event_view`; whom a trigger is about,
:mod:`extract.event_args`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from extract import event_lexicon as lex
from extract import event_model, nlp
from extract import event_time as timing
from extract.entities import Mention
from extract.event_args import asked_privately, title_args, trigger_args, verb_patients, work_released
from extract.event_lexicon import EVENT_TYPES, TRIGGER_FORMS
from extract.event_time import resolve_date
from extract.event_view import View
from extract.sentences import doc_text, doc_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["EVENT_TYPES", "TRIGGER_FORMS", "Event", "find_events", "resolve_date"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """One event that a sentence reports about one person."""

    type: str  # one of EVENT_TYPES
    person: str  # the person's name as resolved by the mentions (Mention.name)
    sentence: str
    sent_start: int
    # The first day of what the text says: "in March 2010" is 2010-03-01 with precision
    # "month", "in 2010" is 2010-01-01 with precision "year"; None when no date is given.
    date: date | None = None
    term: str | None = None
    background: bool = False  # placed clearly before the publication date
    negated: bool = False
    hypothetical: bool = False
    trigger: str = ""
    date_precision: str | None = None  # "day", "week", "month" or "year" when date is set

    @property
    def asserted(self) -> bool:
        """Reported as having happened (neither negated nor hypothetical)."""
        return not (self.negated or self.hypothetical)


_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014\u00b7]|\d{1,2}[.)])\s+")


# ---------------------------------------------------------------- the entry point


def find_events(doc: Doc, mentions: list[Mention], published: date | None = None,
                learned: bool | None = None) -> list[Event]:
    """Events in ``doc`` tied to the person ``mentions`` (only kind == 'person' count).

    With ``learned`` (default :data:`extract.event_model.ENABLED`) the learned pair model
    revises the rules' decision (:func:`extract.event_model.decide`)."""
    view = View(doc, mentions)
    if not view.spans:
        return []
    found = rule_events(doc, view, published)
    if not (event_model.ENABLED if learned is None else learned):
        return found
    return event_model.decide(view, found, nlp.learned_model(event_model.MODEL_NAME),
                              lambda c: _model_event(c, published))


def _model_event(c: event_model.Candidate, published: date | None) -> Event:
    """The event of a pair the model accepted: dated and placed in time from its trigger."""
    t = c.trigger
    day, precision, background, _ = _when(t, published)
    return Event(type=c.type, person=c.person, sentence=t.sent.text, sent_start=t.sent.start_char,
                 date=day, term=timing.sentence_term(t, c.type), background=background,
                 trigger=t.text, date_precision=precision)


def rule_events(doc: Doc, view: View, published: date | None) -> list[Event]:
    """What the rules alone find (``view`` is updated as they read the document)."""
    out: dict[tuple[str, str, int], Event] = {}
    # the trigger each kept event came from, and whether a date made it background
    at: dict[tuple[str, str, int], tuple[Token, bool]] = {}
    view.triggers = sorted(lex.trigger_matcher(doc.vocab)(doc), key=lambda m: (m[1], m[2]))
    presupposed: list[tuple[Event, tuple[Token, bool]]] = []
    for _, start, end in view.triggers:
        t = doc[end - 1]
        etype = lex.trigger_type(t)
        if etype is None:
            continue
        named = trigger_args(t, etype, view)
        if not named and t.lower_ not in lex.CHECKED_VERBS:  # "Beaten" without "to death": none
            named = title_args(t, view)
        people = [m for m in named if not view.aside(m, t)]
        if etype == "confiscation" and not people and t.pos_ == "VERB":
            # "seized by gunmen": a person seized is held, not property taken
            people = [m for p in verb_patients(t) for m in view.people(p) if not view.aside(m, t)]
            etype = "arrest" if people else etype
        if etype == "release" and work_released(t) or etype == "summons" and asked_privately(t):
            people = []
        people += [m for m in view.list_mates(people, t) if not view.aside(m, t)]
        listed = _listed_people(t, view)
        if not people and not listed:
            continue
        group = _without_excepted(t, list(dict.fromkeys([*people, *listed])), view)
        if not group:
            continue
        view.remember(group, t)
        negated, hypothetical = lex.flags(t)
        day, precision, background, anchored = _when(t, published)
        sent = t.sent
        types = [etype]
        if etype == "arrest" and t.lower_ in lex.JAILED_FORMS and timing.sentence_term(t, etype):
            types.append("sentence")  # "jailed X for 18 years" is a prison term
        if "sentence" in types and (t.pos_ != "NOUN" and lex.convicted_of(t) or t.pos_ == "NOUN"
                                    and lex.term_for_offence(t)):
            types.append("charge")  # "convicted of spreading false news": the charge it was for
        if etype == "release":  # "released on bail": held before; "pardoned": sentenced before
            types += (["sentence"] if t.lower_ in lex.PARDONED else []) + \
                (["arrest"] if lex.released_from_custody(t) else [])
        for m in group:
            for kind in types:
                ev = Event(type=kind, person=m.name, sentence=sent.text,
                           sent_start=sent.start_char, date=day,
                           term=timing.sentence_term(t, etype), background=background,
                           negated=negated, hypothetical=hypothetical,
                           trigger=doc[start:end].text, date_precision=precision)
                if kind != etype and (kind != "sentence" or etype == "release"):
                    # what a conviction or a release presupposes came before it ("convicted
                    # of X" the charge, "released" the arrest): told, never news of its own
                    presupposed.append((replace(ev, date=None, date_precision=None, term=None,
                                                background=True), (t, True)))
                else:
                    _keep(out, at, ev, (t, anchored))
    _elliptic(view, out, at)
    told = {(ev.person, ev.type) for ev in out.values() if ev.asserted}
    for ev, where in presupposed:  # only where the text tells that event nowhere itself
        if (ev.person, ev.type) not in told:
            _keep(out, at, ev, where)
    for tok in doc_tokens(doc):
        if tok.lower_ in lex.ACQUITTED:  # "X, who stood trial alongside her, was acquitted"
            cleared = {m.name for a in verb_patients(tok) for m in view.people(a)}
            for key, ev in list(out.items()):
                if ev.type == "charge" and ev.person in cleared and \
                        ev.sent_start == tok.sent.start_char:
                    out[key] = replace(ev, negated=True)
    found = sorted(out.values(), key=lambda e: (e.sent_start, e.person, e.type))
    return _headline_restated(_story_background(doc, found, at))


def _headline_restated(found: list[Event]) -> list[Event]:
    """An undated headline ("Poet X arrested") restates the story: where the text tells the
    same person's event of that type in a sentence, the sentence's event stands for both
    (it has the date, the place and the authority)."""
    told = {(ev.person, ev.type) for ev in found if ev.asserted and not lex.is_title(ev.sentence)}
    return [ev for ev in found if not (ev.date is None and lex.is_title(ev.sentence)
                                       and (ev.person, ev.type) in told)]


def _when(t: Token, published: date | None) -> tuple[date | None, str | None, bool, bool]:
    """(date, precision, background, background because of a date) of one trigger."""
    day, precision, past_tense = timing.event_date(t, published)
    anchored = day is not None and precision is not None and timing.is_old(
        (day, precision), published)
    elapsed = timing.elapsed_days(t)
    if elapsed is not None and elapsed > timing.BACKGROUND_DAYS:
        anchored = True  # "freed after 14 months in detention": the arrest is old
    if day is None and not anchored:
        anchored = bool(timing.inherited_background(t, published))
    return day, precision, past_tense or anchored, anchored


def _story_background(doc: Doc, found: list[Event],
                      at: dict[tuple[str, str, int], tuple[Token, bool]]) -> list[Event]:
    """Background read off the sentences around each undated event (see
    :func:`extract.event_time.narrative_background`)."""
    index: dict[int, tuple[int, int]] = {}
    paragraph = 0
    last = 0
    text = doc_text(doc)
    for i, sent in enumerate(doc.sents):
        paragraph += text.count("\n", last, sent.start_char)
        last = sent.start_char
        index[sent.start_char] = (i, paragraph)
    told = []
    for ev in found:
        t, anchored = at[(ev.person, ev.type, ev.sent_start)]
        new_cue, earlier_cue = timing.contrast_words(t.sent)
        sentence, para = index.get(ev.sent_start, (-1, -1))
        told.append(timing.Telling(
            person=ev.person, type=ev.type, sentence=sentence, paragraph=para,
            dated=ev.date is not None, background=ev.background, anchored=anchored,
            simple_past=timing.simple_past(t), subordinate=timing.subordinate(t),
            new_cue=new_cue, earlier_cue=earlier_cue))
    old = timing.narrative_background(told)
    return [replace(ev, background=True) if i in old else ev for i, ev in enumerate(found)]


def _keep(out: dict[tuple[str, str, int], Event],
          at: dict[tuple[str, str, int], tuple[Token, bool]], ev: Event, t: tuple[Token, bool],
          ) -> None:
    """One event per (person, type, sentence): asserted wins, then the one with a date."""
    key = (ev.person, ev.type, ev.sent_start)
    old = out.get(key)
    if old is None or ev.asserted and not old.asserted:
        out[key], at[key] = ev, t
    elif old.date is None and ev.date is not None and ev.asserted == old.asserted:
        out[key] = replace(old, date=ev.date, date_precision=ev.date_precision,
                           background=ev.background)
        at[key] = t


_ELLIPTIC_AUX = frozenset({"was", "were", "is", "are", "has", "have", "had"})


def _elliptic(view: View, out: dict[tuple[str, str, int], Event],
              at: dict[tuple[str, str, int], tuple[Token, bool]]) -> None:
    """"X was arrested. So was Y", "X was detained, as was Y": Y undergoes what the last
    passive (or noun) trigger before, in this or the previous sentence, told of X."""
    doc = view.doc
    for tok in doc_tokens(doc)[:-2]:
        if tok.lower_ not in ("so", "as") or doc[tok.i + 1].lower_ not in _ELLIPTIC_AUX \
                or tok.i + 2 not in view.by_token:
            continue
        start = tok.sent.start
        prev_start = doc[start - 1].sent.start if start > 0 else start
        before = [(t, key) for key, (t, _) in at.items() if prev_start <= t.i < tok.i]
        if not before:
            continue
        last = max(t.i for t, _ in before)
        trig = doc[last]
        if trig.pos_ in ("VERB", "AUX") and not lex.is_passive(trig):
            continue  # "police arrested X, and so did Y": Y did the arresting
        who = view.by_token[tok.i + 2]
        end = tok.i + 2
        while end < len(doc) and view.by_token.get(end) is who:
            end += 1
        if end < len(doc) and (doc[end].lower_ in ("'s", "’s") or doc[end].pos_ in ("NOUN", "VERB")):
            continue  # "As is Y's habit", "so was Y's brother": Y is not the one it befell
        sent = tok.sent
        for t, key in before:
            if t.i == last and out[key].asserted:
                ev = replace(out[key], person=who.name, sentence=sent.text, sent_start=sent.start_char)
                _keep(out, at, ev, at[key])


def _without_excepted(t: Token, group: list[Mention], view: View) -> list[Mention]:
    """"All were freed except for A and B": those the exception names are left out."""
    sent = t.sent
    cut = next((w for w in view.doc[t.i + 1: sent.end] if w.lower_ in ("except", "excepting")), None)
    if cut is None:
        return group
    out = {m.name for m in view.listed_after(cut)}
    return [m for m in group if m.name not in out]


def _listed_people(t: Token, view: View) -> list[Mention]:
    """People in a bulleted list right after a line that ends with ':' and holds ``t``."""
    text = view.text
    eol = text.find("\n", t.idx)
    if eol < 0 or not text[t.idx: eol].rstrip().endswith(":"):
        return []
    out: list[Mention] = []
    pos = eol + 1
    while pos < len(text):
        nxt = text.find("\n", pos)
        line_end = len(text) if nxt < 0 else nxt
        line = text[pos:line_end]
        if not line.strip():
            if out:
                break
            pos = line_end + 1
            continue
        if not _BULLET.match(line):
            break
        first = next((m for m, s in view.spans if pos <= s.start_char < line_end), None)
        if first is not None:
            out.append(first)
        pos = line_end + 1
    return out
