"""The event trigger lexicon and the cue words that qualify a trigger.

Verbs are listed by their base form and expanded to every inflection here, so the
matcher looks words up by their lower-case form and never needs the lemmatizer
(which the pipeline leaves out for speed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

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


def verbs(bases: str, extra: str = "") -> frozenset[str]:
    """Every form of the space-separated verbs, plus ``extra`` words as they are."""
    return frozenset({f for b in bases.split() for f in _verb_forms(b)} | set(extra.split()))


# verbs whose passive subject or object is the person the event happens to
VERBS = {
    "arrest": "arrest detain jail imprison apprehend incarcerate hold rearrest redetain",
    "charge": "charge indict prosecute try accuse",
    "summons": "summon interrogate question",
    "sentence": "sentence convict",
    "release": "release free bail pardon",
    "ban": "ban bar prohibit forbid prevent stop",
    "confiscation": "confiscate seize impound",
    "killing": "kill execute murder assassinate hang shoot",
}
NOUNS = {
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
VERB_TYPE = {f: t for t, vs in VERBS.items() for f in verbs(vs)}
NOUN_TYPE = {n: t for t, ns in NOUNS.items() for n in ns.split()}
JAILED_FORMS = verbs("jail imprison")
SHOT = verbs("shoot")  # a killing only when "shot dead"
PASSIVE_ONLY = verbs("accuse try")  # "was accused", "was tried"; not "tried to"
NEEDS_FROM = verbs("prevent stop")  # "prevented X from boarding"
HOLD = verbs("hold")
ACQUITTED = verbs("acquit", "acquitted")
# "in prison" gives an arrest only after a verb of being somewhere: "remains in prison"
PLACE_NOUNS = frozenset({"prison", "jail", "custody", "detention"})
STATE_VERBS = verbs("be remain stay languish spend keep put place take send throw move "
                      "transfer return")
DIED = verbs("die")

TRIGGER_FORMS: dict[str, frozenset[str]] = {
    t: frozenset(verbs(VERBS.get(t, "")) | set(NOUNS.get(t, "").split())) for t in EVENT_TYPES
}
TRIGGER_FORMS["arrest"] |= {"prison", "jail", "custody"}
TRIGGER_FORMS["killing"] |= {"died"}
TRIGGER_FORMS["hunger_strike"] = frozenset({"hunger"})


# ---------------------------------------------------------------- cue words

NEG_HEADS = verbs("deny refuse reject avoid escape evade fail", "without")
HYP_HEADS = verbs(
    "call urge demand ask appeal seek want hope fear risk face threaten warn plan intend expect "
    "order campaign press await",
    "threat warrant likely possible could would might may if unless until pending possibility "
    "prospect")
MODALS = frozenset("may might could would should can must will shall 'll wo ca".split())
# walking up from a trigger stops at these: the clause above is a separate assertion
CLAUSE_STOP = frozenset({"relcl", "acl", "appos", "ROOT", "parataxis", "advcl", "csubj"})
PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
RELATIVE = frozenset({"who", "whom", "that", "which", "whose"})
# people in these roles report or represent; a pronoun rarely means them. Not "director"
# or "producer": in this domain they are as often the subject.
ROLES = frozenset(
    "lawyer lawyers attorney counsel advocate spokesperson spokesman spokeswoman judge "
    "prosecutor minister official wife husband mother father son daughter brother sister "
    "relative cousin uncle aunt friend colleague agent publisher organiser organizer president "
    "chair secretary founder partner fiancee fiance representative chief".split())
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
# a noun trigger as object is the subject's event ("began a hunger strike")...
SUBJECT_VERBS = verbs("begin start launch stage serve receive get face risk end continue "
                        "undergo endure escape avoid announce enter join stand win secure")
# ...or the receiver's ("handed him a sentence", "was granted bail")
GIVE_VERBS = verbs("hand give impose issue grant slap order")


# ---------------------------------------------------------------- matcher, once per Vocab

_MATCHERS: dict[int, tuple[Vocab, Matcher]] = {}


def trigger_matcher(vocab: Vocab) -> Matcher:
    """The trigger matcher for ``vocab``, built on first use and kept for later docs."""
    cached = _MATCHERS.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    from spacy.matcher import Matcher

    m = Matcher(vocab)
    words = sorted(set(VERB_TYPE) | set(NOUN_TYPE) | PLACE_NOUNS | DIED | {"station"})
    m.add("TRIGGER", [[{"LOWER": {"IN": words}}]])
    m.add("HUNGER", [[{"LOWER": "hunger"}, {"ORTH": "-", "OP": "?"},
                      {"LOWER": {"IN": ["strike", "strikes", "striking"]}}]])
    _MATCHERS[id(vocab)] = (vocab, m)
    return m
