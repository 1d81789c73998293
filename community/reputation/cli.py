"""``flask --app wsgi reputation rebuild`` and ``... reputation review-votes``."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from community.extensions import db

reputation_cli = AppGroup("reputation", help="Reputation ledger maintenance.")


@reputation_cli.command("rebuild")
@click.option(
    "--check", is_flag=True, help="Only report what differs from the ledger; change nothing."
)
def rebuild_command(check: bool) -> None:
    """Recompute every stored total from the ledger and report what was fixed (with
    --check: what differs, rolled back)."""
    from community.reputation.services.rebuild import rebuild

    started = time.perf_counter()
    report = rebuild()
    if check:
        db.session.rollback()
    else:
        db.session.commit()
    seconds = time.perf_counter() - started
    click.echo(
        f"{'checked' if check else 'rebuilt'} in {seconds:.1f}s: {report.users_fixed} user "
        f"totals, {report.categories_fixed} category totals, {report.days_fixed} daily "
        f"roll-ups, {report.caps_fixed} daily-cap counters, {report.periods_fixed} period "
        f"roll-ups, {report.ladders_fixed} ladder rungs {'differ' if check else 'fixed'}"
    )
    for line in report.examples:
        click.echo(f"  {line}")


@reputation_cli.command("review-votes")
def review_votes_command() -> None:
    """Find serial voting and vote rings in the ledger and reverse the excess (idempotent)."""
    from community.reputation.services.antigaming import review_votes

    report = review_votes()
    db.session.commit()
    click.echo(report.summary())


@reputation_cli.command("designate-mavens")
def designate_mavens_command() -> None:
    """Recompute maven scores and name this month's Market Mavens per category (idempotent;
    meant to run monthly from cron)."""
    from community.reputation.services.mavens import designate_mavens

    report = designate_mavens()
    db.session.commit()
    click.echo(report.summary())


@reputation_cli.command("settle-places")
def settle_places_command() -> None:
    """Move the period roll-ups changed since the last run into the boards' ladders, so a
    member's place stays one cheap look-up (run it every few minutes from cron)."""
    from community.reputation.services.mavens import settle_places

    settled = settle_places()
    db.session.commit()
    click.echo(f"{settled} period roll-ups settled")
