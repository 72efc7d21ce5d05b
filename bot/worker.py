"""The worker: processes stored inbound texts, then sends the outbox, until stopped.

One runs as a thread inside `flask --app bot serve` (a school or a demo); at district scale
run `flask --app bot worker run` processes beside the web servers.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from bot.conversations.intake import process_pending
from bot.db import utcnow
from bot.sending.sender import Sender

log = logging.getLogger(__name__)


@dataclass
class Worker:
    app: Flask
    name: str = field(default_factory=lambda: f"worker-{os.getpid()}")
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        self.db = self.app.extensions["puente.db"]
        self.config = self.app.config["PUENTE"]
        # Each worker has its own provider: an HTTP session is not shared across threads.
        from bot.channels.registry import make_provider

        self.sender = Sender(db=self.db, provider=make_provider(self.config),
                             config=self.config, worker=self.name, clock=self.clock)

    def run_once(self) -> int:
        """Process what arrived, then send one batch; return how much work was done."""
        with self.db.unit_of_work() as session:
            processed = process_pending(session, config=self.config, now=self.clock())
        return processed + self.sender.run_once()

    def run_forever(self, stop: threading.Event, wake: threading.Event) -> None:
        """Work until stop is set; between empty rounds wait for a wake-up or the poll time."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # keep going: rows stay stored and are retried
                log.exception("worker round failed")
                busy = 0
            if not busy:
                wake.wait(self.config.sending.poll_seconds)
                wake.clear()


def init_app(app: Flask) -> None:
    """Prepare the wake-up event that requests set after committing new work."""
    app.extensions["puente.wake"] = threading.Event()
    app.cli.add_command(worker_cli)


def wake_worker() -> None:
    """Tell an in-process worker that new rows are committed (harmless if none runs)."""
    current_app.extensions["puente.wake"].set()


def start_worker_thread(app: Flask) -> threading.Event:
    """Run a worker in a daemon thread of this process; return the event that stops it."""
    stop = threading.Event()
    worker = Worker(app, name=f"embedded-{os.getpid()}")
    thread = threading.Thread(target=worker.run_forever, args=(stop, app.extensions["puente.wake"]),
                              name="puente-worker", daemon=True)
    thread.start()
    app.extensions["puente.worker_thread"] = thread  # so a clean shutdown can wait for it
    return stop


@click.group("worker", help="Process inbound texts and send queued messages.")
def worker_cli() -> None:
    pass


@worker_cli.command("run", help="Work until stopped (or, with --once, until nothing is left).")
@click.option("--once", is_flag=True, help="Do what is ready now, then exit.")
@with_appcontext
def run(once: bool) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker = Worker(app)
    if once:
        total = 0
        while (done := worker.run_once()):
            total += done
        click.echo(f"processed and sent {total} item(s)")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo(f"{worker.name} working with {worker.sender.provider.name}; Ctrl-C stops")
    worker.run_forever(stop, app.extensions["puente.wake"])
