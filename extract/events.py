"""Repression events tied to a named person (arrest, sentence, release, ban...).

A trigger lexicon finds candidate words (verbs, nouns, participles); the dependency
parse then decides whom each trigger is about: the passive subject or object of a
verb, the ``of``/possessive argument of a noun, the noun a participle modifies, and
everything coordinated or in apposition with those. People who merely report,
comment on or represent the subject are never in those positions, so they do not
inherit the event. Flags (negated, hypothetical, background), the event date and the
term of a sentence are read from the trigger's own clause.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from extract import event_lexicon as lex
from extract import event_time as timing
from extract.entities import PERSON, Mention
from extract.event_lexicon import EVENT_TYPES, TRIGGER_FORMS
from extract.event_time import DURATION, pobj, resolve_date

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

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


# ---------------------------------------------------------------- the document view


class _View:
    """A parsed document with its person mentions mapped onto tokens."""

    def __init__(self, doc: Doc, mentions: Iterable[Mention]) -> None:
        self.doc = doc
        self.text = doc.text  # once: Doc.text joins every token on each access
        self.by_token: dict[int, Mention] = {}
        self.spans: list[tuple[Mention, Span]] = []
        for m in mentions:
            if m.kind != PERSON:
                continue
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            self.spans.append((m, span))
            for tok in span:
                self.by_token[tok.i] = m
        self.spans.sort(key=lambda p: p[1].start)
        self.salience = Counter(m.name for m, _ in self.spans)
        self.last_group: list[Mention] = []
        self.last_group_sent = -1
        self.last_people: list[Mention] = []
        self.last_trigger: Token | None = None
        self.in_group = False

    def people(self, tok: Token, seen: set[int] | None = None) -> list[Mention]:
        """The named people a noun phrase headed by ``tok`` refers to."""
        seen = set() if seen is None else seen
        if tok.i in seen:
            return []
        seen.add(tok.i)
        out: list[Mention] = []
        low = tok.lower_
        if tok.i in self.by_token:
            m = self.by_token[tok.i]
            out.append(m)
            heads = [t for t in self.doc[tok.i: tok.i + 1]]
            span = next((s for mm, s in self.spans if mm is m), None)
            if span is not None:
                heads = list(span)
                seen.update(t.i for t in span)
            for t in heads:
                for c in t.children:
                    if c.dep_ in ("conj", "appos") or _is_including(c):
                        out += self.people(c if c.dep_ != "prep" else pobj(c) or c, seen)
            return out
        if low in lex.PRONOUNS:
            ante = self.antecedent(tok)
            return [ante] if ante else []
        if low in lex.PLURAL_PRONOUNS or (tok.tag_ == "CD" or low in lex.GROUP_DETS) \
                and tok.dep_ in lex.ARGUMENT_DEPS \
                or any(c.dep_ in ("det", "nummod", "predet") and (
                    c.lower_ in lex.GROUP_DETS or c.tag_ == "CD" and tok.lower_ in lex.GROUP_NOUNS)
                       for c in tok.children) or self._definite_group(tok):
            # "the four journalists A, B and C": the members named right there, else the
            # group the text named just before
            named = [m for c in tok.children if c.dep_ in ("appos", "conj")
                     for m in self.people(c, seen)]
            return (named or self._including(tok, seen) or self.others(self.listed_after(tok))
                    or self.group(tok))
        if low in lex.RELATIVE and tok.head.dep_ in ("relcl", "acl"):
            return self.people(tok.head.head, seen)
        for c in tok.children:
            if c.lower_ in lex.REFLEXIVE:
                continue
            if c.dep_ in ("conj", "appos") or c.dep_ == "compound" and c.i in self.by_token:
                out += self.people(c, seen)
            elif _is_including(c):
                p = pobj(c)
                if p is not None:
                    out += self.people(p, seen)
            elif c.dep_ == "prep" and c.lower_ == "of" and not out:
                out += self._of_appositive(tok, c, seen)
        if not out and tok.dep_ == "appos" and tok.head.i in self.by_token \
                and low not in lex.ROLES:  # "X, a novelist who was imprisoned"
            out.append(self.by_token[tok.head.i])
        return out

    def _definite_group(self, tok: Token) -> bool:
        """"the artists", "these journalists": a group the text names around it."""
        return tok.lower_ in lex.GROUP_NOUNS and any(
            c.dep_ in ("det", "nummod") and c.lower_ in lex.DEFINITE for c in tok.children)

    def _including(self, tok: Token, seen: set[int]) -> list[Mention]:
        """The people an "including ..." list after ``tok`` in its sentence names."""
        for w in tok.doc[tok.i + 1: tok.sent.end]:
            if w.lower_ == "including":
                return self.others(self.listed_after(w))
        return []

    def listed_after(self, w: Token) -> list[Mention]:
        """The people named in the list that starts after ``w`` ("including A, B (known as
        C) and D"): names up to the next verb, those in parentheses left out."""
        sent = w.sent
        out: list[Mention] = []
        for m, span in self.spans:
            if span.start <= w.i or span.start >= sent.end:
                continue
            between = self.doc[w.i + 1: span.start]
            if any(t.pos_ in ("VERB", "AUX") and not _in_parens(t.i, sent) for t in between):
                break
            if not _in_parens(span.start, sent):
                out.append(m)
        return out

    def _of_appositive(self, tok: Token, prep: Token, seen: set[int]) -> list[Mention]:
        """"the director of the festival, X": the parser hangs X on "festival". After a
        relative ("the mother of the rapper X, Y") the last name is the relative's."""
        p = pobj(prep)
        if p is None:
            return []
        if tok.lower_ not in lex.ROLES:
            if p.i in self.by_token:
                return []
            return [m for a in p.children if a.dep_ == "appos" for m in self.people(a, seen)]
        chain = [self.by_token[p.i]] if p.i in self.by_token else []
        cur = p
        while len(chain) < 4:
            nxt = next((a for a in cur.children if a.dep_ == "appos"
                        and a.i in self.by_token), None)
            if nxt is None:
                break
            chain.append(self.by_token[nxt.i])
            cur = nxt
        return chain[1:]

    def aside(self, m: Mention, trigger: Token) -> bool:
        """Whether ``m`` stands apart from the trigger's clause: in a parenthesis the
        trigger is outside of, or the source of the report ("according to X")."""
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        if any(a.dep_ == "prep" and a.lower_ == "according" for a in span.root.ancestors):
            return True
        before = self.doc[max(span.start - 6, trigger.sent.start): span.start]
        if len(before) >= 2 and before[-1].text == "," and before[-2].lower_ in lex.ROLES and any(
                w.lower_ == "according" for w in before):  # "according to her lawyer, X, ..."
            return True
        return _in_parens(span.start, trigger.sent) != _in_parens(trigger.i, trigger.sent)

    def bystander(self, m: Mention) -> bool:
        """Whether ``m`` is named as one who signs, supports, judges, hosts, speaks or
        represents ("signed by X", "jury member X", "her lawyer X")."""
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        root = span.root
        near = [c.lower_ for c in root.children if c.dep_ in ("compound", "amod", "appos")]
        while root.dep_ == "conj" and root.head != root:  # "signed by X and Y": Y as X
            root = root.head
        if span.start > 0:
            near.append(self.doc[span.start - 1].lower_)
        if root.dep_ == "appos":
            near.append(root.head.lower_)
        if root.dep_ == "pobj" and root.head.lower_ == "by":
            near.append(root.head.head.lower_)
        if root.dep_ == "nsubj":
            near.append(root.head.lower_)
        return any(w in lex.BYSTANDERS for w in near)

    def others(self, people: list[Mention]) -> list[Mention]:
        """``people`` without the bystanders among them (for groups and lists)."""
        return [m for m in people if not self.bystander(m)]

    def is_authority(self, m: Mention) -> bool:
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        words = {t.lower_ for t in span} | {c.lower_ for c in span.root.children}
        return bool(words & lex.AUTHORITIES)

    def remember(self, people: list[Mention], trigger: Token) -> None:
        """Keep who the last trigger was about, for "they" and for "... and questioned her"."""
        self.last_people, self.last_trigger = people, trigger
        if len(people) > 1:
            # where the group was last named: a list after the trigger ends further on
            named = [span.sent.start for m, span in self.spans if m in people
                     and span.start > trigger.i]
            self.last_group, self.last_group_sent = people, max([trigger.sent.start, *named])

    def recent_people(self, tok: Token) -> list[Mention]:
        """Whom the last trigger was about, when it is in this or the sentence before."""
        last = self.last_trigger
        if last is None or not self.last_people:
            return []
        start = tok.sent.start
        prev_start = self.doc[start - 1].sent.start if start > 0 else start
        return list(self.last_people) if last.sent.start >= prev_start else []

    def group(self, tok: Token) -> list[Mention]:
        """The people of the last multi-person event, when it is in this or the last sentence;
        else the last named people coordinated there ("invited X and Y. Both were barred")."""
        start = tok.sent.start
        prev_start = self.doc[start - 1].sent.start if start > 0 else start
        if self.last_group and self.last_group_sent >= prev_start:
            return list(self.last_group)
        if self.in_group:  # a group word inside the list a group word points at
            return []
        self.in_group = True
        try:
            for _, span in reversed(self.spans):
                if prev_start <= span.start < tok.i and any(
                        c.dep_ == "conj" and c.i in self.by_token for c in span.root.children):
                    return self.others(list(dict.fromkeys(self.people(span.root, {tok.i}))))
        finally:
            self.in_group = False
        return []

    def antecedent(self, pron: Token) -> Mention | None:
        """The earlier named person a he/she pronoun most likely means (never a role holder).

        After a trigger about one person, a pronoun in a coordinated clause is that person
        ("detained X's mother, Y, and questioned her"); otherwise the story's main person
        (most mentioned) is preferred over a nearer one-off name.
        """
        if (self.last_trigger is not None and len(self.last_people) == 1
                and _conjoined(pron.head, self.last_trigger)):
            return self.last_people[0]
        sents = [pron.sent.start]  # this sentence and up to seven before it
        while len(sents) < 8 and sents[-1] > 0:
            sents.append(self.doc[sents[-1] - 1].sent.start)
        best: Mention | None = None
        best_key: tuple[int, int] = (-1, -1)
        for m, span in self.spans:
            if span.start < sents[-1] or span.start >= pron.i or _is_role(span):
                continue
            if span.root.dep_ == "compound" and span.root.head.pos_ != "PROPN" \
                    or self.is_authority(m):
                continue  # a name used as a modifier ("the Somoza dictatorship"), a president
            # the story's main person wins over a one-off name, a near one over a far one,
            # and a subject pronoun prefers a subject antecedent
            root = span.root
            subject = root.dep_ in ("nsubj", "nsubjpass") or root.dep_ == "appos" and \
                root.head.dep_ in ("nsubj", "nsubjpass")
            near = span.start >= sents[min(2, len(sents) - 1)]
            score = 2 * min(self.salience[m.name], 3) + 2 * near
            score += int(subject and pron.dep_ in ("nsubj", "nsubjpass"))
            if (score, span.start) > best_key:
                best, best_key = m, (score, span.start)
        return best

def _conjoined(a: Token, b: Token) -> bool:
    """Whether two verbs are joined by coordination: "detained X and questioned her"."""
    def top(t: Token) -> Token:
        while t.dep_ == "conj" and t.head != t:
            t = t.head
        return t
    return a != b and top(a) == top(b)



def _in_parens(i: int, sent: Span) -> bool:
    """Whether token ``i`` is inside a parenthesis of ``sent``."""
    depth = 0
    for tok in sent.doc[sent.start: i]:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")" and depth:
            depth -= 1
    return depth > 0


def _work_released(t: Token) -> bool:
    """"The film was released in cinemas", "released his new album": a work, not a person."""
    things = [c for c in t.children if c.dep_ in ("nsubjpass", "dobj", "nsubj")]
    if t.dep_ in ("acl", "amod", "relcl", "conj"):
        things.append(t.head)
    places = [p for c in t.children if c.dep_ == "prep" and c.lower_ in ("to", "in", "on", "across")
              for p in [pobj(c)] if p is not None]
    return any(w.lower_ in lex.WORKS for w in things + places)


def _is_including(tok: Token) -> bool:
    if tok.dep_ != "prep":
        return False
    if tok.lower_ in ("including", "among", "like"):
        return True
    return tok.lower_ == "as" and any(c.lower_ == "such" for c in tok.children)


def _is_role(span: Span) -> bool:
    root = span.root
    if root.dep_ == "appos" and root.head.lower_ in lex.ROLES:
        return True
    # "X, his sister Y": the role noun introduces Y, it says nothing of X
    if any(c.dep_ in ("compound", "appos") and c.lower_ in lex.ROLES and not any(
            g.dep_ in ("appos", "compound") and g.pos_ == "PROPN" for g in c.children)
           for c in root.children):
        return True
    return any(t.lower_ in lex.ROLES for t in span)


# ---------------------------------------------------------------- arguments


def _verb_patients(v: Token) -> list[Token]:
    kids = list(v.children)
    if lex.is_passive(v):
        subj = [c for c in kids if c.dep_ in ("nsubjpass", "nsubj")]
        if subj:
            return subj
        if v.dep_ in ("acl", "amod", "relcl") and v.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return [v.head]
        inherited = lex.inherited_subject(v)
        return [inherited] if inherited is not None else []
    if v.lower_ in lex.PASSIVE_ONLY:
        return []
    if any(c.dep_ == "xcomp" for c in kids):  # "tried to leave"
        return []
    return [c for c in kids if c.dep_ in ("dobj", "dative")]


def _companions(v: Token, view: _View) -> list[Mention]:
    """People sharing the event: "together with X", "along with X"."""
    out: list[Mention] = []
    for c in v.children:
        if c.dep_ != "prep":
            continue
        if c.lower_ == "along":
            c = next((w for w in c.children if w.dep_ == "prep" and w.lower_ == "with"), c)
        elif not (c.lower_ == "with" and any(a.lower_ == "together" for a in c.children)
                  or c.lower_ in lex.COMPANION_PREPS or _is_including(c)):
            continue
        p = pobj(c)
        if p is not None and c.lower_ != "along":
            out += view.others(view.people(p))
    return out


def _owners(thing: Token, view: _View) -> list[Mention]:
    """Whose seized property ``thing`` is: "her cameras", "the passport of X"."""
    out: list[Mention] = []
    for t in [thing, *[c for c in thing.children if c.dep_ == "conj"]]:
        for c in t.children:
            if c.dep_ == "poss":
                out += view.people(c)
            elif c.dep_ == "prep" and c.lower_ in ("of", "from", "belonging"):
                p = pobj(c)
                if p is not None:
                    out += view.people(p)
        if out:
            break
    return out


def _seized_from(v: Token, things: list[Token], view: _View) -> list[Mention]:
    """Whose property a seizure took: the owner named, else the person it happened to."""
    owners = [m for p in things for m in _owners(p, view)]
    named = [w for t in things for p in (t, *t.conjuncts)
             for w in (p, *(pobj(c) for c in p.children if c.dep_ == "prep" and c.lower_ == "of"))
             if w is not None]  # "most of the footage"
    if owners or not any(w.lower_ in lex.SEIZABLE for w in named):
        return owners
    if v.dep_ == "conj" and v.head.lower_ in lex.VERB_TYPE:  # "arrested Yip and seized drives"
        return [m for a in _verb_patients(v.head) for m in view.people(a)]
    ante = view.antecedent(v)  # "They seized two cameras": the person the story is about
    return [ante] if ante is not None else []


def _clause_args(v: Token, view: _View) -> list[Mention]:
    """Who is where a place noun puts them: "X remains in custody", "police kept X in jail"."""
    objs = [c for c in v.children if c.dep_ == "dobj"]
    people = [m for o in objs for m in view.people(o)]
    if people:
        return people
    subj = lex.subject(v) or lex.inherited_subject(v)
    return (view.people(subj) if subj is not None else []) + _companions(v, view)


def _noun_args(n: Token, etype: str, view: _View) -> list[Mention]:
    direct = _direct_noun_args(n, etype, view)
    if not direct and n.dep_ == "compound":  # "an arrest warrant for X", "X's travel ban"
        direct = _direct_noun_args(n.head, etype, view)
    if not direct:  # "the arrest, detention and charging of X": coordinated triggers share X
        for c in n.conjuncts:
            if c.pos_ == "NOUN" and (c.lower_ in lex.NOUN_TYPE or c.lower_ in lex.PLACE_NOUNS):
                direct = _direct_noun_args(c, etype, view)
                if direct:
                    break
    if direct:
        return direct
    if any(c.dep_ == "poss" for c in n.children) and any(
            c.dep_ == "prep" and c.lower_ == "of" for c in n.children):
        return []  # "his questioning of official history": his own act, about no one named
    found = _positional_noun_args(n, etype, view)
    if not found and n.lower_ in lex.NOUN_TYPE and n.dep_ in ("dobj", "pobj") \
            and any(c.dep_ == "det" and c.lower_ == "the" for c in n.children) \
            and not any(c.dep_ == "prep" for c in n.children):
        found = view.recent_people(n)  # "the trial": the one the text was just about
    return found


def _direct_noun_args(n: Token, etype: str, view: _View) -> list[Mention]:
    direct: list[Mention] = []
    # "their questioning of the witness": with an "of" object the possessor is the agent
    agent_poss = any(c.dep_ == "prep" and c.lower_ == "of" for c in n.children)
    for c in n.children:
        if c.dep_ == "poss" and agent_poss:
            continue
        if c.dep_ == "poss" or c.dep_ == "compound" and c.i in view.by_token:
            # "President Trump's travel ban" is his decree, not a ban on him
            direct += [m for m in view.people(c) if c.dep_ != "poss" or not view.is_authority(m)]
        elif c.dep_ == "prep" and c.lower_ in ("of", "against", "on", "for"):
            p = pobj(c)
            if p is not None:
                direct += _owners(p, view) if etype == "confiscation" else view.people(p)
        elif c.dep_ == "acl" and c.lower_ in lex.IMPOSED:  # "the ban imposed on his wife, X"
            direct += [m for g in c.children if g.dep_ == "prep" and g.lower_ in ("on", "against")
                       for p in [pobj(g)] if p is not None for m in view.people(p)]
    return direct


def _positional_noun_args(n: Token, etype: str, view: _View) -> list[Mention]:
    """A noun trigger without its own argument: where it stands says whose it is."""
    base = n
    while base.dep_ == "conj":
        base = base.head
    head = base.head
    if etype == "ban" and n.dep_ in ("dobj", "conj") and n.head.lower_ in lex.VERB_TYPE:
        # "sentenced X to ten years and a travel ban", the ban parsed as an object or conjunct
        return [m for a in _verb_patients(n.head) if a != n for m in view.people(a)]
    if base.dep_ in ("dobj", "nsubjpass") and head.lower_ in lex.VERDICT_VERBS:
        # "sentences were confirmed for seven journalists, including X"
        found = [m for c in head.children if c.dep_ == "prep" and c.lower_ in ("for", "on", "against")
                 for p in [pobj(c)] if p is not None for m in view.people(p)]
        if found:
            return found
    if base.dep_ in ("dobj", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
        if head.lower_ in lex.GIVE_VERBS:
            # "handed him a sentence", "was given a ban", "handed the novelist X a sentence"
            rec = [c for c in head.children if c.dep_ in ("dative", "nsubjpass")
                   or c.dep_ == "dobj" and c != base]
            return [m for r in rec for m in view.people(r)]
        if head.lower_ in lex.SUBJECT_VERBS:
            s = lex.subject(head) or lex.inherited_subject(head)
            return view.people(s) if s is not None else []
        return []
    if base.dep_ not in ("pobj", "pcomp"):
        return []
    prep = head
    verb = prep.head
    if etype == "arrest" and prep.lower_ == "in" and DURATION.search(verb.text):
        return _after_time_in(verb, view)  # "freed after 18 days in detention"
    if etype == "charge" and prep.lower_ in ("on", "over") and verb.pos_ == "NOUN" \
            and lex.NOUN_TYPE.get(verb.lower_) in ("arrest", "sentence", "charge"):
        # "the sentencing of X on charges of ...": the charge is an event too
        return _noun_args(verb, lex.NOUN_TYPE[verb.lower_], view)
    if verb.pos_ not in ("VERB", "AUX"):
        return []
    p = prep.lower_
    if p == "to" and etype == "ban" and lex.VERB_TYPE.get(verb.lower_) == "sentence":
        return [m for a in _verb_patients(verb) for m in view.people(a)]
    if etype == "charge" and p in ("on", "over") and lex.VERB_TYPE.get(verb.lower_) in (
            "arrest", "sentence", "charge"):
        # "arrested on charges of ...", "jailed on charges": the charge is an event too
        return [m for a in _verb_patients(verb) for m in view.people(a)]
    if verb.lower_ in lex.VERB_TYPE or verb.lower_ in lex.DIED:
        return []  # the verb is itself the event ("arrested on charges of...")
    if p in ("in", "into", "under", "to") and (n.lower_ not in ("prison", "jail", "station")
                                               or verb.lower_ in lex.STATE_VERBS):
        return _clause_args(verb, view)
    if p == "on" and etype in ("hunger_strike", "charge"):
        if verb.lower_ in ("put", "puts", "putting", "placed"):
            return [m for a in _verb_patients(verb) for m in view.people(a)]
        return _clause_args(verb, view)
    if p == "for" and etype == "summons" and verb.lower_ in lex.BRING:  # "taken in for questioning"
        return [m for a in _verb_patients(verb) for m in view.people(a)]
    if p == "with" and verb.lower_.startswith("threat"):
        return _clause_args(verb, view)
    return []


def _after_time_in(dur: Token, view: _View) -> list[Mention]:
    """Who spent the time: "after 18 days in detention", "spent a year in prison"."""
    if dur.dep_ == "pobj" and dur.head.lower_ in ("after", "following", "for"):
        verb = dur.head.head
    elif dur.dep_ in ("dobj", "npadvmod") and dur.head.lower_ in lex.STATE_VERBS | {"served"}:
        verb = dur.head
    else:
        return []
    if verb.pos_ not in ("VERB", "AUX"):
        return []
    if verb.lower_ in lex.VERB_TYPE:
        return [m for a in _verb_patients(verb) for m in view.people(a)]
    return _clause_args(verb, view)


def _among_those(v: Token, view: _View) -> list[Mention]:
    """"Among those detained are X and Y": the people are the copula's subject."""
    head = v.head
    if v.dep_ not in ("acl", "relcl", "amod") or head.dep_ != "pobj":
        return []
    if head.head.lower_ not in ("among", "including"):
        return []
    cop = head.head.head
    subj = [c for c in cop.children if c.dep_ in ("nsubj", "attr", "nsubjpass")]
    return [m for c in subj for m in view.people(c)]


def _found_guilty(t: Token, view: _View) -> list[Mention]:
    """"X was found guilty", "the court found X guilty": the person convicted."""
    v = t.head
    who = [c for c in t.children if c.dep_ == "nsubj"]
    who += [c for c in v.children if c.dep_ in ("nsubjpass", "dobj")]
    if not who and lex.is_passive(v):
        inherited = lex.inherited_subject(v)
        who = [inherited] if inherited is not None else []
    return [m for w in who for m in view.people(w)]


def _trigger_args(t: Token, etype: str, view: _View) -> list[Mention]:
    if etype == "killing" and t.lower_ in lex.DIED:
        # read off the words, not the parse: "died in custody days after" is often misparsed
        after = {x.lower_ for x in t.doc[t.i + 1: t.i + 5]}
        after |= {x.lower_ for c in t.children if c.dep_ == "prep" and c.lower_ in ("in", "at")
                  for x in c.subtree}
        if not after & lex.CUSTODY_WORDS:
            return []
        s = lex.subject(t) or lex.inherited_subject(t)
        return view.people(s) if s is not None else []
    if t.lower_ == "guilty":
        return _found_guilty(t, view)
    if t.lower_ == "bars":  # "behind bars": where the clause puts its subject
        verb = t.head.head if t.head.lower_ == "behind" else t.head
        return _clause_args(verb, view) if verb.pos_ in ("VERB", "AUX") else []
    if t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB") or t.dep_ == "amod":
        if t.pos_ in ("NOUN", "PROPN") and t.lower_ in lex.NOUN_TYPE and t.dep_ != "amod":
            return _noun_args(t, etype, view)
        if t.dep_ == "amod":
            target = t.head
            while target.dep_ == "compound" and target.head != target:
                target = target.head  # "detained filmmaker Ali Rezaei"
            return view.people(target) if etype != "confiscation" else _owners(target, view)
        if etype == "killing" and t.lower_ in lex.SHOT and not any(
                x.lower_ == "dead" for x in t.doc[t.i + 1: t.i + 6]):
            return []
        if t.lower_ in lex.NEEDS_FROM and not any(c.dep_ == "prep" and c.lower_ == "from"
                                               for c in t.children):
            return []
        if t.lower_ in lex.HOLD and not lex.is_passive(t) and not any(
                c.lower_ in ("for", "in", "without", "incommunicado") for c in t.children):
            return []  # "the collection holds Polaroids of X"; but "held her for two days"
        patients = _verb_patients(t)
        if not patients and t.tag_ == "VBG":  # "the charging of X": a gerund used as a noun
            patients = [p for c in t.children if c.dep_ == "prep" and c.lower_ == "of"
                        for p in [pobj(c)] if p is not None]
        if etype == "confiscation":
            return _seized_from(t, patients, view)
        found = [m for p in patients for m in view.people(p)]
        if patients:  # "arrested six staff members, including X" hangs X on the verb
            found += _companions(t, view)
        if not found and t.dep_ == "pcomp" and t.head.lower_ == "for":  # "taken in for questioning"
            found = _positional_noun_args(t, etype, view)
        return found or _among_those(t, view)
    return _noun_args(t, etype, view)


# ---------------------------------------------------------------- the entry point


def find_events(doc: Doc, mentions: list[Mention], published: date | None = None) -> list[Event]:
    """Events in ``doc`` tied to the person ``mentions`` (only kind == 'person' count)."""
    view = _View(doc, mentions)
    if not view.spans:
        return []
    out: dict[tuple[str, str, int], Event] = {}
    # the trigger each kept event came from, and whether a date made it background
    at: dict[tuple[str, str, int], tuple[Token, bool]] = {}
    for _, start, end in sorted(lex.trigger_matcher(doc.vocab)(doc), key=lambda m: (m[1], m[2])):
        t = doc[end - 1]
        etype = lex.trigger_type(t)
        if etype is None:
            continue
        people = [m for m in _trigger_args(t, etype, view) if not view.aside(m, t)]
        if etype == "release" and _work_released(t):
            people = []
        listed = _listed_people(t, view)
        if not people and not listed:
            continue
        group = list(dict.fromkeys([*people, *listed]))
        view.remember(group, t)
        negated, hypothetical = lex.flags(t)
        day, precision, background, anchored = _when(t, published)
        sent = t.sent
        types = [etype]
        if etype == "arrest" and t.lower_ in lex.JAILED_FORMS and timing.sentence_term(t, etype):
            types.append("sentence")  # "jailed X for 18 years" is a prison term
        for m in group:
            for kind in types:
                ev = Event(type=kind, person=m.name, sentence=sent.text,
                           sent_start=sent.start_char, date=day,
                           term=timing.sentence_term(t, etype), background=background,
                           negated=negated, hypothetical=hypothetical,
                           trigger=doc[start:end].text, date_precision=precision)
                _keep(out, at, ev, (t, anchored))
    for tok in doc:
        if tok.lower_ in lex.ACQUITTED:  # "X, who stood trial alongside her, was acquitted"
            cleared = {m.name for a in _verb_patients(tok) for m in view.people(a)}
            for key, ev in list(out.items()):
                if ev.type == "charge" and ev.person in cleared and \
                        ev.sent_start == tok.sent.start_char:
                    out[key] = replace(ev, negated=True)
    found = sorted(out.values(), key=lambda e: (e.sent_start, e.person, e.type))
    return _story_background(doc, found, at)


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
    text = doc.text  # Doc.text joins every token on each access
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


def _listed_people(t: Token, view: _View) -> list[Mention]:
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
