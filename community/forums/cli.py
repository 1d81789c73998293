"""``flask --app wsgi forums recount [--fix]``: check (and repair) the stored counters."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from community.extensions import db

forums_cli = AppGroup("forums", help="Forum maintenance.")


@forums_cli.command("recount")
@click.option("--fix", is_flag=True, help="Correct the counters that drifted.")
def recount_command(fix: bool) -> None:
    """Recompute every stored forum counter from the rows and list the drifts."""
    from community.forums.services.recount import recount

    started = time.perf_counter()
    lines = recount(fix=fix)
    if fix:
        db.session.commit()
    seconds = time.perf_counter() - started
    for line in lines:
        click.echo(f"  {line}")
    if not lines:
        click.echo(f"all forum counters are right ({seconds:.1f}s)")
    elif fix:
        click.echo(f"fixed the drifts above ({seconds:.1f}s)")
    else:
        click.echo(f"found the drifts above; run with --fix to correct them ({seconds:.1f}s)")


def register_cli(app: Flask) -> None:
    """Attach ``flask forums ...`` to the app."""
    app.cli.add_command(forums_cli)
