"""``flask --app wsgi forums recount [--fix]``: check (and repair) the stored counters."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from community.core.recount import add_recount_command

forums_cli = AppGroup("forums", help="Forum maintenance.")


def _recount(fix: bool) -> list[str]:
    from community.forums.services.recount import recount

    return recount(fix=fix)


add_recount_command(forums_cli, "forum", _recount)


def register_cli(app: Flask) -> None:
    """Attach ``flask forums ...`` to the app."""
    app.cli.add_command(forums_cli)
