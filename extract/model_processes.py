"""English texts parsed and read by the rules in model processes, results in order.

With ``[analysis] n_process`` above 1, :meth:`extract.analyse.Analyser.docs` hands
batches of English texts to processes forked from the caller once the model is loaded
(so they share it): each parses its batches and applies the rules
(:func:`extract.analyse.analyse_doc`) and sends back one :class:`~extract.analyse.Analysis`
per text, a small pickle. spaCy's own ``nlp.pipe(n_process=...)`` made the caller
tokenise every text, serialise it to a process, and deserialise every parsed ``Doc``
coming back before its rules could run: about a third of the caller's CPU in a pass.
Texts in other languages go to the first process, one at a time, and keep their place
in the stream: the caller only writes what comes back.

A text the model or the rules fail on is reported to ``on_error`` (its context and an
exception of the same type name and message) and left out, as in one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from extract.analyse import Analyser, Analysis

log = logging.getLogger(__name__)

T = TypeVar("T")

# Batches handed to a process and not yet back: the one it works on and one more, so it
# never waits for the caller, and at the end of the stream no process has more than one
# batch left while the other has none.
IN_HAND = 2
# Batches sent and not yet yielded, at most this many per process (the results of later
# batches wait while an earlier one, a long text, is still being read).
AHEAD = 4
RESULT_WAIT = 1.0  # seconds between looks at whether a model process still runs
# One English sentence with a name, a trigger and a city: the rules' word lists, gazetteer
# and lexicons are loaded by the caller before it forks, so no process loads them again.
WARM_UP = "Police in Paris arrested the journalist Anna Verlaine on Monday, her lawyer said."


class ModelProcessDied(RuntimeError):
    """A model process ended before sending back the analyses of its texts."""


def analyse_in_processes(
    analyser: Analyser,
    items: Iterable[tuple[str, date | None, T]],
    language_of: Callable[[T], str | None] | None,
    n_process: int,
    batch_size: int,
    max_batch_chars: int,
    on_error: Callable[[T, Exception], None] | None,
) -> Iterator[tuple[T, date | None, Analysis]]:
    """``(context, published, Analysis)`` of every item, in order (failures left out).

    English texts go in batches to whichever process has the fewest batches in hand; a
    text in another language, or an English one quoting another script, goes alone to the
    first process, so natasha and lingua's sentence models are loaded in one process only.
    """
    from extract.analyse import analyse_doc

    analyse_doc(analyser.model(WARM_UP), analyser.watchlist)  # model and rules loaded before forking
    mp = multiprocessing.get_context("fork")
    inboxes = [mp.Queue() for _ in range(n_process)]
    outbox = mp.Queue()  # (batch number, results) from every process
    procs = [mp.Process(target=_work, name=f"atrisk-model-{i}", daemon=True,
                        args=(analyser, inboxes[i], outbox)) for i in range(n_process)]
    for proc in procs:
        proc.start()
    stream = _Dispatch(inboxes, _batches(items, language_of, batch_size, max_batch_chars))
    finished = False
    try:
        while (head := stream.next_results(outbox, procs)) is not None:
            for (ctx, published), (analysis, error) in head:
                if analysis is not None:
                    yield ctx, published, analysis
                    continue
                assert error is not None  # each text comes back analysed or failed
                exc = _rebuilt(*error)
                if on_error is None:
                    raise exc
                on_error(ctx, exc)
        finished = True
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for proc in procs:
            proc.join(timeout=30 if finished else 1)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        for q in (*inboxes, outbox):
            q.close()


_Batch = tuple[bool, list[tuple[str, date | None, Any, str | None]]]  # (English only, items)


def _batches(items: Iterable[tuple[str, date | None, T]], language_of: Callable[[T], str | None] | None,
             batch_size: int, max_chars: int) -> Iterator[_Batch]:
    """Batches of English texts (``batch_size`` texts or ``max_chars`` characters at most),
    and each text that needs the first process alone, in order. The first batches are
    smaller (1, 2, 4... texts), so every process starts on the first texts a crawl stores."""
    from extract.analyse import has_foreign_script, route

    batch: list[tuple[str, date | None, Any, str | None]] = []
    chars = 0
    size = 1
    for text, published, ctx in items:
        language = language_of(ctx) if language_of else None
        if route(language) != "en" or has_foreign_script(text):  # lingua, natasha: in one process
            if batch:
                yield True, batch
                batch, chars = [], 0
            yield False, [(text, published, ctx, language)]
            continue
        batch.append((text, published, ctx, language))
        chars += len(text)
        if len(batch) >= min(size, batch_size) or chars >= max_chars:
            yield True, batch
            batch, chars = [], 0
            size *= 2
    if batch:
        yield True, batch


class _Dispatch:
    """Sends batches as processes free up and hands back their results in order."""

    def __init__(self, inboxes: list[Any], batches: Iterator[_Batch]) -> None:
        self.inboxes = inboxes
        self.batches = batches
        self.held: _Batch | None = None  # read, not sent: no process may take it yet
        self.exhausted = False
        self.in_hand = [0] * len(inboxes)  # batches sent to each process and not yet back
        # (batch number, process, contexts) of the batches sent, in order
        self.order: deque[tuple[int, int, list[tuple[Any, date | None]]]] = deque()
        self.back: dict[int, list[Any]] = {}  # results come back, by batch number
        self.sent = 0

    def _fill(self) -> None:
        n = len(self.inboxes)
        while len(self.order) < n * AHEAD:
            if self.held is None:
                if self.exhausted:
                    return
                self.held = next(self.batches, None)
                if self.held is None:
                    self.exhausted = True
                    return
            english, batch = self.held
            to = min(range(n), key=lambda k: self.in_hand[k]) if english else 0
            if self.in_hand[to] >= IN_HAND:
                return
            texts = [(text, published, language) for text, published, _, language in batch]
            self.inboxes[to].put((self.sent, texts))
            self.order.append((self.sent, to, [(ctx, published) for _, published, ctx, _ in batch]))
            self.in_hand[to] += 1
            self.sent += 1
            self.held = None

    def next_results(self, outbox: Any, procs: list[Any]) -> list[tuple[tuple[Any, date | None], Any]] | None:
        """The contexts and results of the next batch in order; None after the last."""
        while True:
            self._fill()
            if not self.order:
                return None
            number, _, contexts = self.order[0]
            if number in self.back:
                self.order.popleft()
                return list(zip(contexts, self.back.pop(number), strict=True))
            try:
                got, results = outbox.get(timeout=RESULT_WAIT)
            except queue.Empty:
                waited = {to for _, to, _ in self.order}
                for proc in (procs[i] for i in waited if not procs[i].is_alive()):
                    raise ModelProcessDied(f"model process {proc.name} ended (exit code {proc.exitcode}) "
                                           "before sending back its analyses") from None
                continue
            self.back[got] = results
            self.in_hand[next(to for number, to, _ in self.order if number == got)] -= 1


def _rebuilt(type_name: str, message: str) -> Exception:
    """An exception with the type name and message of one raised in a model process (the
    original may not pickle); failures are recorded as ``"<type name>: <message>"``."""
    return type(type_name, (RuntimeError,), {})(message)


def _work(analyser: Analyser, inbox: Any, outbox: Any) -> None:
    """Body of a model process: each batch analysed as in one process, in order."""
    from threadpoolctl import threadpool_limits

    # One BLAS thread: the processes already fill the cores, and numpy's OpenBLAS (natasha's
    # and slovnet's matrix products) would start a worker per core in each of them, busy-
    # waiting beside the other process (the 6 non-English texts of the throughput pass:
    # 5.8-5.9 s CPU instead of 7.1-8.8 s, the same analyses).
    threadpool_limits(1)
    analyser.n_process = 1
    failed: dict[int, tuple[str, str]] = {}

    def report(seq: int, exc: Exception) -> None:
        failed[seq] = (type(exc).__name__, str(exc))

    analyser.on_error = report
    while (message := inbox.get()) is not None:
        number, batch = message
        failed.clear()
        analyser.batch_size = len(batch)
        languages = [language for _, _, language in batch]
        done = dict(analyser.analyse_many(((text, published, seq) for seq, (text, published, _)
                                           in enumerate(batch)), languages.__getitem__))
        outbox.put((number, [(done.get(seq), failed.get(seq)) for seq in range(len(batch))]))
