"""The `atrisk` command: parse options, call the library, print. Logs go to stderr.

One module per command group: ``passes`` (run, reprocess, alerts, analyse, crawl-worker,
schedule, demo, init), ``reports`` (export, digest, person, search, status),
``sources`` (sources, extract), ``review`` (entities, events); ``common`` holds what
they share (shared options, output, errors, progress).

Exit codes: 0 done (pages that failed are counted, not fatal); 1 error (bad config,
database unreachable...); 2 usage error; 75 another pass is already running.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from cli.common import fail
from pipeline.redact import RedactingFilter, mask_text


def setup_logging(verbose: int, quiet: bool, log_file: str | None) -> None:
    """Configure logging once, for the whole process; every handler masks secrets."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else
                                           logging.INFO if verbose == 1 else logging.WARNING)
    root = logging.getLogger()
    root.setLevel(min(level, logging.INFO) if log_file else level)
    for h in list(root.handlers):
        root.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(level)
    err.setFormatter(fmt)
    err.addFilter(RedactingFilter())
    root.addHandler(err)
    if log_file:
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setLevel(logging.INFO if verbose < 2 else logging.DEBUG)
        fh.setFormatter(fmt)
        fh.addFilter(RedactingFilter())
        root.addHandler(fh)
    for noisy in ("scrapy", "twisted", "trafilatura", "htmldate", "filelock", "apprise", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _known_errors() -> tuple[type[BaseException], ...]:
    from crawler.oneoff import FetchError
    from extract.nlp import ModelNotFound
    from extract.watchlist import WatchlistError
    from pipeline.analysis.incident_edits import IncidentError
    from pipeline.config import ConfigError
    from pipeline.reports.digest import DigestError
    from pipeline.sources import SourcesError
    from pipeline.storage.db import DatabaseError
    from pipeline.storage.entities import EntityNotFound

    return (FetchError, SourcesError, WatchlistError, ConfigError, DatabaseError, ModelNotFound,
            EntityNotFound, DigestError, IncidentError)


class AtriskGroup(click.Group):
    """Turns the project's own errors into one clear line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from pipeline.storage.db import describe_db_error

        try:
            return super().invoke(ctx)
        except _known_errors() as exc:
            raise fail(exc) from None
        except SQLAlchemyError as exc:  # a read-only file, a lock held past the busy timeout...
            app = (ctx.obj or {}).get("app")
            where = f" ({app.db.safe_url})" if app is not None and app._db is not None else ""
            message = f"database error{where}: {describe_db_error(exc)}"
            raise click.ClickException(mask_text(message)) from None


@click.group(cls=AtriskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="atrisk")
@click.option("--db", "db_url", envvar="ATRISK_DB",
              help="Database URL [ATRISK_DB] (default sqlite:///data/atrisk.db).")
@click.option("--sources", "sources_path", envvar="ATRISK_SOURCES", help="sources.toml [ATRISK_SOURCES].")
@click.option("--watchlist", "watchlist_path", envvar="ATRISK_WATCHLIST",
              help="watchlist.toml [ATRISK_WATCHLIST].")
@click.option("--config", "config_path", envvar="ATRISK_CONFIG", help="Config file, TOML [ATRISK_CONFIG].")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors (for cron mail).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also write the log to this file.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, sources_path: str | None, watchlist_path: str | None,
         config_path: str | None, verbose: int, quiet: bool, log_file: str | None) -> None:
    """atrisk: watch sites for statements about filmmakers, artists and writers at risk.

    \b
    Example:
      atrisk run                       # one pass: crawl, analyse, alert, digest when due
      atrisk export --format jsonl --since 7d > week.jsonl
    """
    from pipeline.app import App

    setup_logging(verbose, quiet, log_file)
    ctx.ensure_object(dict)
    ctx.obj["app"] = App(db_url, sources_path, watchlist_path, config_path)
    ctx.obj["quiet"] = quiet
    ctx.call_on_close(ctx.obj["app"].close)


def _register() -> None:
    from cli import incidents, passes, reports, review, sources
    from web.commands import serve, users_group

    for command in (passes.init, passes.run, reports.export, sources.sources, sources.extract,
                    passes.reprocess, review.entities, review.events, incidents.incidents,
                    passes.alerts_cmd, reports.digest, reports.person, reports.search_cmd, passes.schedule,
                    reports.status_cmd, passes.crawl_worker, passes.analyse_cmd, passes.demo, serve,
                    users_group):
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
