"""Whom one trigger is about: the arguments of a trigger verb, noun or participle.

The passive subject or object of a verb, the ``of``/possessive argument of a noun, the
noun a participle modifies, and where a bare noun stands ("remains in detention",
"handed him a sentence"); seizures go to the owner of what was seized.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extract import event_lexicon as lex
from extract.entities import Mention
from extract.event_time import DURATION, pobj
from extract.event_view import View, is_including

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["asked_privately", "title_args", "trigger_args", "verb_patients", "work_released"]


def work_released(t: Token) -> bool:
    """"The film was released in cinemas", "released his new album": a work, not a person;
    "released from hospital": a place one leaves free, not custody."""
    things = [c for c in t.children if c.dep_ in ("nsubjpass", "dobj", "nsubj")]
    if t.dep_ in ("acl", "amod", "relcl", "conj"):
        things.append(t.head)
    places = [p for c in t.children if c.dep_ == "prep" and c.lower_ in ("to", "in", "on", "across")
              for p in [pobj(c)] if p is not None]
    left = [p for c in t.children if c.dep_ == "prep" and c.lower_ == "from"
            for p in [pobj(c)] if p is not None]
    return any(w.lower_ in lex.WORKS for w in things + places) or any(
        w.lower_ in lex.FREE_PLACES for w in left)


def asked_privately(t: Token) -> bool:
    """"Questioned by reporters about the film": questions that are no summons."""
    return any(p.lower_ in lex.PRIVATE_ASKERS for c in t.children if c.dep_ == "agent"
               for p in [pobj(c)] if p is not None)



_HAVE = frozenset({"have", "has", "had", "having", "get", "gets", "got", "getting"})
# who charges when they accuse: "prosecutors accused X of ..."
_ACCUSERS = frozenset({"prosecutor", "prosecutors", "prosecution", "police", "investigators",
                       "court", "judge", "authorities", "indictment"})


def verb_patients(v: Token) -> list[Token]:
    kids = list(v.children)
    if v.tag_ == "VBN" and v.dep_ in ("ccomp", "xcomp", "oprd") and v.head.lower_ in _HAVE:
        # "X had his passport confiscated", "the governor had him arrested": what the
        # participle's subject names underwent it
        return [c for c in kids if c.dep_ in ("nsubj", "nsubjpass")] or \
            [c for c in v.head.children if c.dep_ == "dobj"]
    if lex.is_passive(v):
        subj = [c for c in kids if c.dep_ in ("nsubjpass", "nsubj")]
        if subj:
            return subj
        if v.dep_ in ("acl", "amod", "relcl") and v.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return [v.head]
        objects = [c for c in v.head.children if c.dep_ == "dobj"] if v.dep_ == "xcomp" else []
        if objects:  # "the court ordered X to be detained": the object of the order
            return objects
        stray = _conj_out_of_relative(v)
        if stray is not None:
            return [stray]
        inherited = lex.inherited_subject(v)
        return [inherited] if inherited is not None else []
    if v.lower_ in lex.PASSIVE_ONLY:
        accuser = lex.subject(v)
        if v.lower_.startswith("accus") and accuser is not None and accuser.lower_ in _ACCUSERS:
            # "prosecutors accused X of spreading false news": a charge; "Y accused X of lying" not
            return [c for c in kids if c.dep_ == "dobj"]
        return []
    if any(c.dep_ == "xcomp" for c in kids):  # "tried to leave"
        return []
    objects = [c for c in kids if c.dep_ in ("dobj", "dative")]
    if not objects and _headline_passive(v):
        return [c for c in kids if c.dep_ == "nsubj"]
    return objects


def _conj_out_of_relative(v: Token) -> Token | None:
    """"X was tried during the crackdown that followed and sentenced to four months": a
    bare participle the parser joined to a relative clause's verb belongs with the passive
    main verb the relative clause hangs under; its subject is the person."""
    if v.dep_ != "conj" or v.tag_ != "VBN" or any(
            c.dep_ in ("nsubj", "nsubjpass", "dobj", "aux", "auxpass") for c in v.children):
        return None
    rel = v.head
    if rel.dep_ != "relcl":
        return None
    main = next((a for a in rel.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if main is None or not any(c.dep_ == "auxpass" for c in main.children):
        return None
    return next((c for c in main.children if c.dep_ == "nsubjpass"), None)


def _headline_passive(v: Token) -> bool:
    """A title drops "was": "Poet X detained at airport", "X freed on bail" (the parser
    reads an active verb with X as its subject and no object)."""
    sent = v.sent
    if v.dep_ != "ROOT" or v.tag_ not in ("VBD", "VBN") or not lex.is_title(sent.text):
        return False
    return not any(c.dep_ in ("aux", "auxpass", "neg", "prt") for c in v.children)


def _stranded_subject(v: Token) -> Token | None:
    """The subject the parser hung on an opening date ("On 3 May 2021 X was arrested",
    X parsed in apposition to May): a passive main verb whose subject names no one takes it."""
    if v.dep_ != "ROOT" or not any(c.dep_ == "auxpass" for c in v.children):
        return None
    for t in reversed(v.doc[v.sent.start: v.i]):
        if t.pos_ in ("VERB", "AUX") and t.head == v and t.dep_ != "auxpass":
            return None
        if t.pos_ == "PROPN" and t.dep_ in ("appos", "conj") and any(
                a.dep_ == "prep" and a.head == v for a in t.ancestors):
            return t
    return None


def _companions(v: Token, view: View) -> list[Mention]:
    """People sharing the event: "together with X", "along with X"."""
    out: list[Mention] = []
    for c in v.children:
        if c.dep_ != "prep":
            continue
        if c.lower_ == "along":
            c = next((w for w in c.children if w.dep_ == "prep" and w.lower_ == "with"), c)
        elif not (c.lower_ == "with" and (any(a.lower_ == "together" for a in c.children)
                                          or c.i > 0 and c.nbor(-1).lower_ in ("along", "together"))
                  or c.lower_ in lex.COMPANION_PREPS or is_including(c)):
            continue
        p = pobj(c)
        if p is not None and c.lower_ != "along":
            out += view.others(view.people(p))
    return out


def _owners(thing: Token, view: View) -> list[Mention]:
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


def _seized_from(v: Token, things: list[Token], view: View) -> list[Mention]:
    """Whose property a seizure took: the owner named, else the person it happened to."""
    owners = [m for p in things for m in _owners(p, view)]
    named = [w for t in things for p in (t, *t.conjuncts)
             for w in (p, *(pobj(c) for c in p.children if c.dep_ == "prep" and c.lower_ == "of"))
             if w is not None]  # "most of the footage"
    if owners or not any(w.lower_ in lex.SEIZABLE for w in named):
        return owners
    if v.dep_ == "conj" and v.head.lower_ in lex.VERB_TYPE:  # "arrested Yip and seized drives"
        return [m for a in verb_patients(v.head) for m in view.people(a)]
    ante = view.antecedent(v)  # "They seized two cameras": the person the story is about
    return [ante] if ante is not None else []


def _clause_args(v: Token, view: View) -> list[Mention]:
    """Who is where a place noun puts them: "X remains in custody", "police kept X in jail"."""
    objs = [c for c in v.children if c.dep_ == "dobj"]
    people = [m for o in objs for m in view.people(o)]
    if people:
        return people
    subj = lex.subject(v) or lex.inherited_subject(v)
    return (view.people(subj) if subj is not None else []) + _companions(v, view)


def _noun_args(n: Token, etype: str, view: View) -> list[Mention]:
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
    if not found and n.lower_ in lex.NOUN_TYPE and n.lower_ not in lex.ACCUSATIONS \
            and n.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass") \
            and any(c.dep_ == "det" and c.lower_ == "the" for c in n.children) \
            and not any(c.dep_ == "prep" for c in n.children):
        found = view.recent_people(n)  # "the trial": the one the text was just about
    if not found and n.dep_ == "dobj" and (n.head.lower_ in lex.IMPOSED or etype == "charge"
                                           and n.head.lower_ in lex.PRESUPPOSING) \
            and not any(c.dep_ in ("poss", "prep", "dative") or c.lower_ in ("every", "any")
                        for c in n.children) \
            and view.last_trigger is not None and _same_clause(n.head, view.last_trigger):
        # "seized their passports and imposed a travel ban", "release him and drop all
        # charges": imposed on or dropped for no one named, in a clause joined to the last
        # trigger's, it falls on the same people ("drop every charge" is any charge at all)
        found = list(view.last_people)
    return found


def _direct_noun_args(n: Token, etype: str, view: View) -> list[Mention]:
    direct: list[Mention] = []
    # "their questioning of the witness": with an "of" object the possessor is the agent
    agent_poss = any(c.dep_ == "prep" and c.lower_ == "of" for c in n.children)
    for c in n.children:
        if c.dep_ == "poss" and (agent_poss or n.lower_ in lex.ACCUSATIONS):
            continue  # "her accusations against the minister" are hers to make
        if c.dep_ == "poss" or c.dep_ == "compound" and c.i in view.by_token:
            # "President Trump's travel ban" is his decree, not a ban on him
            direct += [m for m in view.people(c) if c.dep_ != "poss" or not view.is_authority(m)]
        elif c.dep_ == "prep" and c.lower_ in ("of", "against", "on", "for"):
            p = pobj(c)
            if p is not None:
                direct += _owners(p, view) if etype == "confiscation" else view.people(p)
        elif c.dep_ == "appos" and c.i in view.by_token:  # "the case against X and others: A, B"
            direct += view.people(c)
        elif c.dep_ == "acl" and c.lower_ in lex.IMPOSED:  # "the ban imposed on his wife, X"
            direct += [m for g in c.children if g.dep_ == "prep" and g.lower_ in ("on", "against")
                       for p in [pobj(g)] if p is not None for m in view.people(p)]
    return direct


def _positional_noun_args(n: Token, etype: str, view: View) -> list[Mention]:
    """A noun trigger without its own argument: where it stands says whose it is."""
    base = n
    while base.dep_ == "conj":
        base = base.head
    head = base.head
    if etype == "ban" and n.dep_ in ("dobj", "conj") and n.head.lower_ in lex.VERB_TYPE:
        # "sentenced X to ten years and a travel ban", the ban parsed as an object or conjunct
        return [m for a in verb_patients(n.head) if a != n for m in view.people(a)]
    against = lex.case_opened_against(n) if n.lower_ in ("case", "cases") else None
    if against is not None:  # "cases were registered against them"
        who = pobj(against)
        return view.people(who) if who is not None else []
    if base.dep_ in ("dobj", "nsubjpass") and head.lower_ in lex.VERDICT_VERBS:
        # "sentences were confirmed for seven journalists, including X"
        found = [m for c in head.children if c.dep_ == "prep" and c.lower_ in ("for", "on", "against")
                 for p in [pobj(c)] if p is not None for m in view.people(p)]
        if found:
            return found
    if n.lower_ in lex.TERM_UNITS:
        head = lex.given_term_verb(n) or head
    if base.dep_ in ("dobj", "nsubjpass", "npadvmod") and head.pos_ in ("VERB", "AUX") and \
            head.lower_ in lex.GIVE_VERBS:
        # "handed him a sentence", "was given a ban", "handed the novelist X a sentence",
        # "meted out prison terms to X and Y", "was given ten years"
        rec = [c for c in head.children if c.dep_ in ("dative", "nsubjpass")
               or c.dep_ == "dobj" and c != base]
        rec += [p for c in head.children if c.dep_ == "prep" and c.lower_ == "to"
                for p in [pobj(c)] if p is not None]
        return [m for r in rec for m in view.people(r)]
    if n.lower_ in lex.TERM_UNITS and head.lower_ in lex.RECEIVE_VERBS:  # "each received six months"
        s = lex.subject(head) or lex.inherited_subject(head)
        return view.people(s) if s is not None else []
    if base.dep_ in ("dobj", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
        if head.lower_ in lex.SUBJECT_VERBS and n.lower_ != "station" \
                and n.lower_ not in lex.ACCUSATIONS:  # "entered the police station"; "denied
            # the accusations" may answer talk, not a prosecution
            s = lex.subject(head) or lex.inherited_subject(head)
            return view.people(s) if s is not None else []
        return []
    if base.dep_ not in ("pobj", "pcomp"):
        return []
    if head.lower_ == "of" and head.head.pos_ == "NOUN" and DURATION.search(
            " ".join(t.text for t in head.head.subtree if t.i < head.i)):
        return _positional_noun_args(head.head, etype, view)  # "received two years of probation"
    prep = head
    verb = prep.head
    if etype == "arrest" and prep.lower_ == "in" and DURATION.search(verb.text):
        return _after_time_in(verb, view)  # "freed after 18 days in detention"
    if etype == "charge" and prep.lower_ in ("on", "over") and verb.pos_ == "NOUN" \
            and lex.NOUN_TYPE.get(verb.lower_) in ("arrest", "sentence", "charge"):
        # "the sentencing of X on charges of ...": the charge is an event too
        found = _noun_args(verb, lex.NOUN_TYPE[verb.lower_], view)
        if found:
            return found
    if etype == "charge" and prep.lower_ in ("on", "over") and verb.lower_ not in lex.VERB_TYPE:
        held = _trigger_verb_above(verb)  # "detained pending an investigation on X charges"
        if held is not None:
            return [m for a in verb_patients(held) for m in view.people(a)]
    if verb.pos_ not in ("VERB", "AUX"):
        return []
    p = prep.lower_
    if p == "to" and etype == "ban" and lex.VERB_TYPE.get(verb.lower_) == "sentence":
        return [m for a in verb_patients(verb) for m in view.people(a)]
    if etype == "charge" and (p in ("on", "over", "under") or p == "in" and n.lower_ in ("case", "cases")) \
            and lex.VERB_TYPE.get(verb.lower_) in ("arrest", "sentence", "charge", "summons"):
        # "arrested on charges of ...", "jailed on charges": the charge is an event too
        return [m for a in verb_patients(verb) for m in view.people(a)]
    if verb.lower_ in lex.VERB_TYPE or verb.lower_ in lex.DIED:
        return []  # the verb is itself the event ("arrested on charges of...")
    if p in ("in", "into", "under", "to") and (n.lower_ not in ("prison", "jail", "station")
                                               or verb.lower_ in lex.STATE_VERBS):
        return _clause_args(verb, view)
    if p == "on" and etype in ("hunger_strike", "charge"):
        if verb.lower_ in ("put", "puts", "putting", "placed"):
            return [m for a in verb_patients(verb) for m in view.people(a)]
        return _clause_args(verb, view)
    if p == "for" and etype == "summons" and verb.lower_ in lex.BRING:  # "taken in for questioning"
        return [m for a in verb_patients(verb) for m in view.people(a)]
    if p == "with" and verb.lower_.startswith("threat"):
        return _clause_args(verb, view)
    return []


_PENDING = frozenset({"pending", "awaiting"})


def _trigger_verb_above(w: Token) -> Token | None:
    """The arrest, sentence or charge verb that a chain through "pending" hangs under
    ("detained for four months pending an investigation on ... charges"), in the clause."""
    through = False
    for _ in range(4):
        if w.dep_ in lex.CLAUSE_STOP or w.head == w:
            return None
        w = w.head
        through = through or w.lower_ in _PENDING
        if through and w.pos_ == "VERB" and lex.VERB_TYPE.get(w.lower_) in ("arrest", "sentence", "charge"):
            return w
        if w.pos_ not in ("NOUN", "ADP", "VERB"):
            return None
    return None


def _person_noun(t: Token, view: View) -> list[Mention]:
    """"X, a former political prisoner", "X is a prisoner of conscience", "his
    co-defendants A and B"."""
    if t.dep_ == "appos":
        return view.people(t.head)
    if t.dep_ == "attr" and t.head.pos_ == "AUX":
        s = lex.subject(t.head)
        return view.people(s) if s is not None else []
    return [m for c in t.children if c.dep_ in ("appos", "compound") for m in view.people(c)]


def _same_clause(a: Token, b: Token) -> bool:
    """Whether two words stand in clauses joined by coordination or a semicolon."""
    def top(t: Token) -> Token:
        while t.dep_ in ("conj", "parataxis") and t.head != t:
            t = t.head
        return t
    return a.sent == b.sent and top(a) == top(b)


def _after_time_in(dur: Token, view: View) -> list[Mention]:
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
        return [m for a in verb_patients(verb) for m in view.people(a)]
    return _clause_args(verb, view)


def _among_those(v: Token, view: View) -> list[Mention]:
    """"Among those detained are X and Y": the people are the copula's subject; "X was one of
    three journalists detained", "X, one of those detained": the one it says."""
    head = v.head
    if v.dep_ not in ("acl", "relcl", "amod") or head.dep_ != "pobj":
        return []
    one = head.head.head
    if head.head.lower_ == "of" and one.lower_ == "one":
        if one.dep_ == "appos":
            return view.people(one.head)
        s = lex.subject(one.head) if one.dep_ == "attr" else None
        return view.people(s) if s is not None else []
    if head.head.lower_ not in ("among", "including"):
        return []
    cop = head.head.head
    subj = [c for c in cop.children if c.dep_ in ("nsubj", "attr", "nsubjpass")]
    return [m for c in subj for m in view.people(c)]


def _found_guilty(t: Token, view: View) -> list[Mention]:
    """"X was found guilty", "the court found X guilty": the person convicted."""
    v = t.head
    who = [c for c in t.children if c.dep_ == "nsubj"]
    who += [c for c in v.children if c.dep_ in ("nsubjpass", "dobj")]
    if not who and lex.is_passive(v):
        inherited = lex.inherited_subject(v)
        who = [inherited] if inherited is not None else []
    return [m for w in who for m in view.people(w)]


# words a title puts between a name and its verb: "X Is Detained", "X Again Arrested"
_TITLE_GLUE = frozenset({"is", "was", "are", "were", "has", "have", "been", "also", "again",
                         "briefly", "temporarily", "reportedly", "finally", "now"})
_TITLE_BEFORE_NAME = frozenset({"of", "for", "to", "with", "by", "from", "about", "on", "and"})


def title_args(t: Token, view: View) -> list[Mention]:
    """Whom a trigger in a title ("Poet X Jailed For Six Years", "Turkey Detains Journalist
    X", "X Handed Five-Year Sentence") is about, where a title-case line defeats the parse:
    the names right before a participle or a noun given to them, the names right after a
    present-tense verb ("Detains"); never a name after "of", "by" and the like."""
    sent = t.sent
    if not lex.is_title(sent.text) or t.i in view.by_token:
        return []  # (a trigger word inside a name: the name is wrong, not the event)
    low = t.lower_
    if low in lex.PLACE_NOUNS:
        return []
    given = next((w for w in reversed(view.doc[sent.start: t.i])
                  if w.lower_ in lex.GIVE_VERBS | lex.RECEIVE_VERBS), None)
    if given is None and low in lex.VERB_TYPE and low.endswith("s") and not low.endswith("ss"):
        return _title_names_after(t, view)
    anchor = given or t  # "X Handed A Five-Year Prison Sentence"
    if given is None and low not in lex.VERB_TYPE:
        return []
    i = anchor.i - 1
    while i >= sent.start and view.doc[i].lower_ in _TITLE_GLUE:
        i -= 1
    m = view.by_token.get(i)
    if m is None:
        return []
    span = view.span_at(i)
    before = view.doc[span.start - 1] if span.start > sent.start else None
    if before is not None and before.lower_ in _TITLE_BEFORE_NAME \
            and not (before.lower_ == "and" and before.i - 1 in view.by_token):
        return []
    names = [m]
    j = span.start - 1  # "X, Y And Z Arrested": the names listed before
    while j > sent.start and (view.doc[j].text in (",", "&") or view.doc[j].lower_ == "and"):
        prev = view.by_token.get(j - 1)
        if prev is None:
            break
        names.append(prev)
        j = view.span_at(j - 1).start - 1
    return view.others(names)


def _title_names_after(t: Token, view: View) -> list[Mention]:
    sent = t.sent
    i = t.i + 1
    while i < sent.end and i not in view.by_token and (
            view.doc[i].lower_ in lex.PROFESSION_WORDS or view.doc[i].lower_ == "the"
            or view.doc[i].ent_type_ == "NORP" or view.doc[i].pos_ == "ADJ"):
        i += 1  # "Detains Iranian Journalist X"
    m = view.by_token.get(i)
    if m is None:
        return []
    span = view.span_at(i)
    return view.others([m, *view.list_mates([m], t)]) if span.start == i else []


def trigger_args(t: Token, etype: str, view: View) -> list[Mention]:
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
    if t.lower_ in lex.PERSON_NOUN_TYPE:
        return _person_noun(t, view)
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
                x.lower_ in lex.FATAL_AFTER or x.lower_ == "down" and t.lower_.startswith("gun")
                for x in t.doc[t.i + 1: t.i + 6]):
            return []
        if t.lower_ in lex.NEEDS_FROM and not any(
                c.dep_ == "prep" and c.lower_ == "from" and not any(
                    w.lower_ in lex.LEGAL_DEFENCE for w in c.subtree) for c in t.children):
            return []  # "prevented X from boarding"; not "prevented from choosing a lawyer"
        if t.lower_ in lex.HOLD and not lex.is_passive(t) and not any(
                c.lower_ in ("for", "in", "without", "incommunicado", "since") for c in t.children):
            return []  # "the collection holds Polaroids of X"; but "held her for two days",
            # "have held him since May"
        patients = verb_patients(t)
        if not patients and t.tag_ == "VBG":  # "the charging of X": a gerund used as a noun
            patients = [p for c in t.children if c.dep_ == "prep" and c.lower_ == "of"
                        for p in [pobj(c)] if p is not None]
        if etype == "confiscation":
            return _seized_from(t, patients, view)
        found = [m for p in patients for m in view.people(p)]
        if patients:  # "arrested six staff members, including X" hangs X on the verb
            found += _companions(t, view)
        if not found and t.dep_ in ("acl", "advcl") and t.tag_ == "VBN" and t.i > 1 \
                and t.nbor(-1).text == "," and t.i - 2 in view.by_token:
            found = view.people(t.doc[t.i - 2])  # "the release of X, detained since June"
        if not found:
            stranded = _stranded_subject(t)
            found = view.people(stranded) if stranded is not None else []
        if not found and t.dep_ == "pcomp" and t.head.lower_ == "for":  # "taken in for questioning"
            found = _positional_noun_args(t, etype, view)
        return found or _among_those(t, view)
    return _noun_args(t, etype, view)
