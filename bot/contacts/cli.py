"""`flask --app bot roster import FILE.csv`: load households and guardians from the SIS."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext

from bot.contacts.roster import (
    COLUMNS,
    RosterFormatError,
    import_roster,
    load_mapping,
    read_roster_csv,
)
from bot.db import get_db, utcnow

log = logging.getLogger(__name__)


@click.group("roster", help="Rosters from the student information system.")
def roster_cli() -> None:
    pass


@roster_cli.command("import", help="Import households, students and guardians from FILE "
                                   "(CSV, UTF-8). See docs/roster.md for the columns.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "maps", multiple=True, metavar="SIS_HEADER=COLUMN",
              help=f"Read the file's SIS_HEADER as one of our columns ({', '.join(COLUMNS)}). "
                   "Repeatable.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TOML file whose [columns] table maps SIS headers to our columns.")
@click.option("--dry-run", is_flag=True, help="Check and count, then roll everything back.")
@with_appcontext
def import_command(file: Path, maps: tuple[str, ...], mapping: Path | None,
                   dry_run: bool) -> None:
    try:
        columns = load_mapping(mapping) if mapping else {}
        columns.update(parse_maps(maps))
        with get_db().unit_of_work() as session:
            report = import_roster(session, read_roster_csv(file, columns), now=utcnow())
            if dry_run:
                session.rollback()
    except RosterFormatError as exc:
        raise click.ClickException(str(exc)) from None
    for rejection in report.rejected:
        click.echo(f"line {rejection.line}: {rejection.reason}")
    click.echo(("dry run, nothing saved: " if dry_run else "") + report.summary())
    log.info("roster import of %s: %s", file.name, report.summary())
    if report.imported == 0:
        raise click.ClickException("no row could be imported")


def parse_maps(maps: tuple[str, ...]) -> dict[str, str]:
    """Turn repeated `--map "SIS header=our_column"` options into a dict."""
    found: dict[str, str] = {}
    for item in maps:
        source, sep, target = item.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise click.BadParameter(f"{item!r} is not SIS_HEADER=COLUMN", param_hint="--map")
        found[source.strip()] = target.strip()
    return found
