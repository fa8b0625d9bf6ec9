"""The document view the event rules read: person mentions mapped onto tokens, and whom
a noun phrase refers to (names, their conjuncts and appositions, pronouns, group words,
"including" lists), with the asides, bystanders and role holders who inherit nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from extract import event_lexicon as lex
from extract import lexicon
from extract.entities import PERSON, Mention
from extract.event_time import pobj
from extract.sentences import doc_text, doc_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["View", "conjoined", "in_parens", "is_including", "is_role", "name_parts", "person_spans"]


_COPULAS = frozenset({"is", "are", "was", "were"})
_SPEAKING = frozenset("say tell add state note announce write report explain confirm claim".split())
_IDENTIFIED = frozenset({"identified", "named"})


class View:
    """A parsed document with its person mentions mapped onto tokens."""

    def __init__(self, doc: Doc, mentions: Iterable[Mention]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.by_token: dict[int, Mention] = {}
        self.spans: list[tuple[Mention, Span]] = []
        mentions = list(mentions)
        for m, span in [*person_spans(doc, mentions), *name_parts(doc, mentions)]:
            self.spans.append((m, span))
            for tok in span:
                self.by_token[tok.i] = m
        self.spans.sort(key=lambda p: p[1].start)
        self.salience = Counter(m.name for m, _ in self.spans)
        self.last_group: list[Mention] = []
        self.last_group_sent = -1
        self.last_people: list[Mention] = []
        self.last_trigger: Token | None = None
        self.in_group = False
        self.triggers: list[tuple[int, int, int]] | None = None  # the trigger matches, once read

    def span_at(self, i: int) -> Span:
        """The name span of the mention at token ``i`` (``i`` in :attr:`by_token`) that covers it."""
        m = self.by_token[i]
        return next(s for mm, s in self.spans if mm is m and s.start <= i < s.end)

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
                    if c.dep_ in ("conj", "appos") or is_including(c):
                        more = self.people(c if c.dep_ != "prep" else pobj(c) or c, seen)
                        # "the arrest of X, Ayatollah Y and his government ...": a ruler
                        # coordinated with the one it happened to is a misparse, not a victim
                        out += [n for n in more if c.dep_ != "conj" or not self.is_authority(n)
                                or self.is_authority(m)]
            return out
        if low in lex.PRONOUNS:
            ante = self.antecedent(tok)
            return [ante] if ante else []
        if self._description(tok):
            return self.described(low) or self._undescribed(tok)
        if low in lex.PLURAL_PRONOUNS or (tok.tag_ == "CD" or low in lex.GROUP_DETS) \
                and tok.dep_ in lex.ARGUMENT_DEPS \
                or any(c.dep_ in ("det", "nummod", "predet") and (
                    c.lower_ in lex.GROUP_DETS or c.tag_ == "CD" and tok.lower_ in lex.GROUP_NOUNS)
                       for c in tok.children) or self._definite_group(tok):
            # "the four journalists A, B and C": the members named right there, else the
            # group the text named just before
            named = [m for c in tok.children if c.dep_ in ("appos", "conj")
                     for m in self.people(c, seen)]
            return (named or self._identified(tok, seen) or self._including(tok, seen)
                    or self.others(self.listed_after(tok)) or self.group(tok))
        if low in lex.RELATIVE and tok.head.dep_ in ("relcl", "acl"):
            return self.people(tok.head.head, seen)
        if low == "whose" and tok.dep_ == "poss":  # "X, whose arrest in May sparked protests"
            rel = next((a for a in tok.ancestors if a.dep_ in ("relcl", "acl")), None)
            return self.people(rel.head, seen) if rel is not None else []
        for c in tok.children:
            if c.lower_ in lex.REFLEXIVE:
                continue
            if c.dep_ in ("conj", "appos") or c.dep_ == "compound" and c.i in self.by_token:
                out += self.people(c, seen)
            elif is_including(c):
                p = pobj(c)
                if p is not None:
                    out += self.people(p, seen)
                if c.lower_ == "including":  # "seven reporters, including A, B (...), and C":
                    # the list read off the words too, where the parse hangs names elsewhere
                    out += [m for m in self.others(self.listed_after(c)) if m not in out]
            elif c.dep_ == "prep" and c.lower_ == "of" and not out:
                out += self._of_appositive(tok, c, seen)
        if not out and tok.dep_ == "appos" and tok.head.i in self.by_token \
                and low not in lex.ROLES:  # "X, a novelist who was imprisoned"
            out.append(self.by_token[tok.head.i])
        if not out and tok.tag_ == "NNS" and tok.i + 1 < tok.sent.end and (
                self.doc[tok.i + 1].text == ":" or tok.i + 1 in self.by_token):
            # "his co-defendants: A, B, and C", "the poets A and B": the names right after
            out = self.others(self.listed_after(tok))
        return out

    def _description(self, tok: Token) -> bool:
        """"The poet was later released": "the" and a profession, with nothing of its own,
        as a subject or object, in a sentence that names no one before it, stands for the
        person the document introduced with that word."""
        if tok.tag_ != "NN" or tok.lower_ not in lex.PROFESSION_WORDS or tok.dep_ not in (
                "nsubj", "nsubjpass", "dobj"):
            return False
        kids = list(tok.children)
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in kids) or any(
                c.dep_ in ("prep", "poss", "appos", "relcl", "acl", "compound") for c in kids):
            return False
        return not any(tok.sent.start <= span.start < tok.i for _, span in self.spans)

    def described(self, word: str) -> list[Mention]:
        """The one person the document introduces with ``word`` ("poet X", "X, a poet",
        "X is a poet"); nobody when none or several are."""
        named: dict[str, Mention] = {}
        for m, span in self.spans:
            if word in self._introduced_as(span):
                named.setdefault(m.name, m)
        return list(named.values()) if len(named) == 1 else []

    def _introduced_as(self, span: Span) -> set[str]:
        """The words next to a name that say what its person is: "poet X", "X, a poet (and
        journalist)", "X is a poet"."""
        root = span.root
        near = [root.head] if root.dep_ == "appos" else []
        near += [c for c in root.children if c.dep_ == "appos"]
        if root.dep_ == "nsubj" and root.head.lower_ in _COPULAS:
            near += [c for c in root.head.children if c.dep_ == "attr"]
        near += [c for w in list(near) for c in w.children if c.dep_ == "conj"]
        if span.start > 0:
            near.append(self.doc[span.start - 1])
        return {w.lower_ for w in near}

    def _undescribed(self, tok: Token) -> list[Mention]:
        """"X was arrested in May. The journalist was later sentenced": where no one is
        introduced with the word, the person a pronoun there would mean, unless the text
        introduces that person with another profession, or the word was already used for
        someone unnamed ("met the poet in Paris. The poet was arrested")."""
        if any(w.lower_ == tok.lower_ for w in self.doc[: tok.i]):
            return []
        ante = self.antecedent(tok)
        if ante is None:
            return []
        words = {w for m, span in self.spans if m.name == ante.name for w in self._introduced_as(span)}
        return [] if words & lex.PROFESSION_WORDS else [ante]

    def _definite_group(self, tok: Token) -> bool:
        """"the artists", "these journalists": a group the text names around it."""
        return tok.lower_ in lex.GROUP_NOUNS and any(
            c.dep_ in ("det", "nummod") and c.lower_ in lex.DEFINITE for c in tok.children)

    def _identified(self, tok: Token, seen: set[int]) -> list[Mention]:
        """The members a group subject is said to be: "the four journalists charged are A,
        B and C", "the five men arrested have been identified as A, B and C"."""
        if tok.dep_ not in ("nsubj", "nsubjpass"):
            return []
        head = tok.head
        if head.lower_ in _COPULAS:
            return self.others([m for c in head.children if c.dep_ == "attr"
                                for m in self.people(c, seen)])
        if head.lower_ in _IDENTIFIED:
            how = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "as"), None)
            return self.others(self.listed_after(how)) if how is not None else []
        return []

    def _including(self, tok: Token, seen: set[int]) -> list[Mention]:
        """The people an "including ..." list after ``tok`` in its sentence names."""
        for w in tok.doc[tok.i + 1: tok.sent.end]:
            if w.lower_ == "including":
                return self.others(self.listed_after(w))
        return []

    def listed_after(self, w: Token) -> list[Mention]:
        """The people named in the list that starts after ``w`` ("including A, B (known as
        C) and D"): names up to the next verb, those in parentheses left out."""
        sent = w.sent
        out: list[Mention] = []
        for m, span in self.spans:
            if span.start <= w.i or span.start >= sent.end:
                continue
            between = self.doc[w.i + 1: span.start]
            if any(t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "compound")
                   and not in_parens(t.i, sent) for t in between):  # "stand-up comedians A, B"
                break
            if not in_parens(span.start, sent):
                out.append(m)
        return out

    def list_mates(self, people: list[Mention], trigger: Token) -> list[Mention]:
        """The names that follow one of ``people`` in the trigger's sentence as one list ("the
        detention of writer A, poet B, and cartoonist and translator C", "A, 34, and B, 29,
        were held"), where the parse hangs the later names elsewhere. Between two names only
        commas, "and", articles, numbers (ages), parentheses and the profession or adjective
        words of the next name; the list ends at its last name after an "and"."""
        if not people:
            return []
        sent = trigger.sent
        starts = {s.start: (m, s) for m, s in self.spans if sent.start <= s.start < sent.end}
        out: list[Mention] = []
        for m in people:
            span = next((s for mm, s in self.spans if mm is m and sent.start <= s.start < sent.end), None)
            if span is None or in_parens(span.start, sent):
                continue
            out += [n for n in self._names_listed_after(span.end, sent, starts) if n not in out]
        return [n for n in self.others(out) if n not in people]

    def _names_listed_after(self, i: int, sent: Span,
                            starts: dict[int, tuple[Mention, Span]]) -> list[Mention]:
        pending: list[Mention] = []
        out: list[Mention] = []
        link: list[Token] = []
        while i < sent.end:
            if i in starts:
                m, span = starts[i]
                if not any(t.text in ",&" or t.lower_ == "and" for t in link) or len(link) > 7:
                    break
                pending.append(m)
                if any(t.lower_ in ("and", "&") for t in link):
                    out, pending = out + pending, []
                link = []
                i = span.end
                continue
            tok = self.doc[i]
            if tok.text == "(":
                close = next((t.i for t in self.doc[i + 1: sent.end] if t.text == ")"), None)
                if close is None or close - i > 8:
                    break
                i = close + 1
                continue
            if not _list_filler(tok):
                break
            link.append(tok)
            i += 1
        return out

    def _of_appositive(self, tok: Token, prep: Token, seen: set[int]) -> list[Mention]:
        """"the director of the festival, X": the parser hangs X on "festival". After a
        relative ("the mother of the rapper X, Y") the last name is the relative's."""
        p = pobj(prep)
        if p is None:
            return []
        if tok.lower_ not in lex.ROLES:
            if p.i in self.by_token:
                return []
            return [m for a in p.children if a.dep_ == "appos" for m in self.people(a, seen)]
        chain = [self.by_token[p.i]] if p.i in self.by_token else []
        cur = p
        while len(chain) < 4:
            nxt = next((a for a in cur.children if a.dep_ == "appos"
                        and a.i in self.by_token), None)
            if nxt is None:
                break
            chain.append(self.by_token[nxt.i])
            cur = nxt
        return chain[1:]

    def aside(self, m: Mention, trigger: Token) -> bool:
        """Whether ``m`` stands apart from the trigger's clause: in a parenthesis the
        trigger is outside of, or the source of the report ("according to X")."""
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        if span.root in trigger.ancestors:
            return False  # "according to X, a journalist who was jailed in 2014": X's own event
        if any(a.dep_ == "prep" and a.lower_ == "according" for a in span.root.ancestors):
            return True
        before = self.doc[max(span.start - 6, trigger.sent.start): span.start]
        if len(before) >= 2 and before[-1].text == "," and before[-2].lower_ in lex.ROLES and any(
                w.lower_ == "according" for w in before):  # "according to her lawyer, X, ..."
            return True
        return in_parens(span.start, trigger.sent) != in_parens(trigger.i, trigger.sent)

    def bystander(self, m: Mention) -> bool:
        """Whether ``m`` is named as one who signs, supports, judges, hosts, speaks or
        represents ("signed by X", "jury member X", "her lawyer X")."""
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        root = span.root
        near = [c.lower_ for c in root.children if c.dep_ in ("compound", "amod", "appos")]
        while root.dep_ == "conj" and root.head != root:  # "signed by X and Y": Y as X
            root = root.head
        if span.start > 0:
            near.append(self.doc[span.start - 1].lower_)
        if root.dep_ == "appos":
            near.append(root.head.lower_)
        if root.dep_ == "pobj" and root.head.lower_ == "by":
            near.append(root.head.head.lower_)
        if root.dep_ == "nsubj":
            near.append(root.head.lower_)
        return any(w in lex.BYSTANDERS for w in near)

    def others(self, people: list[Mention]) -> list[Mention]:
        """``people`` without the bystanders among them (for groups and lists)."""
        return [m for m in people if not self.bystander(m)]

    def is_authority(self, m: Mention) -> bool:
        span = next((s for mm, s in self.spans if mm is m), None)
        if span is None:
            return False
        words = {t.lower_ for t in span} | {c.lower_ for c in span.root.children}
        return bool(words & lex.AUTHORITIES)

    def remember(self, people: list[Mention], trigger: Token) -> None:
        """Keep who the last trigger was about, for "they" and for "... and questioned her"."""
        self.last_people, self.last_trigger = people, trigger
        if len(people) > 1:
            # where the group was last named: a list after the trigger ends further on
            named = [span.sent.start for m, span in self.spans if m in people
                     and span.start > trigger.i]
            self.last_group, self.last_group_sent = people, max([trigger.sent.start, *named])

    def recent_people(self, tok: Token) -> list[Mention]:
        """Whom the last trigger was about, when it is in this or the sentence before."""
        last = self.last_trigger
        if last is None or not self.last_people:
            return []
        start = tok.sent.start
        prev_start = self.doc[start - 1].sent.start if start > 0 else start
        return list(self.last_people) if last.sent.start >= prev_start else []

    def group(self, tok: Token) -> list[Mention]:
        """The people of the last multi-person event, when it is in this or the last sentence;
        else the last named people coordinated there ("invited X and Y. Both were barred")."""
        start = tok.sent.start
        prev_start = self.doc[start - 1].sent.start if start > 0 else start
        if self.last_group and self.last_group_sent >= prev_start:
            return list(self.last_group)
        if self.last_group and _counted(tok) == len(self.last_group):
            return list(self.last_group)  # "the two suspects", however far back the two were named
        if self.in_group:  # a group word inside the list a group word points at
            return []
        self.in_group = True
        try:
            for _, span in reversed(self.spans):
                if prev_start <= span.start < tok.i and any(
                        c.dep_ == "conj" and c.i in self.by_token for c in span.root.children):
                    return self.others(list(dict.fromkeys(self.people(span.root, {tok.i}))))
        finally:
            self.in_group = False
        return []

    def _subject_ahead(self, pron: Token) -> Mention | None:
        """"Since his release, X has lived in Paris": a pronoun in an opening phrase means
        the named subject of the clause it opens."""
        verb = next((a for a in pron.ancestors if a.pos_ in ("VERB", "AUX")), None)
        if verb is None or not any(a.dep_ == "prep" and a.head == verb for a in pron.ancestors):
            return None
        subj = lex.subject(verb)
        if subj is None or subj.i < pron.i or subj.i not in self.by_token:
            return None
        return self.by_token[subj.i]

    def _own_subject(self, pron: Token) -> Mention | None:
        """"X is now in the second year of his incarceration": a possessive in a clause whose
        subject is a named person, written before it, is that person's."""
        if pron.dep_ != "poss":
            return None
        verb = next((a for a in pron.ancestors if a.pos_ in ("VERB", "AUX")), None)
        subj = lex.subject(verb) if verb is not None else None
        if subj is None or subj.i > pron.i or subj.i not in self.by_token:
            return None
        m = self.by_token[subj.i]
        span = next((s for mm, s in self.spans if mm is m), None)
        return None if span is None or is_role(span) or self.is_authority(m) else m

    def _sole_in_sentence(self, pron: Token) -> Mention | None:
        """"... the death of X, three days after she was arrested": a subject pronoun in a
        subordinate clause means the one person its sentence names before it (not a role
        holder, an authority, a speaker or a name used as a modifier), where no other pronoun
        comes first."""
        if pron.dep_ not in ("nsubj", "nsubjpass") or pron.head.dep_ not in ("advcl", "relcl", "acl"):
            return None
        sent = pron.sent
        if any(w.lower_ in lex.PRONOUNS for w in self.doc[sent.start: pron.i]):
            return None
        found: dict[str, Mention] = {}
        for m, span in self.spans:
            if not sent.start <= span.start < pron.i:
                continue
            root = span.root
            if is_role(span) or self.is_authority(m) or self.bystander(m) or root.dep_ == "compound" \
                    and root.head.pos_ != "PROPN" or root.dep_ == "nsubj" and root.head.lemma_ in _SPEAKING:
                return None  # someone else named there: leave it to the story's main person
            found.setdefault(m.name, m)
        return next(iter(found.values())) if len(found) == 1 else None

    def antecedent(self, pron: Token) -> Mention | None:
        """The earlier named person a he/she pronoun most likely means (never a role holder).

        After a trigger about one person, a pronoun in a coordinated clause is that person
        ("detained X's mother, Y, and questioned her"); otherwise the story's main person
        (most mentioned) is preferred over a nearer one-off name.
        """
        if (self.last_trigger is not None and len(self.last_people) == 1
                and conjoined(pron.head, self.last_trigger)):
            return self.last_people[0]
        ahead = self._subject_ahead(pron) or self._own_subject(pron) or self._sole_in_sentence(pron)
        if ahead is not None:
            return ahead
        sents = [pron.sent.start]  # this sentence and up to seven before it
        while len(sents) < 8 and sents[-1] > 0:
            sents.append(self.doc[sents[-1] - 1].sent.start)
        best: Mention | None = None
        best_key: tuple[int, int] = (-1, -1)
        for m, span in self.spans:
            if span.start < sents[-1] or span.start >= pron.i or is_role(span):
                continue
            if span.root.dep_ == "compound" and span.root.head.pos_ != "PROPN" \
                    or self.is_authority(m):
                continue  # a name used as a modifier ("the Somoza dictatorship"), a president
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

def person_spans(doc: Doc, mentions: Iterable[Mention]) -> Iterator[tuple[Mention, Span]]:
    """Each person mention with the tokens it covers (mentions that cover none left out)."""
    for m in mentions:
        if m.kind != PERSON:
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span):
            yield m, span


_NAME_WORD = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")


def name_parts(doc: Doc, mentions: list[Mention]) -> list[tuple[Mention, Span]]:
    """A surname or given name standing alone that the mentions left out ("Kappan was
    arrested" where the model called "Kappan" a place): the one person of the document
    whose full name has that word. A word two people's names share stays unresolved."""
    owners: dict[str, set[str]] = {}
    first: dict[str, Mention] = {}
    covered: set[int] = set()
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        covered.update(t.i for t in span)
        if m.kind != PERSON or len(span) < 2:
            continue
        for t in span:
            if _NAME_WORD.fullmatch(t.text) and len(t.text) > 2 and t.text[0].isupper() \
                    and t.lower_ not in lexicon.words("particles"):
                owners.setdefault(t.text, set()).add(m.name)
                first.setdefault(t.text, m)
    out: list[tuple[Mention, Span]] = []
    for t in doc_tokens(doc):
        names = owners.get(t.text)
        if t.i in covered or not names or len(names) != 1 or t.idx < first[t.text].start:
            continue
        if t.is_sent_start and t.pos_ != "PROPN" or any(
                _NAME_WORD.fullmatch(w.text) and w.text[0].isupper() and not w.is_sent_start
                for w in doc[max(t.i - 1, 0): t.i + 2] if w.i != t.i):
            continue  # "Rose to fame"; "Ahmed Kabir Kishore", a longer name the mentions missed
        m = first[t.text]
        out.append((replace(m, text=t.text, start=t.idx, end=t.idx + len(t.text),
                            sentence=t.sent.text, sent_start=t.sent.start_char), doc[t.i: t.i + 1]))
    return out


_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}


def _counted(tok: Token) -> int | None:
    """The number a group noun is counted with ("the two suspects", "both", "the 3 poets")."""
    for c in tok.children:
        if c.dep_ in ("nummod", "det", "predet"):
            if c.lower_ == "both":
                return 2
            if c.lower_ in _NUMBERS:
                return _NUMBERS[c.lower_]
            if c.text.isdigit():
                return int(c.text)
    return None


_LIST_WORDS = frozenset({",", "and", "&", "the", "a", "an", "-", "–"})


def _list_filler(tok: Token) -> bool:
    """A word that may stand between two names of one list: a separator, an article, an age,
    or a lower-case profession or adjective word ("poet", "cartoonist and translator",
    "British-Egyptian writer"); never a role ("his lawyer", "PEN's director") or a verb."""
    low = tok.lower_
    if low in _LIST_WORDS or tok.like_num:
        return True
    if low in lex.ROLES or low in lex.BYSTANDERS or low in lex.AUTHORITIES:
        return False
    if low in lex.PROFESSION_WORDS:
        return True
    if tok.pos_ == "ADJ" and (tok.is_lower or tok.ent_type_ == "NORP"):
        return True
    return tok.pos_ == "NOUN" and tok.is_lower and tok.dep_ in ("compound", "amod", "conj")


def conjoined(a: Token, b: Token) -> bool:
    """Whether two verbs are joined by coordination: "detained X and questioned her"."""
    def top(t: Token) -> Token:
        while t.dep_ == "conj" and t.head != t:
            t = t.head
        return t
    return a != b and top(a) == top(b)



def in_parens(i: int, sent: Span) -> bool:
    """Whether token ``i`` is inside a parenthesis of ``sent``."""
    depth = 0
    for tok in sent.doc[sent.start: i]:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")" and depth:
            depth -= 1
    return depth > 0


def is_including(tok: Token) -> bool:
    if tok.dep_ != "prep":
        return False
    if tok.lower_ in ("including", "among", "like"):
        return True
    return tok.lower_ == "as" and any(c.lower_ == "such" for c in tok.children)


def is_role(span: Span) -> bool:
    root = span.root
    if root.dep_ == "appos" and root.head.lower_ in lex.ROLES:
        return True
    # "X, his sister Y": the role noun introduces Y, it says nothing of X
    if any(c.dep_ in ("compound", "appos") and c.lower_ in lex.ROLES and not any(
            g.dep_ in ("appos", "compound") and g.pos_ == "PROPN" for g in c.children)
           for c in root.children):
        return True
    return any(t.lower_ in lex.ROLES for t in span)
