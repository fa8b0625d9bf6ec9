"""Commands that curate what was found: `entities` (list, merge, unmerge), `events dismiss`."""

from __future__ import annotations

import json

import click

from cli.common import actor, app_of, by_option, fail, format_option


@click.group(invoke_without_command=True)
@click.option("--kind", type=click.Choice(["person", "organization"]), help="Only this kind.")
@click.option("--limit", default=50, show_default=True, help="How many to list.")
@format_option("text", "json")
@click.pass_context
def entities(ctx: click.Context, kind: str | None, limit: int, fmt: str) -> None:
    """List people and organizations with mention counts; merge or unmerge identities.

    \b
    Example:
      atrisk entities --kind person
      atrisk entities merge "Mohammad Rasoulof" "Mohammad Rasulof"
      atrisk entities unmerge "Mohammad Rasulof"
    """
    if ctx.invoked_subcommand:
        return
    from pipeline.storage.entities import list_entities

    rows = list_entities(app_of(ctx).db, kind=kind, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        mark = "*" if r["watchlisted"] else " "
        click.echo(f"{r['mentions']:>6} {r['documents']:>5} {mark} {r['kind']:<12} {r['name']}"
                   + (f"  (aliases: {', '.join(r['aliases'])})" if r["aliases"] else ""))


@entities.command("merge")
@click.argument("keep")
@click.argument("other")
@click.pass_context
def entities_merge(ctx: click.Context, keep: str, other: str) -> None:
    """Record that OTHER is the same as KEEP: an alias, mentions and events moved.

    Later mentions and `reprocess` follow the decision.

    Example: atrisk entities merge "Jafar Panahi" "J. Panahi"
    """
    from pipeline.storage.entities import merge_entities

    with app_of(ctx).db.session() as s:
        target, source = merge_entities(s, keep, other)
        click.echo(f"merged {source.name!r} into {target.name!r}")


@entities.command("unmerge")
@click.argument("name")
@click.pass_context
def entities_unmerge(ctx: click.Context, name: str) -> None:
    """Undo a merge: NAME stands alone again.

    Example: atrisk entities unmerge "J. Panahi"
    """
    from pipeline.storage.entities import unmerge_entity

    with app_of(ctx).db.session() as s:
        ent = unmerge_entity(s, name)
        click.echo(f"{ent.name!r} is its own entity again")


@click.group()
def events() -> None:
    """Review detected events."""


@events.command("dismiss")
@click.argument("event_id", type=int)
@by_option
@click.pass_context
def events_dismiss(ctx: click.Context, event_id: int, by: str | None) -> None:
    """Dismiss a wrong event: it leaves alerts, digests and case files, also after `reprocess`.

    Recorded as a review decision, as in the workbench (its decision log names who).

    Example: atrisk events dismiss 42 --by "Sara (analyst)"
    """
    from pipeline.analysis.decisions import ReviewError, review_event

    app = app_of(ctx)
    try:
        view = review_event(app.db, app.config, event_id, "dismiss", actor(by))
    except ReviewError as exc:
        raise fail(exc) from None
    click.echo(f"event {event_id} dismissed; {view['alerts_cancelled']} pending alert(s) cancelled")
