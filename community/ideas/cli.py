"""``flask --app wsgi ideas ...``: ``recount [--fix]`` checks (and repairs) the stored
counters; ``ask-feedback`` (daily, from cron) asks the voters of ideas shipped ten days
ago "Did this solve it for you?"."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from community.core.recount import add_recount_command
from community.extensions import db

ideas_cli = AppGroup("ideas", help="Ideas portal maintenance.")


def _recount(fix: bool) -> list[str]:
    from community.ideas.services.recount import recount

    return recount(fix=fix)


add_recount_command(ideas_cli, "ideas", _recount)


@ideas_cli.command("ask-feedback")
def ask_feedback_command() -> None:
    """Ask the voters of ideas shipped at least ten days ago, once per shipping."""
    from community.ideas.services import feedback

    sent = feedback.ask_due()
    db.session.commit()
    click.echo(f"asked {sent} voters")


def register_cli(app: Flask) -> None:
    """Attach ``flask ideas ...`` to the app."""
    app.cli.add_command(ideas_cli)
