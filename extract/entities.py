"""People and organizations named in a document.

spaCy's small English model finds most names but in forms analysts cannot count:
"the" and job titles inside spans, two organisations joined by a comma, hyphenated
given names cut in half, a director labelled ORG in half his sentences, a surname
alone never tied to the full name. The watchlist runs as an ``entity_ruler`` before
``ner`` so listed names are always found and canonical; everything else is repaired
here, per document, after the model has run. All rules are plain passes over the
entity spans, so they cost little next to the model itself.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from spacy.lang.en.stop_words import STOP_WORDS

from extract import entity_context as context
from extract import entity_rules as rules
from extract import lexicon, sentences
from extract.watchlist import WatchedEntity, Watchlist

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

PERSON = "person"
ORGANIZATION = "organization"
_LABELS = {"PERSON": PERSON, "ORG": ORGANIZATION}


@dataclass(frozen=True)
class Mention:
    """One mention of a person or organization in a document."""

    kind: str  # PERSON | ORGANIZATION
    text: str  # as written (titles, "the" and possessive removed)
    name: str  # the full name it resolves to in this document (canonical when watchlisted)
    start: int  # character offsets in the document text
    end: int
    sentence: str
    sent_start: int  # character offset of the sentence
    watchlisted: bool = False

    @property
    def key(self) -> str:
        return entity_key(self.name)


# Letters NFKD leaves alone, folded by hand.
_LETTERS = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l",
                          "þ": "th", "ð": "d", "ʼ": "", "ʻ": "", "’": "", "'": ""})
# Transliteration variants that do not separate two real names: doubled letters
# (Moghaddam/Moghadam) and a final -ov/-ev written -of/-ef (Rasoulov/Rasoulof).
# Vowel changes (Rasoulof/Rasulof, Louis/Luis) can, so they are left to the fuzzy step.
_TRANSLIT = ((re.compile(r"([a-z])\1+"), r"\1"), (re.compile(r"(?<=[oe])v\b"), "f"))


@lru_cache(maxsize=8192)
def entity_key(name: str) -> str:
    """Normalised identity key: case, accents, punctuation and transliteration folded."""
    s = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    s = "".join(c for c in s if not unicodedata.combining(c)).translate(_LETTERS)
    s = re.sub(r"[^\w\s]|_", " ", s)
    for pattern, repl in _TRANSLIT:
        s = pattern.sub(repl, s)
    return " ".join(s.split())


# ---------------------------------------------------------------- watchlist


def _pattern(surface: str) -> list[dict[str, str]] | str:
    # One-word aliases (surnames, acronyms) keep their case so "ARC" never matches "arc";
    # a word the tokenizer splits ("CPH:DOX", "OVD-Info") can only match as a phrase.
    if len(surface.split()) == 1 and re.fullmatch(r"\w+", surface):
        return [{"ORTH": surface}]
    return surface


def add_watchlist(nlp: Language, watchlist: Watchlist) -> Language:
    """Add the watchlist as an entity ruler before ``ner`` (pattern id = canonical name)."""
    patterns = []
    for ent in watchlist.entities:
        label = "PERSON" if ent.kind == PERSON else "ORG"
        for surface in (ent.name, *ent.aliases):
            patterns.append({"label": label, "pattern": _pattern(surface), "id": ent.name})
    if "entity_ruler" in nlp.pipe_names:
        nlp.remove_pipe("entity_ruler")
    if not patterns:  # an empty watchlist: no ruler, nothing to run
        return nlp
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", before=before, config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp


class _Index:
    """Keys of a watchlist's names and aliases, built once per watchlist."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.exact: dict[tuple[str, str], WatchedEntity] = {}
        self.surnames: dict[str, list[WatchedEntity]] = {}
        self.by_kind: dict[str, dict[str, WatchedEntity]] = {PERSON: {}, ORGANIZATION: {}}
        # keys by (kind, initials): the fuzzy step compares only names of the same shape
        self.by_shape: dict[tuple[str, str], dict[str, WatchedEntity]] = {}
        for ent in watchlist.entities:
            for surface in (ent.name, *ent.aliases):
                key = entity_key(surface)
                self.exact.setdefault((ent.kind, key), ent)
                self.by_kind[ent.kind].setdefault(key, ent)
                self.by_shape.setdefault((ent.kind, _key_shape(key)), {}).setdefault(key, ent)
                if ent.kind == PERSON and len(key.split()) > 1:
                    last = key.split()[-1]
                    bucket = self.surnames.setdefault(last, [])
                    if ent not in bucket:
                        bucket.append(ent)


_INDEXES: dict[int, tuple[Watchlist, _Index]] = {}


def _index(watchlist: Watchlist) -> _Index:
    cached = _INDEXES.get(id(watchlist))
    if cached is None or cached[0] is not watchlist:
        cached = (watchlist, _Index(watchlist))
        _INDEXES[id(watchlist)] = cached
    return cached[1]


def resolve_to_watchlist(name: str, kind: str, watchlist: Watchlist | None) -> WatchedEntity | None:
    """The watched entity ``name`` refers to: exact key or alias, else a tight fuzzy match.

    The fuzzy step allows one edit on a key of at least 8 letters with the same
    number of words and the same initials: "Mohammad Rasulov" finds "Mohammad
    Rasoulof", while "Mohammad Rasouli" (another surname) does not.
    """
    if not watchlist or not watchlist.entities:
        return None
    idx = _index(watchlist)
    key = entity_key(name)
    hit = idx.exact.get((kind, key))
    if hit is not None or len(key) < 8:
        return hit
    choices = idx.by_shape.get((kind, _key_shape(key)), {})  # same number of words and initials
    best = process.extractOne(key, list(choices), scorer=Levenshtein.distance, score_cutoff=1)
    return choices[best[0]] if best else None


def _key_shape(key: str) -> str:
    return " ".join(w[0] for w in key.split())  # the first letter of each word


# ---------------------------------------------------------------- mentions


def find_mentions(doc: Doc, watchlist: Watchlist | None = None) -> list[Mention]:
    """People and organizations in an analysed document, each resolved to a full name."""
    spans = _repair_spans(doc)
    idx = _index(watchlist) if watchlist else None
    _resolve_names(doc, spans, idx, watchlist)
    spans = _drop_lone_words(doc, spans)
    out: list[Mention] = []
    if not spans:
        return out
    sents = list(doc.sents)  # once per document: Token.sent walks the document each time
    starts = [s.start for s in sents]
    text = doc.text  # Doc.text joins every token on each access
    for sp in spans:
        first, last = doc[sp.start], doc[sp.end - 1]
        sent = sents[bisect_right(starts, sp.start) - 1]
        out.append(Mention(
            kind=sp.kind or ORGANIZATION, text=text[first.idx : last.idx + len(last)], name=sp.name,
            start=first.idx, end=last.idx + len(last), sentence=sent.text,
            sent_start=sent.start_char, watchlisted=sp.watchlisted,
        ))
    return out


_OUTLET_BEFORE = frozenset({"for", "on", "with", "told", "via"})


def _drop_lone_words(doc: Doc, spans: list[_Span]) -> list[_Span]:
    """A one-word "person" named once, tied to no full name or listed person and with no
    word around it saying it is one ("Advocacy" in a menu, "Dies" in a headline, "US"), is
    dropped: the model's label alone is too weak for a single word. So is a one-word
    "organization" named once ("in Erbil", "Bachelor"), unless written as an outlet or a
    body usually is ("worked for Arte", "posted on YouTube", "told Variety")."""
    seen: dict[str, int] = {}
    for sp in spans:
        seen[entity_key(sp.name)] = seen.get(entity_key(sp.name), 0) + 1

    def lone(sp: _Span) -> bool:
        if sp.watchlisted or sp.votes or " " in sp.name.strip():
            return False
        if sp.kind == ORGANIZATION:  # kept after "worked for", "posted on", "told": an outlet
            prev = doc[sp.start - 1].lower_ if sp.start else ""
            return not doc[sp.start].is_upper and seen[entity_key(sp.name)] == 1 \
                and prev not in _OUTLET_BEFORE
        return sp.kind == PERSON and (doc[sp.start].is_upper or seen[entity_key(sp.name)] == 1)

    return [sp for sp in spans if not lone(sp)]


def _resolve_names(doc: Doc, spans: list[_Span], idx: _Index | None, watchlist: Watchlist | None) -> None:
    """Give every span its full name: watchlist first, then the fullest form in the document."""
    for sp in spans:
        if sp.ent_id:
            sp.name, sp.watchlisted = sp.ent_id, True
    _link_short_forms(spans)
    for sp in spans:
        if sp.watchlisted:
            continue
        hit = resolve_to_watchlist(sp.name, sp.kind or ORGANIZATION, watchlist) if watchlist else None
        if hit is None and idx is not None and sp.kind == PERSON and " " not in sp.name.strip():
            # a surname alone with no full name in the document: a unique listed surname
            bucket = idx.surnames.get(entity_key(sp.name), [])
            hit = bucket[0] if len(bucket) == 1 else None
        if hit is not None:
            sp.name, sp.watchlisted = hit.name, True
    # spans that now share a name take one kind: the watchlist's, else the majority
    _unify_kinds(spans)


# ---------------------------------------------------------------- span rules

# Words written before a name that are not part of it ("filmmaker Jafar Panahi",
# "Mrs Mohammadi", "Festival director Alberto Barbera").
_TITLES = (lexicon.words("courtesy_titles") | lexicon.words("titles") | lexicon.words("roles")
           | lexicon.words("title_words"))
_PARTICLES = rules.PARTICLES
_ROLE_TITLES = lexicon.words("courtesy_titles") | lexicon.words("titles") | lexicon.words("roles")
_ORG_WORDS = rules.ORG_HEADS
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
_FUNCTION_WORDS = frozenset("of for the and to on at in de du des la le di del da for a an".split())
_BREAK_TOKENS = frozenset({"/", "(", ")", ":", "|", "•", "·", "▪", "●", "–", "—", '"', "“", "”", "[", "]"})
_COORD = frozenset({",", "and", "&", ";"})
_KEEP_OTHER = frozenset({"NORP", "GPE", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "EVENT"})
_LIST_LINE = re.compile(
    r"^[ \t]*(?:[-–•*·▪●]\s*)?"
    r"(?P<name>[^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,5}?),"
    r"[ \t]*(?:(?:a|an|the)[ \t]+)?(?P<role>[^\W\d_][\w-]*)",
    re.MULTILINE,
)


_Span = context.Candidate


def _is_name_token(tok) -> bool:  # noqa: ANN001 - spaCy Token
    return tok.is_alpha and (tok.is_title or tok.is_upper) and tok.lower_ not in _TITLES


def _repair_spans(doc: Doc) -> list[_Span]:
    """PERSON/ORG spans cleaned, split, extended and completed from name lists."""
    spans: list[_Span] = []
    for ent in doc.ents:
        kind = _LABELS.get(ent.label_)
        if kind is None and ent.label_ not in _KEEP_OTHER:
            continue
        if kind is None and ent.label_ != "GPE" and rules.has_org_head(doc, ent.start, ent.end):
            kind = ORGANIZATION  # "the Festival de Cannes" labelled FAC: trim it as a name of an organization
        if not ent.ent_id_ and rules.not_a_name(doc, ent.start, ent.end):
            continue  # "the Unlawful Activities (Prevention) Act": no piece of it is a name
        for start, end in _split(doc, ent.start, ent.end, kind):
            spans.append(_Span(start, end, kind, ent.ent_id_))
    spans.extend(_list_names(doc))
    spans.extend(_after_honorifics(doc))
    acronyms = context.add_context_spans(doc, spans)
    spans.extend(_coordinated(doc, spans))
    out: list[_Span] = []
    for sp in spans:
        if sp.ent_id and sp.end - sp.start == 1 and sp.start > 0 and sp.kind == PERSON and \
                doc[sp.start - 1].pos_ == "PROPN" and _is_name_token(doc[sp.start - 1]):
            sp.ent_id = ""  # a listed surname inside another person's name ("Panah Panahi")
        if sp.ent_id and sp.kind == ORGANIZATION and context.extend_listed_org(doc, sp):
            sp.ent_id = ""  # a longer, unlisted organization that begins with a listed name
        if sp.ent_id:  # the watchlist matched it exactly as written
            out.append(sp)
            continue
        trimmed = _trim(doc, sp.start, sp.end, sp.kind)
        if trimmed is None:
            continue
        sp.start, sp.end = _extend(doc, *trimmed, sp.kind)
        if sp.kind == ORGANIZATION:
            if context.is_slogan(doc, sp.start, sp.end):
                continue
            tail = context.split_nested(doc, sp)
            if tail is not None:
                out.append(tail)
        if any(t.is_alpha and t.text[0].isupper() for t in doc[sp.start : sp.end]):
            out.append(sp)
    out = _dedupe(out)
    out = _dedupe(out + _bare_names(doc, out))
    for sp in out:
        sp.name = " ".join(doc[sp.start : sp.end].text.split())
        if sp.kind is None and any(t.lower_ in _ORG_WORDS for t in doc[sp.start : sp.end]):
            sp.kind = ORGANIZATION if sp.ent_id == "" and doc[sp.start].ent_type_ != "GPE" else None
        if not sp.ent_id and sp.name in acronyms:  # "SAR" defined as "Scholars at Risk (SAR)"
            sp.name, sp.kind = acronyms[sp.name] or sp.name, ORGANIZATION if acronyms[sp.name] else None
    out = _headings_supported(doc, out)
    _unglue_known_names(doc, out)
    context.apply_context_votes(doc, out)
    _vote_kinds(out, rules.place_votes(doc))
    return [sp for sp in out if sp.kind is not None]


def _unglue_known_names(doc: Doc, spans: list[_Span]) -> None:
    """"Guest of Honor Laura Poitras", "Authorities Sentence Ana Diaz": words before a name
    the document writes without them.

    When a span's last words are a name of two or more name words found on its own in the
    document, and none of the words before them is part of a name elsewhere, they are cut off.
    """
    alone = {entity_key(sp.name) for sp in spans if sp.end - sp.start >= 2}
    words: dict[str, int] = {}
    names: dict[str, int] = {}
    for sp in spans:
        if sp.kind is None:
            continue  # places and nationalities may share a word with a name
        names[entity_key(sp.name)] = names.get(entity_key(sp.name), 0) + 1
        for w in set(entity_key(sp.name).split()):
            words[w] = words.get(w, 0) + 1
    for sp in spans:
        if sp.ent_id or sp.kind is None or sp.end - sp.start < 3:
            continue
        same = names[entity_key(sp.name)]
        for cut in range(sp.start + 1, sp.end - 1):
            rest = " ".join(doc[cut : sp.end].text.split())
            head = doc[sp.start:cut]
            if entity_key(rest) in alone and not any(t.is_upper and len(t) > 1 for t in head) and \
                    sum(1 for t in doc[cut : sp.end] if _is_name_token(t)) >= 2 and \
                    not rules.has_org_head(doc, sp.start, cut) and \
                    all(words.get(w, 0) <= same for w in entity_key(head.text).split()):
                sp.start, sp.name = cut, rest
                break


def _headings_supported(doc: Doc, spans: list[_Span]) -> list[_Span]:
    """Names in headline-case lines only where the text below supports them.

    In "Court Jails Poet Ana Diaz" every word is capitalised, so the model's span
    boundaries mean nothing there. A span in such a line is kept when the same name
    occurs outside the headings, cut to the longest part that does ("Ana Diaz"), and
    dropped otherwise. Watchlisted names and names found from their context (a photo
    credit, a defined acronym) stand on their own, and so do a name that is
    the whole line (a list of signatories) and one after "by" or a title (a byline).
    """
    ranges = sentences.heading_lines(doc.text)
    if not ranges:
        return spans
    starts = [a for a, _ in ranges]

    def in_heading(sp: _Span) -> bool:
        first = doc[sp.start].idx
        k = bisect_right(starts, first) - 1
        return k >= 0 and first < ranges[k][1]

    inside = [in_heading(sp) for sp in spans]
    body = {entity_key(sp.name) for sp, h in zip(spans, inside, strict=True) if not h}
    if not body:
        return spans  # nothing but headings: nothing to check them against
    out: list[_Span] = []
    for sp, heading in zip(spans, inside, strict=True):
        if not heading or sp.ent_id or sp.votes or entity_key(sp.name) in body or _whole_line(doc, sp) or \
                sp.start > 0 and (doc[sp.start - 1].lower_ == "by" or doc[sp.start - 1].lower_ in _TITLES):
            out.append(sp)
            continue
        part = _longest_supported(doc, sp, body)
        if part is not None:
            sp.start, sp.end = part
            sp.name = " ".join(doc[sp.start : sp.end].text.split())
            out.append(sp)
    return out


def _whole_line(doc: Doc, sp: _Span) -> bool:
    before = sp.start == 0 or "\n" in doc[sp.start - 1].whitespace_ or "\n" in doc[sp.start - 1].text
    last = doc[sp.end - 1]
    return before and (sp.end == len(doc) or "\n" in last.whitespace_ or "\n" in doc[sp.end].text)


def _longest_supported(doc: Doc, sp: _Span, known: set[str]) -> tuple[int, int] | None:
    """The longest stretch of the span's tokens whose name is in ``known``."""
    for size in range(sp.end - sp.start - 1, 0, -1):
        for a in range(sp.start, sp.end - size + 1):
            if entity_key(doc[a : a + size].text) in known:
                return a, a + size
    # a byline or caption: "Coordinator Ana Diaz", the name after the last title word
    last = max((i for i in range(sp.start, sp.end) if doc[i].lower_ in _TITLES), default=None)
    if last is not None and sp.end - last > 2 and rules.person_shaped(doc, last + 1, sp.end):
        sp.kind = PERSON
        return last + 1, sp.end
    return None


def _split(doc: Doc, start: int, end: int, kind: str | None) -> list[tuple[int, int]]:
    """Cut a span at line breaks, slashes and brackets, then at coordination."""
    pieces: list[tuple[int, int]] = []
    cur = start
    for i in range(start, end):
        tok = doc[i]
        spaced_dash = tok.text == "-" and tok.whitespace_ and i > start and doc[i - 1].whitespace_
        if tok.is_space or tok.text in _BREAK_TOKENS or spaced_dash:  # "KABUL - The ..."
            if cur < i:
                pieces.append((cur, i))
            cur = i + 1
        elif "\n" in tok.whitespace_:
            pieces.append((cur, i + 1))
            cur = i + 1
    if cur < end:
        pieces.append((cur, end))
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        out.extend(_split_coordination(doc, s, e, kind))
    return out


def _split_coordination(doc: Doc, start: int, end: int, kind: str | None) -> list[tuple[int, int]]:
    cuts = [i for i in range(start + 1, end - 1) if doc[i].lower_ in _COORD]
    if not cuts:
        return [(start, end)]
    parts: list[tuple[int, int]] = []
    prev = start
    for c in cuts:
        parts.append((prev, c))
        prev = c + 1
        if doc[c].text == "," and prev < end and doc[prev].lower_ == "and":
            prev += 1
    parts.append((prev, end))
    parts = [(s, e) for s, e in parts if s < e]
    if kind == PERSON:
        return parts

    def words(s: int, e: int) -> int:
        return sum(1 for t in doc[s:e] if t.is_alpha and t.lower_ != "the")

    # "Culture and Guidance Ministry" is one name; "Amnesty International and
    # Human Rights Watch" is two: every part must be a name of its own.
    if all(words(s, e) >= 2 and doc[s].text[0].isupper() | (doc[s].lower_ == "the") for s, e in parts):
        return parts
    return [(start, end)]


def _trim(doc: Doc, start: int, end: int, kind: str | None) -> tuple[int, int] | None:
    """Drop determiners, titles and roles before a name, possessives and punctuation after."""
    if kind != ORGANIZATION:
        # "DGA President Lesli Linka Glatter": the name starts after the last title word
        last_title = max((i for i in range(start, end - 1) if doc[i].lower_.rstrip(".") in _TITLES),
                         default=None)
        if last_title is not None and any(_is_name_token(t) for t in doc[last_title + 1 : end]):
            start = last_title + 1
    while start < end:
        tok = doc[start]
        low = tok.lower_.rstrip(".")
        if tok.lower_ in {"the", "a", "an"} or not (tok.is_alpha or tok.text[0].isalnum()) or \
                tok.ent_type_ in {"ORDINAL", "DATE"} or _ORDINAL.match(tok.text):  # "the 58th ... Festival"
            start += 1
        elif kind != ORGANIZATION and (low in _TITLES or (tok.is_lower and low not in _PARTICLES)):
            start += 1
        elif end - start > 2 and _glued_word(doc, start) and rules.person_shaped(doc, start + 1, end):
            start += 1  # "Both Ana Diaz", "Release Omar Haddad", "Poet Ana Diaz" (labelled ORG)
        else:
            break
    while end > start:
        tok = doc[end - 1]
        if tok.lower_ in {"'s", "’s", "'", "’"} or tok.is_space or (
                tok.is_punct and tok.text not in {".", ")"}):
            end -= 1
        elif kind != ORGANIZATION and tok.is_lower and tok.lower_ not in _PARTICLES:
            end -= 1
        elif kind == ORGANIZATION and tok.is_lower and (tok.lower_ in rules.TRAILING_NOUNS or
                                                        tok.lower_ in _FUNCTION_WORDS):
            end -= 1  # "Berlinale press office": the office is not part of the name
        elif kind == ORGANIZATION and end - start > 1 and (tok.lower_ in _ROLE_TITLES or tok.pos_ == "VERB") \
                and _org_before(doc, start, end - 1):
            end -= 1  # "IFJ General Secretary", "ARC Announce": a role or a verb after the name
        elif end - start > 1 and tok.lower_ in rules.CREDIT_WORDS and tok.text[0].isupper():
            end -= 1  # a caption run into its credit: "Ahmed Mohamed. Image: ..."
        elif tok.text == "." and end - 1 > start and len(doc[end - 2].text) > 1 and not doc[end - 2].is_upper:
            end -= 1  # a sentence full stop kept in the span, not an initial
        else:
            break
    return (start, end) if start < end else None


def _glued_word(doc: Doc, i: int) -> bool:
    """A word before a name that is no part of it: a title or role, or at a sentence's or
    line's start, a function word, verb or common noun capitalised by its place."""
    tok = doc[i]
    low = tok.lower_.rstrip(".")
    if low in _TITLES:
        return True
    if not (tok.is_sent_start or rules.line_start(doc, i)):
        return False
    return low in STOP_WORDS or tok.pos_ in {"VERB", "AUX", "ADP", "DET", "CCONJ", "ADV", "SCONJ"} \
        or rules.written_lower(doc, low)


def _org_before(doc: Doc, start: int, end: int) -> bool:
    """What is left is an organization's name on its own: an acronym or a name with a head noun."""
    while end > start and doc[end - 1].lower_ in _ROLE_TITLES:
        end -= 1
    return end > start and (end - start == 1 and doc[start].is_upper and len(doc[start]) > 1
                            or rules.has_org_head(doc, start, end))


def _extend(doc: Doc, start: int, end: int, kind: str | None) -> tuple[int, int]:
    """Grow a name over hyphens ("Mohammad-Ali"), particles ("van der") and missed given names."""

    def joined(a, b) -> bool:  # noqa: ANN001 - tokens written without a space between them
        return not a.whitespace_

    def spaced(a) -> bool:  # noqa: ANN001
        return a.whitespace_ == " "

    while start > 0:
        p = doc[start - 1]
        if p.text in {"-", "‐"} and start >= 2 and joined(doc[start - 2], p) and joined(p, doc[start]) \
                and doc[start - 2].is_alpha and doc[start - 2].text[0].isupper():
            start -= 2
        elif kind == PERSON and spaced(p) and p.lower_ in _PARTICLES and start >= 2 and \
                _is_name_token(doc[start - 2]) and spaced(doc[start - 2]) and not p.is_sent_start:
            start -= 2
        elif kind == PERSON and spaced(p) and p.pos_ == "PROPN" and _is_name_token(p) \
                and p.ent_type_ in {"", "PERSON", "ORG"} and not p.is_upper and not _glued_word(doc, p.i):
            start -= 1
        else:
            break
    while end < len(doc):
        n, last = doc[end], doc[end - 1]
        if n.text in {"-", "‐"} and joined(last, n) and end + 1 < len(doc) and joined(n, doc[end + 1]) \
                and doc[end + 1].is_alpha:
            end += 2
        elif kind == PERSON and spaced(last) and n.lower_ in _PARTICLES and end + 1 < len(doc) and (
                _is_name_token(doc[end + 1]) or (doc[end + 1].text == "-" and joined(n, doc[end + 1]))):
            end += 1
        elif kind == PERSON and spaced(last) and n.pos_ == "PROPN" and _is_name_token(n) \
                and n.ent_type_ in {"", "PERSON"} and not n.is_upper and n.lower_ not in rules.CREDIT_WORDS:
            end += 1
        else:
            break
    if kind == ORGANIZATION:
        start, end = _extend_org(doc, start, end)
    return start, end


_ORG_OF = frozenset({"of", "for", "in", "on"})


def _unit_word(tok) -> bool:  # noqa: ANN001 - spaCy Token
    return tok.is_alpha and tok.text[0].isupper() and tok.ent_type_ in {"", "ORG", "GPE"} \
        and not tok.is_sent_start


_PLACE_LABELS = frozenset({"GPE", "NORP", "LOC"})


def _extend_org(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """An organization's name with a head noun takes in the words the model left outside it:
    a place or people before it ("Amhara Media Center", "Allahabad High Court"), a unit
    before "in"/"for" ("Writers in Prison Committee") and an "of"/"for" part after it
    ("Academy for the Performing Arts", "Court of Appeal")."""
    if not rules.has_org_head(doc, start, end):
        return start, end
    for _ in range(3):
        p = start - 1
        if p < 0 or doc[p].is_sent_start and doc[p].lower_ in STOP_WORDS or "\n" in doc[p].whitespace_:
            break
        tok = doc[p]
        named = tok.ent_type_ in _PLACE_LABELS or tok.pos_ == "PROPN" and tok.ent_type_ in ("", "ORG")
        if tok.is_alpha and tok.text[0].isupper() and tok.whitespace_ and not tok.is_sent_start and named:
            start = p
        elif tok.lower_ in _ORG_OF - {"of"} and p > 0 and _unit_word(doc[p - 1]):
            start = p - 1  # "Writers in Prison Committee"
        else:
            break
    j = end
    if j + 1 < len(doc) and doc[j].lower_ in {"of", "for"} and doc[end - 1].lower_ in rules.ORG_HEADS:
        k = j + 1 + (doc[j + 1].lower_ == "the")
        stop = k
        while stop < len(doc) and stop - k < 4 and doc[stop].is_alpha and doc[stop].text[0].isupper() \
                and doc[stop].ent_type_ not in {"PERSON", "DATE"} and "\n" not in doc[stop - 1].whitespace_:
            stop += 1
        if stop > k:
            end = stop
    return start, end


def _list_names(doc: Doc) -> list[_Span]:
    """People in lists written "Name, role" ("- Roya Sadat, director"), one per line."""
    out: list[_Span] = []
    for m in _LIST_LINE.finditer(doc.text):
        if m.group("role").lower() not in _TITLES:
            continue
        words = m.group("name").split()
        if not all(w[0].isupper() or w.lower() in _PARTICLES for w in words) or \
                any(w.lower().strip(".") in _TITLES for w in words):
            continue
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if span is not None:
            out.append(_Span(span.start, span.end, PERSON, votes=[PERSON, PERSON]))
    return out


_HONORIFICS = lexicon.words("courtesy_titles")
_CONNECTORS = frozenset("of for on at the de du la to".split())


def _name_run(doc: Doc, i: int, limit: int, connectors: bool, any_entity: bool = False) -> int:
    """End of a run of capitalised words from token ``i`` (with "of", "for"... inside when asked)."""
    end = i
    j = i
    while j < len(doc) and j - i < limit:
        tok = doc[j]
        if (not any_entity and tok.ent_type_ not in {"", "PERSON", "ORG"}) or (
                j > i and "\n" in doc[j - 1].whitespace_):
            break
        if tok.is_alpha and tok.text[0].isupper() and tok.lower_ not in _TITLES or tok.like_num and j > i:
            j += 1
            end = j
        elif connectors and tok.lower_ in _CONNECTORS and j > i or tok.text == "-" and not tok.whitespace_:
            j += 1
        else:
            break
    return end


def _after_honorifics(doc: Doc) -> list[_Span]:
    """"Mrs Nasrin Sotoudeh": the words after an honorific are a person even when ner missed them."""
    out: list[_Span] = []
    for tok in doc:
        if tok.lower_.rstrip(".") in _HONORIFICS and tok.text[0].isupper() and tok.i + 1 < len(doc):
            start = tok.i + 2 if doc[tok.i + 1].text == "." else tok.i + 1
            end = _name_run(doc, start, 4, connectors=False, any_entity=True)
            if end > start:
                out.append(_Span(start, end, PERSON, votes=[PERSON, PERSON]))
    return out


def _coordinated(doc: Doc, spans: list[_Span]) -> list[_Span]:
    """"Amnesty International, Human Rights Watch and PEN Belarus": ner often keeps only the first."""
    out: list[_Span] = []
    for sp in spans:
        if sp.kind is None:
            continue
        end = sp.end
        while end + 1 < len(doc) and doc[end].lower_ in {",", "and", "&"}:
            start = end + 1
            if doc[end].text == "," and doc[start].lower_ == "and":
                start += 1
            if start < len(doc) and doc[start].lower_ == "the":
                start += 1
            if start >= len(doc) or doc[start].ent_type_ not in {"", "PERSON", "ORG"} or \
                    doc[start].ent_iob_ == "B":
                break  # the next name is already an entity, or not a person or organization
            stop = _name_run(doc, start, 8, connectors=sp.kind == ORGANIZATION)
            if stop == start or stop - start < 2 and sp.kind == ORGANIZATION and not doc[start].is_upper:
                break
            out.append(_Span(start, stop, sp.kind))
            end = stop
    return out


def _bare_names(doc: Doc, spans: list[_Span]) -> list[_Span]:
    """A surname or given name ner missed ("Daneshvar had been summoned") next to a full name."""
    parts: set[str] = set()
    for sp in spans:
        if sp.kind == PERSON and sp.end - sp.start > 1 and not rules.has_org_head(doc, sp.start, sp.end):
            parts.add(doc[sp.start].text)
            parts.add(doc[sp.end - 1].text)
    taken = {i for sp in spans for i in range(sp.start, sp.end)}
    return [_Span(t.i, t.i + 1, PERSON) for t in doc
            if t.text in parts and t.i not in taken and t.is_alpha and t.text[0].isupper()
            and t.pos_ == "PROPN" and len(t.text) > 2]


def _dedupe(spans: list[_Span]) -> list[_Span]:
    """Keep one span per stretch of text: watchlist first, then the longest."""
    spans.sort(key=lambda s: (not s.ent_id, -(s.end - s.start), not s.votes, s.start))
    taken: set[int] = set()
    out: list[_Span] = []
    for sp in spans:
        if taken.isdisjoint(range(sp.start, sp.end)):
            taken.update(range(sp.start, sp.end))
            out.append(sp)
    out.sort(key=lambda s: s.start)
    return out


def _vote_kinds(spans: list[_Span], places: dict[str, int] | None = None) -> None:
    """One kind per name in a document: listed kind, else the majority of the model's labels.

    ``places`` counts the names the model labelled as places: an organization that is
    more often a place in the same document ("Venezuela") is dropped.
    """
    tally: dict[str, list[str]] = {}
    for sp in spans:
        if sp.ent_id:
            tally.setdefault(entity_key(sp.name), []).extend([sp.kind or ORGANIZATION] * 100)
        elif sp.kind is not None:
            tally.setdefault(entity_key(sp.name), []).extend(sp.votes or [sp.kind])
    evidenced = {entity_key(sp.name) for sp in spans if len(sp.votes) >= 2}  # context, not just the model
    mentions: dict[str, int] = {}
    for sp in spans:
        if sp.kind is not None:
            mentions[entity_key(sp.name)] = mentions.get(entity_key(sp.name), 0) + 1
    for sp in spans:
        key = entity_key(sp.name)
        votes = tally.get(key)
        if not votes:
            continue
        persons = votes.count(PERSON)
        orgs = len(votes) - persons
        as_place = places.get(key, 0) if places else 0
        if as_place and not persons and not sp.watchlisted \
                and (orgs <= as_place and key not in evidenced or mentions.get(key, 0) < as_place) \
                and not any(w in _ORG_WORDS for w in sp.name.lower().split()):
            sp.kind = None  # more often a place than anything else in this document
            continue
        if persons != orgs:
            sp.kind = PERSON if persons > orgs else ORGANIZATION
        elif sp.kind is None or persons:
            has_org_word = any(w in _ORG_WORDS for w in sp.name.lower().split())
            sp.kind = ORGANIZATION if has_org_word else PERSON
        if not sp.watchlisted and key not in evidenced and rules.place_name(sp.name, sp.kind):
            sp.kind = None  # a country or a region's name, whatever the model called it


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.lower() not in _FUNCTION_WORDS and w[0].isalpha()).upper()


def _link_short_forms(spans: list[_Span]) -> None:
    """A surname, a given name, an acronym or a short form takes the full name it stands for.

    Among several full names that fit ("Panahi" after "Jafar Panahi" and "Panah
    Panahi"), the nearest one before the mention wins, else the nearest after it.
    """
    full = [sp for sp in spans if sp.kind == PERSON and len(entity_key(sp.name).split()) > 1]
    orgs = [sp for sp in spans if sp.kind == ORGANIZATION and len(sp.name.split()) > 1]
    for sp in spans:
        key = entity_key(sp.name)
        if sp.watchlisted and len(key.split()) > 1:
            continue
        cands: list[_Span] = []
        if sp.kind == PERSON or sp.kind == ORGANIZATION and not sp.watchlisted and len(key.split()) <= 2:
            cands = [f for f in full if f is not sp and entity_key(f.name) != key and (
                entity_key(f.name).endswith(" " + key) or
                (" " not in key and entity_key(f.name).startswith(key + " ")))]
        if not cands and sp.kind == ORGANIZATION:
            upper = sp.name.isupper() and sp.name.isalpha()
            cands = [f for f in orgs if f is not sp and entity_key(f.name) != key and (
                (upper and _initials(f.name) == sp.name) or
                (not upper and entity_key(f.name).startswith(key + " ")))]
        if not cands:
            continue
        before = [f for f in cands if f.start < sp.start]
        best = max(before, key=lambda f: f.start) if before else min(cands, key=lambda f: f.start)
        sp.kind, sp.name, sp.watchlisted = best.kind, best.name, best.watchlisted


def _unify_kinds(spans: list[_Span]) -> None:
    by_name: dict[str, list[_Span]] = {}
    for sp in spans:
        by_name.setdefault(entity_key(sp.name), []).append(sp)
    for group in by_name.values():
        kinds = {sp.kind for sp in group}
        if len(kinds) > 1:
            listed = [sp.kind for sp in group if sp.watchlisted]
            kind = listed[0] if listed else max(kinds, key=lambda k: sum(sp.kind == k for sp in group))
            for sp in group:
                sp.kind = kind
