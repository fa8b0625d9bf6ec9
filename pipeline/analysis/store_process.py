"""The store process: rules and database writes beside the model's process.

The model runs in the pass's process; parsed documents (``Doc.to_bytes``) go through a
bounded queue to a second process that applies the rules and writes, so the two share
the machine's cores and memory stays flat.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Iterator
from datetime import date
from typing import Any

from extract.analyse import Analyser, Analysis, analyse_doc
from extract.watchlist import Watchlist
from pipeline.analysis.claims import record_failure
from pipeline.analysis.counters import AnalyseCounters, _Progress
from pipeline.analysis.writes import _fresh_resolver, _store_analysis
from pipeline.config import Config
from pipeline.storage.db import Database
from pipeline.storage.entities import EntityResolver

WORKER_QUEUE = 32  # parsed documents in flight to the store process


def _analyse_beside_store(db: Database, analyser: Analyser, config: Config,
                          stream: Iterator[tuple[str, date | None, tuple[int, str, str | None]]],
                          counters: AnalyseCounters, progress: _Progress) -> None:
    """The model here, the rules and the database writes in a second process.

    The rules and the writes cost about a fifth of the model's time; done in turn with
    it they would add that much to every pass. Parsed documents travel as bytes through
    a bounded queue, so memory stays flat; the store process keeps their order, so the
    new-event decision sees documents as before.
    """
    ctx = multiprocessing.get_context("spawn")  # the parent may hold threads and a model
    inbox = ctx.Queue(maxsize=WORKER_QUEUE)
    outbox = ctx.Queue()
    worker = ctx.Process(target=_store_worker, name="atrisk-analysis-store", daemon=True,
                         args=(db.url, analyser.watchlist, config, inbox, outbox))
    worker.start()
    finished = False
    try:
        for (doc_id, token, _), published, doc in analyser.docs(stream):
            # texts in other languages arrive analysed; English ones as parsed bytes
            data = doc if isinstance(doc, Analysis) else doc.to_bytes(exclude=["tensor"])
            message = (doc_id, token, published, data)
            while True:
                _take_results(outbox, counters, progress)
                try:
                    inbox.put(message, timeout=0.5)
                    break
                except queue.Full:
                    _check_alive(worker)
        inbox.put(None)
        while not finished:
            finished = _take_results(outbox, counters, progress, wait=0.5)
            if not finished:
                _check_alive(worker)
    finally:
        if not finished and worker.is_alive():
            inbox.put(None)  # documents already handed over are stored, then it ends
        worker.join(timeout=60)
        if worker.is_alive():
            worker.terminate()
        inbox.close()
        outbox.close()


class StoreProcessDied(RuntimeError):
    """The process writing analyses ended unexpectedly; unwritten documents stay pending."""


def _check_alive(worker: Any) -> None:
    if not worker.is_alive():
        raise StoreProcessDied(f"the analysis store process ended (exit code {worker.exitcode}); "
                               "documents not written stay pending for the next pass")


def _take_results(outbox: Any, counters: AnalyseCounters, progress: _Progress,
                  wait: float | None = None) -> bool:
    """Apply what the store process reported; True once it has sent its final counters."""
    while True:
        try:
            kind, *rest = outbox.get(timeout=wait) if wait else outbox.get_nowait()
        except queue.Empty:
            return False
        wait = None
        if kind == "error":  # recorded and counted by the store process
            doc_id, url = rest
            counters.failed_ids.add(doc_id)
            if url:
                counters.error_urls.append(url)
        elif kind == "done":
            progress.step()
        else:
            for key, value in rest[0].items():
                if key != "model_loaded":
                    setattr(counters, key, getattr(counters, key) + value)
            return True


def _store_worker(db_url: str, watchlist: Watchlist, config: Config, inbox: Any, outbox: Any) -> None:
    """Body of the store process: rules on parsed documents, one transaction per document."""
    import spacy
    from spacy.tokens import Doc

    db = Database(db_url)
    vocab = spacy.blank("en").vocab  # documents carry their own strings
    counters = AnalyseCounters()
    try:
        with db.sessions() as s:
            resolver = EntityResolver(s, watchlist)
        while (message := inbox.get()) is not None:
            doc_id, token, published, data = message
            try:
                analysis = data if isinstance(data, Analysis) else \
                    analyse_doc(Doc(vocab).from_bytes(data), watchlist, published)
                with db.session() as s:
                    stored = _store_analysis(s, doc_id, token, analysis, resolver, config, counters)
                counters.documents += int(stored)
            except Exception as exc:  # one bad document must not stop the pass
                counters.errors += 1
                parked, url = record_failure(db, doc_id, token, f"{type(exc).__name__}: {exc}",
                                             config.analysis.max_attempts)
                counters.parked += int(parked)
                outbox.put(("error", doc_id, url))
                resolver = _fresh_resolver(db, watchlist)
            outbox.put(("done", doc_id))
    finally:
        outbox.put(("counters", counters.as_dict()))
        db.dispose()
