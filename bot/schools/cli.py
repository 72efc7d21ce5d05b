"""`flask --app bot schools …`: create and list schools."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from bot.db import get_db
from bot.schools.service import create_school, list_schools


@click.group("schools", help="Schools, their timezones and numbers.")
def schools_cli() -> None:
    pass


@schools_cli.command("create", help="Add a school named NAME.")
@click.argument("name")
@click.option("--timezone", required=True, help="IANA timezone, e.g. America/New_York.")
@click.option("--country", required=True, help="ISO 3166 country code, e.g. US.")
@click.option("--sms-number", help="The school's SMS number, e.g. +16175550100.")
@click.option("--whatsapp-number", help="The school's WhatsApp sender, e.g. whatsapp:+1….")
@click.option("--office-phone", help="The office phone families can call.")
@with_appcontext
def create_command(name: str, timezone: str, country: str, sms_number: str | None,
                   whatsapp_number: str | None, office_phone: str | None) -> None:
    with get_db().unit_of_work() as session:
        try:
            school = create_school(session, name=name, timezone=timezone, country=country,
                                   sms_number=sms_number, whatsapp_number=whatsapp_number,
                                   office_phone=office_phone)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"created school {school.name!r} (id {school.id})")


@schools_cli.command("list", help="Show every school and its numbers.")
@with_appcontext
def list_command() -> None:
    with get_db().unit_of_work() as session:
        schools = list_schools(session)
        if not schools:
            click.echo("no schools yet: add one with `flask --app bot schools create`")
            return
        rows = [("name", "timezone", "country", "sms", "whatsapp", "office")]
        rows += [(s.name, s.timezone, s.country, s.sms_number or "-",
                  s.whatsapp_number or "-", s.office_phone or "-") for s in schools]
        click.echo(format_table(rows))


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Lay rows out in left-aligned columns, the first row as a header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
