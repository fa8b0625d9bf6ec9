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
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from extract.entities import PERSON, Mention

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span, Token
    from spacy.vocab import Vocab

log = logging.getLogger(__name__)

EVENT_TYPES = (
    "arrest",
    "charge",
    "summons",
    "sentence",
    "release",
    "ban",
    "confiscation",
    "hunger_strike",
    "killing",
)


@dataclass(frozen=True)
class Event:
    """One event that a sentence reports about one person."""

    type: str  # one of EVENT_TYPES
    person: str  # the person's name as resolved by the mentions (Mention.name)
    sentence: str
    sent_start: int
    date: date | None = None
    term: str | None = None
    background: bool = False  # placed clearly before the publication date
    negated: bool = False
    hypothetical: bool = False
    trigger: str = ""

    @property
    def asserted(self) -> bool:
        """Reported as having happened (neither negated nor hypothetical)."""
        return not (self.negated or self.hypothetical)


# ---------------------------------------------------------------- trigger lexicon

_IRREGULAR = {
    "hold": ("hold", "holds", "held", "holding"),
    "free": ("freed", "frees", "freeing"),  # the adjective "free" ("free to travel") is not one
    "try": ("tried", "tries"),  # "try" itself is mostly "try to"
    "hang": ("hanged",),  # "hung" is for pictures
    "shoot": ("shot", "shoots", "shooting"),
    "forbid": ("forbid", "forbids", "forbidden", "forbade"),
    "put": ("put", "puts", "putting"),
    "stop": ("stopped", "stopping"),
    "seek": ("seek", "seeks", "sought", "seeking"),
    "begin": ("begin", "begins", "began", "begun", "beginning"),
    "get": ("get", "gets", "got", "getting"),
    "undergo": ("undergo", "undergoes", "underwent", "undergone"),
    "stand": ("stand", "stands", "stood", "standing"),
    "win": ("win", "wins", "won"),
    "give": ("give", "gives", "gave", "given", "giving"),
    "take": ("take", "takes", "took", "taken", "taking"),
    "send": ("send", "sends", "sent"),
    "keep": ("keep", "keeps", "kept"),
    "spend": ("spend", "spends", "spent"),
    "be": ("be", "is", "are", "was", "were", "been", "being"),
}
_DOUBLED = {"ban", "bar", "slap"}


def _verb_forms(base: str) -> tuple[str, ...]:
    if base in _IRREGULAR:
        return _IRREGULAR[base]
    if base in _DOUBLED:
        return (base, base + "s", base + base[-1] + "ed", base + base[-1] + "ing")
    if base.endswith("e"):
        return (base, base + "s", base + "d", base[:-1] + "ing")
    if base.endswith("y") and base[-2] not in "aeiou":
        return (base, base[:-1] + "ies", base[:-1] + "ied", base + "ing")
    return (base, base + "s", base + "ed", base + "ing")


def _verbs(bases: str, extra: str = "") -> frozenset[str]:
    """Every form of the space-separated verbs, plus ``extra`` words as they are."""
    return frozenset({f for b in bases.split() for f in _verb_forms(b)} | set(extra.split()))


# verbs whose passive subject or object is the person the event happens to
_VERBS = {
    "arrest": "arrest detain jail imprison apprehend incarcerate hold rearrest redetain",
    "charge": "charge indict prosecute try accuse",
    "summons": "summon interrogate question",
    "sentence": "sentence convict",
    "release": "release free bail pardon",
    "ban": "ban bar prohibit forbid prevent stop",
    "confiscation": "confiscate seize impound",
    "killing": "kill execute murder assassinate hang shoot",
}
_NOUNS = {
    "arrest": "arrest arrests detention detentions imprisonment jailing incarceration custody",
    "charge": "charge charges indictment trial prosecution",
    "summons": "summons interrogation interrogations questioning summoning",
    "sentence": "sentence sentences conviction sentencing",
    "release": "release pardon bail",
    "ban": "ban bans",
    "confiscation": "confiscation seizure",
    "hunger_strike": "strike strikes",  # only with "hunger" before it (see _is_trigger)
    "killing": "killing murder execution assassination",
}
_VERB_TYPE = {f: t for t, vs in _VERBS.items() for f in _verbs(vs)}
_NOUN_TYPE = {n: t for t, ns in _NOUNS.items() for n in ns.split()}
_JAILED_FORMS = _verbs("jail imprison")
_SHOT = _verbs("shoot")  # a killing only when "shot dead"
_PASSIVE_ONLY = _verbs("accuse try")  # "was accused", "was tried"; not "tried to"
_NEEDS_FROM = _verbs("prevent stop")  # "prevented X from boarding"
_HOLD = _verbs("hold")
_ACQUITTED = _verbs("acquit", "acquitted")
# "in prison" gives an arrest only after a verb of being somewhere: "remains in prison"
_PLACE_NOUNS = frozenset({"prison", "jail", "custody", "detention"})
_STATE_VERBS = _verbs("be remain stay languish spend keep put place take send throw move "
                      "transfer return")
_DIED = _verbs("die")

TRIGGER_FORMS: dict[str, frozenset[str]] = {
    t: frozenset(_verbs(_VERBS.get(t, "")) | set(_NOUNS.get(t, "").split())) for t in EVENT_TYPES
}
TRIGGER_FORMS["arrest"] |= {"prison", "jail", "custody"}
TRIGGER_FORMS["killing"] |= {"died"}
TRIGGER_FORMS["hunger_strike"] = frozenset({"hunger"})

# ---------------------------------------------------------------- cue words

_NEG_HEADS = _verbs("deny refuse reject avoid escape evade fail", "without")
_HYP_HEADS = _verbs(
    "call urge demand ask appeal seek want hope fear risk face threaten warn plan intend expect "
    "order campaign press await",
    "threat warrant likely possible could would might may if unless until pending possibility "
    "prospect")
_MODALS = frozenset("may might could would should can must will shall 'll wo ca".split())
_PAST_CUES = frozenset({"previously", "formerly", "once"})  # not "earlier this week"
# walking up from a trigger stops at these: the clause above is a separate assertion
_CLAUSE_STOP = frozenset({"relcl", "acl", "appos", "ROOT", "parataxis", "advcl", "csubj"})
_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
_RELATIVE = frozenset({"who", "whom", "that", "which", "whose"})
# people in these roles report or represent; a pronoun rarely means them. Not "director"
# or "producer": in this domain they are as often the subject.
_ROLES = frozenset(
    "lawyer lawyers attorney counsel advocate spokesperson spokesman spokeswoman judge "
    "prosecutor minister official wife husband mother father son daughter brother sister "
    "relative cousin uncle aunt friend colleague agent publisher organiser organizer president "
    "chair secretary founder partner fiancee fiance representative chief".split())
_AUTHORITIES = frozenset("president minister judge prosecutor governor official chief king "
                         "ayatollah general mayor".split())
_REFLEXIVE = frozenset({"himself", "herself"})
# property whose owner may go unsaid ("they seized two cameras"); "seized power" is not one
_SEIZABLE = frozenset(
    "passport passports camera cameras laptop laptops computer computers phone phones drive "
    "drives footage equipment film films reels copies copy books manuscripts documents notebooks "
    "property assets archive archives hard memory cards tapes material materials".split())
# "both directors", "the three women", "they": the group named just before
_GROUP_DETS = frozenset({"both", "two", "three", "four", "five", "all"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
# a noun trigger as object is the subject's event ("began a hunger strike")...
_SUBJECT_VERBS = _verbs("begin start launch stage serve receive get face risk end continue "
                        "undergo endure escape avoid announce enter join stand win secure")
# ...or the receiver's ("handed him a sentence", "was granted bail")
_GIVE_VERBS = _verbs("hand give impose issue grant slap order")
_DURATION = re.compile(r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.I)
_AGO = re.compile(r"\b(?:ago|last|previous|earlier)\b", re.I)
_YEAR = re.compile(r"^(?:in\s+)?((?:19|20)\d\d)$")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014\u00b7]|\d{1,2}[.)])\s+")
_BACKGROUND_DAYS = 31
_TIME_PREPS = frozenset("in on at since during from by until till before after between around of "
                        "early late".split())

# ---------------------------------------------------------------- matcher, once per Vocab

_MATCHERS: dict[int, tuple[Vocab, Matcher]] = {}


def _matcher(vocab: Vocab) -> Matcher:
    """The trigger matcher for ``vocab``, built on first use and kept for later docs."""
    cached = _MATCHERS.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    from spacy.matcher import Matcher

    m = Matcher(vocab)
    words = sorted(set(_VERB_TYPE) | set(_NOUN_TYPE) | _PLACE_NOUNS | _DIED | {"station"})
    m.add("TRIGGER", [[{"LOWER": {"IN": words}}]])
    m.add("HUNGER", [[{"LOWER": "hunger"}, {"ORTH": "-", "OP": "?"},
                      {"LOWER": {"IN": ["strike", "strikes", "striking"]}}]])
    _MATCHERS[id(vocab)] = (vocab, m)
    return m


# ---------------------------------------------------------------- the document view


class _View:
    """A parsed document with its person mentions mapped onto tokens."""

    def __init__(self, doc: Doc, mentions: Iterable[Mention]) -> None:
        self.doc = doc
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
                        out += self.people(c if c.dep_ != "prep" else _pobj(c) or c, seen)
            return out
        if low in _PRONOUNS:
            ante = self.antecedent(tok)
            return [ante] if ante else []
        if low in _PLURAL_PRONOUNS or any(c.dep_ in ("det", "nummod", "predet") and
                                          c.lower_ in _GROUP_DETS for c in tok.children):
            return self.group(tok)
        if low in _RELATIVE and tok.head.dep_ in ("relcl", "acl"):
            return self.people(tok.head.head, seen)
        for c in tok.children:
            if c.lower_ in _REFLEXIVE:
                continue
            if c.dep_ in ("conj", "appos") or c.dep_ == "compound" and c.i in self.by_token:
                out += self.people(c, seen)
            elif _is_including(c):
                p = _pobj(c)
                if p is not None:
                    out += self.people(p, seen)
            elif c.dep_ == "prep" and c.lower_ == "of" and not out:
                # "the director of the festival, X": the parser hangs X on "festival"
                p = _pobj(c)
                if p is not None and p.i not in self.by_token:
                    out += [m for a in p.children if a.dep_ == "appos"
                            for m in self.people(a, seen)]
        return out

    def is_authority(self, m: Mention) -> bool:
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        words = {t.lower_ for t in span} | {c.lower_ for c in span.root.children}
        return bool(words & _AUTHORITIES)

    def remember(self, people: list[Mention], trigger: Token) -> None:
        """Keep who the last trigger was about, for "they" and for "... and questioned her"."""
        self.last_people, self.last_trigger = people, trigger
        if len(people) > 1:
            self.last_group, self.last_group_sent = people, trigger.sent.start

    def group(self, tok: Token) -> list[Mention]:
        """The people of the last multi-person event, when it is in this or the last sentence."""
        if not self.last_group:
            return []
        start = tok.sent.start
        prev_start = self.doc[start - 1].sent.start if start > 0 else start
        return list(self.last_group) if self.last_group_sent >= prev_start else []

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


def _pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)


def _is_including(tok: Token) -> bool:
    if tok.dep_ != "prep":
        return False
    if tok.lower_ in ("including", "among", "like"):
        return True
    return tok.lower_ == "as" and any(c.lower_ == "such" for c in tok.children)


def _is_role(span: Span) -> bool:
    root = span.root
    if root.dep_ == "appos" and root.head.lower_ in _ROLES:
        return True
    if any(c.dep_ in ("compound", "appos") and c.lower_ in _ROLES for c in root.children):
        return True
    return any(t.lower_ in _ROLES for t in span)


# ---------------------------------------------------------------- arguments


def _is_passive(v: Token) -> bool:
    kids = list(v.children)
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in kids):
        return True
    if v.tag_ != "VBN":
        return False
    return not any(c.dep_ in ("nsubj", "dobj") or c.dep_ == "aux" and c.lower_ in
                   ("have", "has", "had", "having") for c in kids)


def _subject(v: Token) -> Token | None:
    for dep in ("nsubjpass", "nsubj"):
        s = next((c for c in v.children if c.dep_ == dep), None)
        if s is not None:
            return s
    return None


def _inherited_subject(v: Token) -> Token | None:
    """Subject of a subjectless passive clause: "was freed after being pardoned"."""
    cur = v
    for _ in range(4):
        if cur.dep_ not in ("conj", "xcomp", "advcl", "pcomp", "prep") or cur.head == cur:
            return None
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            s = _subject(cur)
            if s is not None:
                return s
    return None


def _verb_patients(v: Token) -> list[Token]:
    kids = list(v.children)
    if _is_passive(v):
        subj = [c for c in kids if c.dep_ in ("nsubjpass", "nsubj")]
        if subj:
            return subj
        if v.dep_ in ("acl", "amod", "relcl") and v.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return [v.head]
        inherited = _inherited_subject(v)
        return [inherited] if inherited is not None else []
    if v.lower_ in _PASSIVE_ONLY:
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
                  or _is_including(c)):
            continue
        p = _pobj(c)
        if p is not None and c.lower_ != "along":
            out += view.people(p)
    return out


def _owners(thing: Token, view: _View) -> list[Mention]:
    """Whose seized property ``thing`` is: "her cameras", "the passport of X"."""
    out: list[Mention] = []
    for t in [thing, *[c for c in thing.children if c.dep_ == "conj"]]:
        for c in t.children:
            if c.dep_ == "poss":
                out += view.people(c)
            elif c.dep_ == "prep" and c.lower_ in ("of", "from", "belonging"):
                p = _pobj(c)
                if p is not None:
                    out += view.people(p)
        if out:
            break
    return out


def _seized_from(v: Token, things: list[Token], view: _View) -> list[Mention]:
    """Whose property a seizure took: the owner named, else the person it happened to."""
    owners = [m for p in things for m in _owners(p, view)]
    named = [w for t in things for p in (t, *t.conjuncts)
             for w in (p, *(_pobj(c) for c in p.children if c.dep_ == "prep" and c.lower_ == "of"))
             if w is not None]  # "most of the footage"
    if owners or not any(w.lower_ in _SEIZABLE for w in named):
        return owners
    if v.dep_ == "conj" and v.head.lower_ in _VERB_TYPE:  # "arrested Yip and seized drives"
        return [m for a in _verb_patients(v.head) for m in view.people(a)]
    ante = view.antecedent(v)  # "They seized two cameras": the person the story is about
    return [ante] if ante is not None else []


def _clause_args(v: Token, view: _View) -> list[Mention]:
    """Who is where a place noun puts them: "X remains in custody", "police kept X in jail"."""
    objs = [c for c in v.children if c.dep_ == "dobj"]
    people = [m for o in objs for m in view.people(o)]
    if people:
        return people
    subj = _subject(v) or _inherited_subject(v)
    return (view.people(subj) if subj is not None else []) + _companions(v, view)


def _noun_args(n: Token, etype: str, view: _View) -> list[Mention]:
    direct = _direct_noun_args(n, etype, view)
    if not direct and n.dep_ == "compound":  # "an arrest warrant for X", "X's travel ban"
        direct = _direct_noun_args(n.head, etype, view)
    if direct:
        return direct
    return _positional_noun_args(n, etype, view)


def _direct_noun_args(n: Token, etype: str, view: _View) -> list[Mention]:
    direct: list[Mention] = []
    for c in n.children:
        if c.dep_ == "poss" or c.dep_ == "compound" and c.i in view.by_token:
            # "President Trump's travel ban" is his decree, not a ban on him
            direct += [m for m in view.people(c) if c.dep_ != "poss" or not view.is_authority(m)]
        elif c.dep_ == "prep" and c.lower_ in ("of", "against", "on", "for"):
            p = _pobj(c)
            if p is not None:
                direct += _owners(p, view) if etype == "confiscation" else view.people(p)
    return direct


def _positional_noun_args(n: Token, etype: str, view: _View) -> list[Mention]:
    """A noun trigger without its own argument: where it stands says whose it is."""
    base = n
    while base.dep_ == "conj":
        base = base.head
    head = base.head
    if etype == "ban" and n.dep_ in ("dobj", "conj") and n.head.lower_ in _VERB_TYPE:
        # "sentenced X to ten years and a travel ban", the ban parsed as an object or conjunct
        return [m for a in _verb_patients(n.head) if a != n for m in view.people(a)]
    if base.dep_ in ("dobj", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
        if head.lower_ in _GIVE_VERBS:
            # "handed him a sentence", "was given a ban", "handed the novelist X a sentence"
            rec = [c for c in head.children if c.dep_ in ("dative", "nsubjpass")
                   or c.dep_ == "dobj" and c != base]
            return [m for r in rec for m in view.people(r)]
        if head.lower_ in _SUBJECT_VERBS:
            s = _subject(head) or _inherited_subject(head)
            return view.people(s) if s is not None else []
        return []
    if base.dep_ != "pobj":
        return []
    prep = head
    verb = prep.head
    if etype == "arrest" and prep.lower_ == "in" and _DURATION.search(verb.text):
        return _after_time_in(verb, view)  # "freed after 18 days in detention"
    if verb.pos_ not in ("VERB", "AUX"):
        return []
    p = prep.lower_
    if p == "to" and etype == "ban" and _VERB_TYPE.get(verb.lower_) == "sentence":
        return [m for a in _verb_patients(verb) for m in view.people(a)]
    if verb.lower_ in _VERB_TYPE or verb.lower_ in _DIED:
        return []  # the verb is itself the event ("arrested on charges of...")
    if p in ("in", "into", "under", "to") and (n.lower_ not in ("prison", "jail", "station")
                                               or verb.lower_ in _STATE_VERBS):
        return _clause_args(verb, view)
    if p == "on" and etype in ("hunger_strike", "charge"):
        if verb.lower_ in ("put", "puts", "putting", "placed"):
            return [m for a in _verb_patients(verb) for m in view.people(a)]
        return _clause_args(verb, view)
    if p == "with" and verb.lower_.startswith("threat"):
        return _clause_args(verb, view)
    return []


def _after_time_in(dur: Token, view: _View) -> list[Mention]:
    """Who spent the time: "after 18 days in detention", "spent a year in prison"."""
    if dur.dep_ == "pobj" and dur.head.lower_ in ("after", "following", "for"):
        verb = dur.head.head
    elif dur.dep_ in ("dobj", "npadvmod") and dur.head.lower_ in _STATE_VERBS | {"served"}:
        verb = dur.head
    else:
        return []
    if verb.pos_ not in ("VERB", "AUX"):
        return []
    if verb.lower_ in _VERB_TYPE:
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


def _trigger_args(t: Token, etype: str, view: _View) -> list[Mention]:
    if etype == "killing" and t.lower_ in _DIED:
        # read off the words, not the parse: "died in custody days after" is often misparsed
        after = {x.lower_ for x in t.doc[t.i + 1: t.i + 5]}
        if not after & {"custody", "detention", "prison", "jail", "torture"}:
            return []
        s = _subject(t) or _inherited_subject(t)
        return view.people(s) if s is not None else []
    if t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB") or t.dep_ == "amod":
        if t.pos_ in ("NOUN", "PROPN") and t.lower_ in _NOUN_TYPE and t.dep_ != "amod":
            return _noun_args(t, etype, view)
        if t.dep_ == "amod":
            target = t.head
            while target.dep_ == "compound" and target.head != target:
                target = target.head  # "detained filmmaker Ali Rezaei"
            return view.people(target) if etype != "confiscation" else _owners(target, view)
        if etype == "killing" and t.lower_ in _SHOT and not any(
                x.lower_ == "dead" for x in t.doc[t.i + 1: t.i + 6]):
            return []
        if t.lower_ in _NEEDS_FROM and not any(c.dep_ == "prep" and c.lower_ == "from"
                                               for c in t.children):
            return []
        if t.lower_ in _HOLD and not _is_passive(t) and not any(
                c.lower_ in ("for", "in", "without", "incommunicado") for c in t.children):
            return []  # "the collection holds Polaroids of X"; but "held her for two days"
        patients = _verb_patients(t)
        if etype == "confiscation":
            return _seized_from(t, patients, view)
        found = [m for p in patients for m in view.people(p)]
        if patients:  # "arrested six staff members, including X" hangs X on the verb
            found += _companions(t, view)
        return found or _among_those(t, view)
    return _noun_args(t, etype, view)


def _is_trigger(t: Token) -> str | None:
    low = t.lower_
    if low in ("strike", "strikes", "striking"):
        prev = t.nbor(-1) if t.i > 0 else None
        if prev is not None and prev.text == "-" and t.i > 1:
            prev = t.nbor(-2)
        return "hunger_strike" if prev is not None and prev.lower_ == "hunger" else None
    if low in _DIED:
        return "killing"
    if t.pos_ in ("NOUN", "PROPN"):
        if low in _NOUN_TYPE:
            return _NOUN_TYPE[low]
        if low in _PLACE_NOUNS:
            return "arrest"
        if low == "station" and any(c.lower_ == "police" for c in t.children):
            return "arrest"
        return _VERB_TYPE.get(low) if low in ("bail", "bailed") else None
    if low in _VERB_TYPE and t.pos_ in ("VERB", "AUX", "ADJ"):
        return _VERB_TYPE[low]
    return _NOUN_TYPE.get(low) if t.pos_ not in ("ADP", "DET") else None


# ---------------------------------------------------------------- flags and attributes


def _flags(t: Token) -> tuple[bool, bool]:
    """(negated, hypothetical) from the trigger and the clauses that embed it."""
    negated = hypothetical = False
    cur = t
    via_conj = False
    for _ in range(8):
        for c in cur.children:
            if c.dep_ == "neg" and not via_conj or c.dep_ == "det" and c.lower_ == "no":
                negated = True
            if c.dep_ == "aux" and c.lower_ in _MODALS:
                hypothetical = True
            if c.dep_ == "aux" and c.tag_ == "TO" and cur == t:
                hypothetical = True
            if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"):
                hypothetical = True
            if c.lower_ == "warrant" or c.dep_ in ("compound", "amod", "nmod", "advmod") \
                    and c.lower_ in _HYP_HEADS:  # "risks" mis-tagged as a noun
                hypothetical = True
        if cur != t:
            if cur.lower_ in _NEG_HEADS:
                negated = True
            if cur.lower_ in _HYP_HEADS:
                hypothetical = True
        if cur.dep_ in _CLAUSE_STOP or cur.head == cur:
            break
        # "never arrested or questioned" shares the negation; "not arrested but questioned" not
        via_conj = cur.dep_ == "conj" and not any(
            c.dep_ == "cc" and c.lower_ in ("or", "nor") for c in cur.head.children)
        if cur.dep_ == "compound" and cur.head.lower_ == "warrant":
            hypothetical = True
        cur = cur.head
    return negated, hypothetical


@lru_cache(maxsize=4096)
def resolve_date(text: str, published: date | None) -> date | None:
    """A date expression ("on Friday", "in July", "3 March", "2010") as a day, never after
    ``published``; ``None`` for durations ("six years") or what dateparser cannot read."""
    import dateparser

    s = re.sub(r"^(?:on|in|since|from|by|at|during|early|late|mid)\s+", "", text.strip(),
               flags=re.I).strip()
    if not s or _DURATION.search(s) and not _AGO.search(s):
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
    p = _pobj(prep)
    if prep.lower_ not in _TIME_PREPS or p is None or depth > 2:
        return None
    found = _date_entity(p)
    for c in p.children:
        if found is None and c.dep_ == "prep":
            found = _date_under(c, depth + 1)
    return found


def _event_date(t: Token, published: date | None) -> tuple[date | None, bool]:
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
            if c.dep_ == "advmod" and c.lower_ in _PAST_CUES:
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
        d, head_past = _event_date(t.head, published)
        return d, past or head_past
    return None, past


def _term(t: Token, etype: str) -> str | None:
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
        p = _pobj(c)
        if p is None:
            continue
        toks = [x for x in p.subtree if not any(a.dep_ == "relcl" for a in x.ancestors
                                                if a.i in {y.i for y in p.subtree})]
        last = toks[-1].i if toks else p.i
        for extra in t.children:  # "to ten years and a travel ban", the ban parsed apart
            if extra.i > last and extra.dep_ in ("conj", "dobj") and extra.lower_ in _NOUN_TYPE:
                last = extra.right_edge.i
        text = p.doc[toks[0].i if toks else p.i: last + 1].text
        if etype == "arrest" and not _DURATION.search(text):
            continue
        return text.strip(" ,;")
    return None


# ---------------------------------------------------------------- the entry point


def find_events(doc: Doc, mentions: list[Mention], published: date | None = None) -> list[Event]:
    """Events in ``doc`` tied to the person ``mentions`` (only kind == 'person' count)."""
    view = _View(doc, mentions)
    if not view.spans:
        return []
    out: dict[tuple[str, str, int], Event] = {}
    for _, start, end in sorted(_matcher(doc.vocab)(doc), key=lambda m: (m[1], m[2])):
        t = doc[end - 1]
        etype = _is_trigger(t)
        if etype is None:
            continue
        people = _trigger_args(t, etype, view)
        listed = _listed_people(t, view)
        if not people and not listed:
            continue
        group = list(dict.fromkeys([*people, *listed]))
        view.remember(group, t)
        negated, hypothetical = _flags(t)
        when, past_cue = _event_date(t, published)
        ref = published or date.today()
        background = past_cue or (when is not None and ref - when > timedelta(_BACKGROUND_DAYS))
        sent = t.sent
        types = [etype]
        if etype == "arrest" and t.lower_ in _JAILED_FORMS and _term(t, etype):
            types.append("sentence")  # "jailed X for 18 years" is a prison term
        for m in group:
            for kind in types:
                ev = Event(type=kind, person=m.name, sentence=sent.text,
                           sent_start=sent.start_char, date=when, term=_term(t, etype),
                           background=background, negated=negated, hypothetical=hypothetical,
                           trigger=doc[start:end].text)
                _keep(out, ev)
    for tok in doc:
        if tok.lower_ in _ACQUITTED:  # "X, who stood trial alongside her, was acquitted"
            cleared = {m.name for a in _verb_patients(tok) for m in view.people(a)}
            for key, ev in list(out.items()):
                if ev.type == "charge" and ev.person in cleared and \
                        ev.sent_start == tok.sent.start_char:
                    out[key] = replace(ev, negated=True)
    return sorted(out.values(), key=lambda e: (e.sent_start, e.person, e.type))


def _keep(out: dict[tuple[str, str, int], Event], ev: Event) -> None:
    """One event per (person, type, sentence): asserted wins, then the one with a date."""
    key = (ev.person, ev.type, ev.sent_start)
    old = out.get(key)
    if old is None or ev.asserted and not old.asserted:
        out[key] = ev
    elif old.date is None and ev.date is not None and ev.asserted == old.asserted:
        out[key] = replace(old, date=ev.date, background=ev.background)


def _listed_people(t: Token, view: _View) -> list[Mention]:
    """People in a bulleted list right after a line that ends with ':' and holds ``t``."""
    text = view.doc.text
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
