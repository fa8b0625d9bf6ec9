"""Batch analysis of many texts with one loaded model per language: mentions and events.

English texts (and texts of unknown language) go through the English model in
``nlp.pipe`` batches; French ones through the French model, loaded only when a French
text comes; every other language with a trigger lexicon through the watchlist and the
lexicon (:mod:`extract.lexicon_events`, ``method = "lexicon"``), with no parser (Russian
adds natasha's people and organizations, :mod:`extract.russian`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from extract import case_facts, entities, events, lexicon_events, nlp
from extract.events import Event
from extract.sentences import doc_text
from extract.watchlist import Watchlist

if TYPE_CHECKING:
    from spacy.tokens import Doc

T = TypeVar("T")

PARSE = "parse"
LEXICON = "lexicon"


@dataclass(frozen=True)
class Analysis:
    mentions: list[entities.Mention]
    events: list[Event]
    method: str = PARSE  # "parse" (a model read the text) or "lexicon" (watchlist + triggers)
    language: str | None = None  # the language the text was analysed as
    # sentence offset -> language of that sentence, where known
    sentence_languages: dict[int, str | None] = field(default_factory=dict)
    # sentence offset -> method, where it differs from the document's (a Persian line
    # in an English report is read through the lexicon)
    sentence_methods: dict[int, str] = field(default_factory=dict)
    facts: case_facts.CaseFacts = field(default_factory=case_facts.CaseFacts)

    def event_language(self, ev: Event) -> str | None:
        return self.sentence_languages.get(ev.sent_start) or self.language

    def event_method(self, ev: Event) -> str:
        return self.sentence_methods.get(ev.sent_start, self.method)


def base_language(language: str | None) -> str | None:
    return language.split("-")[0].split("_")[0].lower() if language else None


def route(language: str | None) -> str | None:
    """How a text in ``language`` is analysed: "en", a parser language, "lexicon", or None."""
    lang = base_language(language)
    if lang in (None, "en"):
        return "en"
    if lang in nlp.LANGUAGE_MODELS and nlp.language_model_name(lang) is not None:
        return lang
    if lexicon_events.has_lexicon(lang):
        return LEXICON
    return None


def can_analyse(language: str | None) -> bool:
    return route(language) is not None


class Analyser:
    """Loads each model once (lazily) and analyses texts in batches."""

    def __init__(self, watchlist: Watchlist, batch_size: int = nlp.DEFAULT_BATCH_SIZE,
                 n_process: int = 1) -> None:
        self.watchlist = watchlist
        self.batch_size = batch_size
        self.n_process = n_process
        # where a text the model or the rules fail on is reported (context, exception), and
        # left out; None: the failure is raised
        self.on_error: Callable[[Any, Exception], None] | None = None
        self._nlp = None
        self._models: dict[str, Any] = {}
        self._natasha: nlp.Natasha | None = None
        # the language of an item from its context; None: every text is English
        self.language_of: Callable[[Any], str | None] | None = None

    @property
    def model(self):  # noqa: ANN201 - spaCy Language
        if self._nlp is None:
            self._nlp = entities.add_watchlist(nlp.load_model(), self.watchlist)
        return self._nlp

    def language_model(self, language: str):  # noqa: ANN201 - spaCy Language
        if language not in self._models:
            self._models[language] = nlp.load_language_model(language)
        return self._models[language]

    def analyse(self, text: str, published: date | None = None, language: str | None = None) -> Analysis:
        return next(iter(self.analyse_many([(text, published, None)], lambda _: language)))[1]

    def analyse_many(
        self, items: Iterable[tuple[str, date | None, T]],
        language_of: Callable[[T], str | None] | None = None,
    ) -> Iterator[tuple[T, Analysis]]:
        """Analyse ``(text, published, context)`` triples, yielding ``(context, Analysis)``."""
        # subclasses may override docs(items) alone
        docs = self.docs(items) if language_of is None else self.docs(items, language_of)
        for ctx, published, doc in docs:
            if isinstance(doc, Analysis):
                yield ctx, doc
                continue
            try:
                analysis = analyse_doc(doc, self.watchlist, published)
            except Exception as exc:
                if self.on_error is None:
                    raise
                self.on_error(ctx, exc)
                continue
            yield ctx, analysis

    def docs(self, items: Iterable[tuple[str, date | None, T]],
             language_of: Callable[[T], str | None] | None = None,
             ) -> Iterator[tuple[T, date | None, Doc | Analysis]]:
        """The model's part: ``(context, published, Doc)`` for English texts, in order;
        texts in other languages come already analysed, as an :class:`Analysis` (with model
        processes, every text: the rules run there too).

        With ``on_error`` set, a text the model (or another language's analysis) fails on
        is reported there and left out (see :func:`extract.nlp.pipe_with_context`).
        """
        on_error = self.on_error
        language_of = language_of or self.language_of
        if self.n_process != 1:
            yield from self._docs_in_processes(items, language_of)
            return
        english = _English(self, on_error)
        for text, published, ctx in items:
            language = language_of(ctx) if language_of else None
            how = route(language)
            if how == "en":
                yield from english.add(text, published, ctx)
                continue
            yield from english.flush()
            yield from self._other_reported(text, published, language, how, ctx)
        yield from english.flush()

    def _docs_in_processes(self, items: Iterable[tuple[str, date | None, T]],
                           language_of: Callable[[T], str | None] | None,
                           ) -> Iterator[tuple[T, date | None, Doc | Analysis]]:
        """:meth:`docs` with model processes (:mod:`extract.model_processes`): every text
        comes back analysed from there, in order."""
        from extract import model_processes

        yield from model_processes.analyse_in_processes(
            self, items, language_of, self.n_process, min(self.batch_size, nlp.PROCESS_BATCH_SIZE),
            nlp.MAX_BATCH_CHARS, self.on_error)

    def _other_reported(self, text: str, published: date | None, language: str | None, how: str | None,
                        ctx: T) -> Iterator[tuple[T, date | None, Analysis]]:
        """The analysis of a text in another language; with ``on_error``, a failure is reported there."""
        try:
            analysis = self._other(text, published, base_language(language), how)
        except Exception as exc:  # noqa: BLE001 - one text's failure is that text's
            if self.on_error is None:
                raise
            self.on_error(ctx, exc)
            return
        yield ctx, published, analysis

    def _other(self, text: str, published: date | None, language: str | None, how: str | None) -> Analysis:
        if language == "ru" and nlp.natasha_available():
            from extract import russian

            if self._natasha is None:
                self._natasha = nlp.load_natasha()
            ments, evs, langs = russian.analyse(text, self.watchlist, self._natasha, published)
            return Analysis(ments, evs, LEXICON, language, langs)
        if how == LEXICON or how is None:
            ments, evs, langs = lexicon_events.analyse_text(text, language, self.watchlist, published)
            return Analysis(ments, evs, LEXICON, language, langs)
        from extract import french

        doc = self.language_model(how)(text)
        ments, evs, langs = french.analyse(doc, self.watchlist, published)
        return Analysis(ments, evs, PARSE, how, langs)


class _English:
    """English texts collected until a text in another language comes (order is kept)."""

    def __init__(self, analyser: Analyser, on_error: Callable[[Any, Exception], None] | None = None) -> None:
        self.analyser = analyser
        self.pending: list[tuple[str, tuple[date | None, Any]]] = []
        self.report = None if on_error is None else (lambda pc, exc: on_error(pc[1], exc))

    def add(self, text: str, published: date | None, ctx: Any) -> Iterator[tuple[Any, date | None, Doc]]:
        self.pending.append((text, (published, ctx)))
        if len(self.pending) >= max(1, self.analyser.batch_size):
            yield from self.flush()

    def flush(self) -> Iterator[tuple[Any, date | None, Doc]]:
        if not self.pending:
            return
        pairs, self.pending = self.pending, []
        a = self.analyser
        for doc, (published, ctx) in nlp.pipe_with_context(a.model, pairs, batch_size=a.batch_size,
                                                           on_error=self.report):
            yield ctx, published, doc


# Letters of the scripts English is never written in that the lexicons read.
_FOREIGN_SCRIPT = re.compile("[\u0600-\u06ff\u0400-\u04ff\u3400-\u9fff]")


def has_foreign_script(text: str) -> bool:
    """Letters of a script English is never written in: :func:`analyse_doc` reads those
    sentences through lingua and the lexicons."""
    return _FOREIGN_SCRIPT.search(text) is not None


def analyse_doc(doc: Doc, watchlist: Watchlist, published: date | None = None) -> Analysis:
    """Mentions and events of a parsed English text (rules only; no model needed).

    Sentences in another script (a Persian or Russian quote) are read through the
    watchlist and the lexicon of their own language."""
    ments = entities.find_mentions(doc, watchlist)
    evs = events.find_events(doc, ments, published)
    facts = case_facts.read_facts(doc, ments, {e.sent_start for e in evs})
    if not has_foreign_script(doc_text(doc)):
        return Analysis(ments, evs, PARSE, "en", facts=facts)
    spans = [(s.start_char, s.end_char) for s in doc.sents if _FOREIGN_SCRIPT.search(s.text)]
    sentences = [s for s in lexicon_events.sentences_of(doc_text(doc), None, spans) if s.language != "en"]
    taken = {(m.start, m.end) for m in ments}
    extra = [m for s in sentences for m in lexicon_events.watchlist_mentions(s, watchlist)
             if (m.start, m.end) not in taken]
    starts = {s.start for s in sentences}
    in_foreign = [m for m in ments if m.sent_start in starts] + extra
    _, lex_events, langs = lexicon_events.events_and_languages(sentences, in_foreign, None, published)
    return Analysis(ments + extra, evs + lex_events, PARSE, "en", {k: v for k, v in langs.items() if v},
                    {s.start: LEXICON for s in sentences}, facts=facts)


def cut_text(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start cut at the last paragraph
    or sentence end before ``limit`` (a hard cut when there is none in the last fifth)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = int(limit * 0.8)
    for sep in ("\n", ". ", "? ", "! ", " "):
        at = head.rfind(sep, floor)
        if at != -1:
            return head[:at + len(sep)].rstrip()
    return head
