"""`flask --app bot demo load`: fill the database with demo schools, families and liaisons."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.db import get_db, utcnow
from bot.demo.data import DEMO_PASSWORD, load_demo
from bot.schools.cli import format_table


@click.group("demo", help="Demo data for trying Puente in sandbox mode.")
def demo_cli() -> None:
    pass


@demo_cli.command("load", help="Load demo schools, households and users (safe to repeat).")
@click.option("--force", is_flag=True,
              help="Load even outside sandbox mode (the demo passwords are public).")
@with_appcontext
def load_command(force: bool) -> None:
    config = current_app.config["PUENTE"]
    if not config.app.sandbox and not force:
        raise click.ClickException("demo users have a published password; refusing to load "
                                   "them outside sandbox mode (use --force if you mean it)")
    with get_db().unit_of_work() as session:
        try:
            summary = load_demo(session, utcnow())
        except ValueError as exc:  # e.g. a demo number already taken by a real school
            raise click.ClickException(f"cannot load the demo: {exc}") from None
    click.echo(f"schools: {summary.schools_created} created; users: {summary.users_created} "
               f"created; roster: {summary.roster.summary()}")
    for rejection in summary.roster.rejected:
        click.echo(f"  roster line {rejection.line}: {rejection.reason}")
    click.echo(f"\nDemo logins (password: {DEMO_PASSWORD}) at "
               f"{config.app.public_base_url.rstrip('/')}/login\n")
    rows = [("email", "role", "languages", "schools")]
    rows += [(u.email, u.role, ", ".join(u.languages), ", ".join(u.schools) or "district-wide")
             for u in summary.users]
    click.echo(format_table(rows))
