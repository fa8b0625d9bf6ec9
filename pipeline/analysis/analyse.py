"""The analysis stage: pending documents -> mentions, events, alert outbox.

The model is loaded only when something is pending, and once per pass; documents are
streamed in chunks so memory stays flat; each document is written in one transaction
that replaces its earlier analysis, so re-running adds nothing twice.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from extract.analyse import Analyser, Analysis, analyse_doc, base_language, can_analyse, cut_text
from extract.entities import entity_key
from extract.listing import is_listing
from extract.watchlist import Watchlist
from pipeline.analysis import decisions, incidents
from pipeline.config import Config
from pipeline.delivery import alerts
from pipeline.storage.db import Database, sqlite_path
from pipeline.storage.entities import EntityResolver, sync_watchlist
from pipeline.storage.models import Document, Entity, Event, Mention
from pipeline.storage.store import refresh_statistics, utcnow

log = logging.getLogger(__name__)

CHUNK = 256
# Below this many pending documents the analysis runs in one process (see
# _analyse_beside_store); a crawling pass always uses the second process.
WORKER_MIN_DOCS = 64
WORKER_QUEUE = 32  # parsed documents in flight to the store process
FOLLOW_POLL = 0.2  # seconds between looks for documents a running crawl stored


@dataclass
class AnalyseCounters:
    documents: int = 0
    skipped_language: int = 0
    mentions: int = 0
    events: int = 0
    new_events: int = 0
    alerts: int = 0
    errors: int = 0  # failed analyses (each is that document's failure, see record_failure)
    parked: int = 0  # documents parked this pass after their last allowed attempt
    truncated: int = 0  # texts analysed only up to [analysis] max_text_chars
    model_loaded: bool = False
    error_urls: list[str] = field(default_factory=list)
    failed_ids: set[int] = field(default_factory=set)  # not claimed again in this pass

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d.pop("error_urls")
        d.pop("failed_ids")
        return d


def _pending_filter():  # noqa: ANN202 - SQLAlchemy expression
    return or_(Document.analysed_hash.is_(None), Document.analysed_hash != Document.content_hash)


def count_pending(db: Database) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(Document).where(_pending_filter())) or 0


def mark_all_pending(db: Database) -> int:
    """Queue every stored document for re-analysis (after a watchlist or model change)."""
    with db.session() as s:
        res = s.execute(update(Document).where(Document.text.is_not(None))
                        .values(analysed_hash=None, analysis_attempts=0, analysis_parked_at=None,
                                analysis_note=None))
        return int(getattr(res, "rowcount", 0) or 0)


def record_failure(db: Database, doc_id: int, token: str | None, error: str,
                   max_attempts: int) -> tuple[bool, str | None]:
    """One failed analysis of a document: (parked now, its URL).

    The attempt and the error are recorded and the claim released; the document is
    tried again on a later pass (not in this one), and after ``max_attempts`` failures
    it is parked: left out of analysis until its text changes or ``atrisk reprocess``.
    """
    try:
        with db.session() as s:
            doc = s.get(Document, doc_id)
            if doc is None or (token is not None and doc.claimed_by != token):
                return False, None
            doc.analysis_attempts = (doc.analysis_attempts or 0) + 1
            doc.analysis_error = error[:2000]
            doc.claimed_by = doc.claimed_at = None
            parked = doc.analysis_attempts >= max_attempts
            if parked:
                doc.analysis_parked_at = utcnow()
                doc.analysed = False
                doc.analysed_hash = doc.content_hash  # not pending until the text changes
            url = doc.url
    except Exception as exc:  # the database itself failing: the claim's lease runs out
        log.error("cannot record the failed analysis of document %s: %s", doc_id, exc)
        return False, None
    if parked:
        log.error("analysis of %s failed %d times; parked until its text changes: %s",
                  url, max_attempts, error)
    else:
        log.error("analysis of %s failed (attempt %d of %d; tried again next pass): %s",
                  url, doc.analysis_attempts, max_attempts, error)
    return parked, url


class Claims:
    """Hands out chunks of pending documents to one worker, never to two at once.

    A chunk is claimed with one UPDATE (atomic on SQLite; ``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL), so several ``atrisk analyse`` workers can share one database. Claims of
    a worker that died expire after ``lease``; those of dead processes on this host are
    released at once.
    """

    def __init__(self, db: Database, lease: timedelta = timedelta(minutes=30)) -> None:
        self.db = db
        self.lease = lease
        # host:pid:random, so two workers in one process never share claims
        self.prefix = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._n = 0

    def release_dead_local_claims(self) -> int:
        host = socket.gethostname()
        released = 0
        with self.db.session() as s:
            rows = s.execute(select(Document.id, Document.claimed_by)
                             .where(Document.claimed_by.like(f"{host}:%"))).all()
            dead = [doc_id for doc_id, token in rows if not _alive(int(str(token).split(":")[1]))]
            if dead:
                s.execute(update(Document).where(Document.id.in_(dead))
                          .values(claimed_by=None, claimed_at=None))
                released = len(dead)
        return released

    def next_chunk(self, size: int = CHUNK, exclude: set[int] | None = None,
                   ) -> tuple[str, list[tuple[int, str, date | None, str | None]]]:
        """Claim up to ``size`` pending documents (never those in ``exclude``)."""
        self._n += 1
        token = f"{self.prefix}:{self._n}"
        now = utcnow()
        free = or_(Document.claimed_by.is_(None), Document.claimed_at < now - self.lease)
        candidates = select(Document.id).where(_pending_filter(), free)
        if exclude:
            candidates = candidates.where(Document.id.not_in(sorted(exclude)))
        candidates = candidates.order_by(Document.id).limit(size)
        if not self.db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        with self.db.session() as s:
            s.execute(update(Document).where(Document.id.in_(candidates.scalar_subquery()))
                      .values(claimed_by=token, claimed_at=now).execution_options(synchronize_session=False))
        with self.db.sessions() as s:
            rows = s.execute(
                select(Document.id, Document.text, Document.published, Document.language)
                .where(Document.claimed_by == token).order_by(Document.id)
            ).all()
        return token, [tuple(r) for r in rows]  # type: ignore[misc]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != 0


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
    analyser = analyser or Analyser(watchlist, batch_size=config.analysis.batch_size,
                                    n_process=config.analysis.n_process)
    stream = itertools.chain([first], items)
    analyser.language_of = _language_of  # each claimed document's stored language

    def model_failed(ctx: tuple[int, str, str | None], exc: Exception) -> None:
        _count_failure(db, counters, ctx[0], ctx[1], f"{type(exc).__name__}: {exc}", config)
        progress.step()

    analyser.on_error = model_failed
    try:
        _analyse_stream(db, analyser, watchlist, config, stream, counters, progress,
                        beside_store=follow is not None or total >= WORKER_MIN_DOCS)
    finally:
        analyser.on_error = None
    if counters.documents:
        refresh_statistics(db)
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


class _Progress:
    """Documents done out of a total that grows while a crawl keeps storing documents."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0

    def step(self, n: int = 1) -> None:
        self.done += n
        self.total = max(self.total, self.done)
        if self.callback:
            self.callback(self.done, self.total)


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


def _truncate(db: Database, doc_id: int, text: str, limit: int) -> str:
    """The part of a long text that is analysed; the document gets a note saying so."""
    cut = cut_text(text, limit)
    note = (f"text cut for analysis at {len(cut):,} of {len(text):,} characters "
            "([analysis] max_text_chars)")
    with db.session() as s:
        s.execute(update(Document).where(Document.id == doc_id).values(analysis_note=note))
    log.warning("document %s: %s", doc_id, note)
    return cut


def _fresh_resolver(db: Database, watchlist: Watchlist) -> EntityResolver:
    # entity rows created in a rolled-back transaction must not stay cached
    with db.sessions() as s:
        return EntityResolver(s, watchlist)


def _mark_unanalysable(db: Database, doc_id: int, reason: str) -> None:
    with db.session() as s:
        s.execute(
            update(Document)
            .where(Document.id == doc_id)
            .values(analysed=False, analysed_hash=Document.content_hash, analysis_error=reason,
                    analysed_at=utcnow(), claimed_by=None, claimed_at=None)
        )
        s.execute(delete(Mention).where(Mention.document_id == doc_id))
        s.execute(delete(Event).where(Event.document_id == doc_id))


def _store_analysis(
    s: Session,
    doc_id: int,
    token: str,
    analysis: Analysis,
    resolver: EntityResolver,
    config: Config,
    counters: AnalyseCounters,
) -> bool:
    doc = s.get(Document, doc_id)
    if doc is None or doc.claimed_by != token:
        return False  # deleted, or the claim expired and another worker took it
    s.execute(delete(Mention).where(Mention.document_id == doc_id))
    old_events = {(e.person_id, e.type, e.sent_start): e for e in
                  s.scalars(select(Event).where(Event.document_id == doc_id))}
    seen_spans: set[tuple[int, int]] = set()
    person_ids: dict[str, int] = {}
    mention_rows: list[dict[str, Any]] = []
    for m in analysis.mentions:
        if (m.start, m.end) in seen_spans:
            continue
        seen_spans.add((m.start, m.end))
        eid = resolver.resolve(s, m.kind, m.name)
        if m.kind == "person":
            person_ids[m.name] = eid
        mention_rows.append({"document_id": doc_id, "entity_id": eid, "text": m.text[:500],
                             "name": m.name[:500], "start": m.start, "end": m.end,
                             "sentence": m.sentence})
    if mention_rows:  # one executemany instead of an ORM object per mention
        s.execute(insert(Mention), mention_rows)
        counters.mentions += len(mention_rows)
    # the (person, type) pairs this document assigns, locked at once and in order (PostgreSQL)
    incidents.lock_assignment(s, [(person_ids.get(ev.person), ev.type) for ev in analysis.events]
                              + [(e.person_id, e.type) for e in old_events.values()])

    now = utcnow()
    kept: set[int] = set()
    first_of: set[tuple[int, str]] = set()
    for ev in analysis.events:
        if not ev.asserted:
            continue
        pid = person_ids.get(ev.person) or resolver.resolve(s, "person", ev.person)
        # an analyst's correction of this detection (type, person) survives re-analysis
        fix = decisions.review_for(s, doc_id, pid, ev.type)
        etype, pid = fix.identity(ev.type, pid) if fix else (ev.type, pid)
        ident = (pid, etype, ev.sent_start)
        if ident in kept:
            continue
        person = s.get(Entity, pid)
        row = old_events.get(ident)
        if row is None:
            row = Event(document_id=doc_id, person_id=pid, type=etype, sent_start=ev.sent_start,
                        created_at=now)
            s.add(row)
        row.person_name = ev.person[:500]
        row.date, row.term, row.sentence = ev.date, ev.term, ev.sentence
        row.background = ev.background
        decisions.apply_review(row, fix)
        row.language = (analysis.event_language(ev) or doc.language or "")[:16] or None
        row.method = analysis.event_method(ev)
        # dismissals are keyed by the resolved entity, so aliases and merges keep them
        row.dismissed = alerts.is_dismissed(s, doc_id, person.key if person else entity_key(ev.person),
                                            etype)
        first = (pid, etype) not in first_of
        first_of.add((pid, etype))
        row.is_new = first and not row.background and _is_new(s, doc, pid, etype, config)
        opened = person is not None and _place_in_incident(s, row, doc, person, ev, analysis, config)
        row.is_new = row.is_new and opened
        s.flush()
        kept.add(row.id)
        counters.events += 1
        counters.new_events += int(row.is_new)
        if person is not None and not row.dismissed:
            counters.alerts += _incident_alerts(s, row, doc, person, config, opened)
    for row in old_events.values():
        if row.id not in kept:
            s.delete(row)
    incidents.after_document(s, [r for r in old_events.values() if r.id not in kept])
    for name, profession in analysis.facts.professions.items():
        incidents.note_profession(s, person_ids.get(name), profession)
    doc.analysed = True
    doc.analysed_hash = doc.content_hash
    doc.analysed_at = now
    doc.analysis_error = None
    doc.analysis_attempts = 0
    doc.analysis_parked_at = None
    doc.claimed_by = doc.claimed_at = None
    return True


def _place_in_incident(s: Session, row: Event, doc: Document, person: Entity, ev: Any,
                       analysis: Analysis, config: Config) -> bool:
    """The event's facts, then its incident; True when it opened that incident."""
    incidents.apply_facts(row, ev.date_precision, analysis.facts.for_sentence(ev.sent_start),
                          analysis.facts.country, person)
    s.flush()
    return incidents.attach(s, row, doc, person, config)


def _incident_alerts(s: Session, row: Event, doc: Document, person: Entity, config: Config,
                     opened: bool) -> int:
    """Only an incident's first report alerts; a later one may send the corroboration."""
    inc = incidents.resolve(s, row.incident_id)
    if inc is None:
        return 0
    if opened:
        return alerts.enqueue_alerts(s, row, doc, person, config, details=incidents.alert_details(s, inc))
    return incidents.follow_up(s, inc, config)


def _is_new(s: Session, doc: Document, person_id: int, etype: str, config: Config) -> bool:
    """No earlier stored document reported this person and type within the window, and no
    other document's report of it is already the new one (documents can be analysed out of
    order when several workers share the queue)."""
    ref = doc.published or doc.first_seen_at.date()
    window = timedelta(days=config.alerts.new_window_days)
    same = (
        select(func.count())
        .select_from(Event)
        .join(Document, Document.id == Event.document_id)
        .where(Event.person_id == person_id, Event.type == etype, Event.document_id != doc.id,
               Event.dismissed.is_(False))
    )
    earlier = s.scalar(same.where(
        Document.first_seen_at <= doc.first_seen_at,
        Document.id < doc.id,
        or_(Document.published.is_(None), Document.published >= ref - window),
    ))
    if earlier:
        return False
    already_new = s.scalar(same.where(
        Event.is_new.is_(True),
        or_(Document.published.is_(None),
            and_(Document.published >= ref - window, Document.published <= ref + window)),
    ))
    return not already_new
