"""Exports before and after a change: the demo site and the benchmark corpus, compared byte for byte.

Each site is served on 127.0.0.1, one `atrisk run` stores and analyses it in a fresh
SQLite database, and `atrisk export` writes it as JSON lines and CSV. The server's
address (a random port) is replaced by ``BASE`` and records are sorted (the crawl
stores pages in no fixed order, and the export lists them in storage order), so two
runs compare. The project run
is the one at ``--project`` (default: this checkout), so a snapshot of another commit
(``git archive COMMIT | tar -x -C DIR``) is exported with the same sites.

Examples::

    python -m benchmarks.export_identity --write /tmp/exports-before
    python -m benchmarks.export_identity --compare /tmp/exports-before   # exit 1 when they differ
    python -m benchmarks.export_identity --project /tmp/base-tree --write /tmp/exports-base

The demo site's dates are relative to today: compare exports made on the same day.
The corpus is read from ``../shared/corpus`` (or ``ATRISK_CORPUS``) and never copied:
only the exports, outside the project, and their SHA-256 digests are written.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import PROJECT_ROOT, CorpusMissing
from benchmarks.throughput import BENCH_ENV, build_site, write_bench_files
from crawler.localsite import LocalSite, fill_placeholders

DEMO_SITE = PROJECT_ROOT / "demo_site"
DEMO_CONFIG = """\
[crawl]
download_delay = 0.0
autothrottle = false
contact = "atrisk export check on 127.0.0.1"
[alerts]
feed = "{feed}"
"""
FORMATS = ("jsonl", "csv")


def atrisk(project: Path, workdir: Path, *args: str) -> str:
    """Run the `atrisk` command of ``project`` (its own sources first on the path); its stdout."""
    env = dict(os.environ)
    env[BENCH_ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(project), env.get("PYTHONPATH")) if p)
    for var in ("ATRISK_DB", "ATRISK_SOURCES", "ATRISK_WATCHLIST", "ATRISK_CONFIG", "ATRISK_ALERT_URLS",
                "ATRISK_DIGEST_URLS", "ATRISK_OPERATOR_URLS"):
        env.pop(var, None)
    cmd = [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())",
           "--db", f"sqlite:///{workdir / 'atrisk.db'}", "--sources", str(workdir / "sources.toml"),
           "--config", str(workdir / "config.toml"), "--watchlist", str(project / "watchlist.toml"),
           "-q", *args]
    proc = subprocess.run(cmd, cwd=str(project), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"atrisk {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return proc.stdout


def in_url_order(fmt: str, text: str) -> str:
    """Records sorted (CSV: rows after the header): the crawl stores pages in no fixed order.

    Incident ids (JSON lines) are row ids, numbered in the order documents were analysed:
    they are renumbered by first appearance in the sorted records, so the same grouping
    compares equal whatever the order of the crawl.
    """
    if fmt == "jsonl":
        lines = sorted(text.splitlines(keepends=True))
        ids: dict[object, int] = {}
        out = []
        for line in lines:
            rec = json.loads(line)
            for ev in rec.get("events", []):
                if ev.get("incident") is not None:
                    ev["incident"] = ids.setdefault(ev["incident"], len(ids) + 1)
            out.append(json.dumps(rec, ensure_ascii=False) + "\n")
        return "".join(out)
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *sorted(rows)])
    return out.getvalue()


def export_site(project: Path, workdir: Path, base: str) -> dict[str, str]:
    """One pass into a fresh database in ``workdir``, then every export format (address masked)."""
    atrisk(project, workdir, "init")
    atrisk(project, workdir, "run")
    return {fmt: in_url_order(fmt, atrisk(project, workdir, "export", "--format", fmt)
                              .replace(base, "BASE")) for fmt in FORMATS}


def demo_exports(project: Path, tmp: Path) -> dict[str, str]:
    work = tmp / "demo"
    work.mkdir()
    with LocalSite(DEMO_SITE) as site:
        (work / "sources.toml").write_text(
            fill_placeholders((DEMO_SITE / "sources.toml").read_text("utf-8"), site.base), "utf-8")
        (work / "config.toml").write_text(DEMO_CONFIG.format(feed=(work / "alerts.xml").as_posix()),
                                          "utf-8")
        return export_site(project, work, site.base)


def corpus_exports(project: Path, tmp: Path) -> dict[str, str]:
    root, work = tmp / "corpus-site", tmp / "corpus"
    work.mkdir()
    build_site(root)
    with LocalSite(root) as site:
        write_bench_files(work, site.base)
        return export_site(project, work, site.base)


def all_exports(project: Path) -> dict[str, str]:
    """File name -> export text, for the demo site and (when present) the benchmark corpus."""
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="atrisk-export-") as tmp:
        out.update({f"demo.{k}": v for k, v in demo_exports(project, Path(tmp)).items()})
        try:
            out.update({f"corpus.{k}": v for k, v in corpus_exports(project, Path(tmp)).items()})
        except CorpusMissing as exc:
            print(f"benchmark corpus skipped: {exc}", file=sys.stderr)
    return out


def digests(exports: dict[str, str]) -> dict[str, dict[str, int | str]]:
    return {name: {"sha256": hashlib.sha256(text.encode()).hexdigest(), "lines": text.count("\n")}
            for name, text in sorted(exports.items())}


def compare(exports: dict[str, str], before: Path) -> list[str]:
    """Names of the exports that differ from those in ``before`` (a diff excerpt is printed)."""
    differ = []
    for name, text in sorted(exports.items()):
        path = before / name
        old = path.read_bytes().decode("utf-8") if path.exists() else None  # CSV rows end in CRLF
        if old is not None:  # exports written before the incident renumbering compare too
            old = in_url_order(name.rsplit(".", 1)[1], old)
        if old == text:
            continue
        differ.append(name)
        diff = difflib.unified_diff((old or "").splitlines(), text.splitlines(), f"before/{name}",
                                    f"after/{name}", n=0, lineterm="")
        print("\n".join(list(diff)[:40]), file=sys.stderr)
    missing = sorted({p.name for p in before.iterdir() if p.suffix in (".jsonl", ".csv")} - set(exports))
    return differ + missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export_identity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=PROJECT_ROOT, help="the source tree to run")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", type=Path, metavar="DIR", help="write the exports and digests to DIR")
    what.add_argument("--compare", type=Path, metavar="DIR", help="compare with exports written earlier")
    args = parser.parse_args(argv)
    exports = all_exports(args.project.resolve())
    sums = digests(exports)
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, text in exports.items():
            (args.write / name).write_bytes(text.encode("utf-8"))
        (args.write / "digests.json").write_text(json.dumps(sums, indent=2) + "\n", "utf-8")
        print(json.dumps(sums, sort_keys=True))
        return 0
    differ = compare(exports, args.compare)
    summary = ", ".join(f"{n} {s['lines']} lines" for n, s in sums.items())
    if differ:
        print(f"exports DIFFER from {args.compare}: {', '.join(differ)} ({summary})")
        return 1
    print(f"exports identical to {args.compare}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
