"""``python -m benchmarks`` (``make bench``): every benchmark, a table, JSON, one summary line.

Throughput and incremental passes, memory over many documents and extraction quality
read ``../shared/corpus`` (or ``ATRISK_CORPUS``); without it they are skipped with a
message and the command still exits 0. Results go to ``benchmarks/results/*.json``.

Examples::

    python -m benchmarks                 # everything (about 10-15 minutes on 2 cores)
    python -m benchmarks --quick         # a smaller site, 400 documents, a 10x smaller database
    python -m benchmarks --repeat 3      # best of three first passes and NLP bounds
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.common import CorpusMissing, corpus_dir, print_table, write_results

TARGETS = {
    "throughput_ratio": ">= 1.2 (2 cores)",
    "machine_ratio": ">= 0.90",
    "overhead_cpu": "<= 0.40",
    "reprocess_one_name_s": "< 30",
    "incremental_speedup": ">= 10 (issue 7; issue 18: >= 8)",
    "rerun_nlp_docs": "0",
    "peak_rss_mb": "<= 2000, flat",
    "digest_seconds": "< 1",
    "casefile_seconds": "< 1",
    "export_docs_per_s": ">= 5000",
}


def machine() -> dict[str, Any]:
    """CPU count and model, memory and load, for the record next to the figures."""
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs (a few minutes)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="first passes and NLP bounds to run; the fastest of each counts")
    parser.add_argument("--memory-docs", type=int, default=None,
                        help="documents in the memory pass (default 2000; 400 with --quick; 0 skips)")
    parser.add_argument("--no-dbscale", action="store_true", help="skip the database-scale benchmark")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console()

    if not corpus_dir().is_dir():
        console.print(f"[yellow]benchmarks skipped: the shared corpus folder {corpus_dir()} is absent "
                      "(set ATRISK_CORPUS to its path to run them)[/]")
        print("bench: skipped (no corpus)")
        return 0

    from benchmarks import dbscale, extraction, memory, throughput

    host = machine()
    results: dict[str, Any] = {"machine": host, "quick": args.quick}
    console.print(f"[bold]atrisk benchmarks[/] on {host.get('nproc')} x {host.get('cpu', '?')}, "
                  f"{host.get('ram_gb', '?')} GB RAM, load {host.get('load_average')}")

    try:
        console.print("throughput: first and second `atrisk run` over the article corpus ...")
        tp = throughput.run(quick=args.quick, repeat=args.repeat)
        results["throughput"] = tp
        write_results("throughput", tp)

        n_mem = args.memory_docs if args.memory_docs is not None else (400 if args.quick else 2000)
        mem: dict[str, Any] | None = None
        if n_mem > 0:
            console.print(f"memory: one pass over {n_mem} distinct documents ...")
            mem = memory.run(n_mem)
            results["memory"] = mem
            write_results("memory", mem)

        console.print("quality: main text and publication dates on real pages ...")
        quality = extraction.run(subset=60 if args.quick else None)
        results["quality"] = {k: quality.get(k) for k in (
            "text_f1", "text_f1_trafilatura", "date_accuracy", "date_accuracy_htmldate")}
    except CorpusMissing as exc:
        console.print(f"[yellow]benchmarks skipped: corpus missing ({exc})[/]")
        print("bench: skipped (no corpus)")
        return 0

    scale: dict[str, Any] | None = None
    if not args.no_dbscale:
        console.print("database scale: generating a year of monitoring, then digest, case file, export ...")
        scale = dbscale.run(quick=args.quick)
        results["dbscale"] = scale
        write_results("dbscale", scale)

    peak = mem["peak_rss_mb"] if mem else tp["first_pass_peak_rss_mb"]
    q = results["quality"]
    rows: list[tuple[str, Any, str]] = [
        ("throughput_ratio (NLP bound / whole pass)", tp["throughput_ratio"], TARGETS["throughput_ratio"]),
        ("cpu_ratio (bound CPU / busiest core's CPU in the pass)", tp["cpu_ratio"], "idle-machine estimate"),
        (f"machine_ratio ((tree CPU / {tp['cores']} cores) / pass seconds)", tp["machine_ratio"],
         TARGETS["machine_ratio"]),
        ("overhead_cpu (non-model CPU / model CPU)", tp["overhead_cpu"], TARGETS["overhead_cpu"]),
        ("first pass CPU s by process",
         ", ".join(f"{k} {v:.1f}" for k, v in tp["first_pass_cpu_seconds"].items()), ""),
        ("load average during the run", " ".join(str(x) for x in tp["load_average"]), ""),
        ("first pass seconds", tp["first_pass_seconds"], ""),
        ("NLP bound seconds", tp["nlp_bound_seconds"], ""),
        ("docs_per_s (first pass)", tp["docs_per_s"], ""),
        ("incremental_speedup", tp["incremental_speedup"], TARGETS["incremental_speedup"]),
        ("rerun_nlp_docs", tp["rerun_nlp_docs"], TARGETS["rerun_nlp_docs"]),
        ("rerun model loaded", tp["rerun_model_loaded"], "False"),
        ("rerun full bodies (200) / 304", f"{tp['rerun_full_bodies']} / {tp['rerun_not_modified']}", "0 / -"),
        ("peak_rss_mb", peak, TARGETS["peak_rss_mb"]),
    ]
    if mem:
        marks = ", ".join(f"{k}: {v:.0f}" for k, v in mem["peak_rss_mb_between_analysed"].items())
        rows.append(("peak RSS MB while N analysed", marks, "flat"))
        rows.append((f"memory pass: {mem['documents_stored']} docs, seconds", mem["seconds"], ""))
    rows += [
        ("text_f1 (atrisk)", q["text_f1"], ">= trafilatura"),
        ("text_f1_trafilatura", q["text_f1_trafilatura"], ""),
        ("date_accuracy (atrisk)", q["date_accuracy"], ">= htmldate"),
        ("date_accuracy_htmldate", q["date_accuracy_htmldate"], ""),
    ]
    if scale:
        rows += [
            (f"digest of one day ({scale['documents']} docs, {scale['mentions']} mentions), s",
             scale["digest_seconds"], TARGETS["digest_seconds"]),
            (f"case file, most-mentioned person ({scale['casefile_top_documents']} docs), s",
             scale["casefile_top_seconds"], TARGETS["casefile_seconds"]),
            (f"case file, 100th person ({scale['casefile_rank100_documents']} docs), s",
             scale["casefile_rank100_seconds"], TARGETS["casefile_seconds"]),
            ("export docs/s", scale["export_docs_per_s"], TARGETS["export_docs_per_s"]),
            (f"reprocess --changed after one name ({scale['reprocess_one_name_queued']} docs queued), s",
             scale["reprocess_one_name_s"], TARGETS["reprocess_one_name_s"]),
            ("export RSS MB before / peak",
             f"{scale['export_rss_before_mb']:.0f} / {scale['export_rss_peak_mb']:.0f}", "flat"),
        ]
    print_table("atrisk benchmarks", ("measure", "value", "target"), rows, console)
    path = write_results("bench", results)
    console.print(f"results: {path}")
    sys.stdout.flush()
    print(f"bench: throughput_ratio={tp['throughput_ratio']:.3f} docs_per_s={tp['docs_per_s']:.2f} "
          f"incremental_speedup={tp['incremental_speedup']:.1f} rerun_nlp_docs={tp['rerun_nlp_docs']} "
          f"peak_rss_mb={peak:.0f} text_f1={q['text_f1']:.3f} "
          f"text_f1_trafilatura={q['text_f1_trafilatura']:.3f} date_accuracy={q['date_accuracy']:.3f} "
          f"date_accuracy_htmldate={q['date_accuracy_htmldate']:.3f} "
          f"machine_ratio={tp['machine_ratio']:.3f} overhead_cpu={tp['overhead_cpu']:.3f} "
          f"reprocess_one_name_s={scale['reprocess_one_name_s'] if scale else 'skipped'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
