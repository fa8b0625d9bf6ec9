"""`atrisk serve` and `atrisk users ...`, registered on the main command in cli.py."""

from __future__ import annotations

import sys

import click

from pipeline.storage import users


def _app(ctx: click.Context):  # noqa: ANN202 - pipeline.app.App
    return ctx.obj["app"]


def _password(confirm: bool = True) -> str:
    """The password from standard input: one line when piped, asked twice on a terminal."""
    if sys.stdin.isatty():
        return str(click.prompt("Password (12 characters or more)", hide_input=True,
                                confirmation_prompt=confirm, err=True))
    return sys.stdin.readline().rstrip("\r\n")


@click.command()
@click.option("--host", default=None, help="Address to listen on (default [web] host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default [web] port, 8765).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the analysts' workbench (web pages, JSON API, Atom feeds).

    Listens on 127.0.0.1 unless told otherwise; put it behind a reverse proxy with TLS
    (see the README). Create a user first: `atrisk users add NAME --role admin`.

    Example: atrisk serve --port 8765
    """
    from web.app import serve as run

    app = _app(ctx)
    cfg = app.config.web
    click.echo(f"atrisk workbench on http://{host or cfg.host}:{port or cfg.port}/", err=True)
    from extract.watchlist import DEFAULT_WATCHLIST

    # "add to the watchlist" on a case page writes this file (the one analysis reads)
    run(app.db, app.config, host or cfg.host, port or cfg.port, app.watchlist_path or DEFAULT_WATCHLIST)


@click.group("users")
def users_group() -> None:
    """Workbench users: viewer (reads), analyst (reviews, edits), admin (also users)."""


def _guard(fn):  # noqa: ANN001, ANN202 - a click callback
    def wrapped(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return fn(*args, **kwargs)
        except users.UserError as exc:
            raise click.ClickException(str(exc)) from None
    wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
    return wrapped


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.pass_context
@_guard
def users_add(ctx: click.Context, name: str, role: str) -> None:
    """Add a user; the password (12 characters or more) is read from standard input.

    Example: printf '%s\\n' "$PASSWORD" | atrisk users add maria --role analyst
    """
    users.add_user(_app(ctx).db, name, role, _password())
    click.echo(f"user {name!r} added with role {role}", err=True)


@users_group.command("passwd")
@click.argument("name")
@click.pass_context
@_guard
def users_passwd(ctx: click.Context, name: str) -> None:
    """Set a new password (from standard input); the user's sessions end.

    Example: printf '%s\\n' "$PASSWORD" | atrisk users passwd maria
    """
    users.set_password(_app(ctx).db, name, _password())
    click.echo(f"password of {name!r} changed", err=True)


@users_group.command("token")
@click.argument("name")
@click.pass_context
@_guard
def users_token(ctx: click.Context, name: str) -> None:
    """Print a new API token for NAME (shown once; only its hash is stored).

    Example: TOKEN=$(atrisk users token maria)
    """
    click.echo(users.new_token(_app(ctx).db, name))


@users_group.command("revoke")
@click.argument("name")
@click.option("--token", "prefix", help="Only the token starting with these characters.")
@click.pass_context
@_guard
def users_revoke(ctx: click.Context, name: str, prefix: str | None) -> None:
    """Revoke NAME's API tokens (all of them, or one by its first characters).

    Example: atrisk users revoke maria
    """
    n = users.revoke_tokens(_app(ctx).db, name, prefix)
    click.echo(f"{n} token(s) of {name!r} revoked", err=True)


@users_group.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@click.pass_context
@_guard
def users_disable(ctx: click.Context, name: str, enable: bool) -> None:
    """Disable NAME: no sign-in, no token works, open sessions end.

    Example: atrisk users disable maria
    """
    users.set_disabled(_app(ctx).db, name, not enable)
    click.echo(f"user {name!r} {'enabled' if enable else 'disabled'}", err=True)


@users_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def users_list(ctx: click.Context, fmt: str) -> None:
    """List users with role, state and number of live tokens.

    Example: atrisk users list
    """
    import json

    rows = users.list_users(_app(ctx).db)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']}\t{r['role']}\t{'disabled' if r['disabled'] else 'active'}\t"
                   f"tokens={r['tokens']}\tlast_login={r['last_login_at'] or '-'}")
