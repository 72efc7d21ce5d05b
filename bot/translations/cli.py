"""`flask --app bot translations export TAG [-o FILE]`: a catalog with its reviews applied;
`flask --app bot translations coverage [--json]`: what is missing, drafted or reviewed."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from bot.db import get_db
from bot.i18n import catalog_tag, catalog_tags
from bot.languages import english_name
from bot.translations import overlay
from bot.translations.coverage import coverage
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


@translations_cli.command("coverage", help="Per language: family-facing strings missing, "
                                           "drafted (fuzzy) and reviewed, reviews included.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per language.")
@with_appcontext
def coverage_command(as_json: bool) -> None:
    with get_db().unit_of_work() as session:
        overlay.refresh(session.connection(), force=True)
    rows = coverage(catalog_tags())
    if as_json:
        for row in rows:
            click.echo(json.dumps({"language": row.tag, "total": row.total,
                                   "missing": row.missing, "drafted": row.drafted,
                                   "reviewed": row.reviewed}))
        return
    click.echo(f"{'language':<32} {'strings':>7} {'missing':>7} {'drafted':>7} {'reviewed':>8}")
    for row in rows:
        name = f"{english_name(row.tag)} ({row.tag})"
        click.echo(f"{name:<32} {row.total:>7} {row.missing:>7} {row.drafted:>7} "
                   f"{row.reviewed:>8}")
    total = sum(r.total for r in rows)
    click.echo(f"{'all':<32} {total:>7} {sum(r.missing for r in rows):>7} "
               f"{sum(r.drafted for r in rows):>7} {sum(r.reviewed for r in rows):>8}")
