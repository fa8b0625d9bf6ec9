"""Analysis workers: several processes (or machines) share the pending documents of one database.

Each worker runs :func:`pipeline.analysis.analyse.analyse_pending`, which claims pending
documents in chunks with one ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
LOCKED)`` on PostgreSQL, so no document is handed to two workers, and a worker
that dies leaves its claims to expire (or to be released at once by the next worker
on the same host). Small chunks keep the workers busy until the end of the queue;
the spaCy batch size is separate (``[analysis] batch_size``).

On SQLite the workers are safe too, but writes to one file are serialised: they
bring no speed-up there. Scale out on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from extract.analyse import Analyser
from extract.watchlist import Watchlist
from pipeline.analysis.analyse import AnalyseCounters, analyse_pending
from pipeline.config import Config
from pipeline.storage.db import Database

log = logging.getLogger(__name__)

WORKER_CHUNK = 16


def analyse_worker(
    db: Database,
    watchlist: Watchlist,
    config: Config,
    *,
    chunk: int = WORKER_CHUNK,
    watch: bool = False,
    stop: threading.Event | None = None,
    max_documents: int | None = None,
    analyser: Analyser | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AnalyseCounters:
    """Analyse pending documents alongside other workers until none is left.

    With ``watch``, keep waiting for new documents (stored by crawl workers) until
    ``stop`` is set. Returns this worker's own counters.
    """
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    if db.is_sqlite:
        log.warning("analysis workers on one SQLite file take turns writing; use PostgreSQL to scale out")
    stop = stop or threading.Event()
    follow = (lambda: not stop.is_set()) if watch else None
    return analyse_pending(db, watchlist, config, analyser=analyser, on_progress=on_progress,
                           max_documents=max_documents, follow=follow, chunk=chunk)
