"""Names found from the words around them, used by :mod:`extract.entity_context`.

Each finder reads one kind of evidence the model does not use and returns token
offsets of candidate names: acronyms defined in brackets ("Scholars at Risk (SAR)"),
an organization after a role's "of" ("director of the Berlinale") or a person's,
subjects of reporting verbs, photo credits, names coordinated before a labelled one,
names next to an organization noun or after a role noun, list items under an
"Organisations:" heading, lines that are one organization's name, bylines, bodies joined
by a capitalised preposition ("Reporters Without Borders") or by "on/at/for" as a
reporting subject ("Index on Censorship said"), and a nationality before an acronym
("English PEN").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extract import places
from extract.entity_keys import ORGANIZATION, PERSON
from extract.entity_rules import (
    CONNECT,
    HYPHENS,
    ORDINAL_WORD,
    ORG_HEADS,
    ORG_NOUN_FORMS,
    PARTICLES,
    PLACE_TYPES,
    ROLE_NOUNS,
    has_org_head,
    is_org_noun,
    line_start,
    person_shaped,
    run_back,
    run_fwd,
    surname_like_a_body,
    title_case_sentence,
    titled,
)
from extract.sentences import doc_text, doc_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Roles whose "of" is followed by an organization ("head of Afghan Film").
_ORG_ROLES = frozenset("""
head director founder co-founder cofounder member members chair chairman chairwoman chairperson
spokesperson spokesman spokeswoman executive editor editors coordinator researcher researchers
representative staff employee employees manager programmer curator co-chair
""".split())
_REPORT = frozenset("""
said says announced called calls condemned condemns urged urges welcomed welcomes documented
documents recorded records reported reports counted counts demanded demands published publishes
recognised recognized denounced denounces warned warns criticised criticized issued issues
""".split())
# Caption position words that the model picks up as names ("Left:", "Below:").
# Labels the model gives organizations' names by mistake ("her agency Studio 99" as LAW).
_LOOSE_TYPES = frozenset({"", "LAW", "PRODUCT", "WORK_OF_ART", "FAC", "ORG"})
_CREDIT = re.compile(
    r"(?:\b(?:Photo(?:graph)?s?|Picture|Image|Credit|Foto)(?:\s*:\s*(?:[Cc]ourtesy\s+(?:of\s+)?)?"
    r"|\s+by\s+|\s+courtesy\s+of\s+)"
    r"|\bcourtesy\s+of\s+|\bCourtesy\s+(?:of\s+)?(?=[A-Z])|©\s*|\((?:(?:Photo(?:graph)?|Picture|Image|Credit)\s*:\s*)?(?=[^()\n]*/))"
    r"(?P<body>[^\n()]{2,80})")
# Pieces of a credit: "Fabrice Coffrini/AFP via Getty Images", "Urs Flueeler for Keystone".
_CREDIT_PART = re.compile(r"(?:(?!\s(?:via|for)\s)[^/,;|])+")


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


def defined_acronyms(doc: Doc) -> list[tuple[int, int, int, int]]:
    """"Scholars at Risk (SAR)": (name start, name end, acronym start, acronym end) per definition.

    The name is the run of capitalised words before the bracket; when the acronym's
    letters match the initials of a shorter tail of that run, only the tail is kept.
    """
    out: list[tuple[int, int, int, int]] = []
    for tok in doc_tokens(doc):
        i = tok.i
        if tok.text != "(" or i < 2 or i + 2 >= len(doc) or doc[i + 2].text != ")":
            continue
        acro = doc[i + 1].text
        if not (2 <= len(acro) <= 8 and acro.isupper() and acro.isalpha()):
            continue
        start = run_back(doc, i, connectors=True)
        while start < i and (doc[start].lower_ in CONNECT or not doc[start].is_alpha):
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
            # an acronym in another language after two coordinated names ("ARTICLE 19 and
            # Reporters Without Borders (RSF)"): the name starts after the last "and" when the
            # model labels the two sides differently (one name, not two, otherwise)
            joins = [k for k in range(start + 1, i - 1) if doc[k].lower_ in {"and", "&"}]
            if joins and (doc[joins[-1] - 1].ent_type_ != doc[joins[-1] + 1].ent_type_
                          or doc[joins[-1] + 1].ent_iob_ == "B"):
                start = joins[-1] + 1 + (doc[joins[-1] + 1].lower_ == "the")
                words = [t.text for t in doc[start:i] if t.is_alpha]
            if not words or words[0][0].upper() != acro[0] and not has_org_head(doc, start, i):
                continue
        if person_shaped(doc, start, i) and not has_org_head(doc, start, i):
            continue
        out.append((start, i, i + 1, i + 2))
    return out


def role_of_orgs(doc: Doc) -> list[tuple[int, int]]:
    """"head of Afghan Film", "director of the Berlinale": the name after the role is an organization."""
    out: list[tuple[int, int]] = []
    for tok in doc_tokens(doc):
        if tok.lower_ != "of" or tok.i == 0 or doc[tok.i - 1].lower_ not in _ORG_ROLES:
            continue
        start = tok.i + 1
        if start < len(doc) and doc[start].lower_ == "the":
            start += 1
        end = run_fwd(doc, start)
        # "director of the Berlinale", "executive director of Freemuse": one word the model calls a
        # place, unless it owns something ("head of Iran's judiciary")
        the_one = end - start == 1 and doc[start].ent_type_ == "GPE" and not (
            end < len(doc) and doc[end].lower_ in {"'s", "’s"})
        if start >= len(doc) or not the_one and all(
                t.ent_type_ in PLACE_TYPES | {"DATE", "PERSON"} for t in doc[start : max(end, start + 1)]):
            continue
        while end > start and doc[end - 1].lower_ in CONNECT:
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
    for tok in doc_tokens(doc):
        if tok.ent_type_ or not tok.dep_.startswith("nsubj") or tok.pos_ != "PROPN":
            continue
        start = run_back(doc, tok.i + 1, connectors=True)
        end = run_fwd(doc, tok.i)
        if any(t.ent_type_ and t.ent_type_ not in {"ORG"} for t in doc[start:end]):
            continue
        while start < end and (doc[start].lower_ in CONNECT or not doc[start].text[0].isupper()):
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
    text = doc_text(doc)
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
            stop = run_fwd(doc, span.start, limit=5)
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
        s = run_back(doc, k + 1, connectors=kind == ORGANIZATION, limit=6)
        while s <= k and doc[s].lower_ in CONNECT:
            s += 1
        if s > k or doc[s].ent_type_ in {"DATE", "CARDINAL", "NORP"} or \
                all(t.ent_type_ in {"GPE", "LOC"} for t in doc[s : k + 1]):
            break
        if kind == PERSON and not person_shaped(doc, s, k + 1):
            break
        if kind == ORGANIZATION and k + 1 - s < 2 and not doc[s].is_upper:
            break
        if kind == ORGANIZATION and any(t.ent_type_ == "PERSON" for t in doc[s : k + 1]) and \
                any(t.lower_ in {"and", "&"} for t in doc[s : k + 1]) and not has_org_head(doc, s, k + 1):
            break  # "Ahmet and Mehmet Altan and X": people before a body the model missed
        out.append((s, k + 1))
        i = s
    return out


_ORG_HEADERS = re.compile(r"\b(?:organi[sz]ations?|groups|ngos|institutions|supported by|partners)\b", re.I)
_BULLET_LINE = re.compile(r"^[ \t]*[-–•*·▪●][ \t]*(?P<name>[^\n,;:()]{2,80}?)[ \t]*$", re.MULTILINE)



def org_noun_spans(doc: Doc) -> list[tuple[int, int]]:
    """Capitalised runs the model left unlabelled next to an organization noun."""
    out: list[tuple[int, int]] = []
    for tok in doc_tokens(doc):
        if tok.lower_ not in ORG_NOUN_FORMS or not is_org_noun(doc, tok.i):
            continue
        i = tok.i
        nxt = i + 1
        if nxt < len(doc) and doc[nxt].text == ",":
            nxt += 1
        if nxt < len(doc) and doc[nxt].text[0].isupper() and doc[nxt].ent_type_ in _LOOSE_TYPES:
            end = run_fwd(doc, nxt, limit=6)
            if end > nxt and all(t.ent_type_ in _LOOSE_TYPES for t in doc[nxt:end]) and \
                    (end - nxt > 1 or doc[nxt].pos_ == "PROPN"):
                out.append((nxt, end))
        prev = i - 1
        if doc[prev].lower_ == "news" and prev > 0:
            prev -= 1
        if prev >= 0 and doc[prev].text[0].isupper() and (doc[prev].pos_ == "PROPN"):
            start = run_back(doc, prev + 1, connectors=False, limit=5)
            while start <= prev and doc[start].is_sent_start and doc[start].lower_ in {"the", "a"}:
                start += 1
            if start <= prev and not all(t.ent_type_ in PLACE_TYPES for t in doc[start : prev + 1]):
                if not any(t.ent_type_ in {"PERSON", "DATE"} for t in doc[start : prev + 1]):
                    out.append((start, prev + 1))
    return out


def role_name_spans(doc: Doc) -> list[tuple[int, int]]:
    """"his lawyer Ayoub Ghedamsi": name words after a role noun, whatever the model made of them."""
    out: list[tuple[int, int]] = []
    for tok in doc_tokens(doc):
        if not (tok.is_lower and tok.lower_ in ROLE_NOUNS) or "\n" in tok.whitespace_:
            continue
        start = tok.i + 1
        end = start
        while end < len(doc) and end - start < 6 and (
                titled(doc[end]) or doc[end].lower_ in PARTICLES and end > start
                or doc[end].text in HYPHENS and not doc[end].whitespace_ and end > start):
            if "\n" in doc[end].whitespace_:
                end += 1
                break
            end += 1
        while end > start and not titled(doc[end - 1]):
            end -= 1
        if end - start >= 2 and person_shaped(doc, start, end) and all(
                t.pos_ == "PROPN" or t.text in HYPHENS or t.lower_ in PARTICLES for t in doc[start:end]):
            out.append((start, end))
    return out


def person_of_orgs(doc: Doc, person_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"Emma Sinclair-Webb of Human Rights Watch": what follows a person's "of" is an organization."""
    out: list[tuple[int, int]] = []
    for _, end in person_spans:
        if end + 1 >= len(doc) or doc[end].lower_ != "of":
            continue
        start = end + 1
        if doc[start].lower_ == "the":
            start += 1
        stop = run_fwd(doc, start)
        while stop > start and doc[stop - 1].lower_ in CONNECT:
            stop -= 1
        if stop > start and not all(t.ent_type_ in {"GPE", "LOC", "NORP", "PERSON"} for t in doc[start:stop]):
            out.append((start, stop))
    return out


def org_list_items(doc: Doc) -> list[tuple[int, int]]:
    """Bulleted lines under a heading such as "Organisations:" name organizations."""
    out: list[tuple[int, int]] = []
    text = doc_text(doc)
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
    for m in _NAME_LINE.finditer(doc_text(doc)):
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if span is None or len(span) > 8:
            continue
        heads = [t.i for t in span if t.lower_ in ORG_HEADS and t.lower_ not in _WEAK_HEADS]
        # the head ends the name or starts its "of" part: "Film Academy", "Guild of Poland";
        # "Coalition Condemns Arrests" is a headline
        if not heads or not (heads[-1] >= span.end - 2 or doc[heads[-1] + 1].lower_ in {"of", "for"}) \
                or any(t.pos_ in {"VERB", "AUX"} for t in span):
            continue
        if all(t.text[0].isupper() or t.lower_ in CONNECT or t.text in HYPHENS or t.is_punct
               for t in span) and span[-1].text[0].isupper():
            out.append((span.start, span.end))
    return out



def byline_spans(doc: Doc) -> list[tuple[int, int]]:
    """"By Awen Tregarthen" opening a line: the capitalised words after "By" name a person."""
    out: list[tuple[int, int]] = []
    for tok in doc_tokens(doc):
        if tok.lower_ != "by" or not line_start(doc, tok.i):
            continue
        start = tok.i + 1
        end = run_fwd(doc, start, limit=4)
        if end - start >= 2 and person_shaped(doc, start, end):
            out.append((start, end))
    return out


# Head nouns that, capitalised after a run of capitalised words, end the name of a body
# ("Busan International Film Festival", "State Security Agency") whatever the model
# labelled the words before them (a city as GPE, a nationality as NORP).
_BODY_HEADS = frozenset("""
festival festivals academy ministry agency agencies court tribunal institute council commission
committee union association federation foundation guild society service directorate office
""".split())
_OF_HEADS = frozenset("ministry academy court tribunal institute council commission committee".split())
_PEN_AFTER = frozenset({"international", "america", "center", "centre", "usa"})
_NOT_IN_NAME = frozenset({"PERSON", "DATE", "TIME", "CARDINAL", "MONEY", "ORDINAL"})


def _title_word(tok) -> bool:  # noqa: ANN001 - spaCy Token
    return tok.is_alpha and tok.text[0].isupper() and not tok.is_upper or tok.text == "PEN"


def headed_body_spans(doc: Doc) -> list[tuple[int, int]]:
    """Bodies named by their own words, not by a list: "<Name> Film Festival", "Ministry of
    <X>", "the <X> Court of <Y>", "PEN <Country>" and "<Demonym> PEN" (the writers' centres)."""
    out: list[tuple[int, int]] = []
    for tok in doc_tokens(doc):
        low = tok.lower_
        if tok.text == "PEN":
            start, end = tok.i, tok.i + 1
            if tok.i > 0 and _title_word(doc[tok.i - 1]) and not doc[tok.i - 1].is_sent_start \
                    and "\n" not in doc[tok.i - 1].whitespace_:
                start = tok.i - 1
            elif tok.i > 0 and doc[tok.i - 1].is_sent_start and doc[tok.i - 1].ent_type_ in PLACE_TYPES:
                start = tok.i - 1  # "Scottish PEN said": a demonym at the sentence start
            while end < len(doc) and end - tok.i <= 2 and "\n" not in doc[end - 1].whitespace_ and \
                    _title_word(doc[end]) and (doc[end].ent_type_ in PLACE_TYPES
                                               or doc[end].lower_ in _PEN_AFTER):
                end += 1  # "PEN Norway", "PEN America Center", not "PEN Condemns"
            if end - start > 1:
                out.append((start, end))
            continue
        if low not in _BODY_HEADS or not tok.text[0].isupper() or tok.is_upper:
            continue
        start = run_back(doc, tok.i + 1, connectors=False, limit=6)
        for i in range(tok.i - 1, start - 1, -1):  # "Jafar Panahi The Federation": from "The" on
            if doc[i].lower_ in {"the", "a", "an"} or doc[i].ent_type_ in _NOT_IN_NAME:
                start = i + 1
                break
        end = tok.i + 1
        if low in _OF_HEADS and end + 1 < len(doc) and doc[end].lower_ == "of" and _title_word(doc[end + 1]):
            end = run_fwd(doc, end + 1, limit=5)
            while end > tok.i + 1 and (doc[end - 1].is_upper or not doc[end - 1].is_alpha):
                end -= 1  # "... of Film Directors SRF": the acronym is its own span
        if any(t.ent_type_ in _NOT_IN_NAME for t in doc[start:end]) or end - start < 2 or \
                surname_like_a_body(doc, start, tok.i + 1):  # "the photographer Ines Court"
            continue
        out.append((start, end))
    return out


# Prepositions a body's name may carry capitalised ("Reporters Without Borders", "Scholars
# Beyond Walls", "Artists Against Censorship"); a person's name never does.
_NAME_PREPOSITIONS = frozenset("Without Beyond Against Across Sans Behind".split())
_NAME_PREPOSITION_TEXT = re.compile(r"\b(?:" + "|".join(sorted(_NAME_PREPOSITIONS)) + r") [A-Z]")


def preposition_bodies(doc: Doc) -> list[tuple[int, int]]:
    """"Reporters Without Borders condemns": a capitalised preposition between capitalised
    words, outside a headline, joins one body's name."""
    out: list[tuple[int, int]] = []
    if not _NAME_PREPOSITION_TEXT.search(doc_text(doc)):
        return out
    for tok in doc_tokens(doc):
        i = tok.i
        if tok.text not in _NAME_PREPOSITIONS or i == 0 or i + 1 >= len(doc):
            continue
        prev, nxt = doc[i - 1], doc[i + 1]
        if not (prev.is_alpha and prev.text[0].isupper() and nxt.is_alpha and nxt.text[0].isupper()):
            continue
        if "\n" in prev.whitespace_ or "\n" in tok.whitespace_ or title_case_sentence(doc, i):
            continue
        start = run_back(doc, i, connectors=False, limit=3)
        if doc[start].lower_ == "the":
            start += 1
        end = run_fwd(doc, i + 1, limit=3)
        for j in range(i + 2, end):  # "the Reporters Without Borders Middle East desk"
            if doc[j].ent_type_ in PLACE_TYPES and doc[j].ent_type_ != doc[i + 1].ent_type_:
                end = j
                break
        if start < i < end and not any(t.ent_type_ in {"DATE", "TIME", "CARDINAL"} for t in doc[start:end]):
            out.append((start, end))
    return out


_NATIONAL = frozenset({"NORP", "LANGUAGE"})


def national_acronym_bodies(doc: Doc) -> list[tuple[int, int]]:
    """"English PEN", "Danish PEN": a nationality or language adjective before an acronym the
    model left unlabelled names one body (the national branch of what the acronym names)."""
    out: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ not in _NATIONAL or ent.end >= len(doc):
            continue
        prev, tok = doc[ent.end - 1], doc[ent.end]
        if not (tok.is_upper and tok.is_alpha and 2 <= len(tok) <= 6 and not tok.ent_type_):
            continue
        if tok.lower_ in ORG_HEADS or not prev.text[0].isupper():
            continue
        if "\n" in prev.whitespace_ or prev.is_upper:  # "ENGLISH PEN" in a capitalised heading
            continue
        if prev.i > 0 and doc[prev.i - 1].lower_ in {"the", "a", "an"}:
            continue  # "the Russian FSB": a country's agency, named by its acronym alone
        if not tok.whitespace_ and tok.i + 1 < len(doc) and doc[tok.i + 1].text in HYPHENS:
            continue  # "English PEN-supported": a compound the name is only part of
        out.append((prev.i, tok.i + 1))
    return out


_NAME_LINKS = frozenset({"on", "at", "for", "without", "against"})
_LINKED_TEXT = re.compile(r"\b[A-Z]\w* (?:" + "|".join(sorted(_NAME_LINKS)) + r") [A-Z]")


def linked_subject_bodies(doc: Doc) -> list[tuple[int, int]]:
    """"Index on Censorship said", "Artists at Risk has documented": a capitalised noun, a
    lower-case "on/at/for" and capitalised words the model left unlabelled, as the subject
    of a reporting verb, are one body's name ("Journalists in Tehran said", "Lawyers at
    Reuters said" are not: a place, a labelled name, "in")."""
    out: list[tuple[int, int]] = []
    if not _LINKED_TEXT.search(doc_text(doc)):
        return out
    for tok in doc_tokens(doc):
        if tok.dep_ != "nsubj" or tok.pos_ not in {"NOUN", "PROPN"} or not tok.text[0].isupper() \
                or tok.ent_type_ or tok.head.lower_ not in _REPORT or tok.i + 2 >= len(doc):
            continue
        link = doc[tok.i + 1]
        if link.lower_ not in _NAME_LINKS or not link.is_lower or link.head.i != tok.i:
            continue
        end = run_fwd(doc, tok.i + 2, limit=3)
        obj = doc[tok.i + 2 : end]
        if end == tok.i + 2 or any(t.ent_type_ for t in obj) or end > tok.head.i \
                or places.resolve(obj.text) is not None or title_case_sentence(doc, tok.i):
            continue
        start = run_back(doc, tok.i + 1, connectors=False, limit=3)
        if doc[start].lower_ == "the":
            start += 1
        out.append((start, end))
    return out


_CITY_FESTIVAL = re.compile(r"\b[Tt]he (?:[A-Z]\w+ ){1,2}(?:film |documentary )?festival\b")


def city_festivals(doc: Doc) -> list[tuple[int, int]]:
    """"the Rotterdam film festival", "the Cannes festival": a festival named in lower case
    after its city is that festival (the model labels the city alone, a place)."""
    out: list[tuple[int, int]] = []
    text = doc_text(doc)
    for m in _CITY_FESTIVAL.finditer(text):
        span = doc.char_span(m.start() + 4, m.end())
        if span is None:
            continue
        names = [t for t in span if t.text[0].isupper()]
        if not names or any(t.ent_type_ in {"DATE", "NORP"} or t.is_sent_start for t in names):
            continue
        place = places.resolve(" ".join(t.text for t in names))
        if place is None and not all(t.ent_type_ in {"GPE", "LOC"} for t in names):
            continue  # a city's or a country's name, not "the Human Rights film festival"
        out.append((span.start, span.end))
    return out


_COURT_HEADS = frozenset({"Court", "Tribunal"})
# words every country's courts share: a court named by these alone ("the Supreme Court", "the
# High Court") is a generic authority, left to the model
_GENERIC_COURT_WORDS = frozenset("""
the high district supreme regional provincial criminal civil military revolutionary constitutional
appeals appellate appeal federal national administrative city magistrates magistrate heavy penal
peace first second third court courts islamic state security special juvenile family county
""".split())


def named_courts(doc: Doc) -> list[tuple[int, int]]:
    """"the Allahabad High Court granted", "Moscow's Meshchansky District Court": a court named
    after its place, which the model often leaves unlabelled (its place a GPE, or nothing)."""
    out: list[tuple[int, int]] = []
    text = doc_text(doc)
    if "Court" not in text and "Tribunal" not in text:
        return out
    for tok in doc_tokens(doc):
        if tok.text not in _COURT_HEADS or tok.ent_type_ == "ORG" or tok.i == 0:
            continue
        start = tok.i
        while start > 0 and tok.i - start < 5:
            prev = doc[start - 1]
            if "\n" in prev.whitespace_ or not prev.whitespace_ and prev.text not in HYPHENS:
                break
            if not (prev.is_alpha and prev.text[0].isupper() or ORDINAL_WORD.match(prev.text)) \
                    or prev.lower_ == "the" or prev.ent_type_ in {"PERSON", "DATE", "NORP"}:
                break
            start -= 1
        if start < tok.i and doc[start].is_sent_start and doc[start].ent_type_ not in PLACE_TYPES:
            start += 1  # a sentence's first word is capitalised whatever it is
        words = [t for t in doc[start : tok.i] if t.is_alpha]
        if not words or all(t.lower_ in _GENERIC_COURT_WORDS for t in words):
            continue
        out.append((start, tok.i + 1))
    return out


