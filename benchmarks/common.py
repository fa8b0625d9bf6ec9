"""Shared pieces for benchmarks: where the corpora live, result files, tables."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"


class CorpusMissing(Exception):
    """The shared corpus folder is not there, so the benchmark cannot run."""


def _main_checkout() -> Path | None:
    """The main checkout when the project is a git worktree (``.git`` is a file naming
    ``<main>/.git/worktrees/<name>``), else None."""
    git = PROJECT_ROOT / ".git"
    try:
        line = git.read_text(encoding="utf-8").strip() if git.is_file() else ""
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = Path(line.split(":", 1)[1].strip())
    return gitdir.parents[2] if gitdir.parent.name == "worktrees" else None


def corpus_dir() -> Path:
    """The shared corpus folder: ``ATRISK_CORPUS``, else ``../shared/corpus`` next to the
    project (next to the main checkout when the project is a git worktree)."""
    override = os.environ.get("ATRISK_CORPUS")
    if override:
        return Path(override)
    here = PROJECT_ROOT.parent / "shared" / "corpus"
    main = _main_checkout()
    if not here.is_dir() and main is not None and (main.parent / "shared" / "corpus").is_dir():
        return main.parent / "shared" / "corpus"
    return here


def require_corpus(name: str) -> Path:
    """Path of one corpus inside the shared folder, or :class:`CorpusMissing`."""
    path = corpus_dir() / name
    if not path.is_dir():
        raise CorpusMissing(f"{path} not found")
    return path


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Write ``results`` as pretty JSON to ``benchmarks/results/<name>.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def print_table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], console: Console | None = None
) -> None:
    """Print rows as a rich table; floats are shown with three decimals."""
    table = Table(title=title)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(f"{cell:.3f}" if isinstance(cell, float) else str(cell) for cell in row))
    (console or Console()).print(table)
