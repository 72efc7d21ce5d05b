"""`flask --app bot serve`: one process with the web app and the worker (school or demo)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from bot.scheduler import start_scheduler
from bot.worker import start_worker_thread


@click.command("serve", help="Serve the app on HOST:PORT with an in-process worker.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=None,
              help="Run the worker (inbound processing and sending) in this process "
                   "(default: sending.embedded_worker).")
@with_appcontext
def serve_command(host: str, port: int, worker: bool | None) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config["PUENTE"]
    if worker if worker is not None else config.sending.embedded_worker:
        start_worker_thread(app)
        start_scheduler(app)  # one process for a school: it runs the scheduled jobs too
    mode = "sandbox (no carrier; phone simulator at /sandbox)" if config.app.sandbox else "Twilio"
    click.echo(f"Puente is running in {mode} mode: open http://{host}:{port}/")
    if config.app.sandbox:
        click.echo(f"Phone simulator: http://{host}:{port}/sandbox")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
