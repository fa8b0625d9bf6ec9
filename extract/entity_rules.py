"""Context evidence for people and organizations, used by :mod:`extract.entities`.

The small model often labels an unfamiliar person ORG ("said Srirak Plipat of
Freemuse"), an organization PERSON ("Gogol Center"), a place ORG ("the court in
Isfahan"), and misses organizations written without a familiar head noun
("Scholars at Risk (SAR)"). The words around a name usually settle it: a job title
before it, an appositive role or age after it, "who" rather than "which", a head
noun such as Centre or Foundation, an acronym defined in brackets, a photo credit
line. The functions here read such evidence from an analysed ``Doc`` and return
token offsets or vote counts; :mod:`extract.entity_context` turns them into
candidates and votes. Everything is a linear pass over tokens, so it adds little to
the model's time.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extract import lexicon
from extract.entity_keys import entity_key
from extract.sentences import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


# Nouns that describe a person's job or situation: a name right after one
# ("filmmaker Jafar Panahi", "his lawyer Babak Paknia") or in apposition
# ("Maksim Znak, a lawyer") is a person.
ROLE_NOUNS = lexicon.words("roles") | lexicon.words("relatives")

# Head nouns and name parts that make a span an organization, never a person.
ORG_HEADS = lexicon.words("org_words")
# Places often written like names; a span containing them is not a person.
_PLACE_WORDS = frozenset("""
republic kingdom state states city province region county district island islands street road
square park prison airport station bridge river mountain lake sea ocean united
""".split())
# Roles whose "of" is followed by an organization ("head of Afghan Film").
_SAY = frozenset("""
said says told added wrote stated explained noted warned insisted recalled argued tweeted
""".split())
# Verbs whose subject, when a capitalised name with no label, is an organization or a person.
_CAPTION_WORDS = frozenset("""
above below left right top bottom middle centre center inset pictured main photo photograph
image credit solidarity media
""".split())
_AWARDS = frozenset("prize prizes award awards medal trophy".split())
PARTICLES = lexicon.words("particles")
CONNECT = frozenset("of for on at the and de du la without & in".split())
HYPHENS = frozenset({"-", "‐"})
ORDINAL_WORD = re.compile(r"^\d+(?:st|nd|rd|th)$")  # "58th", "2nd"
_DASHES = frozenset({"–", "—", "-"})
PLACE_TYPES = frozenset({"GPE", "LOC", "NORP"})
_NOT_NAME_TYPES = frozenset({"DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY"})
# Words that may stand between an appositive comma and its role ("X, Amnesty's deputy director").
_APPOS_POS = frozenset({"DET", "ADJ", "NOUN", "PROPN", "PART", "NUM", "PRON", "CCONJ"})
# Function words that a body's name capitalises inside it and a person's name never has.
_LINKING_WORDS = frozenset("without for against of on at in the and with from under across beyond".split())
_INITIAL = re.compile(r"^[A-Z]\.$")
DEMONYM = re.compile(r"(?:an|ese|ish|i)$")


def titled(tok: Token) -> bool:
    return tok.is_alpha and tok.text[0].isupper() and not (tok.is_upper and len(tok) > 1)


def person_shaped(doc: Doc, start: int, end: int) -> bool:
    """Every word could be part of a personal name: capitalised, particles, initials, hyphens."""
    words = 0
    for tok in doc[start:end]:
        low = tok.lower_
        if tok.ent_type_ in _NOT_NAME_TYPES:
            return False
        if tok.i > start and low in _LINKING_WORDS and tok.text[0].isupper():
            return False  # "Reporters Without Borders", "Artists For Peace": a name of a body
        if tok.text in HYPHENS or low in PARTICLES or _INITIAL.match(tok.text):
            continue
        if not titled(tok) or low in ORG_HEADS or low in _PLACE_WORDS or low in ROLE_NOUNS or \
                low in CREDIT_WORDS:
            return False
        words += 1
    return 1 <= words <= 4


def surname_like_a_body(doc: Doc, start: int, end: int) -> bool:
    """"the journalist Loup Bureau", "Ana Court, 27,": a given name and a surname that is
    also an organization's word, with a job title right before it or an age after it."""
    if not 2 <= end - start <= 3 or not all(titled(t) for t in doc[start:end]) or \
            doc[end - 1].lower_ not in ORG_HEADS or not person_shaped(doc, start, end - 1):
        return False
    aged = end + 2 < len(doc) and doc[end].text == "," and doc[end + 1].like_num and doc[end + 2].text == ","
    return aged or role_before(doc, start) and doc[start - 1].is_lower


def has_org_head(doc: Doc, start: int, end: int) -> bool:
    return any(t.lower_ in ORG_HEADS for t in doc[start:end]) or (
        end - start >= 3 and doc[end - 2].text in HYPHENS and doc[end - 1].text == "Info")


def role_before(doc: Doc, start: int) -> bool:
    """"filmmaker Jafar Panahi": a role noun written right before the name."""
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and prev.text == "," and start >= 3 and doc[start - 2].lower_ in ROLE_NOUNS \
            and doc[start - 3].lower_ in ("the", "a", "an", "his", "her", "their"):
        return True  # "the singer, Tsego, was sentenced": a role in apposition before the name
    return prev is not None and prev.lower_ in ROLE_NOUNS and "\n" not in prev.whitespace_


def person_votes(doc: Doc, start: int, end: int) -> int:
    """How strongly the words around a person-shaped span say it names a person (0: no evidence)."""
    if not person_shaped(doc, start, end):
        return 2 if surname_like_a_body(doc, start, end) else 0
    multi = end - start > 1
    votes = 0
    prev = doc[start - 1] if start > 0 else None
    if role_before(doc, start):
        votes += 2  # "filmmaker Jafar Panahi"
    nxt = doc[end] if end < len(doc) else None
    after = doc[end + 1] if end + 1 < len(doc) else None
    if nxt is not None and nxt.text == "," and after is not None:
        if after.lower_ == "who":
            votes += 2
        elif after.like_num and end + 2 < len(doc) and doc[end + 2].text in {",", ")"}:
            votes += 2  # "X, 34,"
        else:
            # "X, a lawyer", "X, the festival's director", "X, Executive Director of ..."
            j = end + 1
            while j < len(doc) and j < end + 6 and doc[j].lower_ not in ROLE_NOUNS and \
                    doc[j].pos_ in _APPOS_POS and doc[j].lower_ not in {"who", "which"}:
                j += 1
            if j < len(doc) and doc[j].lower_ in ROLE_NOUNS:
                votes += 2
    if nxt is not None and nxt.text in _DASHES and any(
            t.lower_ in ROLE_NOUNS for t in doc[end + 1 : end + 4]):
        votes += 2  # a list line "X – poet, translator"
    if multi and prev is not None and prev.lower_ in _SAY:
        votes += 1  # "said Srirak Plipat"
    if multi and nxt is not None and nxt.lower_ in _SAY:
        votes += 1
    if multi and nxt is not None and nxt.lower_ == "of" and after is not None and \
            after.text[0].isupper() and (prev is None or not titled(prev)):
        votes += 1  # "Emma Sinclair-Webb of Human Rights Watch"
    return votes + personal_context(doc, start, end)


# What a person has and an organization has not: "X's lawyer", "X's jailing", "X's new film".
_PERSONAL_THINGS = frozenset("""
jailing arrest arrests detention imprisonment release conviction sentencing trial lyrics poems
novels lawyer lawyers family health death funeral birthday life career wife husband son daughter
mother father brother sister satire films film book books novel play songs album poetry memoir
""".split())
_REFLEXIVE = frozenset({"himself", "herself"})


def line_start(doc: Doc, i: int) -> bool:
    """Whether token ``i`` opens a line."""
    return i == 0 or "\n" in doc[i - 1].whitespace_ or (doc[i - 1].is_space and "\n" in doc[i - 1].text)


def personal_context(doc: Doc, start: int, end: int) -> int:
    """Votes for a person from the words around a name, whatever the model labelled it.

    "By X" opening a line (a byline); "X's lawyer", "X's jailing"; "X barricaded himself"
    (a reflexive pronoun on the name's verb); "the director of the paper, X," (the name in
    apposition to a role phrase just before it).
    """
    votes = 0
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and prev.lower_ == "by" and line_start(doc, start - 1):
        votes += 2
    if end + 1 < len(doc) and doc[end].lower_ in {"'s", "’s"} and (
            doc[end + 1].lower_ in _PERSONAL_THINGS or end + 2 < len(doc) and doc[end + 1].pos_ == "ADJ"
            and doc[end + 2].lower_ in _PERSONAL_THINGS):
        votes += 2
    root = doc[start:end].root
    if root.dep_.startswith("nsubj") and any(
            t.lower_ in _REFLEXIVE for c in root.head.children for t in (c, *c.children)):
        votes += 2
    if prev is not None and prev.text == "," and _role_phrase_before(doc, start - 1):
        votes += 2
    if _done_to_a_person(root):
        votes += 2  # "X was arrested", "sentenced X to", "the trial of X": what befalls people
    return votes


_DONE_TO_PEOPLE = lexicon.words("person_passive_verbs")
_PERSON_ONLY_NOUNS = lexicon.words("person_only_nouns")


def _done_to_a_person(root: Token) -> bool:
    """Whether a name is whom an arrest, a sentence or a trial befalls in its sentence: the
    passive subject ("X was detained and questioned", "X and Y were arrested") or the object
    ("police arrested X") of what is done to people and never to bodies, or what follows
    "of" after such a noun ("the trial of X")."""
    while root.dep_ == "conj" and root.head.i < root.i:
        root = root.head
    head = root.head
    if root.dep_ in ("nsubjpass", "dobj"):
        return head.lower_ in _DONE_TO_PEOPLE
    return root.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ in _PERSON_ONLY_NOUNS


def _role_phrase_before(doc: Doc, comma: int) -> bool:
    """"the director of Nicaragua's La Prensa newspaper," ends at ``comma``: a role phrase."""
    for i in range(comma - 1, max(-1, comma - 11), -1):
        tok = doc[i]
        if tok.is_sent_start and i < comma - 1 and tok.lower_ not in ROLE_NOUNS and tok.lower_ != "the":
            return False
        if tok.pos_ in {"VERB", "AUX"} or tok.text in {",", ";", ":", ".", "(", ")"}:
            return False
        if tok.is_lower and tok.lower_ in ROLE_NOUNS:
            det = doc[i - 1] if i > 0 else None
            return det is None or det.is_sent_start or det.lower_ in {"the", "a", "an", "its", "their"} \
                or det.pos_ in {"ADJ", "PROPN", "PART"} or det.lower_ in {"and", "of"}
    return False


def org_votes(doc: Doc, start: int, end: int) -> int:
    """Evidence that a span names an organization: a head noun, "which", a defined acronym."""
    votes = 0
    if has_org_head(doc, start, end) and not surname_like_a_body(doc, start, end):
        votes += 2
    if end + 1 < len(doc) and doc[end].text == "," and doc[end + 1].lower_ == "which":
        votes += 1
    return votes


def is_place(doc: Doc, start: int, end: int, place_texts: set[str]) -> bool:
    """A one-word ORG that is really a place or a demonym ("court in Isfahan", "Gezi trial")."""
    if end - start != 1:
        return False
    tok = doc[start]
    if tok.lower_ in ORG_HEADS:
        return False
    if tok.is_upper and not (start + 1 < len(doc) and doc[start + 1].text in {"-", "–", "—"}):
        return False
    if tok.text in place_texts:
        return True

    line_start = start == 0 or "\n" in doc[start - 1].whitespace_ or "\n" in doc[start - 1].text
    if line_start and start + 1 < len(doc) and \
            doc[start + 1].text in {"-", "–", "—"} and tok.whitespace_:
        return True  # a dateline: "AMSTERDAM - The festival ..."

    if start > 0 and doc[start - 1].lower_ in {"in", "near", "across", "to"}:
        return True
    return is_demonym(doc, start, end)


def place_texts(doc: Doc) -> set[str]:
    """Words inside the model's place-like entities anywhere in the document."""
    return {t.text for e in doc.ents if e.label_ in {"GPE", "LOC", "FAC"} and len(e) > 1
            for t in e if t.is_alpha and t.lower_ not in ORG_HEADS}


def place_votes(doc: Doc) -> dict[str, int]:
    """How often each name is labelled a place (GPE, LOC) by the model in this document."""
    counts: dict[str, int] = {}
    for e in doc.ents:
        if e.label_ in {"GPE", "LOC"}:
            words = [t.text for t in e if t.lower_ != "the"]
            key = entity_key(" ".join(words))
            counts[key] = counts.get(key, 0) + 1
    return counts


def is_caption_word(doc: Doc, start: int, end: int) -> bool:
    """"Left:", "Below:" in captions, "Iran:" as a topic label, an award: not a name."""
    if end - start == 1 and doc[start].lower_ in _CAPTION_WORDS or doc[end - 1].lower_ in _AWARDS:
        return True
    # a one-word label before a colon at the start of a line: "Iran: rapper sentenced", "• Eritrea: ..."
    return end - start == 1 and end < len(doc) and doc[end].text == ":" and (
        start == 0 or "\n" in doc[start - 1].text or "\n" in doc[start - 1].whitespace_
        or doc[start - 1].text in {"•", "-", "*", "·"})


def run_back(doc: Doc, end: int, connectors: bool, limit: int = 8) -> int:
    """Start of the run of capitalised words (with "of", "for"... inside) that ends at ``end``."""
    start = end
    i = end - 1
    while i >= 0 and end - i <= limit:
        tok = doc[i]
        if "\n" in tok.whitespace_ and i < end - 1:
            break
        if tok.is_alpha and tok.text[0].isupper() or (tok.like_num and i < end - 1):
            start = i
        elif tok.text in HYPHENS and not tok.whitespace_ and i > 0 and not doc[i - 1].whitespace_:
            pass
        elif not (connectors and tok.lower_ in CONNECT and tok.lower_ != "the"):
            break
        i -= 1
    return start


def run_fwd(doc: Doc, start: int, limit: int = 8) -> int:
    end = start
    j = start
    while j < len(doc) and j - start < limit:
        tok = doc[j]
        if j > start and "\n" in doc[j - 1].whitespace_:
            break
        if tok.is_alpha and tok.text[0].isupper() or (tok.like_num and j > start):
            j += 1
            end = j
        elif j > start and (tok.lower_ in CONNECT - {"and", "&", "in"} or
                            tok.text in HYPHENS and not tok.whitespace_):
            j += 1
        else:
            break
    return end


def is_demonym(doc: Doc, start: int, end: int) -> bool:
    """"the Ugandan writer": a capitalised modifier derived from a place named in the document."""
    if end - start != 1 or end >= len(doc):
        return False
    tok, nxt = doc[start], doc[end]
    if not (nxt.is_lower and nxt.lower_ in ROLE_NOUNS and DEMONYM.search(tok.lower_)):
        return False
    stem = tok.lower_[:4]
    return any(e.label_ in {"GPE", "NORP", "LOC"} and e.text.lower().startswith(stem) and e.start != start
               for e in doc.ents)


# Common nouns an organization's name may be followed or preceded by ("her agency
# Studio 99", "the Myanmar Now news service", "the theatre company, Teatro Sin Fronteras").
ORG_NOUNS = frozenset("""
agency company group collective organisation organization ngo newspaper outlet website
label band troupe charity network platform broadcaster magazine daily weekly service association
publishing portal channel publication tabloid newswire watchdog periodical monthly journal
""".split())
_SITE_BEFORE = frozenset({"news", "web", "media", "opposition", "independent"})  # "the news site X"
ORG_NOUN_FORMS = ORG_NOUNS | {"site", "sites"} | {w + "s" for w in ORG_NOUNS} | {
    w[:-1] + "ies" for w in ORG_NOUNS if w.endswith("y")}


def is_org_noun(doc: Doc, i: int, plural: bool = True) -> bool:
    """Token ``i`` is a lower-case organization noun ("newspaper", "the news site", and with
    ``plural`` the plural: "the media outlets X and Y")."""
    tok = doc[i]
    low = tok.lower_
    if low not in ORG_NOUN_FORMS or not tok.is_lower:
        return False
    if plural and len(low) > 3 and low.endswith("s"):
        low = low[:-3] + "y" if low.endswith("ies") else low[:-1]
    if low == "site":
        return i > 0 and doc[i - 1].lower_ in _SITE_BEFORE
    return low in ORG_NOUNS


def plural_org_noun_before(doc: Doc, start: int) -> bool:
    """"the independent outlets Kaluzhka and Ravnina": a name in a list right after a plural
    organization noun."""
    j = start - 1
    while j >= 0 and start - j < 12 and (doc[j].text == "," or doc[j].lower_ in {"and", "&"}
                                         or doc[j].text[:1].isupper() and doc[j].is_alpha):
        j -= 1
    return j >= 0 and j < start - 1 and doc[j].lower_ != doc[j].lower_.rstrip("s") \
        and is_org_noun(doc, j)
# Lowercase words the model keeps at the end of an organization's name.
TRAILING_NOUNS = frozenset("""
office press statement report spokesperson spokesman spokeswoman researcher researchers director
official officials staff team members member chief head lawyers lawyer website based
administrator
""".split())
# Words that open a photo credit; the model sometimes runs a caption's last name into them.
CREDIT_WORDS = frozenset("image photo photograph picture credit file courtesy".split())
# Works: the capitalised words after these are a title, not a person or organization.
_WORK_NOUNS = frozenset("""
film films play plays book books novel novels documentary documentaries album song songs poem poems
exhibition series opera feature short memoir collection painting installation movie movies
show shows cartoon cartoons drama sitcom podcast story stories essay essays
""".split())
# "the film titled X", "a documentary called X": a verb naming the work just before its title
_NAMING_VERBS = frozenset("titled entitled called named".split())
_MADE_BY = frozenset("""
directed written produced photographed painted composed edited shot made drawn curated
""".split())


def after_work_noun(doc: Doc, start: int) -> bool:
    """"their play Finist the Brave Falcon", "the film “Night Train”": a title after a work noun;
    also "a graphic novel, X", "a documentary called X" and "(under) the working title of X"."""
    if start > 1 and doc[start - 1].text in _OPEN_QUOTES:
        start -= 1
    elif start > 1 and _QUOTE_CHARS.search(doc_text(doc), doc[max(0, start - 8)].idx, doc[start].idx):
        # inside a quoted title that opens after a work noun: their play “Finist, the Brave Falcon”
        for q in range(start - 1, max(0, start - 8), -1):
            if doc[q].text in _CLOSE_QUOTES - _OPEN_QUOTES or doc[q].is_sent_start:
                break
            if doc[q].text in _OPEN_QUOTES:
                return q > 0 and doc[q - 1].lower_ in _WORK_NOUNS and doc[q - 1].is_lower
    if start > 2 and doc[start - 1].text == ",":
        # "a graphic novel, X", "his poem, X": one work named after its noun; not "she wrote
        # poems, X said"
        noun = doc[start - 2]
        return noun.lower_ in _WORK_NOUNS and noun.is_lower and noun.tag_ == "NN" and any(
            c.dep_ in ("det", "poss") for c in noun.children)
    if start > 1 and doc[start - 1].lower_ in _NAMING_VERBS:
        start -= 1  # the work noun before the naming verb
    elif start > 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ == "title":
        return True
    return start > 0 and doc[start - 1].lower_ in _WORK_NOUNS and doc[start - 1].is_lower


# What is done to a work: the object of these verbs is a title ("she published X", "the
# festival screened X"); not "released" (people are released) nor "produced" (evidence is)
_WORK_VERBS = frozenset("""
published publishes publish wrote writes write directed directs direct screened screens screen
filmed staged composed painted translated
""".split())
_APPOS_DETS = frozenset({"the", "a", "an", "his", "her", "their", "its"})


def named_as_work(doc: Doc, start: int, end: int) -> bool:
    """"Yevtushenko published X", "X, the second film by Y", "X / Y, a documentary about": a
    name that is a work's verb's object or has a work noun in apposition is a title."""
    root = doc[end - 1]  # a name's last word is its head
    if root.dep_ == "dobj" and root.head.lower_ in _WORK_VERBS and root.head.pos_ == "VERB":
        return True
    j = end
    while j < len(doc) and j < end + 5 and doc[j].text not in {",", ".", "by"} and not doc[j].is_sent_start:
        j += 1  # an alternate title after a slash: "X / La Y, the film"
    if j + 1 < len(doc) and doc[j].text == "by" and (j == end or doc[end].text == "/") and \
            doc[start].ent_type_ != "PERSON" and not has_org_head(doc, start, end):
        # "the X / Y by the Chilean documentarian Ana Soto": a work and its maker (a person's
        # name or role after "by"; not "a photo of Ana Soto by ...", the model's person)
        maker = doc[j + 1 : j + 7]
        return any(t.ent_type_ == "PERSON" or t.is_lower and t.lower_ in ROLE_NOUNS for t in maker) \
            and not any(t.ent_type_ == "ORG" for t in doc[j + 1 : j + 3])
    if j + 2 >= len(doc) or doc[j].text != "," or doc[j + 1].lower_ not in _APPOS_DETS:
        return False
    k = j + 2
    while k < len(doc) and k < j + 5 and (doc[k].pos_ in {"ADJ", "NUM"} or
                                          doc[k].ent_type_ == "ORDINAL"):
        k += 1
    return k < len(doc) and doc[k].lower_ in _WORK_NOUNS and doc[k].is_lower


def title_case_sentence(doc: Doc, i: int) -> bool:
    """The sentence of token ``i`` capitalises most of its words: a headline, whose
    prepositions are capitalised whatever they join ("Poet Jailed Without Trial")."""
    sent = doc[i].sent
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return len(words) > 2 and sum(t.text[0].isupper() for t in words) * 3 > len(words) * 2


def title_of_a_work(doc: Doc, start: int, end: int) -> bool:
    """"the director of Kiss Of The Spider Woman": a capitalised "The" inside a name written
    in running text (not a headline) and without a body's word is a title; bodies write
    their "the" in lower case ("Friends of the Earth")."""
    if not any(t.text == "The" for t in doc[start + 1 : end]) or has_org_head(doc, start, end):
        return False
    # the words of its sentence around it (the title's own words do not make a headline)
    words = [t for t in doc[start].sent if t.is_alpha and len(t) > 3 and not start <= t.i < end]
    return 2 * len(words) >= 3 * sum(t.text[0].isupper() for t in words)


_SECTION_WORDS = frozenset("section strand sidebar competition category".split())
_YEAR = re.compile(r"^(?:18|19|20)\d\d$")


def work_or_section(doc: Doc, start: int, end: int) -> bool:
    """"General Knowledge and the Path (2011)": a title with its year in brackets (unless it
    could be a person's name: "Nasrin Sotoudeh (1963)"); "the Open Horizons section": a
    festival's section or competition. Neither names a person or an organization."""
    if end + 2 < len(doc) and doc[end].text == "(" and _YEAR.match(doc[end + 1].text) \
            and doc[end + 2].text == ")" and not person_shaped(doc, start, end):
        return True
    return end < len(doc) and doc[end].is_lower and doc[end].lower_ in _SECTION_WORDS


_OPEN_QUOTES = frozenset({"“", '"', "‘", "'", "«", "„"})
_QUOTE_CHARS = re.compile("[" + "".join(sorted(_OPEN_QUOTES)) + "]")
_CLOSE_QUOTES = frozenset({"”", '"', "’", "'", "»", "“"})


def quoted(doc: Doc, start: int, end: int) -> bool:
    """The span is all that stands between quotation marks: a title or a slogan, not a name."""
    if start == 0 or doc[start - 1].text not in _OPEN_QUOTES:
        return False
    j = end
    while j < len(doc) and doc[j].text in {",", ".", "!", "?"}:
        j += 1
    return j < len(doc) and doc[j].text in _CLOSE_QUOTES


def made_by(doc: Doc, start: int, end: int) -> bool:
    """"a film by Sepideh Farsi", "directed by ...": the maker of a work is a person."""
    if start == 0 or doc[start - 1].lower_ != "by" or end - start < 2 or not person_shaped(doc, start, end):
        return False
    window = doc[max(0, start - 4) : start - 1]
    return any(t.lower_ in _WORK_NOUNS or t.lower_ in _MADE_BY for t in window)


def org_noun_votes(doc: Doc, start: int, end: int) -> int:
    """"her agency Studio 99", "the company, Teatro Sin Fronteras,", "the Myanmar Now news service"."""
    prev = doc[start - 1] if start > 0 else None
    comma = prev is not None and prev.text == "," and start > 1
    if comma:
        prev = doc[start - 2]
    # "the owner of the ATR television channel, Lenur Islyamov,": a person's name in
    # apposition after an outlet is its owner or editor, not the outlet
    if prev is not None and is_org_noun(doc, prev.i) and not (comma and person_shaped(doc, start, end)):
        return 2
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None and (is_org_noun(doc, end, plural=False) or nxt.lower_ == "news"):
        return 2
    if plural_org_noun_before(doc, start):
        return 2
    if nxt is not None and nxt.text == ",":  # "Espacio Público, a Caracas-based press freedom group,"
        j = end + 1
        while j < len(doc) and j < end + 7 and (doc[j].pos_ in _APPOS_POS | {"PUNCT"} or
                                                doc[j - 1].text in HYPHENS) and \
                doc[j].text not in {",", "."} and not is_org_noun(doc, j, plural=False) and \
                doc[j].lower_ not in ROLE_NOUNS:
            j += 1
        if j < len(doc) and is_org_noun(doc, j, plural=False) and j > end + 1 and \
                doc[end + 1].lower_ in {"a", "an", "the"}:
            return 2
    return 0

_PLACE_MODIFIED = lexicon.words("place_modified_nouns")


def place_modifier(doc: Doc, start: int, end: int) -> bool:
    """"the Jalal-Abad region", "a Kharkiv police station": a name between an article and a
    noun of the places or bodies it names is a place used as a modifier, not a person."""
    if end >= len(doc) or not doc[end].is_lower or doc[end].lower_ not in _PLACE_MODIFIED:
        return False
    # "Jalal-Abad police arrested him": before the police of a place no article is needed
    return doc[end].lower_ in ("police", "authorities") or \
        start > 0 and doc[start - 1].lower_ in ("the", "a", "an")


# "the village of X", "the Emirate of X": what such a noun's "of" names is a place
_PLACE_OF = frozenset("""
village villages town towns city cities region province district county municipality island
oblast governorate suburb neighbourhood neighborhood emirate sultanate kingdom republic
""".split())


def named_place(doc: Doc, start: int, end: int) -> bool:
    """"the village of Kapytolivka", "the Emirate of al-Hail": a name after a place noun's
    "of", or opening with a capitalised place noun and "of", without a body's word, is a place."""
    if has_org_head(doc, start, end):
        return False
    if start > 1 and doc[start - 1].lower_ == "of" and doc[start - 2].is_lower and \
            doc[start - 2].lower_ in _PLACE_OF:
        return True
    first = start + (doc[start].lower_ == "the")
    return end - first >= 3 and doc[first].lower_ in _PLACE_OF and doc[first].text[0].isupper() \
        and doc[first + 1].lower_ == "of"


# A body's units: "director of Free Expression Programs at PEN America", "the Department of
# Journalism at X University" name a part of the body after "at", not a body of their own.
_UNIT_HEADS = frozenset("""
program programs programme programmes department departments desk division unit
""".split())


def unit_of_a_body(doc: Doc, start: int, end: int) -> bool:
    """A name with a unit's word ("Program", "Department") followed by "at" a capitalised name."""
    if end + 1 >= len(doc) or doc[end].lower_ != "at" or \
            not any(t.lower_ in _UNIT_HEADS for t in doc[start:end]):
        return False
    nxt = doc[end + 1] if doc[end + 1].lower_ != "the" or end + 2 >= len(doc) else doc[end + 2]
    return nxt.is_alpha and nxt.text[0].isupper()


def based_suffix(doc: Doc, end: int) -> bool:
    """"Taiwan-based", "a Caracas-based group": a place used as a modifier."""
    return end + 1 < len(doc) and doc[end].text in HYPHENS and doc[end + 1].lower_ == "based"


