"""`atrisk incidents`: one record per incident, and analysts' corrections (merge, split, set)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from cli.common import WHEN, actor, app_of, by_option, format_option, log, out_option, output


@click.group(invoke_without_command=True)
@click.option("--since", type=WHEN, help="Only incidents reported since WHEN (2026-11-01, 24h, 7d).")
@click.option("--country", help="Only incidents in this country (name or demonym).")
@click.option("--type", "etype", help="Only incidents of this event type.")
@format_option("jsonl", "csv")
@out_option
@click.pass_context
def incidents(ctx: click.Context, since: datetime | None, country: str | None, etype: str | None, fmt: str,
              out: str | None) -> None:
    """One record per incident (one thing that happened to one person); CSV for Uwazi.

    Example: atrisk incidents --country Iran --since 30d --format csv --out iran.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.reports.incidents import list_incidents, write_csv, write_jsonl

    # app.db: an old database's events are grouped into incidents when it is opened
    records = list_incidents(app_of(ctx).db, since=since, country=country, etype=etype)
    with output(out) as fh:
        n = (write_jsonl if fmt == "jsonl" else write_csv)(records, fh)
    log.info("%d incident(s)", n)


@incidents.command("merge")
@click.argument("keep", type=int)
@click.argument("other", type=int)
@by_option
@click.pass_context
def incidents_merge(ctx: click.Context, keep: int, other: int, by: str | None) -> None:
    """Merge incident OTHER into KEEP (same person and type); kept after `reprocess`.

    Example: atrisk incidents merge 4 9 --by "Sara (analyst)"
    """
    from pipeline.analysis.incident_edits import merge

    click.echo(json.dumps(merge(app_of(ctx).db, keep, other, actor(by))))


@incidents.command("split")
@click.argument("event_id", type=int)
@by_option
@click.pass_context
def incidents_split(ctx: click.Context, event_id: int, by: str | None) -> None:
    """Move an event (and its document's other reports of it) to an incident of its own.

    Example: atrisk incidents split 42
    """
    from pipeline.analysis.incident_edits import split

    click.echo(json.dumps(split(app_of(ctx).db, event_id, actor(by))))


@incidents.command("set")
@click.argument("incident_id", type=int)
@click.argument("field", type=click.Choice(["date", "country", "place", "authority", "term"]))
@click.argument("value")
@by_option
@click.pass_context
def incidents_set(ctx: click.Context, incident_id: int, field: str, value: str, by: str | None) -> None:
    """Set a field by hand: date (YYYY-MM-DD, YYYY-MM or YYYY), country, place, authority, term.

    Kept after `reprocess`. Example: atrisk incidents set 4 date 2026-05
    """
    from pipeline.analysis.incident_edits import set_field

    click.echo(json.dumps(set_field(app_of(ctx).db, incident_id, field, value, actor(by))))
