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

# Batches waiting in each process's inbox besides the one it works on: enough that a
# process never waits for the caller, few enough that memory stays flat.
AHEAD = 3
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

    English texts go in batches to the process with the fewest batches waiting; a text in
    another language, or an English one quoting another script, goes alone to the first
    process, so natasha and lingua's sentence models are loaded in one process only.
    """
    from extract.analyse import analyse_doc, has_foreign_script, route

    analyse_doc(analyser.model(WARM_UP), analyser.watchlist)  # model and rules loaded before forking
    mp = multiprocessing.get_context("fork")
    inboxes = [mp.Queue() for _ in range(n_process)]
    outboxes = [mp.Queue() for _ in range(n_process)]
    procs = [mp.Process(target=_work, name=f"atrisk-model-{i}", daemon=True,
                        args=(analyser, inboxes[i], outboxes[i])) for i in range(n_process)]
    for proc in procs:
        proc.start()
    pending: deque[tuple[int, list[tuple[T, date | None]]]] = deque()  # batches sent, in order
    waiting = [0] * n_process  # batches sent to each process and not yet taken back
    batch: list[tuple[str, date | None, T, str | None]] = []

    def send(to: int | None = None) -> None:
        i = min(range(n_process), key=lambda k: waiting[k]) if to is None else to
        inboxes[i].put([(text, published, language) for text, published, _, language in batch])
        pending.append((i, [(ctx, published) for _, published, ctx, _ in batch]))
        batch.clear()
        waiting[i] += 1

    source = iter(items)
    exhausted = finished = False
    try:
        while True:
            chars = sum(len(item[0]) for item in batch)
            while not exhausted and sum(waiting) < n_process * (1 + AHEAD):
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                text, published, ctx = item
                language = language_of(ctx) if language_of else None
                if route(language) != "en" or has_foreign_script(text):  # lingua, natasha: in one process
                    if batch:
                        send()
                    batch.append((text, published, ctx, language))
                    send(0)
                    continue
                batch.append((text, published, ctx, language))
                chars += len(text)
                if len(batch) >= batch_size or chars >= max_batch_chars:
                    send()
                    chars = 0
            if exhausted and batch:
                send()
            if not pending:
                break
            i, contexts = pending.popleft()
            results = _take(outboxes[i], procs[i])
            waiting[i] -= 1
            for (ctx, published), (analysis, error) in zip(contexts, results, strict=True):
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
        for q in (*inboxes, *outboxes):
            q.close()


def _take(outbox: Any, proc: Any) -> list[tuple[Analysis | None, tuple[str, str] | None]]:
    while True:
        try:
            return outbox.get(timeout=RESULT_WAIT)
        except queue.Empty:
            if not proc.is_alive():
                raise ModelProcessDied(f"model process {proc.name} ended (exit code {proc.exitcode}) "
                                       "before sending back its analyses") from None


def _rebuilt(type_name: str, message: str) -> Exception:
    """An exception with the type name and message of one raised in a model process (the
    original may not pickle); failures are recorded as ``"<type name>: <message>"``."""
    return type(type_name, (RuntimeError,), {})(message)


def _work(analyser: Analyser, inbox: Any, outbox: Any) -> None:
    """Body of a model process: each batch analysed as in one process, in order."""
    analyser.n_process = 1
    failed: dict[int, tuple[str, str]] = {}

    def report(seq: int, exc: Exception) -> None:
        failed[seq] = (type(exc).__name__, str(exc))

    analyser.on_error = report
    while (batch := inbox.get()) is not None:
        failed.clear()
        analyser.batch_size = len(batch)
        done = dict(analyser.analyse_many(((text, published, seq) for seq, (text, published, _)
                                           in enumerate(batch)), lambda seq: batch[seq][2]))
        outbox.put([(done.get(seq), failed.get(seq)) for seq in range(len(batch))])
