"""Throughput and incremental passes: a real `atrisk run` over the article corpus served on 127.0.0.1.

The 181 pages of ``article-extraction-benchmark`` become a local site (a listing page,
a sitemap and one page per article). ``atrisk run`` runs in a child process against a
fresh SQLite database with ``ATRISK_BENCH_NO_DELAY=1`` (no politeness delay towards
loopback hosts), and is timed from outside, start-up included. The NLP bound is the
same model with the same components and process count running ``nlp.pipe`` over the
texts that pass stored, in a fresh process, with nothing else. A second pass over the
unchanged site then shows what an incremental run costs.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from benchmarks.common import PROJECT_ROOT, require_corpus
from pipeline.config import usable_cores

log = logging.getLogger(__name__)

CORPUS = "article-extraction-benchmark"
BENCH_ENV = "ATRISK_BENCH_NO_DELAY"
BENCH_CONFIG = """\
# Written by the benchmark: a local site, no politeness delay, room for every page.
[crawl]
contact = "atrisk benchmark on 127.0.0.1"
max_pages = {max_pages}
[analysis]
batch_size = {batch_size}
n_process = {n_process}
[alerts]
feed = "{feed}"
"""
SOURCES = """\
[[sources]]
name = "bench-news"
kind = "news"
start_urls = ["{base}/index.html"]
sitemaps = ["{base}/sitemap.xml"]
allow = ['/articles/[0-9a-f]{{16}}(-[0-9]+)?[.]html$']
allow_private = true
"""
_P_TAG = re.compile(r"(<p\b[^>]*>)", re.IGNORECASE)


def corpus_pages() -> list[tuple[str, str]]:
    """``(id, html)`` of every corpus page, sorted by id."""
    html_dir = require_corpus(CORPUS) / "html"
    out = []
    for path in sorted(html_dir.glob("*.html.gz")):
        out.append((path.name.removesuffix(".html.gz"), gzip.decompress(path.read_bytes())
                    .decode("utf-8", errors="replace")))
    return out


def build_site(root: Path, n_docs: int | None = None) -> int:
    """Write the site under ``root``; returns the number of article pages.

    With ``n_docs`` larger than the corpus, pages are repeated under new URLs and each
    copy's paragraphs start with a copy number, so every copy has its own text and no
    two documents collapse into one.
    """
    pages = corpus_pages()
    n = n_docs or len(pages)
    (root / "articles").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        page_id, html = pages[i % len(pages)]
        copy = i // len(pages)
        if copy:
            html = _P_TAG.sub(lambda m, c=copy: f"{m[1]}Copy {c}. ", html)
            name = f"{page_id[:16]}-{copy}.html"
        else:
            name = f"{page_id[:16]}.html"
        # the placeholder syntax of LocalSite must not be triggered by page text
        (root / "articles" / name).write_text(html.replace("{{", "{ {"), encoding="utf-8")
        paths.append(f"/articles/{name}")
    links = "\n".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    (root / "index.html").write_text(
        f"<!doctype html><html><head><title>Benchmark news</title></head><body><h1>News</h1>"
        f"<ul>\n{links}\n</ul></body></html>\n", encoding="utf-8")
    urls = "\n".join(f"<url><loc>{{{{BASE}}}}{escape(p)}</loc></url>" for p in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n',
        encoding="utf-8")
    return n


# -- running a pass and watching its processes ------------------------------------------

def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_and_name(pid: int, root: int) -> tuple[float, str] | None:
    """CPU seconds used so far and what the process is: the pass itself (``root``), its
    crawl child, the analysis store process (spawned, with multiprocessing's helper) or a
    model process (forked); "" once it has ended, when its command line is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICK
    if not cmd:  # a process that has ended (a zombie) has no command line left
        name = ""
    elif pid == root:
        name = "pass"
    else:  # the crawl child, the store process (spawned), or a model process (forked)
        name = "crawl" if b"crawler.crawl" in cmd else "store" if b"spawn_main" in cmd else "model"
    return cpu, name


def tree_cpu(pid: int) -> dict[int, tuple[float, str]]:
    """CPU seconds of a process and its descendants, by pid."""
    out: dict[int, tuple[float, str]] = {}
    todo = [pid]
    while todo:
        p = todo.pop()
        got = _cpu_and_name(p, pid)
        if got:
            out[p] = got
        todo += _children(p)
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo += _children(p)
    return total / 1024


@dataclass
class PassRun:
    """One `atrisk run` as seen from outside."""

    seconds: float
    summary: dict[str, Any]
    peak_rss_mb: float = 0.0
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # (t, analysed, rss)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process kind


def run_atrisk_pass(workdir: Path, db_url: str, *,
                    count_analysed: Callable[[], int] | None = None,
                    interval: float = 0.2) -> PassRun:
    """``atrisk -q run`` in a child process; samples the process tree's RSS while it runs."""
    env = dict(os.environ)
    env[BENCH_ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())",
           "--db", db_url, "--sources", str(workdir / "sources.toml"),
           "--config", str(workdir / "config.toml"), "-q", "run"]
    samples: list[tuple[float, int, float]] = []
    peak = [0.0]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=str(workdir), text=True)
    stop = threading.Event()

    cpu_by_pid: dict[int, tuple[float, str]] = {}

    def watch() -> None:
        last_count = 0.0
        while not stop.is_set():
            for pid, (used, name) in tree_cpu(proc.pid).items():  # the name seen while it ran
                cpu_by_pid[pid] = (used, name or cpu_by_pid.get(pid, (0.0, "model"))[1])
            rss = tree_rss_mb(proc.pid)
            peak[0] = max(peak[0], rss)
            now = time.monotonic()
            if count_analysed is not None and now - last_count >= 1.0:
                last_count = now
                try:
                    samples.append((round(now - started, 1), count_analysed(), round(rss, 1)))
                except Exception:  # the schema may not exist yet
                    pass
            stop.wait(interval)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    seconds = time.monotonic() - started
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(f"atrisk run failed ({proc.returncode}): {err[-2000:]}")
    summary = json.loads(out.strip().splitlines()[-1])
    cpu: dict[str, float] = {}
    for used, name in cpu_by_pid.values():  # last look at each process (within 0.2 s of its end)
        cpu[name] = round(cpu.get(name, 0.0) + used, 2)
    return PassRun(seconds, summary, peak[0], samples, cpu)


def write_bench_files(workdir: Path, base: str, *, max_pages: int = 5000, batch_size: int = 64,
                      n_process: int | str = "auto") -> None:
    (workdir / "sources.toml").write_text(SOURCES.format(base=base), encoding="utf-8")
    (workdir / "config.toml").write_text(
        BENCH_CONFIG.format(max_pages=max_pages, batch_size=batch_size, n_process=json.dumps(n_process),
                            feed=(workdir / "alerts.xml").as_posix()), encoding="utf-8")


# -- the NLP bound ----------------------------------------------------------------------

_BOUND_SCRIPT = """
import json, sys, time
texts = json.load(open(sys.argv[1], encoding="utf-8"))
t0 = time.monotonic()
from extract import entities, nlp
from extract.watchlist import load_watchlist
from pipeline.config import load_config
cfg = load_config(sys.argv[2]).analysis
model = entities.add_watchlist(nlp.load_model(), load_watchlist(None))
t1 = time.monotonic()
# the one-process bound, whatever the pass uses (pipe_with_context runs in this process)
for _ in nlp.pipe_with_context(model, ((t, None) for t in texts), batch_size=cfg.batch_size):
    pass
t2 = time.monotonic()
print(json.dumps({"seconds": t2 - t0, "cpu_seconds": time.process_time(),
                  "load_seconds": t1 - t0, "pipe_seconds": t2 - t1,
                  "pipeline": model.pipe_names, "n_process": 1, "pass_n_process": cfg.processes(),
                  "batch_size": cfg.batch_size}))
"""


def nlp_bound(texts: list[str], config_path: Path, workdir: Path) -> dict[str, Any]:
    """Load the model with the pass's components and run ``nlp.pipe`` over ``texts``, nothing else.

    Timed in a fresh process from before the imports: loading the model is part of both
    the bound and the pass. Reading the texts from disk is not timed.
    """
    texts_path = workdir / "texts.json"
    texts_path.write_text(json.dumps(texts), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, "-c", _BOUND_SCRIPT, str(texts_path), str(config_path)],
                         env=env, capture_output=True, text=True, check=True, cwd=str(workdir))
    return json.loads(out.stdout.strip().splitlines()[-1])


def stored_texts(db_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return [t for (t,) in c.execute(text(
                "SELECT text FROM documents WHERE text IS NOT NULL AND analysed ORDER BY id"))]
    finally:
        engine.dispose()


def run(quick: bool = False, repeat: int = 1) -> dict[str, Any]:
    """First pass (throughput against the NLP bound), then an unchanged second pass.

    With ``repeat`` above 1, the first pass and the bound are each run that many times
    (a fresh database each time) and the fastest of each is kept: on a shared machine
    the minimum is the time least disturbed by other work.
    """
    from crawler.localsite import LocalSite

    with tempfile.TemporaryDirectory(prefix="atrisk-bench-") as tmp:
        work = Path(tmp)
        site_dir = work / "site"
        n_pages = build_site(site_dir, 60 if quick else None)
        firsts: list[PassRun] = []
        bounds: list[dict[str, Any]] = []
        with LocalSite(site_dir) as site:
            write_bench_files(work, site.base)
            for i in range(max(1, repeat)):
                db_url = f"sqlite:///{work / f'atrisk-{i}.db'}"
                firsts.append(run_atrisk_pass(work, db_url))
                texts = stored_texts(db_url)
                bounds.append(nlp_bound(texts, work / "config.toml", work))
            mark = len(site.requests)
            second = run_atrisk_pass(work, db_url)
            second_requests = site.requests[mark:]
        first = min(firsts, key=lambda r: r.seconds)
        bound = min(bounds, key=lambda b: b["seconds"])
        words = sum(len(t.split()) for t in texts)
        return {
            "pages": n_pages,
            "documents": len(texts),
            "words": words,
            "repeat": len(firsts),
            "first_pass_seconds": round(first.seconds, 2),
            "first_pass_seconds_all": [round(r.seconds, 2) for r in firsts],
            "nlp_bound_seconds": round(bound["seconds"], 2),
            "nlp_bound_seconds_all": [round(b["seconds"], 2) for b in bounds],
            "nlp_bound_load_seconds": round(bound["load_seconds"], 2),
            "nlp_pipeline": bound["pipeline"],
            "nlp_batch_size": bound["batch_size"],
            "nlp_n_process": bound["n_process"],
            "pass_n_process": bound["pass_n_process"],
            "throughput_ratio": round(bound["seconds"] / first.seconds, 3),
            "docs_per_s": round(len(texts) / first.seconds, 2),
            "words_per_s": round(words / first.seconds),
            "first_pass": first.summary,
            "second_pass_seconds": round(second.seconds, 2),
            # what a pass with nothing new costs (start-up, crawl child, watchlist sync)
            "second_pass_cpu_seconds": second.cpu,
            "second_pass": second.summary,
            "incremental_speedup": round(first.seconds / second.seconds, 2),
            "rerun_nlp_docs": int(second.summary.get("analysed", 0) or 0),
            "rerun_model_loaded": bool(second.summary.get("model_loaded", False)),
            "rerun_full_bodies": sum(1 for _, st in second_requests if st == 200),
            "rerun_not_modified": sum(1 for _, st in second_requests if st == 304),
            "rerun_requests": len(second_requests),
            "first_pass_peak_rss_mb": round(first.peak_rss_mb, 1),
            # CPU seconds: on an idle machine with two cores the pass takes about the
            # larger of the model process's share and everything else's
            "first_pass_cpu_seconds": first.cpu,
            "nlp_bound_cpu_seconds": round(bound["cpu_seconds"], 2),
            "cpu_ratio": round(bound["cpu_seconds"] / max(
                first.cpu.get("pass", 0.0),
                sum(v for k, v in first.cpu.items() if k != "pass"), 1e-9), 3),
            **cpu_figures(first, bound),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }


def cpu_figures(first: PassRun, bound: dict[str, Any]) -> dict[str, Any]:
    """How well the pass uses the machine, and what it spends besides the model.

    ``machine_ratio`` = (CPU seconds of the whole process tree / usable cores) / pass
    seconds: 1.0 means every core was busy with the pass the whole time. ``overhead_cpu``
    = (tree CPU - model CPU) / model CPU, the model's CPU being that of the one-process NLP
    bound (model load, its components and the watchlist ruler): crawl, extraction, rules,
    writes, claims and start-up all count as overhead.
    """
    total = sum(first.cpu.values())
    model = bound["cpu_seconds"]
    cores = usable_cores()
    return {"cores": cores, "first_pass_cpu_total": round(total, 2),
            "machine_ratio": round(total / cores / first.seconds, 3) if first.seconds else 0.0,
            "overhead_cpu": round((total - model) / model, 3) if model else 0.0}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
