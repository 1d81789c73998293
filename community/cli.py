"""Flask commands: ``flask --app wsgi user ...``, ``seed-demo``, ``seed-scale`` and
``scale-targets``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import Role, User
from community.core.errors import DomainError
from community.extensions import db

user_cli = AppGroup("user", help="Manage accounts.")


@user_cli.command("create")
@click.argument("username")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(username: str, email: str, role: str, password: str) -> None:
    """Create a confirmed account with the given role."""
    from community.moderation.services import audit

    try:
        user = accounts.create_user(username, email, password, role=Role(role), confirmed=True)
        db.session.flush()
        audit(None, "user.create", user, {"role": role, "via": "cli"})
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.username} ({user.role})")


@user_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A name to recognise the token by.")
@click.option("--days", type=int, default=None, help="Days until it expires.")
def create_token(username: str, name: str, days: int | None) -> None:
    """Print a new API token for USERNAME (shown once)."""
    try:
        user = accounts.get_by_username(username)
        _token, secret = accounts.create_token(user, name, days)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(secret)


@click.command("seed-demo")
def seed_demo() -> None:
    """Fill a small, believable demo community (idempotent)."""
    from community.demo import seed

    if db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("the database already has accounts; demo data is not added again")
        return
    # Rendering Markdown links @mentions with url_for, which needs a request context.
    with current_app.test_request_context("/"):
        logins = seed()
        db.session.commit()
    click.echo(f"demo ready; logins (password for all: {logins['password']}):")
    for username, role in logins["users"]:
        click.echo(f"  {username:12} {role}")


@click.command("seed-scale")
@click.option("--size", type=click.Choice(["small", "large"]), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
def seed_scale(size: str, seed: int) -> None:
    """Fill an empty, migrated database with the benchmark's deterministic dataset."""
    from community.scale import ScaleError, seed_database

    click.echo(f"seeding the {size} dataset (seed {seed})")
    try:
        seed_database(size, seed, echo=click.echo)
    except ScaleError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"scale ready ({size})")


@click.command("scale-targets")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Directory.")
def scale_targets(out: str) -> None:
    """Print the benchmark's pages (JSON) and write its write files into OUT."""
    import json
    from pathlib import Path

    from community.scale.targets import TargetsError, targets

    try:
        with current_app.test_request_context("/"):
            found = targets(Path(out).resolve())
    except TargetsError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(found, indent=2))


def register_cli(app: Flask) -> None:
    """Attach the commands to the app."""
    from community.forums.cli import register_cli as register_forums_cli
    from community.ideas.cli import register_cli as register_ideas_cli
    from community.reputation.cli import reputation_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(reputation_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_scale)
    app.cli.add_command(scale_targets)
    register_forums_cli(app)
    register_ideas_cli(app)
