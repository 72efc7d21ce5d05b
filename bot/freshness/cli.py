"""`flask --app bot freshness run [--dry-run]`: the day's number checks, at once."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.db import get_db, utcnow
from bot.freshness.checks import run_checks


@click.group("freshness", help="Number checks: keep every family reachable.")
def freshness_cli() -> None:
    pass


@freshness_cli.command("run", help="Run the day's number checks now: remind, give up on "
                                   "unanswered ones, and start new ones within the caps.")
@click.option("--dry-run", is_flag=True, help="Show what would be done; change nothing.")
@with_appcontext
def run_command(dry_run: bool) -> None:
    config = current_app.config["PUENTE"]
    with get_db().unit_of_work() as session:
        report = run_checks(session, config=config, now=utcnow(), dry_run=dry_run)
        if dry_run:
            session.rollback()
            for due in report.due:
                click.echo(f"would ask contact {due.contact_id} (school {due.school_id}, "
                           f"{due.reason})")
    click.echo(("dry run: " if dry_run else "") + report.summary())
