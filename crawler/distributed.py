"""Crawl workers on several machines sharing one frontier in Redis (scrapy-redis).

Every ``atrisk crawl-worker`` runs the usual :class:`~crawler.spiders.watch.WatchSpider`
with scrapy-redis's scheduler and duplicate filter, so the request queue and the set
of request fingerprints live in Redis and no URL is fetched twice within a pass,
whichever worker finds it. Pages go to the shared database as in a one-machine crawl.

Redis keys, under one *frontier* name (default ``atrisk``):

* ``<frontier>:requests``   the shared priority queue (scrapy-redis)
* ``<frontier>:dupefilter`` request fingerprints of this pass (scrapy-redis)
* ``<frontier>:requested:<source>`` canonical URLs requested per source, which also
  makes the per-source page limit hold across workers
* ``<frontier>:workers``    worker id -> "busy|idle <redis time>", refreshed every few seconds

A pass ends when the queue is empty and no live worker is busy; every worker then
exits. The keys stay, so a worker started later joins the finished pass and exits at
once; :func:`new_pass` (``atrisk crawl-worker --new-pass``) clears them to crawl again.

Compatibility: scrapy-redis 0.9.1 predates Scrapy 2.13's ``start()``; its scheduler,
queue and duplicate filter work unchanged with Scrapy 2.19 and are used as they are.
This module adds only what the one-spider design needs: a queue whose pop also marks
the worker busy (one Lua script, so no other worker sees an empty queue and an idle
fleet in between), the end-of-pass rule, the shared per-source URL sets, and stats
calls without the ``spider`` argument Scrapy 2.19 deprecates (``SharedScheduler``).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from crawler.crawl import (
    EXIT_CANNOT_RUN,
    PROJECT_ROOT,
    CrawlError,
    CrawlResult,
    _configure_logging,
    _Events,
    _relay_log,
    crawl_settings,
    drive_crawler,
    read_events,
)
from pipeline.redact import mask_text, mask_url

log = logging.getLogger(__name__)

REDIS_URL_ENV = "ATRISK_REDIS_URL"
DEFAULT_FRONTIER = "atrisk"
HEARTBEAT_SECONDS = 2.0
# a worker silent for this long is taken for dead: its busy flag no longer holds the pass open
WORKER_TIMEOUT_SECONDS = 30.0
_FRONTIER_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

_POP_AND_MARK_BUSY = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local t = redis.call('TIME')
redis.call('HSET', KEYS[2], ARGV[1], 'busy ' .. t[1])
return r[1]
"""

_SET_STATE = """
local t = redis.call('TIME')
local state = ARGV[2]
if state == '' then
  local old = redis.call('HGET', KEYS[1], ARGV[1])
  state = old and string.match(old, '^(%a+)') or 'busy'
end
redis.call('HSET', KEYS[1], ARGV[1], state .. ' ' .. t[1])
return t[1]
"""


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached, or no Redis URL is configured."""


class FrontierBusy(RuntimeError):
    """A new pass was asked for while workers of the current one are still crawling."""


def frontier_keys(frontier: str) -> dict[str, str]:
    if not _FRONTIER_NAME.match(frontier):
        raise ValueError(f"frontier name {frontier!r}: use letters, digits, '_', '.', '-' only")
    return {"requests": f"{frontier}:requests", "dupefilter": f"{frontier}:dupefilter",
            "requested": f"{frontier}:requested:", "workers": f"{frontier}:workers"}


def resolve_redis_url(url: str | None, config: Any = None) -> str:
    """The Redis URL: given, else ATRISK_REDIS_URL, else ``[scale] redis_url`` of the config."""
    scale = getattr(config, "scale", None)
    found = url or os.environ.get(REDIS_URL_ENV) or getattr(scale, "redis_url", "")
    if not found:
        raise RedisUnavailable("no Redis URL: pass --redis, set ATRISK_REDIS_URL, "
                               "or set redis_url in the [scale] section of the config file")
    return str(found)


def redis_client(url: str) -> Any:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {mask_url(url)}: {exc}") from None
    return client


def live_workers(client: Any, frontier: str, timeout: float = WORKER_TIMEOUT_SECONDS) -> dict[str, str]:
    """Workers of the frontier heard from within ``timeout`` seconds: id -> busy|idle."""
    keys = frontier_keys(frontier)
    now = int(client.time()[0])
    out = {}
    for wid, value in client.hgetall(keys["workers"]).items():
        state, _, ts = value.decode().partition(" ")
        if ts.isdigit() and now - int(ts) <= timeout:
            out[wid.decode()] = state
    return out


def new_pass(redis_url: str, frontier: str = DEFAULT_FRONTIER, *, force: bool = False) -> None:
    """Forget the previous pass's queue, fingerprints and URL sets so the next workers crawl anew."""
    client = redis_client(redis_url)
    keys = frontier_keys(frontier)
    busy = [w for w, state in live_workers(client, frontier).items() if state == "busy"]
    if busy and not force:
        raise FrontierBusy(f"{len(busy)} worker(s) of frontier {frontier!r} are still crawling "
                           f"({', '.join(sorted(busy))}); wait for them or use force")
    doomed = [keys["requests"], keys["dupefilter"], keys["workers"],
              *client.scan_iter(match=keys["requested"] + "*")]
    client.delete(*doomed)
    log.info("frontier %s cleared: the next crawl workers start a new pass", frontier)


def frontier_status(redis_url: str, frontier: str = DEFAULT_FRONTIER) -> dict[str, Any]:
    """Queue length, fingerprints seen and live workers of a frontier."""
    client = redis_client(redis_url)
    keys = frontier_keys(frontier)
    return {"frontier": frontier, "queued": int(client.zcard(keys["requests"])),
            "seen": int(client.scard(keys["dupefilter"])), "workers": live_workers(client, frontier)}


# -- Scrapy components ---------------------------------------------------------------------

class SharedURLSet:
    """A set of URLs in Redis, in place of a source's in-process ``requested`` set."""

    def __init__(self, server: Any, key: str) -> None:
        self.server = server
        self.key = key

    def __contains__(self, url: object) -> bool:
        return bool(self.server.sismember(self.key, str(url)))

    def add(self, url: str) -> None:
        self.server.sadd(self.key, url)

    def __len__(self) -> int:
        return int(self.server.scard(self.key))


def _queue_base() -> type:
    from scrapy_redis.queue import PriorityQueue

    return PriorityQueue


class SharedPriorityQueue(_queue_base()):  # type: ignore[misc]
    """scrapy-redis's priority queue; popping a request also marks this worker busy, atomically."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.settings
        self.worker_id = settings.get("ATRISK_WORKER_ID")
        self.workers_key = frontier_keys(settings.get("ATRISK_FRONTIER"))["workers"]
        self._pop = server.register_script(_POP_AND_MARK_BUSY)

    def pop(self, timeout: int = 0) -> Any:
        data = self._pop(keys=[self.key, self.workers_key], args=[self.worker_id])
        return self._decode_request(data) if data else None


class FrontierWatch:
    """Keeps a worker alive while the pass goes on elsewhere, and ends it with the pass.

    Scrapy closes a spider as soon as its own scheduler is empty; with a shared queue
    that is too early, since another worker may be on a page whose links are not
    queued yet. So an idle worker stays (``DontCloseSpider``; Scrapy polls the queue
    again every 5 seconds) until the queue is empty and no live worker is busy.
    """

    def __init__(self, crawler: Any) -> None:
        from scrapy_redis.connection import get_redis_from_settings

        self.crawler = crawler
        settings = crawler.settings
        self.server = get_redis_from_settings(settings)
        self.worker_id = settings.get("ATRISK_WORKER_ID")
        self.keys = frontier_keys(settings.get("ATRISK_FRONTIER"))
        self.timeout = settings.getfloat("ATRISK_WORKER_TIMEOUT", WORKER_TIMEOUT_SECONDS)
        self._set_state = self.server.register_script(_SET_STATE)
        self._beat: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierWatch:
        from scrapy import signals

        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def mark(self, state: str = "") -> None:
        self._set_state(keys=[self.keys["workers"]], args=[self.worker_id, state])

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.mark("busy")  # until its start requests are queued
        self._beat = task.LoopingCall(self.mark)
        self._beat.start(HEARTBEAT_SECONDS, now=False)
        log.info("crawl worker %s joined frontier %s", self.worker_id, self.keys["requests"])

    def spider_idle(self, spider: Any) -> None:
        from scrapy.exceptions import DontCloseSpider

        self.mark("idle")
        if not self.pass_finished():
            raise DontCloseSpider("other workers are still crawling this pass")

    def pass_finished(self) -> bool:
        if self.server.zcard(self.keys["requests"]):
            return False
        now = int(self.server.time()[0])
        for wid, value in self.server.hgetall(self.keys["workers"]).items():
            state, _, ts = value.decode().partition(" ")
            if wid.decode() == self.worker_id or not ts.isdigit():
                continue
            if state == "busy" and now - int(ts) <= self.timeout:
                return False
        return True

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        self.server.hdel(self.keys["workers"], self.worker_id)


def _scheduler_base() -> type:
    from scrapy_redis.scheduler import Scheduler

    return Scheduler


class SharedScheduler(_scheduler_base()):  # type: ignore[misc]
    """scrapy-redis's scheduler, counting its stats without the ``spider`` argument.

    scrapy-redis 0.9.1 passes ``spider=`` to ``StatsCollector.inc_value``, which Scrapy
    2.19 deprecates (a warning per request); the queue and filter logic is unchanged.
    """

    def enqueue_request(self, request: Any) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


def _spider_class() -> type:
    from crawler.spiders.watch import WatchSpider

    class SharedFrontierSpider(WatchSpider):
        """The watch spider with each source's requested-URL set (and page limit) in Redis."""

        @classmethod
        def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
            from scrapy_redis.connection import get_redis_from_settings

            spider = super().from_crawler(crawler, *args, **kwargs)
            server = get_redis_from_settings(crawler.settings)
            prefix = frontier_keys(crawler.settings.get("ATRISK_FRONTIER"))["requested"]
            for src in spider.sources.values():
                src.requested = SharedURLSet(server, prefix + src.name)  # type: ignore[assignment]
            return spider

    return SharedFrontierSpider


def distributed_settings(settings: Any, *, redis_url: str, frontier: str, worker_id: str) -> Any:
    """The one-machine crawl settings with the frontier moved to Redis."""
    keys = frontier_keys(frontier)
    settings.setdict({
        "SCHEDULER": "crawler.distributed.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.SharedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys["requests"],
        "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # the frontier outlives every worker; new_pass() clears it
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "ATRISK_FRONTIER": frontier,
        "ATRISK_WORKER_ID": worker_id,
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "crawler.distributed.FrontierWatch": 500},
    }, priority="cmdline")
    return settings


# -- parent side -----------------------------------------------------------------------------

def run_crawl_worker(
    db_url: str,
    redis_url: str,
    sources_path: str | None = None,
    config_path: str | None = None,
    *,
    frontier: str = DEFAULT_FRONTIER,
    only: Sequence[str] = (),
    on_progress: Callable[[dict], None] | None = None,
    update_health: bool = True,
) -> CrawlResult:
    """Join the frontier and crawl until the pass is finished, in a child process.

    Returns this worker's own counters and failures. Source health is updated only for
    the sources whose entry points this worker fetched (the others it cannot judge).
    Raises :class:`CrawlError` when the worker could not run.
    """
    redis_client(redis_url).close()  # a clear error here rather than from the child
    cmd = [sys.executable, "-m", "crawler.distributed", "--db", db_url, "--redis", redis_url,
           "--frontier", frontier]
    if sources_path:
        cmd += ["--sources", str(sources_path)]
    if config_path:
        cmd += ["--config", str(config_path)]
    for name in only:
        cmd += ["--source", name]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=os.getcwd(), text=True, encoding="utf-8", errors="replace")
    assert proc.stdout is not None and proc.stderr is not None
    tail: list[str] = []
    relay = threading.Thread(target=_relay_log, args=(proc.stderr, tail), daemon=True)
    relay.start()
    result, done = read_events(proc.stdout, on_progress)
    code = proc.wait()
    relay.join(timeout=5)
    result.elapsed = time.monotonic() - started
    if code != 0 or not done:
        raise CrawlError(f"the crawl worker failed (exit code {code}): {mask_text(' | '.join(tail[-5:]))}")
    if update_health:
        from pipeline.storage.store import record_source_runs

        judged = {name: c for name, c in result.counters.items()
                  if c.get("entry_ok", 0) + c.get("entry_failed", 0) > 0}
        record_source_runs(db_url, judged, None)
    return result


# -- child side ------------------------------------------------------------------------------

def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def child_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.distributed",
        description="Run one crawl worker on a shared Redis frontier; print progress as JSON lines.",
        epilog="Example: python -m crawler.distributed --db postgresql+psycopg://atrisk@db/atrisk "
               "--redis redis://queue:6379/0",
    )
    parser.add_argument("--db", help="database URL (default: ATRISK_DB or sqlite:///data/atrisk.db)")
    parser.add_argument("--redis", help="Redis URL (default: ATRISK_REDIS_URL or [scale] redis_url)")
    parser.add_argument("--frontier", default=DEFAULT_FRONTIER, help="name of the shared frontier")
    parser.add_argument("--sources", help="sources file (default: ATRISK_SOURCES or the packaged one)")
    parser.add_argument("--config", help="config file (default: ATRISK_CONFIG)")
    parser.add_argument("--source", action="append", default=[], metavar="NAME")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)

    events = _Events()
    level = args.log_level.upper()
    _configure_logging(level)
    try:
        from scrapy.crawler import CrawlerProcess

        from crawler.spiders.watch import select_sources
        from pipeline.config import load_config
        from pipeline.sources import load_sources
        from pipeline.storage.db import open_database, resolve_url

        db_url = resolve_url(args.db)
        config = load_config(args.config)
        redis_url = resolve_redis_url(args.redis, config)
        redis_client(redis_url).close()
        names = [s.name for s in select_sources(load_sources(args.sources), args.source)]
        open_database(db_url).dispose()
        settings = crawl_settings(config, db_url=db_url, sources_path=args.sources, only=args.source,
                                  log_level=level)
        distributed_settings(settings, redis_url=redis_url, frontier=args.frontier, worker_id=worker_id())
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(_spider_class())
        _configure_logging(level)
        logging.getLogger("scrapy_redis").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    except Exception as exc:
        log.error("the crawl worker cannot run: %s", mask_text(str(exc)))
        events.emit({"event": "fatal", "message": mask_text(str(exc))})
        return EXIT_CANNOT_RUN

    return drive_crawler(process, crawler, events, names, what="the crawl worker",
                         start={"worker": worker_id()})

if __name__ == "__main__":
    exit_code = child_main()
    logging.shutdown()
    sys.stderr.flush()
    os._exit(exit_code)
