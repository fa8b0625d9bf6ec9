"""A learned second opinion on the event rules: candidate (trigger, person) pairs, scored.

The rules of :mod:`extract.events` decide whom a trigger is about from the parse. Here every
trigger of the lexicon and every person named in its sentence (and every person the rules
tied to it through a pronoun or a group) is one candidate; its features describe the parse
between the two (dependency path, the person's role, the trigger's flags) and carry the
rules' own verdict, so the model can only learn where the rules go wrong. Per document,
a (type, person) pair is kept when its best candidate's probability reaches the model's
threshold: a pair the rules missed is added (dated and flagged from its trigger like a rule
event), a pair the rules found and the model rejects is dropped.

The weights are ``extract/models/event_pairs.json``, fitted on ``dev`` pages of the
statements corpus and ``dev2`` pages by ``python -m benchmarks.learn event_pairs`` and read through
:func:`extract.nlp.learned_model`. Whether :func:`extract.events.find_events` consults it
is :data:`ENABLED` (off; see benchmarks/README.md for why), or its ``learned`` argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extract import event_lexicon as lex
from extract.entities import Mention
from extract.event_view import View, in_parens, is_role

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from extract.events import Event
    from extract.learned import LinearModel

MODEL_NAME = "event_pairs"
# Off: fitted on dev + dev2 (112 pages) it makes the rules' decisions out of sample in both
# directions (dev -> dev2, dev2 -> dev: the same events F1 and alert precision) and costs one
# wrong alert in grouped 5-fold over both (benchmarks/README.md, "Learned decisions on 112
# pages").
ENABLED = False

# verbs whose subject reports, comments or asks rather than undergoes
REPORTING = frozenset(lex.verbs("say tell add state urge call condemn write announce note explain "
                                "welcome demand appeal ask express denounce report confirm "
                                "claim insist criticise criticize decry", "said told wrote"))


@dataclass(frozen=True)
class Candidate:
    """One (trigger, person) pair with its features."""

    type: str
    person: str
    trigger: Token
    features: frozenset[str]


def _path(a: Token, b: Token) -> tuple[list[str], list[str], Token | None]:
    """Dependency labels from ``a`` up to the lowest common head of ``a`` and ``b``, from
    ``b`` up to it, and that head (None when they are in different trees)."""
    up_a = [a, *a.ancestors]
    index = {t.i: n for n, t in enumerate(up_a)}
    for n, t in enumerate([b, *b.ancestors]):
        if t.i in index:
            k = index[t.i]
            return [x.dep_ for x in up_a[:k]], [x.dep_ for x in [b, *b.ancestors][:n]], t
    return [], [], None


def _trigger_features(t: Token, etype: str, title: bool) -> set[str]:
    neg, hyp = lex.flags(t)
    f = {f"type={etype}", f"tpos={t.pos_}", f"tw={t.lower_}", f"tdep={t.dep_}",
         f"ttag={t.tag_}", f"type={etype}|tpos={t.pos_}"}
    if neg:
        f.add("neg")
    if hyp:
        f.add("hyp")
    if lex.is_demand(t):
        f.add("demand")
    if title:
        f.add("title")
    if lex.is_passive(t):
        f.add("tpassive")
    head = t.head
    if head.lower_ in lex.HYP_HEADS or head.head.lower_ in lex.HYP_HEADS:
        f.add("thead_hyp")
    if head.lower_ in lex.PRESUPPOSING:
        f.add("thead_presupposing")
    if any(c.lower_ in lex.MODALS for c in t.children):
        f.add("modal")
    return f


def _pair_features(t: Token, etype: str, m: Mention, span: Span, view: View, sent: Span) -> set[str]:
    r = span.root
    up, down, top = _path(r, t)
    f = {f"pdep={r.dep_}", f"type={etype}|pdep={r.dep_}"}
    n = len(up) + len(down)
    f.add(f"pathlen={min(n, 7)}")
    f.add(f"up={'>'.join(up[:3])}")
    f.add(f"down={'>'.join(down[:2])}")
    f.add(f"type={etype}|up={'>'.join(up[:2])}")
    if top is None:
        f.add("no_path")
    elif top.i == t.i:
        f.add("t_governs")
    elif top.i == r.i:
        f.add("p_governs")
    else:
        f.add(f"lca={top.pos_}")
        if top.lower_ in REPORTING:
            f.add("lca_reporting")
        if top.lower_ in lex.HYP_HEADS:
            f.add("lca_hyp")
    if r.head.i == t.i:
        f.add(f"child_of_t={r.dep_}")
    if r.head.lower_ == "of" and r.head.head.i == t.i:
        f.add("of_t")
    if r.dep_ in ("nsubj", "nsubjpass") and r.head.lower_ in REPORTING:
        f.add("subj_reporting")
    if r.dep_ == "pobj" and r.head.lower_ == "by":
        f.add("by_agent")
    if view.bystander(m):
        f.add("bystander")
    if is_role(span):
        f.add("role")
    if view.is_authority(m):
        f.add("authority")
    if view.aside(m, t):
        f.add("aside")
    if in_parens(span.start, sent):
        f.add("in_parens")
    f.add("p_before" if span.start < t.i else "p_after")
    f.add(f"dist={min(abs(r.i - t.i) // 3, 6)}")
    return f


def candidates(view: View, found: list[Event]) -> list[Candidate]:
    """Every (trigger, person) candidate of the document, with the rules' verdict."""
    doc = view.doc
    asserted_at = {(e.type, e.person, e.sent_start) for e in found if e.asserted}
    unasserted_at = {(e.type, e.person, e.sent_start) for e in found if not e.asserted}
    asserted_doc = {(e.type, e.person) for e in found if e.asserted}
    sent_of: dict[int, Span] = {}  # token -> sentence (Token.sent scans the document each time)
    for s in doc.sents:
        sent_of.update(dict.fromkeys(range(s.start, s.end), s))
    by_sent: dict[int, list[tuple[Mention, Span]]] = {}
    for m, span in view.spans:
        by_sent.setdefault(sent_of[span.start].start, []).append((m, span))
    out: list[Candidate] = []
    seen: set[tuple[str, str, int]] = set()

    def add(etype: str, m_name: str, t: Token, feats: set[str]) -> None:
        key = (etype, m_name, sent_of[t.i].start_char)
        if key in asserted_at:
            feats.add("rule")
        elif key in unasserted_at:
            feats.add("rule_unasserted")
        if (etype, m_name) in asserted_doc:
            feats.add("rule_doc")
        seen.add(key)
        out.append(Candidate(etype, m_name, t, frozenset(feats)))

    triggers: dict[int, tuple[Token, str]] = {}
    matches = view.triggers if view.triggers is not None else lex.trigger_matcher(doc.vocab)(doc)
    for _, _start, end in matches:
        t = doc[end - 1]
        etype = lex.trigger_type(t)
        if etype is not None and t.i not in triggers:
            triggers[t.i] = (t, etype)
    titles: dict[int, bool] = {}
    tfeats: dict[int, set[str]] = {}

    def trigger_features(t: Token, etype: str) -> set[str]:
        if t.i not in tfeats:  # per trigger, and only where a person is a candidate
            sent = sent_of[t.i]
            if sent.start not in titles:
                titles[sent.start] = lex.is_title(sent.text)
            tfeats[t.i] = _trigger_features(t, etype, titles[sent.start])
        return tfeats[t.i]

    for t, etype in triggers.values():
        sent_people = by_sent.get(sent_of[t.i].start, [])
        if not sent_people:
            continue
        f_people = f"npeople={min(len({m.name for m, _ in sent_people}), 3)}"
        for m, span in sent_people:
            add(etype, m.name, t, trigger_features(t, etype)
                | _pair_features(t, etype, m, span, view, sent_of[t.i]) | {f_people})
    # rule events that no pair above covers: a person reached through a pronoun or a group,
    # or a second type of one trigger ("jailed X for two years" is also a sentence)
    by_start: dict[int, list[tuple[Token, str]]] = {}
    for t, etype in triggers.values():
        by_start.setdefault(sent_of[t.i].start_char, []).append((t, etype))
    for e in found:
        if (e.type, e.person, e.sent_start) in seen or e.sent_start not in by_start:
            continue
        here = by_start[e.sent_start]
        t = next((tt for tt, et in here if et == e.type), here[0][0])
        add(e.type, e.person, t, trigger_features(t, e.type) | {"not_in_sentence"})
    return out


def best(model: LinearModel, cands: list[Candidate]) -> dict[tuple[str, str], tuple[float, Candidate]]:
    """Per (type, person): the highest probability of its candidates, and that candidate."""
    out: dict[tuple[str, str], tuple[float, Candidate]] = {}
    for c in cands:
        p = model.probability(c.features)
        key = (c.type, c.person)
        if key not in out or p > out[key][0]:
            out[key] = (p, c)
    return out


def decide(view: View, found: list[Event], model: LinearModel,
           make_event: Callable[[Candidate], Event]) -> list[Event]:
    """The rules' events revised by the model: rejected pairs dropped, accepted ones added."""
    scores = best(model, candidates(view, found))
    keep = {k for k, (p, _) in scores.items() if p >= model.threshold}
    out = [e for e in found if not e.asserted or (e.type, e.person) in keep
           or (e.type, e.person) not in scores]
    have = {(e.type, e.person) for e in out if e.asserted}
    out += [make_event(c) for k, (p, c) in sorted(scores.items()) if k in keep and k not in have]
    return sorted(out, key=lambda e: (e.sent_start, e.person, e.type))
