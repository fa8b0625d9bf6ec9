"""The event trigger lexicon, and the cue words that make a trigger negated or
hypothetical.

Verbs are listed by their base form and expanded to every inflection here, so the
matcher looks words up by their lower-case form and never needs the lemmatizer
(which the pipeline leaves out for speed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extract import event_types, lexicon

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Token
    from spacy.vocab import Vocab

EVENT_TYPES = event_types.names()

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
    "uphold": ("uphold", "upholds", "upheld", "upholding"),
    "cut": ("cut", "cuts", "cutting"),
    "say": ("say", "says", "said", "saying"),
    "think": ("think", "thinks", "thought", "thinking"),
    "know": ("know", "knows", "knew", "known", "knowing"),
    "understand": ("understand", "understands", "understood", "understanding"),
    "show": ("show", "shows", "showed", "shown", "showing"),
    "slay": ("slay", "slays", "slew", "slain", "slaying"),
    "beat": ("beat", "beats", "beaten", "beating"),
    "throw": ("throw", "throws", "threw", "thrown", "throwing"),
}
_DOUBLED = {"ban", "bar", "slap", "kidnap", "transfer", "stab", "gun"}


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


def verbs(bases: str, extra: str = "") -> frozenset[str]:
    """Every form of the space-separated verbs, plus ``extra`` words as they are."""
    return frozenset({f for b in bases.split() for f in _verb_forms(b)} | set(extra.split()))


def forms(name: str) -> frozenset[str]:
    """The entries of a word list; an entry "W verb" stands for every form of the verb W."""
    out: set[str] = set()
    for entry in lexicon.entries(name):
        word, _, kind = entry.partition(" ")
        out |= set(_verb_forms(word)) if kind == "verb" else {entry}
    return frozenset(out)


def _verb_list(name: str) -> frozenset[str]:
    """Every form of the base verbs of a word list."""
    return verbs(" ".join(lexicon.entries(name)))


def _list_or_empty(name: str) -> tuple[str, ...]:
    return lexicon.entries(name) if lexicon.path(name).is_file() else ()


# verbs whose passive subject or object is the person the event happens to, and nouns
# that name the event: extract/lexicon/event_verbs_<type>.txt and event_nouns_<type>.txt
VERBS = {t: " ".join(_list_or_empty(f"event_verbs_{t}")) for t in EVENT_TYPES
         if _list_or_empty(f"event_verbs_{t}")}
NOUNS = {t: " ".join(_list_or_empty(f"event_nouns_{t}")) for t in EVENT_TYPES}
VERB_TYPE = {f: t for t, vs in VERBS.items() for f in verbs(vs)}
NOUN_TYPE = {n: t for t, ns in NOUNS.items() for n in ns.split()}
JAILED_FORMS = verbs("jail imprison")
# a killing only when "shot dead", "stabbed / beaten to death", "gunned down"
SHOT = verbs("shoot stab beat gun")
FATAL_AFTER = frozenset({"dead", "death"})
PASSIVE_ONLY = verbs("accuse try")  # "was accused", "was tried"; not "tried to"
NEEDS_FROM = verbs("prevent stop")  # "prevented X from boarding"
LEGAL_DEFENCE = lexicon.words("event_legal_defence")
HOLD = verbs("hold")
ACQUITTED = verbs("acquit", "acquitted")
# "in prison" gives an arrest only after a verb of being somewhere: "remains in prison"
PLACE_NOUNS = frozenset({"prison", "jail", "custody", "detention", "confinement"})
STATE_VERBS = _verb_list("event_state_verbs")
DIED = verbs("die")
# verbs read as triggers only after a check of their clause ("shot dead", "held him for",
# "was tried", "prevented X from", "died in custody"): never from a title's word order alone
CHECKED_VERBS = SHOT | PASSIVE_ONLY | NEEDS_FROM | HOLD | DIED

TRIGGER_FORMS: dict[str, frozenset[str]] = {
    t: frozenset(verbs(VERBS.get(t, "")) | set(NOUNS.get(t, "").split())) for t in EVENT_TYPES
}
TRIGGER_FORMS["arrest"] |= {"prison", "jail", "custody", "confinement"}
TRIGGER_FORMS["killing"] |= {"died"}
TRIGGER_FORMS["hunger_strike"] = frozenset({"hunger"})


# ---------------------------------------------------------------- cue words

NEG_HEADS = forms("event_negation_words")
DEMAND_HEADS = _verb_list("event_demand_words")
HYP_HEADS = forms("event_hypothetical_words") | DEMAND_HEADS
MODALS = frozenset("may might could would should can must will shall 'll wo ca".split())
# walking up from a trigger stops at these: the clause above is a separate assertion
CLAUSE_STOP = frozenset({"relcl", "acl", "appos", "ROOT", "parataxis", "advcl", "csubj"})
PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
RELATIVE = frozenset({"who", "whom", "that", "which", "whose"})
# people in these roles report or represent; a pronoun rarely means them. Not "director"
# or "producer": in this domain they are as often the subject.
ROLES = lexicon.words("proxy_roles") | lexicon.words("relatives")
AUTHORITIES = frozenset("president minister judge prosecutor governor official chief king "
                         "ayatollah general mayor".split())
REFLEXIVE = frozenset({"himself", "herself"})
# property whose owner may go unsaid ("they seized two cameras"); "seized power" is not one
SEIZABLE = frozenset(
    "passport passports camera cameras laptop laptops computer computers phone phones drive "
    "drives footage equipment film films reels copies copy books manuscripts documents notebooks "
    "property assets archive archives hard memory cards tapes material materials".split())
# "both directors", "the three women", "they": the group named just before
GROUP_DETS = frozenset({"both", "two", "three", "four", "five", "all"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
GROUP_NOUNS = lexicon.words("event_group_nouns")
# "the poet", "the filmmaker": one-word professions (a "word: profession" list) that stand
# for the story's person; roles are left out ("the lawyer" is someone else)
PROFESSION_WORDS = frozenset(
    w for e in lexicon.entries("professions") for w in [e.partition(":")[0].strip()] if " " not in w
) - ROLES
DEFINITE = frozenset({"the", "these", "those", "both", "all"} | GROUP_DETS)
# where a bare number stands for people: "the four were charged"
ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj"})
# a noun trigger as object is the subject's event ("began a hunger strike")...
SUBJECT_VERBS = verbs("begin start launch stage serve receive get face risk end continue "
                        "undergo endure escape avoid announce enter join stand win secure await "
                        "deny reject dispute contest")
# ...or the receiver's ("handed him a sentence", "was granted bail")
GIVE_VERBS = verbs("hand give impose issue grant slap order mete")
# "was given ten years": a number of these given to someone is a prison term
TERM_UNITS = frozenset({"years", "months", "year", "month"})
# "each received six months": the subject gets the term
RECEIVE_VERBS = verbs("receive get")
# "pardoned": released from a sentence
PARDONED = verbs("pardon", "pardon pardons")
# "convicted of X", "found guilty of X": an "of" after these names the offence
CONVICT_FORMS = verbs("convict", "guilty")
DURATION_WORDS = frozenset("year years month months week weeks day days decade decades life".split())
# "booked under section 295A", "booked in a case": an Indian police charge
BOOKED = verbs("book")
# "the fatal stabbing of X": a killing only when fatal
FATAL_NOUNS = frozenset({"stabbing", "shooting", "beating", "attack", "assault"})
# "denied the charges": the charges exist (the person denies the offence)
DENIAL_VERBS = verbs("deny reject dispute contest")
# "took her computer" is a seizure only when these take it
AGENTS = frozenset("police officers officer agents agent authorities forces security guards "
                   "men officials soldiers investigators intelligence customs".split())
TAKE = verbs("take")
# "taken in for questioning", "called in for interrogation"
BRING = verbs("take bring call hold detain summon arrest send")
ORDER = verbs("order tell instruct call", "told")
# a trigger these govern exists already: "urged them to lift the travel ban on X"
PRESUPPOSING = _verb_list("event_presupposing_verbs")
# "the sentences were upheld for X": a verdict on a trigger noun, the person in its "for"
VERDICT_VERBS = _verb_list("event_verdict_verbs")
# "released the film in cinemas": works are released, people are freed
WORKS = lexicon.words("event_works")
# "released from hospital", "questioned by reporters": no release, no summons
FREE_PLACES = lexicon.words("event_free_places")
# "X, a political prisoner", "his co-defendants A and B": nouns for a person an event
# happened to (extract/lexicon/event_person_nouns_<type>.txt); the person is the noun's
# apposition or its copula's subject
PERSON_NOUN_TYPE = {w: t for t in EVENT_TYPES for w in _list_or_empty(f"event_person_nouns_{t}")}
PRIVATE_ASKERS = lexicon.words("event_private_askers")
# people named beside an event who do not share it: signatories, jurors, hosts, lawyers...
BYSTANDERS = lexicon.words("event_bystander_roles")
# "died in custody": where a death is a killing
CUSTODY_WORDS = frozenset({"custody", "detention", "prison", "jail", "torture", "cell"})
FACE = verbs("face await")  # "faces charges", "awaiting trial": the charge exists
CASE_OPENED = verbs("lodge file register open bring launch")
# "picked up by police", "rounded up": an arrest with its particle
PICK_UP = verbs("pick round")
DISAPPEAR = verbs("disappear")
# nouns that name an event only with a qualifier (see trigger_type)
QUALIFIED_NOUNS = frozenset({"death", "deaths", "case", "cases", "term", "terms", "disappearance",
                             "hearing", "hearings"})
# charge nouns whose possessor makes the charge ("her accusations against the minister")
ACCUSATIONS = frozenset({"accusation", "accusations", "allegation", "allegations"})
# "a court hearing", "the pretrial hearing": a prosecution under way (a charge)
HEARING_QUALIFIERS = frozenset({"court", "trial", "pretrial", "pre-trial", "preliminary", "appeal",
                                "appeals", "bail", "remand", "sentencing"})
QUALIFIED_NOUNS |= TERM_UNITS | FATAL_NOUNS
# "found guilty": a conviction, so a sentence event
GUILTY_HEADS = verbs("find declare", "found")
# "arrested alongside X": X shares the event
COMPANION_PREPS = frozenset({"alongside"})
# "ruled to release X": an infinitive under these reports what was done, not a wish
FACTIVE_HEADS = verbs("rule decide vote proceed move")
ORDERED = verbs("order")
# "to secure his release": an infinitive of these asks for its object
GOAL_VERBS = _verb_list("event_goal_verbs")
# "managed to secure his release": the infinitive's object was reached
ACHIEVED_HEADS = verbs("manage succeed help")
# "is reported to have been released": a reported fact (see reported_fact)
REPORTING_HEADS = _verb_list("event_reporting_verbs")
# "imposed on X": the person a ban or sentence falls on
IMPOSED = verbs("impose place slap issue extend", "imposed placed")


# ---------------------------------------------------------------- triggers in their clause


def trigger_type(t: Token) -> str | None:
    low = t.lower_
    if low in ("strike", "strikes", "striking"):
        prev = t.nbor(-1) if t.i > 0 else None
        if prev is not None and prev.text == "-" and t.i > 1:
            prev = t.nbor(-2)
        return "hunger_strike" if prev is not None and prev.lower_ == "hunger" else None
    if low in DIED:
        return "killing"
    if low == "guilty" and t.head.lower_ in GUILTY_HEADS:
        return "sentence"  # "was found guilty", "the court found her guilty"
    if low == "bars" and t.i > 0 and t.nbor(-1).lower_ == "behind":
        return "arrest"  # "behind bars since March"
    if t.pos_ == "PROPN" and low in VERB_TYPE and low not in CHECKED_VERBS and t.is_title \
            and is_title(t.sent.text):
        return VERB_TYPE[low]  # "Turkey Detains Journalist X": a title-case verb parsed as a name
    if t.pos_ in ("NOUN", "PROPN"):
        if low == "charge" and _in_charge(t):
            return None  # "the officer in charge of the station", "Inspector in-charge"
        if low in ("release", "releases") and any(c.dep_ == "compound" and c.lower_ in ("press", "news")
                                                  for c in t.children):
            return None  # "a press release": a statement
        if low in NOUN_TYPE:
            return NOUN_TYPE[low]
        if low in QUALIFIED_NOUNS:
            return _qualified_type(t)
        if low in PERSON_NOUN_TYPE:
            return PERSON_NOUN_TYPE[low]
        if low in PLACE_NOUNS:
            return "arrest"
        if low == "station" and t.dep_ != "compound" and any(c.lower_ == "police" for c in t.children):
            return "arrest"
        return VERB_TYPE.get(low) if low in ("bail", "bailed") else None
    if low in VERB_TYPE and t.pos_ in ("VERB", "AUX", "ADJ"):
        return VERB_TYPE[low]
    if low in BOOKED and t.pos_ == "VERB" and any(
            c.dep_ == "prep" and (c.lower_ == "under" or c.lower_ == "in" and any(
                g.lower_ in ("case", "cases") for g in c.children)) for c in t.children):
        return "charge"  # "booked under section 295A"; not "booked a flight"
    if t.pos_ == "VERB" and (low in PICK_UP and any(c.dep_ == "prt" and c.lower_ == "up" for c in t.children)
                             or low in DISAPPEAR and is_passive(t) and t.tag_ == "VBN"):
        return "arrest"  # "was picked up by police", "was forcibly disappeared"
    if t.pos_ in ("VERB", "AUX"):
        if low in TAKE and _taken_by_authorities(t):
            return "confiscation"
        if low in ORDER and any(c.dep_ == "xcomp" and c.lower_ in ("report", "appear") and any(
                g.dep_ == "prep" for g in c.children) for c in t.children):
            return "summons"  # "was ordered to report to the prosecutor's office"
    return NOUN_TYPE.get(low) if t.pos_ not in ("ADP", "DET") else None


def _qualified_type(t: Token) -> str | None:
    """A noun that names an event only with a qualifier: a death in custody ("his death in
    detention", "a custodial death"), a case against someone, a prison term."""
    low = t.lower_
    kids = list(t.children)
    if low in ("death", "deaths"):
        near = {c.lower_ for c in kids if c.dep_ in ("amod", "compound")}
        near |= {w.lower_ for c in kids if c.dep_ == "prep" and c.lower_ in ("in", "at", "while")
                 for w in c.subtree}
        return "killing" if near & (CUSTODY_WORDS | {"custodial"}) else None
    if low == "disappearance":  # "the enforced disappearance of X"
        return "arrest" if any(c.lower_ in ("enforced", "forced", "forcible") for c in kids) else None
    if low in ("case", "cases"):  # "the case against X", "a case filed by the prosecutor"
        return "charge" if any(c.dep_ == "prep" and c.lower_ == "against"
                               or c.dep_ == "acl" and c.lower_ in CASE_OPENED for c in kids) \
            or _case_of_trigger(t) or case_opened_against(t) is not None else None
    if low in ("hearing", "hearings"):  # "attended a court hearing"; not "a hearing in parliament"
        return "charge" if any(c.dep_ in ("compound", "amod") and c.lower_ in HEARING_QUALIFIERS
                               for c in kids) else None
    if low in TERM_UNITS:  # "was given ten years", "handed her five years"
        return "sentence" if given_term_verb(t) is not None else None
    if low in FATAL_NOUNS:  # "the fatal stabbing of X"; "an attack on X" kills no one
        return "killing" if any(c.dep_ == "amod" and c.lower_ in ("fatal", "deadly")
                                for c in kids) else None
    if any(c.dep_ in ("compound", "amod") and c.lower_ in ("prison", "jail") for c in kids):
        return "sentence"  # "a ten-year prison term"
    if any(c.dep_ in ("compound", "amod") and c.lower_ in TERM_UNITS
           and any(g.dep_ == "nummod" for g in c.children) for c in kids):
        return "sentence"  # "a four-year term"
    return None


def released_from_custody(t: Token) -> bool:
    """"released on bail" (or parole), "freed from prison", "released from the custody of the SSS",
    "granted bail", "pardoned": a release that says the person was held ("released after
    questioning", "fined and released" do not)."""
    if t.lower_ in ("bail", "bailed") or t.lower_ in PARDONED:
        return True
    for c in t.children:
        obj = next((g for g in c.children if g.dep_ == "pobj"), None) if c.dep_ == "prep" else None
        if obj is None:
            continue
        if c.lower_ == "on" and obj.lower_ in ("bail", "parole") \
                or c.lower_ == "from" and obj.lower_ in PLACE_NOUNS:
            return True
    return False


def term_for_offence(n: Token) -> bool:
    """"handed a two-year sentence for sedition", "received six months for defamation", "was
    given ten years for espionage": a prison term given for a named offence tells the charge."""
    if n.lower_ in ("sentence", "sentences") or n.lower_ in TERM_UNITS or n.lower_ in ("term", "terms"):
        verb = n.head if n.head.pos_ in ("VERB", "AUX") and (
            n.head.lower_ in GIVE_VERBS or n.head.lower_ in RECEIVE_VERBS) else None
        return _offence_for(n) or verb is not None and _offence_for(verb)
    return False


def _offence_for(w: Token) -> bool:
    """A "for" phrase on ``w`` that names a bare offence ("for sedition", not "for his posts",
    "for airing the film", "for songs he sang", "for five years")."""
    for c in w.children:
        if c.dep_ != "prep" or c.lower_ != "for":
            continue
        obj = next((g for g in c.children if g.dep_ == "pobj"), None)
        if obj is None or obj.pos_ in ("VERB", "NUM") or obj.tag_ == "NNS" or any(
                g.dep_ in ("det", "poss", "relcl", "acl") for g in obj.children):
            continue  # "for songs he performed at a wedding" is conduct, not an offence
        if DURATION_WORDS & {x.lower_ for x in obj.subtree} or obj.lower_ in ("life", "it", "that", "this"):
            continue
        return True
    return False


def convicted_of(t: Token) -> bool:
    """"convicted of spreading false news", "found guilty of sedition", "sentenced to two years
    for insulting the president", "jailed for 'propaganda'": a conviction that names its
    offence tells the charge too ("sentenced for five years" names none)."""
    # "to two years for sedition", "jailed for ten years for espionage"
    terms = [g for c in t.children if c.dep_ == "prep" and c.lower_ in ("to", "for")
             for g in c.children if g.dep_ == "pobj" and (c.lower_ == "to" or g.lower_ in DURATION_WORDS)]
    # "the court convicted X of sedition": the parser may hang "of" on the object
    objects = [k for o in t.children if o.dep_ == "dobj" for k in o.children if k.lower_ == "of"]
    for c in [*t.children, *(k for g in terms for k in g.children), *objects]:
        if c.dep_ != "prep" or c.lower_ not in ("of", "for"):
            continue
        if c.lower_ == "of" and t.lower_ not in CONVICT_FORMS:
            continue  # "the sentence of two years"
        obj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
        if obj is None or c.lower_ == "for" and (obj.pos_ == "VERB" or any(
                g.dep_ in ("det", "poss") for g in obj.children)):
            continue  # "sentenced for airing the film", "for a report on the war", "for his
            # posts" tell the conduct; an offence is named bare ("for sedition")
        words = " ".join(w.text for w in obj.subtree)
        if obj.pos_ == "NUM" or DURATION_WORDS & {w.lower_ for w in obj.subtree} and obj.pos_ != "VERB":
            continue
        if words and obj.lower_ not in ("life", "it", "that", "this"):
            return True
    return False


def case_opened_against(t: Token) -> Token | None:
    """"Cases were registered against them", "police filed a case against X": the "against"
    of the verb that opened the case (None where there is none)."""
    verb = t.head
    if t.dep_ not in ("nsubjpass", "dobj") or verb.lower_ not in CASE_OPENED:
        return None
    return next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "against"), None)


def _in_charge(t: Token) -> bool:
    """"in charge", "in-charge": who leads, not an accusation."""
    prev = t.nbor(-1) if t.i > 0 else None
    if prev is not None and prev.text in ("-", "‐") and t.i > 1:
        prev = t.nbor(-2)
    return prev is not None and prev.lower_ == "in" and not any(
        c.dep_ in ("det", "poss", "amod") for c in t.children)


def _case_of_trigger(t: Token) -> bool:
    """"summoned X in a sedition case", "arrested in a defamation case": a case of a named
    kind that a trigger verb happens in is a charge too ("in this case" is not)."""
    prep = t.head
    return t.dep_ == "pobj" and prep.lower_ == "in" and prep.head.lower_ in VERB_TYPE \
        and any(c.dep_ in ("compound", "amod") and c.pos_ in ("NOUN", "ADJ", "PROPN")
                for c in t.children)


def given_term_verb(t: Token) -> Token | None:
    """The verb that gives a number of years as a prison term ("was given ten years",
    "handed her five years after a trial"), or None ("gave him two years to appeal")."""
    if t.lower_ not in TERM_UNITS or t.dep_ not in ("dobj", "npadvmod") \
            or not any(c.dep_ == "nummod" for c in t.children) \
            or any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children):  # "of funding"
        return None
    verb = t.head.head if t.head.dep_ == "prep" and t.dep_ == "npadvmod" else t.head
    if verb.lower_ not in GIVE_VERBS | RECEIVE_VERBS:
        return None
    # "two years to appeal", "30 days to leave": time given for something to do
    if any(c.dep_ in ("relcl", "acl") for c in t.children) or any(
            c.dep_ in ("xcomp", "advcl") and any(g.tag_ == "TO" for g in c.children)
            for c in verb.children):
        return None
    return verb


def _taken_by_authorities(v: Token) -> bool:
    """"Officers took her computer", "his laptop was taken": property taken by the state,
    not "she took her camera to the protest"."""
    if is_passive(v):
        things = [c for c in v.children if c.dep_ == "nsubjpass"]
    else:
        agent = subject(v) or inherited_subject(v)
        if agent is None or agent.lower_ not in AGENTS:
            return False
        things = [c for c in v.children if c.dep_ == "dobj"]
    return any(w.lower_ in SEIZABLE for t in things for w in (t, *t.conjuncts))


def is_passive(v: Token) -> bool:
    kids = list(v.children)
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in kids):
        return True
    if v.dep_ == "conj" and v.head != v and not any(
            c.dep_ in ("nsubj", "dobj", "aux") for c in kids) and is_passive(v.head):
        return True  # "was arrested and sentenced": the second verb shares "was"
    if v.tag_ != "VBN":
        return False
    if v.dep_ == "ROOT" and not any(c.dep_ in ("aux", "dobj", "dative") for c in kids):
        return True  # a headline: "Two poets sentenced to prison"
    return not any(c.dep_ in ("nsubj", "dobj") or c.dep_ == "aux" and c.lower_ in
                   ("have", "has", "had", "having") for c in kids)


def subject(v: Token) -> Token | None:
    for dep in ("nsubjpass", "nsubj"):
        found = [c for c in v.children if c.dep_ == dep]
        if found:  # "The writer Layla Othman was...": two subjects, the name is the one
            return next((c for c in found if c.pos_ == "PROPN"), found[0])
    return None


def inherited_subject(v: Token) -> Token | None:
    """Subject of a subjectless passive clause: "was freed after being pardoned", "remains
    imprisoned"."""
    cur = v
    for _ in range(4):
        if cur.dep_ not in ("conj", "xcomp", "advcl", "pcomp", "prep", "acomp", "oprd") \
                or cur.head == cur:
            return None
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            s = subject(cur)
            if s is not None:
                return s
    return None


# ---------------------------------------------------------------- flags


def flags(t: Token) -> tuple[bool, bool]:
    """(negated, hypothetical) from the trigger and the clauses that embed it."""
    negated = hypothetical = False
    cur = t
    via_conj = False
    came_by = ""  # the dependency of the token the walk came up from
    came_from: Token | None = None
    if is_demand(t) or t.dep_ == "acl" and t.head.pos_ == "NOUN" and t.head.lower_ in HYP_HEADS:
        hypothetical = True  # "Release X!"; "risks being arrested" parsed as a noun "risks"
    for _ in range(8):
        if cur != t and cur.lower_ in PRESUPPOSING and came_by != "conj" and not (
                came_from is not None and came_from.lower_ == "for"):
            break  # "appeal the sentence" presupposes it; "appeal for the release" asks for it
        if cur != t and cur.lower_ in DENIAL_VERBS and came_by == "dobj" \
                and NOUN_TYPE.get(t.lower_) == "charge":
            break  # "denied the charges": charged all the same
        if cur != t and cur.dep_ == "prep" and cur.lower_ == "against" and came_by == "pobj":
            break  # "a petition against the arrest of X": the arrest exists
        for c in cur.children:
            if c.dep_ == "neg" and not via_conj or c.dep_ == "det" and c.lower_ == "no":
                negated = True
            if c.dep_ == "aux" and c.lower_ in MODALS:
                hypothetical = True
            if c.dep_ == "aux" and c.tag_ == "TO" and cur == t and not (
                    t.dep_ == "xcomp" and t.head.lower_ in FACTIVE_HEADS or reported_fact(t)):
                hypothetical = True
            if c.dep_ == "aux" and c.tag_ == "TO" and cur != t and came_by == "dobj" \
                    and cur.lower_ in GOAL_VERBS and cur.head.lower_ not in ACHIEVED_HEADS:
                hypothetical = True  # "to secure his immediate release": a goal, not a fact
            if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"):
                hypothetical = True
            if c.lower_ == "warrant" or c.dep_ in ("compound", "amod", "nmod", "advmod") \
                    and c.lower_ in HYP_HEADS:  # "risks" mis-tagged as a noun
                hypothetical = True
        if cur != t:
            if cur.lower_ in NEG_HEADS:
                negated = True
            called_in = any(c.dep_ == "prt" and c.lower_ == "in" for c in cur.children)
            if cur.lower_ in HYP_HEADS and not called_in and not (cur == t.head and detention_order(t)) \
                    and not (cur.lower_ in FACE and NOUN_TYPE.get(t.lower_) == "charge") \
                    and not (cur.lower_ in ("pending", "awaiting") and NOUN_TYPE.get(t.lower_) == "charge"
                             and t.head.lower_ in ("on", "over")):
                # "faces arrest" has not happened; "faces charges", "called in for
                # questioning" and "pending trial on X charges" have
                hypothetical = True
        if cur.dep_ in CLAUSE_STOP or cur.head == cur:
            break
        # "never arrested or questioned" shares the negation; "not arrested but questioned" not
        via_conj = cur.dep_ == "conj" and not any(
            c.dep_ == "cc" and c.lower_ in ("or", "nor") for c in cur.head.children)
        if cur.dep_ == "compound" and cur.head.lower_ == "warrant":
            hypothetical = True
        came_by = cur.dep_
        came_from = cur
        cur = cur.head
    return negated, hypothetical


def detention_order(t: Token) -> bool:
    """"The court ordered X to be detained for two months": a detention ordered by the one
    who decides it is a detention, not a wish."""
    head = t.head
    return t.dep_ == "xcomp" and head.lower_ in ORDERED and VERB_TYPE.get(t.lower_) == "arrest" \
        and any(c.dep_ == "dobj" for c in head.children) and not is_passive(head)


def reported_fact(t: Token) -> bool:
    """"X is reported to have been released", "X is believed to be held in Evin": an
    infinitive under a reporting verb tells a fact when it is perfect ("to have been") or
    the reporting verb is passive ("is said to be"); "wants to be released" asks for one."""
    head = t.head
    if detention_order(t):
        return True
    if t.dep_ != "xcomp" or head.lower_ not in REPORTING_HEADS:
        return False
    perfect = any(c.dep_ == "aux" and c.lower_ == "have" for c in t.children)
    return perfect or any(c.dep_ == "auxpass" for c in head.children)


def is_title(text: str) -> bool:
    """A line that ends without a full stop: a title or heading ("Poet X detained")."""
    return text.rstrip()[-1:] not in (".", "!", "?", "”", '"', ":", ";")


def is_demand(t: Token) -> bool:
    """An imperative or an exclamation asks for the event: "Release X!", "Free them now".

    A base-form verb that heads its clause without a subject or auxiliary is an order;
    a trigger near the start of a sentence that ends with "!" is a slogan.
    """
    sent = t.sent
    if t.tag_ == "VB" and t.dep_ in ("ROOT", "conj") and not any(
            c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "mark") for c in t.children):
        head = t if t.dep_ == "ROOT" else t.head
        if head.tag_ == "VB" and not any(c.dep_ in ("nsubj", "nsubjpass", "aux")
                                         for c in head.children):
            return True
    text = sent.text.rstrip()
    return text.endswith("!") and t.i - sent.start <= 2


# ---------------------------------------------------------------- matcher, once per Vocab

_MATCHERS: dict[int, tuple[Vocab, Matcher]] = {}


def trigger_matcher(vocab: Vocab) -> Matcher:
    """The trigger matcher for ``vocab``, built on first use and kept for later docs."""
    cached = _MATCHERS.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    from spacy.matcher import Matcher

    m = Matcher(vocab)
    words = sorted(set(VERB_TYPE) | set(NOUN_TYPE) | PLACE_NOUNS | DIED | TAKE | ORDER | BOOKED
                   | QUALIFIED_NOUNS | PICK_UP | DISAPPEAR | set(PERSON_NOUN_TYPE)
                   | {"station", "guilty", "bars"})
    m.add("TRIGGER", [[{"LOWER": {"IN": words}}]])
    m.add("HUNGER", [[{"LOWER": "hunger"}, {"ORTH": "-", "OP": "?"},
                      {"LOWER": {"IN": ["strike", "strikes", "striking"]}}]])
    _MATCHERS[id(vocab)] = (vocab, m)
    return m
