"""`flask --app bot users …`: create and list dashboard users, put liaisons on duty."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.db import get_db, utcnow
from bot.models.user import ROLES
from bot.phones import PhoneError, display_phone, parse_phone
from bot.schools.cli import format_table
from bot.users.service import create_user, find_user, list_users, set_on_duty
from bot.users.tokens import create_token


@click.group("users", help="Dashboard users: liaisons, staff and admins.")
def users_cli() -> None:
    pass


@users_cli.command("create", help="Add a user. The password is prompted for, or read as one "
                                  "line from stdin when stdin is not a terminal.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--languages", default="", help="Languages spoken, best first: es,pt.")
@click.option("--schools", default="",
              help='Schools served, comma-separated; none means district-wide.')
@with_appcontext
def create_command(email: str, name: str, role: str, languages: str, schools: str) -> None:
    password = read_password()
    with get_db().unit_of_work() as session:
        try:
            user = create_user(session, email=email, name=name, role=role, password=password,
                               languages=_split(languages), school_names=_split(schools))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        where = ", ".join(s.name for s in user.schools) or "district-wide"
        click.echo(f"created {user.role} {user.email} ({', '.join(user.languages) or '-'}; "
                   f"{where})")


@users_cli.command("list", help="Show every user.")
@with_appcontext
def list_command() -> None:
    with get_db().unit_of_work() as session:
        users = list_users(session)
        if not users:
            click.echo("no users yet: add one with `flask --app bot users create`")
            return
        rows = [("email", "name", "role", "languages", "schools", "on duty", "active")]
        rows += [(u.email, u.name, u.role, ",".join(u.languages) or "-",
                  ", ".join(s.name for s in u.schools) or "district-wide",
                  "yes" if u.on_duty else "no", "yes" if u.active else "no") for u in users]
        click.echo(format_table(rows))


@users_cli.command("duty", help="Put the user with EMAIL on or off duty.")
@click.argument("email")
@click.option("--on/--off", "on_duty", default=None, help="On duty, or off duty.")
@with_appcontext
def duty_command(email: str, on_duty: bool | None) -> None:
    if on_duty is None:
        raise click.UsageError("say --on or --off")
    with get_db().unit_of_work() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no user with email {email!r}")
        set_on_duty(session, user, on_duty)
        click.echo(f"{user.email} is now {'on' if on_duty else 'off'} duty")


@users_cli.command("copies", help="Text the liaison with EMAIL a copy of each announcement "
                                  "sent in their languages (--phone), or stop (--off).")
@click.argument("email")
@click.option("--phone", default=None, help="The liaison's mobile number.")
@click.option("--off", is_flag=True, help="Stop the copies (the dashboard still shows them).")
@with_appcontext
def copies_command(email: str, phone: str | None, off: bool) -> None:
    if off == (phone is not None):
        raise click.UsageError("say --phone NUMBER or --off")
    config = current_app.config["PUENTE"]
    with get_db().unit_of_work() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no user with email {email!r}")
        if user.role != "liaison":
            raise click.ClickException(f"{user.email} is {user.role}: copies go to liaisons")
        try:
            user.copy_phone = None if off else parse_phone(phone or "", config.app.default_country)
        except PhoneError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{user.email}: copies of announcements "
                   f"{'off' if off else 'by text to ' + display_phone(user.copy_phone or '')}")


@users_cli.command("token", help="Create an API token for the user with EMAIL. The token "
                                 "alone goes to stdout, shown this once.")
@click.argument("email")
@click.option("--name", required=True, help='What will use the token, e.g. "SIS sync".')
@with_appcontext
def token_command(email: str, name: str) -> None:
    with get_db().unit_of_work() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no user with email {email!r}")
        try:
            token = create_token(session, user, name, utcnow())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"API token {name!r} for {user.email} ({user.role}). Copy it now: it cannot "
               "be shown again.", err=True)
    click.echo(token)


def read_password() -> str:
    """Prompt for a password on a terminal; otherwise read one line from stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
