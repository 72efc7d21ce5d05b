"""The in-process sender thread (one process for a school or a demo) and its wake-up."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

from bot.sending.sender import Sender


def init_app(app: Flask) -> None:
    """Prepare the wake-up event the web side sets after committing outbox rows."""
    app.extensions["puente.sender_wake"] = threading.Event()


def wake_sender() -> None:
    """Tell an in-process sender that new rows are committed (harmless if none runs)."""
    current_app.extensions["puente.sender_wake"].set()


def make_sender(app: Flask, worker: str | None = None) -> Sender:
    """Build a Sender bound to the app's database, provider and config."""
    return Sender(db=app.extensions["puente.db"], provider=app.extensions["puente.provider"],
                  config=app.config["PUENTE"], worker=worker or f"sender-{os.getpid()}")


def start_sender_thread(app: Flask) -> threading.Event:
    """Run a sender in a daemon thread of this process; return the event that stops it."""
    stop = threading.Event()
    sender = make_sender(app, worker=f"embedded-{os.getpid()}")
    thread = threading.Thread(target=sender.run_forever,
                              args=(stop, app.extensions["puente.sender_wake"]),
                              name="puente-sender", daemon=True)
    thread.start()
    return stop
