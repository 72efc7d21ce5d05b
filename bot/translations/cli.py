"""`flask --app bot translations export TAG [-o FILE]`: a catalog with its reviews applied."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from bot.db import get_db
from bot.i18n import catalog_tag, catalog_tags
from bot.translations.export import export_catalog


@click.group("translations", help="Family-facing translations reviewed in the dashboard.")
def translations_cli() -> None:
    pass


@translations_cli.command("export", help="Write TAG's catalog (es, zh-Hans, …) with the "
                                         "dashboard's reviews applied, as a .po file.")
@click.argument("tag")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write here (e.g. translations/es/LC_MESSAGES/messages.po); "
                   "default: stdout.")
@with_appcontext
def export_command(tag: str, output: str | None) -> None:
    found = catalog_tag(tag)
    if found is None:
        raise click.BadParameter(f"no catalog for {tag!r}; there are "
                                 f"{', '.join(catalog_tags())}", param_hint="TAG")
    with get_db().unit_of_work() as session:
        data = export_catalog(session, found)
    if output is None:
        click.echo(data, nl=False)  # bytes go to stdout as they are
        return
    with open(output, "wb") as f:
        f.write(data)
    click.echo(f"wrote {found} to {output}", err=True)
