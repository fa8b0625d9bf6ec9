"""Batch analysis of many texts with one loaded model: mentions and events per text."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from extract import entities, events, nlp
from extract.watchlist import Watchlist

if TYPE_CHECKING:
    from spacy.tokens import Doc

T = TypeVar("T")


@dataclass(frozen=True)
class Analysis:
    mentions: list[entities.Mention]
    events: list[events.Event]


class Analyser:
    """Loads the model once (lazily) and analyses texts in batches."""

    def __init__(self, watchlist: Watchlist, batch_size: int = nlp.DEFAULT_BATCH_SIZE,
                 n_process: int = 1) -> None:
        self.watchlist = watchlist
        self.batch_size = batch_size
        self.n_process = n_process
        # where a text the model or the rules fail on is reported (context, exception), and
        # left out; None: the failure is raised
        self.on_error: Callable[[Any, Exception], None] | None = None
        self._nlp = None

    @property
    def model(self):  # noqa: ANN201 - spaCy Language
        if self._nlp is None:
            self._nlp = entities.add_watchlist(nlp.load_model(), self.watchlist)
        return self._nlp

    def analyse(self, text: str, published: date | None = None) -> Analysis:
        return next(iter(self.analyse_many([(text, published, None)])))[1]

    def analyse_many(
        self, items: Iterable[tuple[str, date | None, T]]
    ) -> Iterator[tuple[T, Analysis]]:
        """Analyse ``(text, published, context)`` triples, yielding ``(context, Analysis)``."""
        for ctx, published, doc in self.docs(items):
            try:
                analysis = analyse_doc(doc, self.watchlist, published)
            except Exception as exc:
                if self.on_error is None:
                    raise
                self.on_error(ctx, exc)
                continue
            yield ctx, analysis

    def docs(self, items: Iterable[tuple[str, date | None, T]]) -> Iterator[tuple[T, date | None, Doc]]:
        """The model's part only: ``(context, published, Doc)`` for each triple, in order.

        With ``on_error`` set, a text the model fails on is reported there and left out
        (see :func:`extract.nlp.pipe_with_context`).
        """
        on_error = self.on_error
        pairs = ((text, (published, ctx)) for text, published, ctx in items)
        report = None if on_error is None else (lambda pc, exc: on_error(pc[1], exc))
        for doc, (published, ctx) in nlp.pipe_with_context(
            self.model, pairs, batch_size=self.batch_size, n_process=self.n_process, on_error=report
        ):
            yield ctx, published, doc


def analyse_doc(doc: Doc, watchlist: Watchlist, published: date | None = None) -> Analysis:
    """Mentions and events of a parsed text (rules only; no model needed)."""
    ments = entities.find_mentions(doc, watchlist)
    return Analysis(ments, events.find_events(doc, ments, published))


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
