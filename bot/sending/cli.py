"""`flask --app bot sender run`: a sender worker process."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from bot.sending.service import make_sender


@click.group("sender", help="Send queued messages.")
def sender_cli() -> None:
    pass


@sender_cli.command("run", help="Send queued messages until stopped (or once with --once).")
@click.option("--once", is_flag=True, help="Send what is ready now, then exit.")
@with_appcontext
def run(once: bool) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sender = make_sender(app)
    if once:
        total = 0
        while (claimed := sender.run_once()):
            total += claimed
        click.echo(f"sent {total} message(s)")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo(f"{sender.worker} sending with {sender.provider.name}; Ctrl-C stops")
    sender.run_forever(stop, app.extensions["puente.sender_wake"])
