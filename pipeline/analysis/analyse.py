"""The analysis stage: pending documents -> mentions, events, alert outbox.

The model is loaded only when something is pending, and once per pass; documents are
streamed in chunks so memory stays flat; each document is written in one transaction
that replaces its earlier analysis (``writes``), so re-running adds nothing twice.
Claims and the pending queue are in ``claims``, the store process in ``store_process``.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from datetime import date

from extract.analyse import Analyser, base_language, can_analyse
from extract.listing import is_listing
from extract.watchlist import Watchlist
from pipeline.analysis import incidents, reanalysis
from pipeline.analysis.claims import (  # noqa: F401 - public names, importable from here as before
    CHUNK,
    Claims,
    _pending_filter,
    count_pending,
    mark_all_pending,
    record_failure,
)
from pipeline.analysis.counters import AnalyseCounters, _Progress
from pipeline.analysis.store_process import (  # noqa: F401
    WORKER_QUEUE,
    StoreProcessDied,
    _analyse_beside_store,
)
from pipeline.analysis.writes import (  # noqa: F401
    _fresh_resolver,
    _incident_alerts,
    _is_new,
    _mark_unanalysable,
    _store_analysis,
    _truncate,
)
from pipeline.config import Config
from pipeline.storage.db import Database, sqlite_path
from pipeline.storage.entities import EntityResolver, sync_watchlist
from pipeline.storage.store import refresh_statistics

log = logging.getLogger(__name__)

# Below this many pending documents the analysis runs in one process (no store process,
# no model processes; see _analyse_beside_store); a crawling pass always uses them.
WORKER_MIN_DOCS = 64
FOLLOW_POLL = 0.2  # seconds between looks for documents a running crawl stored


def analyse_pending(
    db: Database,
    watchlist: Watchlist,
    config: Config,
    *,
    analyser: Analyser | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    max_documents: int | None = None,
    follow: Callable[[], bool] | None = None,
    chunk: int = CHUNK,
) -> AnalyseCounters:
    """Analyse pending documents (all, or up to ``max_documents``); returns what was written.

    ``chunk`` documents are claimed at a time (several workers share the queue).

    With ``follow``, documents stored while this runs are analysed too: as long as
    ``follow()`` is true (a crawl is still storing documents), an empty queue means
    waiting for more rather than finishing. The model is loaded only once a document
    needs it, and the texts go through one ``nlp.pipe`` stream, so batches stay full.
    """
    counters = AnalyseCounters()
    reanalysis.queue_changed(db, watchlist)  # documents a watchlist change touches
    claims = Claims(db)
    claims.release_dead_local_claims()
    total = count_pending(db)
    if max_documents is not None:
        total = min(total, max_documents)
    if total == 0 and follow is None:
        return counters
    with db.session() as s:
        sync_watchlist(s, watchlist)
    incidents.backfill(db, config)
    progress = _Progress(on_progress, total)
    items = _claimed_texts(db, claims, config, counters, progress, max_documents, follow, chunk)
    first = next(items, None)
    if first is None:
        return counters
    counters.model_loaded = True
    beside_store = follow is not None or total >= WORKER_MIN_DOCS
    # a few documents are not worth starting model processes for
    analyser = analyser or Analyser(watchlist, batch_size=config.analysis.batch_size,
                                    n_process=config.analysis.processes() if beside_store else 1)
    stream = itertools.chain([first], items)
    analyser.language_of = _language_of  # each claimed document's stored language

    def model_failed(ctx: tuple[int, str, str | None], exc: Exception) -> None:
        _count_failure(db, counters, ctx[0], ctx[1], f"{type(exc).__name__}: {exc}", config)
        progress.step()

    analyser.on_error = model_failed
    started = time.perf_counter()
    try:
        _analyse_stream(db, analyser, watchlist, config, stream, counters, progress,
                        beside_store=beside_store)
    finally:
        analyser.on_error = None
    if counters.documents:
        refresh_statistics(db)
        reanalysis.record_rate(db, counters.documents, time.perf_counter() - started)
    return counters


def _analyse_stream(db: Database, analyser: Analyser, watchlist: Watchlist, config: Config,
                    stream: Iterator[tuple[str, date | None, tuple[int, str, str | None]]],
                    counters: AnalyseCounters, progress: _Progress, *, beside_store: bool) -> None:
    """Parse, apply the rules and store: in this process, or with the store in a second one."""
    if analyser.n_process == 1 and beside_store and (not db.is_sqlite or sqlite_path(db.url) is not None):
        _analyse_beside_store(db, analyser, config, stream, counters, progress)
        return
    with db.sessions() as s:
        resolver = EntityResolver(s, watchlist)
    for (doc_id, token, _), analysis in analyser.analyse_many(stream):
        try:
            with db.session() as s:
                stored = _store_analysis(s, doc_id, token, analysis, resolver, config, counters)
            counters.documents += int(stored)
        except Exception as exc:  # one bad document must not stop the pass
            _count_failure(db, counters, doc_id, token, f"{type(exc).__name__}: {exc}", config)
            resolver = _fresh_resolver(db, watchlist)
        progress.step()


def _count_failure(db: Database, counters: AnalyseCounters, doc_id: int, token: str | None,
                   error: str, config: Config) -> None:
    """One document's failed analysis, in this process: recorded, counted, not retried this pass."""
    counters.errors += 1
    counters.failed_ids.add(doc_id)
    parked, url = record_failure(db, doc_id, token, error, config.analysis.max_attempts)
    counters.parked += int(parked)
    if url:
        counters.error_urls.append(url)


def _language_of(ctx: tuple[int, str, str | None]) -> str | None:
    return ctx[2]


def _claimed_texts(
    db: Database,
    claims: Claims,
    config: Config,
    counters: AnalyseCounters,
    progress: _Progress,
    max_documents: int | None,
    follow: Callable[[], bool] | None,
    chunk_size: int = CHUNK,
) -> Iterator[tuple[str, date | None, tuple[int, str, str | None]]]:
    """``(text, published, (doc_id, claim token, language))`` of pending documents, claimed
    chunk by chunk.

    Documents that cannot be analysed are marked here and never reach the model; texts
    longer than ``[analysis] max_text_chars`` are cut there, with a note on the document.
    """
    languages = set(config.analysis.languages)
    limit = config.analysis.max_text_chars
    claimed = 0
    while max_documents is None or claimed < max_documents:
        # asked before claiming: once the crawl has ended, this claim sees all it stored
        more_coming = follow is not None and follow()
        size = chunk_size if max_documents is None else min(chunk_size, max_documents - claimed)
        token, chunk = claims.next_chunk(size, exclude=counters.failed_ids)
        if not chunk:
            if more_coming:
                time.sleep(FOLLOW_POLL)
                continue
            return
        claimed += len(chunk)
        if follow is not None:
            progress.total = max(progress.total, progress.done + count_pending(db))
        for doc_id, text, published, language in chunk:
            if language and not (can_analyse(language) and (not languages or base_language(language)
                                                                 in languages)):
                _mark_unanalysable(db, doc_id, f"no model or lexicon for language {language!r}")
                counters.skipped_language += 1
                progress.step()
            elif not text:
                _mark_unanalysable(db, doc_id, "no stored text")
                progress.step()
            elif is_listing(text):  # an index of other pages' headlines: no statement
                _mark_unanalysable(db, doc_id, "listing page")
                progress.step()
            else:
                if len(text) > limit:
                    text = _truncate(db, doc_id, text, limit)
                    counters.truncated += 1
                yield text, published, (doc_id, token, language)
