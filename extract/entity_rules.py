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
from functools import lru_cache
from typing import TYPE_CHECKING

from extract import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PERSON = "person"
ORGANIZATION = "organization"

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
_ORG_ROLES = frozenset("""
head director founder co-founder cofounder member members chair chairman chairwoman chairperson
spokesperson spokesman spokeswoman executive editor editors coordinator researcher researchers
representative staff employee employees manager programmer curator co-chair
""".split())
_SAY = frozenset("""
said says told added wrote stated explained noted warned insisted recalled argued tweeted
""".split())
# Verbs whose subject, when a capitalised name with no label, is an organization or a person.
_REPORT = frozenset("""
said says announced called calls condemned condemns urged urges welcomed welcomes documented
documents recorded records reported reports counted counts demanded demands published publishes
recognised recognized denounced denounces warned warns criticised criticized issued issues
""".split())
# Caption position words that the model picks up as names ("Left:", "Below:").
_CAPTION_WORDS = frozenset("""
above below left right top bottom middle centre center inset pictured main photo photograph
image credit solidarity media
""".split())
_AWARDS = frozenset("prize prizes award awards medal trophy".split())
PARTICLES = lexicon.words("particles")
_CONNECT = frozenset("of for on at the and de du la without & in".split())
_HYPHENS = frozenset({"-", "‐"})
_PLACE_TYPES = frozenset({"GPE", "LOC", "NORP"})
# Labels the model gives organizations' names by mistake ("her agency Studio 99" as LAW).
_LOOSE_TYPES = frozenset({"", "LAW", "PRODUCT", "WORK_OF_ART", "FAC", "ORG"})
_NOT_NAME_TYPES = frozenset({"DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY"})
# Words that may stand between an appositive comma and its role ("X, Amnesty's deputy director").
_APPOS_POS = frozenset({"DET", "ADJ", "NOUN", "PROPN", "PART", "NUM", "PRON", "CCONJ"})
_INITIAL = re.compile(r"^[A-Z]\.$")
_CREDIT = re.compile(
    r"(?:\b(?:Photo(?:graph)?s?|Picture|Image|Credit|Foto)(?:\s*:\s*|\s+by\s+|\s+courtesy\s+of\s+)"
    r"|\bcourtesy\s+of\s+|©\s*|\((?:(?:Photo(?:graph)?|Picture|Image|Credit)\s*:\s*)?(?=[^()\n]*/))"
    r"(?P<body>[^\n()]{2,80})")
# Pieces of a credit: "Fabrice Coffrini/AFP via Getty Images", "Urs Flueeler for Keystone".
_CREDIT_PART = re.compile(r"(?:(?!\s(?:via|for)\s)[^/,;|])+")
_DEMONYM = re.compile(r"(?:an|ese|ish|i)$")


def _titled(tok: Token) -> bool:
    return tok.is_alpha and tok.text[0].isupper() and not (tok.is_upper and len(tok) > 1)


def person_shaped(doc: Doc, start: int, end: int) -> bool:
    """Every word could be part of a personal name: capitalised, particles, initials, hyphens."""
    words = 0
    for tok in doc[start:end]:
        low = tok.lower_
        if tok.ent_type_ in _NOT_NAME_TYPES:
            return False
        if tok.text in _HYPHENS or low in PARTICLES or _INITIAL.match(tok.text):
            continue
        if not _titled(tok) or low in ORG_HEADS or low in _PLACE_WORDS or low in ROLE_NOUNS or \
                low in CREDIT_WORDS:
            return False
        words += 1
    return 1 <= words <= 4


def has_org_head(doc: Doc, start: int, end: int) -> bool:
    return any(t.lower_ in ORG_HEADS for t in doc[start:end]) or (
        end - start >= 3 and doc[end - 2].text in _HYPHENS and doc[end - 1].text == "Info")


def role_before(doc: Doc, start: int) -> bool:
    """"filmmaker Jafar Panahi": a role noun written right before the name."""
    prev = doc[start - 1] if start > 0 else None
    return prev is not None and prev.lower_ in ROLE_NOUNS and "\n" not in prev.whitespace_


def person_votes(doc: Doc, start: int, end: int) -> int:
    """How strongly the words around a person-shaped span say it names a person (0: no evidence)."""
    if not person_shaped(doc, start, end):
        return 0
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
    if multi and prev is not None and prev.lower_ in _SAY:
        votes += 1  # "said Srirak Plipat"
    if multi and nxt is not None and nxt.lower_ in _SAY:
        votes += 1
    if multi and nxt is not None and nxt.lower_ == "of" and after is not None and \
            after.text[0].isupper() and (prev is None or not _titled(prev)):
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
    return votes


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
    if has_org_head(doc, start, end):
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
    from extract.entities import entity_key  # entities imports this module

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


def _run_back(doc: Doc, end: int, connectors: bool, limit: int = 8) -> int:
    """Start of the run of capitalised words (with "of", "for"... inside) that ends at ``end``."""
    start = end
    i = end - 1
    while i >= 0 and end - i <= limit:
        tok = doc[i]
        if "\n" in tok.whitespace_ and i < end - 1:
            break
        if tok.is_alpha and tok.text[0].isupper() or (tok.like_num and i < end - 1):
            start = i
        elif tok.text in _HYPHENS and not tok.whitespace_ and i > 0 and not doc[i - 1].whitespace_:
            pass
        elif not (connectors and tok.lower_ in _CONNECT and tok.lower_ != "the"):
            break
        i -= 1
    return start


def _run_fwd(doc: Doc, start: int, limit: int = 8) -> int:
    end = start
    j = start
    while j < len(doc) and j - start < limit:
        tok = doc[j]
        if j > start and "\n" in doc[j - 1].whitespace_:
            break
        if tok.is_alpha and tok.text[0].isupper() or (tok.like_num and j > start):
            j += 1
            end = j
        elif j > start and (tok.lower_ in _CONNECT - {"and", "&", "in"} or
                            tok.text in _HYPHENS and not tok.whitespace_):
            j += 1
        else:
            break
    return end


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


def defined_acronyms(doc: Doc) -> list[tuple[int, int, int, int]]:
    """"Scholars at Risk (SAR)": (name start, name end, acronym start, acronym end) per definition.

    The name is the run of capitalised words before the bracket; when the acronym's
    letters match the initials of a shorter tail of that run, only the tail is kept.
    """
    out: list[tuple[int, int, int, int]] = []
    for tok in doc:
        i = tok.i
        if tok.text != "(" or i < 2 or i + 2 >= len(doc) or doc[i + 2].text != ")":
            continue
        acro = doc[i + 1].text
        if not (2 <= len(acro) <= 8 and acro.isupper() and acro.isalpha()):
            continue
        start = _run_back(doc, i, connectors=True)
        while start < i and (doc[start].lower_ in _CONNECT or not doc[start].is_alpha):
            start += 1  # "the 58th Karlovy Vary International Film Festival (KVIFF)"
        if i - start < 2 and not (i - start == 1 and doc[start].is_upper):
            continue
        words = [t.text for t in doc[start:i] if t.is_alpha]
        for s in range(start, i):  # the shortest tail whose initials spell the acronym
            tail = [t.text for t in doc[s:i] if t.is_alpha]
            content = [w for w in tail if w[0].isupper()]
            if _initials(tail) == acro or _initials(content) == acro:
                start = s
                break
        else:
            if not words or words[0][0].upper() != acro[0] and not has_org_head(doc, start, i):
                continue
        if person_shaped(doc, start, i) and not has_org_head(doc, start, i):
            continue
        out.append((start, i, i + 1, i + 2))
    return out


def role_of_orgs(doc: Doc) -> list[tuple[int, int]]:
    """"head of Afghan Film", "director of the Berlinale": the name after the role is an organization."""
    out: list[tuple[int, int]] = []
    for tok in doc:
        if tok.lower_ != "of" or tok.i == 0 or doc[tok.i - 1].lower_ not in _ORG_ROLES:
            continue
        start = tok.i + 1
        if start < len(doc) and doc[start].lower_ == "the":
            start += 1
        end = _run_fwd(doc, start)
        # "director of the Berlinale", "executive director of Freemuse": one word the model calls a
        # place, unless it owns something ("head of Iran's judiciary")
        the_one = end - start == 1 and doc[start].ent_type_ == "GPE" and not (
            end < len(doc) and doc[end].lower_ in {"'s", "’s"})
        if start >= len(doc) or not the_one and all(
                t.ent_type_ in _PLACE_TYPES | {"DATE", "PERSON"} for t in doc[start : max(end, start + 1)]):
            continue
        while end > start and doc[end - 1].lower_ in _CONNECT:
            end -= 1
        if end - start == 1 and len(doc[start]) > 1 or end - start > 1 and not person_shaped(doc, start, end):
            out.append((start, end))
    return out


def unlabelled_subjects(doc: Doc) -> list[tuple[int, int, str]]:
    """Capitalised proper names the model left unlabelled that report or act as subjects.

    "Memorial, which was dissolved", "Index on Censorship has announced",
    "OVD-Info counted": organizations. Person-shaped names are left to the model.
    """
    out: list[tuple[int, int, str]] = []
    for tok in doc:
        if tok.ent_type_ or not tok.dep_.startswith("nsubj") or tok.pos_ != "PROPN":
            continue
        start = _run_back(doc, tok.i + 1, connectors=True)
        end = _run_fwd(doc, tok.i)
        if any(t.ent_type_ and t.ent_type_ not in {"ORG"} for t in doc[start:end]):
            continue
        while start < end and (doc[start].lower_ in _CONNECT or not doc[start].text[0].isupper()):
            start += 1
        if end <= start or doc[start].is_sent_start and end - start == 1 and \
                not (end < len(doc) and doc[end].text == ","):
            continue
        head = tok.head
        which = end + 1 < len(doc) and doc[end].text == "," and doc[end + 1].lower_ == "which"
        reports = head.pos_ in {"VERB", "AUX"} and head.lower_ in _REPORT
        if not (which or reports):
            continue
        if person_shaped(doc, start, end) and not which:
            continue
        out.append((start, end, ORGANIZATION))
    return out


def credit_spans(doc: Doc) -> list[tuple[int, int, str]]:
    """Photo credits: "Photograph: Andreas Rentz/Getty Images", "(Reuters/Valentyn Ogirenko)", "© AFP"."""
    out: list[tuple[int, int, str]] = []
    text = doc.text
    for m in _CREDIT.finditer(text):
        body = m.group("body")
        offset = m.start("body")
        courtesy = "courtesy" in m.group(0)[: m.start("body") - m.start()].lower()
        for part in _CREDIT_PART.finditer(body):
            piece = part.group().strip().rstrip(".")
            if not piece:
                continue
            s = offset + part.start() + part.group().index(piece[0])
            span = doc.char_span(s, s + len(piece), alignment_mode="expand")
            if span is None or not span[0].text[0].isupper():
                continue
            stop = _run_fwd(doc, span.start, limit=5)
            if stop < span.end:
                continue  # the credit line runs on into ordinary text
            lead_acronym = span.end - span.start >= 3 and span[0].is_upper
            if lead_acronym and person_shaped(doc, span.start + 1, span.end):
                out.append((span.start, span.start + 1, ORGANIZATION))  # "NASA Bill Ingalls"
                out.append((span.start + 1, span.end, PERSON))
            elif person_shaped(doc, span.start, span.end) and span.end - span.start >= 2 and not courtesy:
                out.append((span.start, span.end, PERSON))
            elif span.end - span.start <= 4:
                out.append((span.start, span.end, ORGANIZATION))
    return out


def coordinated_before(doc: Doc, start: int, kind: str) -> list[tuple[int, int]]:
    """"Amnesty International, Human Rights Watch and the Belarusian Association of Journalists":
    names coordinated before a span take its kind (the model often labels only the last)."""
    out: list[tuple[int, int]] = []
    i = start
    while len(out) < 8:
        j = i - 1
        if j >= 0 and doc[j].lower_ == "the":
            j -= 1
        if j < 1 or doc[j].lower_ not in {",", "and", "&"}:
            break
        k = j - 1
        if doc[j].lower_ == "and" and doc[k].text == ",":
            k -= 1
        if k < 0 or "\n" in doc[k].whitespace_:
            break
        s = _run_back(doc, k + 1, connectors=kind == ORGANIZATION, limit=6)
        while s <= k and doc[s].lower_ in _CONNECT:
            s += 1
        if s > k or doc[s].ent_type_ in {"DATE", "CARDINAL", "NORP"} or \
                all(t.ent_type_ in {"GPE", "LOC"} for t in doc[s : k + 1]):
            break
        if kind == PERSON and not person_shaped(doc, s, k + 1):
            break
        if kind == ORGANIZATION and k + 1 - s < 2 and not doc[s].is_upper:
            break
        out.append((s, k + 1))
        i = s
    return out


def is_demonym(doc: Doc, start: int, end: int) -> bool:
    """"the Ugandan writer": a capitalised modifier derived from a place named in the document."""
    if end - start != 1 or end >= len(doc):
        return False
    tok, nxt = doc[start], doc[end]
    if not (nxt.is_lower and nxt.lower_ in ROLE_NOUNS and _DEMONYM.search(tok.lower_)):
        return False
    stem = tok.lower_[:4]
    return any(e.label_ in {"GPE", "NORP", "LOC"} and e.text.lower().startswith(stem) and e.start != start
               for e in doc.ents)


# Common nouns an organization's name may be followed or preceded by ("her agency
# Studio 99", "the Myanmar Now news service", "the theatre company, Teatro Sin Fronteras").
ORG_NOUNS = frozenset("""
agency company group collective organisation organization ngo newspaper outlet website
label band troupe charity network platform broadcaster magazine daily weekly service association
publishing
""".split())
# Lowercase words the model keeps at the end of an organization's name.
TRAILING_NOUNS = frozenset("""
office press statement report spokesperson spokesman spokeswoman researcher researchers director
official officials staff team members member chief head lawyers lawyer website based
administrator
""".split())
# Words that open a photo credit; the model sometimes runs a caption's last name into them.
CREDIT_WORDS = frozenset("image photo photograph picture credit file".split())
# Works: the capitalised words after these are a title, not a person or organization.
_WORK_NOUNS = frozenset("""
film films play plays book books novel novels documentary documentaries album song songs poem poems
exhibition series opera feature short memoir collection painting installation
""".split())
_MADE_BY = frozenset("""
directed written produced photographed painted composed edited shot made drawn curated
""".split())
_ORG_HEADERS = re.compile(r"\b(?:organi[sz]ations?|groups|ngos|institutions|supported by|partners)\b", re.I)
_BULLET_LINE = re.compile(r"^[ \t]*[-–•*·▪●][ \t]*(?P<name>[^\n,;:()]{2,80}?)[ \t]*$", re.MULTILINE)


def after_work_noun(doc: Doc, start: int) -> bool:
    """"their play Finist the Brave Falcon", "the film “Night Train”": a title after a work noun."""
    if start > 1 and doc[start - 1].text in _OPEN_QUOTES:
        start -= 1
    return start > 0 and doc[start - 1].lower_ in _WORK_NOUNS and doc[start - 1].is_lower


_OPEN_QUOTES = frozenset({"“", '"', "‘", "'", "«", "„"})
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
    if prev is not None and prev.text == "," and start > 1:
        prev = doc[start - 2]
    if prev is not None and prev.is_lower and prev.lower_ in ORG_NOUNS:
        return 2
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None and nxt.is_lower and nxt.lower_ in ORG_NOUNS | {"news"}:
        return 2
    if nxt is not None and nxt.text == ",":  # "Espacio Público, a Caracas-based press freedom group,"
        j = end + 1
        while j < len(doc) and j < end + 7 and (doc[j].pos_ in _APPOS_POS | {"PUNCT"} or
                                                doc[j - 1].text in _HYPHENS) and \
                doc[j].text not in {",", "."} and doc[j].lower_ not in ORG_NOUNS | ROLE_NOUNS:
            j += 1
        if j < len(doc) and doc[j].is_lower and doc[j].lower_ in ORG_NOUNS and j > end + 1 and \
                doc[end + 1].lower_ in {"a", "an", "the"}:
            return 2
    return 0


def org_noun_spans(doc: Doc) -> list[tuple[int, int]]:
    """Capitalised runs the model left unlabelled next to an organization noun."""
    out: list[tuple[int, int]] = []
    for tok in doc:
        if not (tok.is_lower and tok.lower_ in ORG_NOUNS):
            continue
        i = tok.i
        nxt = i + 1
        if nxt < len(doc) and doc[nxt].text == ",":
            nxt += 1
        if nxt < len(doc) and doc[nxt].text[0].isupper() and doc[nxt].ent_type_ in _LOOSE_TYPES:
            end = _run_fwd(doc, nxt, limit=6)
            if end > nxt and all(t.ent_type_ in _LOOSE_TYPES for t in doc[nxt:end]) and \
                    (end - nxt > 1 or doc[nxt].pos_ == "PROPN"):
                out.append((nxt, end))
        prev = i - 1
        if doc[prev].lower_ == "news" and prev > 0:
            prev -= 1
        if prev >= 0 and doc[prev].text[0].isupper() and (doc[prev].pos_ == "PROPN"):
            start = _run_back(doc, prev + 1, connectors=False, limit=5)
            while start <= prev and doc[start].is_sent_start and doc[start].lower_ in {"the", "a"}:
                start += 1
            if start <= prev and not all(t.ent_type_ in _PLACE_TYPES for t in doc[start : prev + 1]):
                if not any(t.ent_type_ in {"PERSON", "DATE"} for t in doc[start : prev + 1]):
                    out.append((start, prev + 1))
    return out


def role_name_spans(doc: Doc) -> list[tuple[int, int]]:
    """"his lawyer Ayoub Ghedamsi": name words after a role noun, whatever the model made of them."""
    out: list[tuple[int, int]] = []
    for tok in doc:
        if not (tok.is_lower and tok.lower_ in ROLE_NOUNS) or "\n" in tok.whitespace_:
            continue
        start = tok.i + 1
        end = start
        while end < len(doc) and end - start < 6 and (
                _titled(doc[end]) or doc[end].lower_ in PARTICLES and end > start
                or doc[end].text in _HYPHENS and not doc[end].whitespace_ and end > start):
            if "\n" in doc[end].whitespace_:
                end += 1
                break
            end += 1
        while end > start and not _titled(doc[end - 1]):
            end -= 1
        if end - start >= 2 and person_shaped(doc, start, end) and all(
                t.pos_ == "PROPN" or t.text in _HYPHENS or t.lower_ in PARTICLES for t in doc[start:end]):
            out.append((start, end))
    return out


def based_suffix(doc: Doc, end: int) -> bool:
    """"Taiwan-based", "a Caracas-based group": a place used as a modifier."""
    return end + 1 < len(doc) and doc[end].text in _HYPHENS and doc[end + 1].lower_ == "based"


def person_of_orgs(doc: Doc, person_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"Emma Sinclair-Webb of Human Rights Watch": what follows a person's "of" is an organization."""
    out: list[tuple[int, int]] = []
    for _, end in person_spans:
        if end + 1 >= len(doc) or doc[end].lower_ != "of":
            continue
        start = end + 1
        if doc[start].lower_ == "the":
            start += 1
        stop = _run_fwd(doc, start)
        while stop > start and doc[stop - 1].lower_ in _CONNECT:
            stop -= 1
        if stop > start and not all(t.ent_type_ in {"GPE", "LOC", "NORP", "PERSON"} for t in doc[start:stop]):
            out.append((start, stop))
    return out


def org_list_items(doc: Doc) -> list[tuple[int, int]]:
    """Bulleted lines under a heading such as "Organisations:" name organizations."""
    out: list[tuple[int, int]] = []
    text = doc.text
    for m in _BULLET_LINE.finditer(text):
        heading_end = text.rfind("\n", 0, m.start())
        # the nearest line above that is not itself a bullet or blank
        lines = text[:max(heading_end, 0)].split("\n")
        heading = next((ln for ln in reversed(lines) if ln.strip() and not _BULLET_LINE.match(ln)), "")
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if span is None or not span[0].text[0].isupper():
            continue
        if has_org_head(doc, span.start, span.end) or _ORG_HEADERS.search(heading):
            out.append((span.start, span.end))
    return out


# Head nouns too common in titles of works ("Revolution of Our Times") to make a line alone
# an organization's name.
_WEAK_HEADS = frozenset("""
times news post program programme film films images pictures cinema house books editions media
press records watch international front project service group channel
""".split())
_NAME_LINE = re.compile(r"^[ \t]*(?P<name>[^\W\d_][^\n,;:()\"“”.!?]{2,80}?)[ \t]*$", re.MULTILINE)


def org_name_lines(doc: Doc) -> list[tuple[int, int]]:
    """A line that is one organization's name and nothing else (a signatory, a partner).

    Every word is capitalised or a connector ("Directors Guild of Poland") and one is an
    organization's head noun; the model often misses such names for want of a sentence.
    """
    out: list[tuple[int, int]] = []
    for m in _NAME_LINE.finditer(doc.text):
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if span is None or len(span) > 8:
            continue
        heads = [t.i for t in span if t.lower_ in ORG_HEADS and t.lower_ not in _WEAK_HEADS]
        # the head ends the name or starts its "of" part: "Film Academy", "Guild of Poland";
        # "Coalition Condemns Arrests" is a headline
        if not heads or not (heads[-1] >= span.end - 2 or doc[heads[-1] + 1].lower_ in {"of", "for"}) \
                or any(t.pos_ in {"VERB", "AUX"} for t in span):
            continue
        if all(t.text[0].isupper() or t.lower_ in _CONNECT or t.text in _HYPHENS or t.is_punct
               for t in span) and span[-1].text[0].isupper():
            out.append((span.start, span.end))
    return out


LAW_WORDS = lexicon.words("law_words")
AWARD_WORDS = lexicon.words("award_words")
_TIME_WORDS = lexicon.words("time_words")
_GROUP_WORDS = lexicon.words("group_words")
_PRIZE_METALS = frozenset("golden silver bronze crystal best".split())
_CURRENCY = re.compile(r"[$€£¥₹₦]|\b(?:usd|eur|gbp|aed|zw|rs|inr|tl|try|rub)\b", re.I)


def not_a_name(doc: Doc, start: int, end: int) -> str | None:
    """Why the span names no person or organization, or None.

    "money": an amount ("ZW$70,000", "AED 1 million"); "time": month, day or time words
    only ("On Wednesday"); "law": a law or code ("the National Security Law"); "award":
    a prize ("Silver Bear", "Best Film"); "group": a faith, people or nationality
    ("Tibetan Buddhism", "Crimean Tatars", "French"); "common noun": one word the text
    also writes in lower case ("Court", "Community"), capitalised only by its place.
    """
    toks = doc[start:end]
    words = [t for t in toks if t.is_alpha]
    if not words:
        return None
    lows = [t.lower_ for t in words]
    if any(t.ent_type_ == "MONEY" for t in toks) or _CURRENCY.search(toks.text) and any(
            t.like_num for t in toks):
        return "money"
    if all(w in _TIME_WORDS for w in lows) or lows[-1] == "day" and len(lows) > 1:
        return "time"
    if lows[-1] in LAW_WORDS and not any(w in ORG_HEADS for w in lows):
        return "law"
    if any(w in AWARD_WORDS for w in lows) or lows[0] == "best" and len(lows) > 1 or \
            lows[0] in _PRIZE_METALS and len(lows) <= 3 and not any(w in ORG_HEADS for w in lows):
        return "award"
    if lows[-1] in _GROUP_WORDS or lows[-1].endswith("ism") and not any(w in ORG_HEADS for w in lows):
        return "group"
    one = words[0]
    if len(toks) == 1 and (one.ent_type_ == "NORP" or one.pos_ == "ADJ" and _DEMONYM.search(lows[0])):
        return "group"
    if len(toks) == 1 and not words[0].is_upper and written_lower(doc, lows[0]):
        return "common noun"
    return None


def written_lower(doc: Doc, low: str) -> bool:
    """Whether the text writes ``low`` in lower case somewhere (a common noun, not a name)."""
    key = ("lower_words", id(doc))
    cached = _LOWER_CACHE.get(key)
    if cached is None or cached[0] is not doc:
        cached = (doc, {t.text for t in doc if t.is_lower})
        _LOWER_CACHE.clear()
        _LOWER_CACHE[key] = cached
    return low in cached[1]


_LOWER_CACHE: dict[tuple[str, int], tuple[Doc, set[str]]] = {}


@lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], frozenset[str]]:
    """Keys of country names (ISO names, common names and the short forms of a list) and of
    the ISO names of provinces, regions and capital districts."""
    import pycountry

    from extract.entities import entity_key  # entities imports this module

    countries = {entity_key(n) for n in lexicon.words("country_names")}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                countries.add(entity_key(value))
    regions = {entity_key(s.name) for s in pycountry.subdivisions}
    return frozenset(countries), frozenset(regions - countries)


def place_name(name: str, kind: str | None) -> bool:
    """A country's name (any kind), or a province's or region's (an organization only).

    Regions are not tested for people: many share a name with a person ("Santiago",
    "Sofia", "Córdoba").
    """
    from extract.entities import entity_key

    countries, regions = _places()
    key = entity_key(name)
    return key in countries or kind == ORGANIZATION and key in regions


def byline_spans(doc: Doc) -> list[tuple[int, int]]:
    """"By Awen Tregarthen" opening a line: the capitalised words after "By" name a person."""
    out: list[tuple[int, int]] = []
    for tok in doc:
        if tok.lower_ != "by" or not line_start(doc, tok.i):
            continue
        start = tok.i + 1
        end = _run_fwd(doc, start, limit=4)
        if end - start >= 2 and person_shaped(doc, start, end):
            out.append((start, end))
    return out
