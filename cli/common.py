"""What the command modules share: the project context, errors, output, options, progress."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from pipeline.durations import parse_when
from pipeline.redact import mask_text

if TYPE_CHECKING:
    from pipeline.app import App

EXIT_ALREADY_RUNNING = 75
log = logging.getLogger("atrisk")


def app_of(ctx: click.Context) -> App:
    """The project (database, config, watchlist, paths) the `atrisk` group opened."""
    return ctx.obj["app"]


def actor(by: str | None) -> str:
    """Who makes a change from the command line: --by, else $ATRISK_USER, else the login."""
    import getpass

    return by or os.environ.get("ATRISK_USER") or getpass.getuser()


by_option = click.option("--by", help="Who makes the change (default $ATRISK_USER or the login name).")


def fail(exc: BaseException) -> click.ClickException:
    """One clear line (secrets masked) and exit code 1."""
    return click.ClickException(mask_text(str(exc)))


class When(click.ParamType):
    """``WHEN``: a date (``2026-11-01``) or a duration back from now (``24h``, ``7d``)."""

    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


WHEN = When()


def out_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--out FILE``: write the report there (whole, then moved into place), not to stdout."""
    return click.option("--out", type=click.Path(dir_okay=False),
                        help="Write to FILE instead of standard output.")(f)


def format_option(default: str, *others: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format``, one of ``default`` and ``others`` (the value is passed as ``fmt``)."""
    return click.option("--format", "fmt", type=click.Choice([default, *others]), default=default,
                        show_default=True)


@contextmanager
def output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or ``--out FILE`` (written whole, then moved into place)."""
    if not path:
        yield sys.stdout
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        yield fh
    tmp.replace(target)


@contextmanager
def progress_display(enabled: bool = True) -> Iterator[Callable[[str, dict[str, Any]], None]]:
    """A rich progress display on stderr; yields the callback a pass reports to."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        def plain(stage: str, info: dict[str, Any]) -> None:
            if enabled and stage == "analyse" and info.get("done") == info.get("total"):
                log.info("analysed %s documents", info.get("total"))
        yield plain
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[note]}"), console=console, transient=False) as bar:
        crawl_task = bar.add_task("crawl", total=None, note="")
        analyse_task = None

        def report(stage: str, info: dict[str, Any]) -> None:
            nonlocal analyse_task
            if stage == "crawl":
                if info.get("event") == "page":
                    bar.advance(crawl_task)
                    bar.update(crawl_task, note=mask_text(str(info.get("url", "")))[-60:])
                elif info.get("event") == "done":
                    done = bar.tasks[crawl_task].completed
                    bar.update(crawl_task, total=done or 1, completed=done or 1, note="done")
            elif stage == "analyse":
                if analyse_task is None:
                    analyse_task = bar.add_task("analyse", total=info["total"], note="")
                bar.update(analyse_task, completed=info["done"])
        yield report
