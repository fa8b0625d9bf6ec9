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
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extract import entity_context as context
from extract import entity_decision as decision
from extract import entity_rules as rules
from extract import entity_spans as span_rules
from extract import nlp, not_names, places, sentences
from extract.entity_keys import (
    ORGANIZATION,
    PERSON,
    WatchIndex,
    entity_key,
    resolve_to_watchlist,
    variant_key,
    watch_index,
)
from extract.entity_spans import TITLES, Span, is_name_token
from extract.watchlist import Watchlist

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["ORGANIZATION", "PERSON", "Mention", "add_watchlist", "entity_key", "find_mentions",
           "resolve_to_watchlist"]

log = logging.getLogger(__name__)

_LABELS = {"PERSON": PERSON, "ORG": ORGANIZATION}
_KEEP_OTHER = frozenset({"NORP", "GPE", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "EVENT"})


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


# ---------------------------------------------------------------- mentions


# Whether the learned decision of extract.entity_decision filters organizations by default.
# Off: fitted on dev + dev2 it lowers organizations F1 out of sample in both directions and
# with both watchlists (benchmarks/README.md, "Learned decisions on 112 pages").
LEARNED_ORGANIZATIONS = False


def find_mentions(doc: Doc, watchlist: Watchlist | None = None, *,
                  learned: bool | None = None) -> list[Mention]:
    """People and organizations in an analysed document, each resolved to a full name.

    With ``learned`` (default :data:`LEARNED_ORGANIZATIONS`), the organizations the rules
    found pass the learned keep-or-drop decision of :mod:`extract.entity_decision`."""
    out = _rule_mentions(doc, watchlist)
    if not (LEARNED_ORGANIZATIONS if learned is None else learned) or \
            not any(m.kind == ORGANIZATION for m in out):
        return out
    return decision.decide(doc, out, nlp.learned_model(decision.MODEL_NAME))


def _rule_mentions(doc: Doc, watchlist: Watchlist | None) -> list[Mention]:
    spans = _repair_spans(doc)
    idx = watch_index(watchlist) if watchlist else None
    _resolve_names(doc, spans, idx, watchlist)
    spans = _drop_lone_words(doc, spans)
    out: list[Mention] = []
    if not spans:
        return out
    sents = list(doc.sents)  # once per document: Token.sent walks the document each time
    starts = [s.start for s in sents]
    text = sentences.doc_text(doc)
    for sp in spans:
        first, last = doc[sp.start], doc[sp.end - 1]
        sent = sents[bisect_right(starts, sp.start) - 1]
        out.append(Mention(
            kind=sp.kind or ORGANIZATION, text=text[first.idx : last.idx + len(last)], name=sp.name,
            start=first.idx, end=last.idx + len(last), sentence=sent.text,
            sent_start=sent.start_char, watchlisted=sp.watchlisted,
        ))
    return out


_OUTLET_BEFORE = frozenset({"for", "on", "with", "told", "tells", "telling", "via", "from", "at", "by"})
# "confirmed to X", "said to X", "talked to X": what is told "to" a one-word name is told an outlet
_TOLD_TO = frozenset("""
confirmed confirms said says told tells spoke speaks talked talks explained explains wrote writes
described describes revealed reveals complained complains
""".split())
# "..., X reported", "X published": a one-word name doing what outlets do is an outlet
_OUTLET_VERBS = frozenset("""
reported reports published publishes broadcast broadcasts cited cites quoted quotes aired airs
""".split())
_SUBJECT = frozenset({"nsubj", "nsubjpass"})


def _said_to_outlet(doc: Doc, i: int) -> bool:
    """The one-word name at token ``i`` is what an outlet is in its own sentence: "according to
    X", "confirmed to X", "..., X reported", "X published" (whatever the model labelled it)."""
    tok = doc[i]
    if i >= 2 and doc[i - 1].lower_ == "to" and (
            doc[i - 2].lower_ == "according" or doc[i - 2].lower_ in _TOLD_TO):
        return True
    return tok.dep_ in _SUBJECT and tok.head.pos_ == "VERB" and tok.head.lower_ in _OUTLET_VERBS


def _drop_lone_words(doc: Doc, spans: list[Span]) -> list[Span]:
    """A one-word "person" named once, tied to no full name or listed person and with no
    word around it saying it is one ("Advocacy" in a menu, "Dies" in a headline, "US"), is
    dropped: the model's label alone is too weak for a single word. So is a one-word
    "organization" named once ("in Erbil", "Bachelor"), unless written as an outlet or a
    body usually is ("worked for Arte", "posted on YouTube", "told Variety", "removed from
    Vimeo", "the Taliban detained") and no gazetteer knows it as a place ("by Erbil"). A
    one-word name of either kind that its sentence writes as an outlet ("according to X",
    "confirmed to X", "X reported") is an organization."""
    seen: dict[str, int] = {}
    for sp in spans:
        seen[entity_key(sp.name)] = seen.get(entity_key(sp.name), 0) + 1

    def lone(sp: Span) -> bool:
        if sp.watchlisted or sp.votes or " " in sp.name.strip():
            return False
        before = doc[sp.start - 1] if sp.start else None
        # "Coordinator Nina Ognianova said": the last word of a longer name is no outlet
        alone = before is None or not (before.is_alpha and before.text[0].isupper()) or before.lower_ == "the"
        if alone and seen[entity_key(sp.name)] == 1 and not doc[sp.start].is_upper and \
                _said_to_outlet(doc, sp.start) and places.resolve(sp.name) is None:
            sp.kind = ORGANIZATION
            return False
        if sp.kind == ORGANIZATION:  # kept after "worked for", "posted on", "told": an outlet
            prev = before.lower_ if before is not None else ""
            tok = doc[sp.start]
            acts = alone and tok.dep_ in _SUBJECT and tok.head.pos_ == "VERB"  # "the Taliban detained"
            return not tok.is_upper and seen[entity_key(sp.name)] == 1 \
                and (prev not in _OUTLET_BEFORE and not acts or places.resolve(sp.name) is not None)
        return sp.kind == PERSON and (doc[sp.start].is_upper or seen[entity_key(sp.name)] == 1)

    return [sp for sp in spans if not lone(sp)]


def _resolve_names(doc: Doc, spans: list[Span], idx: WatchIndex | None, watchlist: Watchlist | None) -> None:
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
    _unify_spellings(spans)
    # spans that now share a name take one kind: the watchlist's, else the majority
    _unify_kinds(spans)


def _unify_spellings(spans: list[Span]) -> None:
    """Two transliterations of one person's name in a document ("Mohammed Rasulof" in the
    text, "Muhammad Rasoulof" in a caption) become one name: the listed one, else the one
    written most often, else the first."""
    groups: dict[str, list[Span]] = {}
    for sp in spans:
        if sp.kind == PERSON and " " in sp.name.strip():
            groups.setdefault(variant_key(sp.name), []).append(sp)
    for group in groups.values():
        if len({entity_key(sp.name) for sp in group}) < 2:
            continue
        listed = [sp for sp in group if sp.watchlisted]
        counts: dict[str, int] = {}
        for sp in group:
            counts[sp.name] = counts.get(sp.name, 0) + 1
        best = listed[0] if listed else max(group, key=lambda sp: (counts[sp.name], -sp.start))
        for sp in group:
            sp.name, sp.watchlisted = best.name, best.watchlisted


def _repair_spans(doc: Doc) -> list[Span]:
    """PERSON/ORG spans cleaned, split, extended and completed from name lists."""
    spans: list[Span] = []
    for ent in doc.ents:
        kind = _LABELS.get(ent.label_)
        if kind is None and ent.label_ not in _KEEP_OTHER:
            continue
        if kind is None and ent.label_ != "GPE" and rules.has_org_head(doc, ent.start, ent.end):
            kind = ORGANIZATION  # "the Festival de Cannes" labelled FAC: trim it as a name of an organization
        if not ent.ent_id_ and not_names.not_a_name(doc, ent.start, ent.end):
            continue  # "the Unlawful Activities (Prevention) Act": no piece of it is a name
        for start, end in span_rules.split_span(doc, ent.start, ent.end, kind):
            spans.append(Span(start, end, kind, ent.ent_id_))
    spans.extend(span_rules.list_names(doc))
    spans.extend(span_rules.after_honorifics(doc))
    acronyms = context.add_context_spans(doc, spans)
    spans.extend(span_rules.coordinated(doc, spans))
    out: list[Span] = []
    for sp in spans:
        if sp.ent_id and sp.end - sp.start == 1 and sp.start > 0 and sp.kind == PERSON and \
                doc[sp.start - 1].pos_ == "PROPN" and is_name_token(doc[sp.start - 1]):
            sp.ent_id = ""  # a listed surname inside another person's name ("Panah Panahi")
        if sp.ent_id and sp.kind == ORGANIZATION and context.extend_listed_org(doc, sp):
            sp.ent_id = ""  # a longer, unlisted organization that begins with a listed name
        if sp.ent_id:  # the watchlist matched it exactly as written
            out.append(sp)
            continue
        trimmed = span_rules.trim(doc, sp.start, sp.end, sp.kind)
        if trimmed is None:
            continue
        sp.start, sp.end = span_rules.extend(doc, *trimmed, sp.kind)
        if sp.kind == ORGANIZATION:
            sp.end = context.regional_unit_end(doc, sp.start, sp.end)
            if sp.end <= sp.start or context.is_slogan(doc, sp.start, sp.end):
                continue
            tail = context.split_nested(doc, sp)
            if tail is not None:
                out.append(tail)
        if any(t.is_alpha and t.text[0].isupper() for t in doc[sp.start : sp.end]):
            out.append(sp)
    out = span_rules.dedupe(out)
    out = span_rules.dedupe(out + span_rules.bare_names(doc, out))
    out = span_rules.people_pairs(doc, out)
    for sp in out:
        sp.name = " ".join(doc[sp.start : sp.end].text.split())
        if sp.kind is None and any(t.lower_ in rules.ORG_HEADS for t in doc[sp.start : sp.end]):
            sp.kind = ORGANIZATION if sp.ent_id == "" and doc[sp.start].ent_type_ != "GPE" else None
        if not sp.ent_id and sp.name in acronyms:  # "SAR" defined as "Scholars at Risk (SAR)"
            sp.name, sp.kind = acronyms[sp.name] or sp.name, ORGANIZATION if acronyms[sp.name] else None
    out = _headings_supported(doc, out)
    _unglue_known_names(doc, out)
    context.apply_context_votes(doc, out)
    _vote_kinds(out, rules.place_votes(doc))
    # a "person" made of words the text writes in lower case, with nothing around it saying
    # it is one, is a heading's common words ("Screening Schedule")
    # (not for organizations: "State Security" in a headline is a body)
    return [sp for sp in out if sp.kind is not None and not (
        sp.kind == PERSON and not sp.ent_id and not sp.watchlisted and len(sp.votes) < 2
        and not_names.common_phrase(doc, sp.start, sp.end))]


def _unglue_known_names(doc: Doc, spans: list[Span]) -> None:
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
                    sum(1 for t in doc[cut : sp.end] if is_name_token(t)) >= 2 and \
                    not rules.has_org_head(doc, sp.start, cut) and \
                    all(words.get(w, 0) <= same for w in entity_key(head.text).split()):
                sp.start, sp.name = cut, rest
                break


def _headings_supported(doc: Doc, spans: list[Span]) -> list[Span]:
    """Names in headline-case lines only where the text below supports them.

    In "Court Jails Poet Ana Diaz" every word is capitalised, so the model's span
    boundaries mean nothing there. A span in such a line is kept when the same name
    occurs outside the headings, cut to the longest part that does ("Ana Diaz"), and
    dropped otherwise. Watchlisted names and names found from their context (a photo
    credit, a defined acronym) stand on their own, and so do a name that is
    the whole line (a list of signatories) and one after "by" or a title (a byline).
    """
    ranges = sentences.heading_lines(sentences.doc_text(doc))
    if not ranges:
        return spans
    starts = [a for a, _ in ranges]

    def in_heading(sp: Span) -> bool:
        first = doc[sp.start].idx
        k = bisect_right(starts, first) - 1
        return k >= 0 and first < ranges[k][1]

    inside = [in_heading(sp) for sp in spans]
    body = {entity_key(sp.name) for sp, h in zip(spans, inside, strict=True) if not h}
    if not body:
        return spans  # nothing but headings: nothing to check them against
    out: list[Span] = []
    for sp, heading in zip(spans, inside, strict=True):
        if not heading or sp.ent_id or sp.votes or entity_key(sp.name) in body or _whole_line(doc, sp) or \
                sp.start > 0 and (doc[sp.start - 1].lower_ == "by" or doc[sp.start - 1].lower_ in TITLES):
            out.append(sp)
            continue
        part = _longest_supported(doc, sp, body)
        if part is not None:
            sp.start, sp.end = part
            sp.name = " ".join(doc[sp.start : sp.end].text.split())
            out.append(sp)
    return out


def _whole_line(doc: Doc, sp: Span) -> bool:
    before = sp.start == 0 or "\n" in doc[sp.start - 1].whitespace_ or "\n" in doc[sp.start - 1].text
    last = doc[sp.end - 1]
    return before and (sp.end == len(doc) or "\n" in last.whitespace_ or "\n" in doc[sp.end].text)


def _longest_supported(doc: Doc, sp: Span, known: set[str]) -> tuple[int, int] | None:
    """The longest stretch of the span's tokens whose name is in ``known``."""
    for size in range(sp.end - sp.start - 1, 0, -1):
        for a in range(sp.start, sp.end - size + 1):
            if entity_key(doc[a : a + size].text) in known:
                return a, a + size
    # a byline or caption: "Coordinator Ana Diaz", the name after the last title word
    last = max((i for i in range(sp.start, sp.end) if doc[i].lower_ in TITLES), default=None)
    if last is not None and sp.end - last > 2 and rules.person_shaped(doc, last + 1, sp.end):
        sp.kind = PERSON
        return last + 1, sp.end
    return None


def _vote_kinds(spans: list[Span], places: dict[str, int] | None = None) -> None:
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
                and not any(w in rules.ORG_HEADS for w in sp.name.lower().split()):
            sp.kind = None  # more often a place than anything else in this document
            continue
        if persons != orgs:
            sp.kind = PERSON if persons > orgs else ORGANIZATION
        elif sp.kind is None or persons:
            has_org_word = any(w in rules.ORG_HEADS for w in sp.name.lower().split())
            sp.kind = ORGANIZATION if has_org_word else PERSON
        if not sp.watchlisted and (key not in evidenced or not_names.country_key(key)) \
                and not_names.place_name(sp.name, sp.kind):
            sp.kind = None  # a country or a region's name, whatever the model called it
            # (a country's even with a body's word in it: "the Soviet Union")


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split()
                   if w.lower() not in span_rules.FUNCTION_WORDS and w[0].isalpha()).upper()


def _link_short_forms(spans: list[Span]) -> None:
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
        cands: list[Span] = []
        if sp.kind == PERSON or sp.kind == ORGANIZATION and not sp.watchlisted and len(key.split()) <= 2:
            vkey = variant_key(sp.name)  # "Rasulof" after "Mohammad Rasoulof"
            cands = [f for f in full if f is not sp and entity_key(f.name) != key and (
                variant_key(f.name).endswith(" " + vkey) or
                (" " not in key and variant_key(f.name).startswith(vkey + " ")))]
        if not cands and sp.kind == ORGANIZATION:
            upper = sp.name.isupper() and sp.name.isalpha()
            # "Baptist University" after "Hong Kong Baptist University": the end of a longer
            # body's name, ending in a body's word, is that body without its place
            tail = not upper and not sp.watchlisted and len(key.split()) >= 2 and \
                key.split()[-1] in rules.ORG_HEADS
            cands = [f for f in orgs if f is not sp and entity_key(f.name) != key and (
                (upper and _initials(f.name) == sp.name) or
                (not upper and entity_key(f.name).startswith(key + " ")) or
                (tail and entity_key(f.name).endswith(" " + key)))]
        if not cands:
            continue
        before = [f for f in cands if f.start < sp.start]
        best = max(before, key=lambda f: f.start) if before else min(cands, key=lambda f: f.start)
        sp.kind, sp.name, sp.watchlisted = best.kind, best.name, best.watchlisted


def _unify_kinds(spans: list[Span]) -> None:
    by_name: dict[str, list[Span]] = {}
    for sp in spans:
        by_name.setdefault(entity_key(sp.name), []).append(sp)
    for group in by_name.values():
        kinds = {sp.kind for sp in group}
        if len(kinds) > 1:
            listed = [sp.kind for sp in group if sp.watchlisted]
            kind = listed[0] if listed else max(kinds, key=lambda k: sum(sp.kind == k for sp in group))
            for sp in group:
                sp.kind = kind
