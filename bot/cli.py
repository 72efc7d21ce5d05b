"""Command-line interface (`flask --app bot …`): every group lives with its feature."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from bot import migrations
from bot.db import get_db


@click.group("db", help="Database schema.")
def db_cli() -> None:
    pass


@db_cli.command("upgrade", help="Migrate the database to the newest schema.")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    migrations.upgrade(get_db().url, revision)
    click.echo(f"database at {get_db().engine.url.render_as_string()} is at {revision}")


@db_cli.command("downgrade", help="Migrate the database down to REVISION.")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    migrations.downgrade(get_db().url, revision)


def init_app(app: Flask) -> None:
    """Register every command group."""
    from bot.contacts.cli import roster_cli
    from bot.demo.cli import demo_cli
    from bot.freshness.cli import freshness_cli
    from bot.keywords.cli import keywords_cli
    from bot.language.cli import language_cli
    from bot.scheduler import scheduler_cli
    from bot.schools.cli import schools_cli
    from bot.serve import serve_command
    from bot.translations.cli import translations_cli
    from bot.users.cli import users_cli

    for group in (db_cli, schools_cli, users_cli, roster_cli, demo_cli, scheduler_cli,
                  language_cli, keywords_cli, freshness_cli, translations_cli):
        app.cli.add_command(group)
    app.cli.add_command(serve_command)


def settings():  # type: ignore[no-untyped-def]
    """Return the running app's Config."""
    return current_app.config["PUENTE"]
