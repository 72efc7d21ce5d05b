"""The one scheduler: a declarative list of periodic jobs with stable ids, persisted in the
database by APScheduler's SQLAlchemy job store, run by exactly one process.

On PostgreSQL a session-level advisory lock elects the scheduler, so starting it in every
process is safe: the others wait. SQLite runs one process anyway.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import UTC

import click
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from bot.db import make_engine, utcnow

log = logging.getLogger(__name__)

SCHEDULER_LOCK = 0x50_75_65_6F  # "Pueo": held by the process that runs the scheduler
_app: Flask | None = None  # the app the running scheduler's jobs work for


@dataclass(frozen=True)
class PeriodicJob:
    id: str
    func: str  # "module:function", so the job store keeps a reference, never an object
    seconds: int = 0  # run every so many seconds, or
    daily_hour: str = ""  # once a day at the hour this setting names, in the district's zone


JOBS = (
    PeriodicJob("broadcasts.dispatch_due", "bot.scheduler:dispatch_due_broadcasts", 15),
    PeriodicJob("broadcasts.draft_translations", "bot.scheduler:draft_translations", 15),
    PeriodicJob("freshness.run_checks", "bot.scheduler:run_number_checks",
                daily_hour="freshness.run_at_hour"),
)


def dispatch_due_broadcasts() -> None:
    """Job: start the broadcasts whose time has come."""
    from bot.broadcasts.jobs import dispatch_due
    from bot.worker import wake_worker

    assert _app is not None
    db = _app.extensions["puente.db"]
    with db.unit_of_work() as session:
        started = dispatch_due(session, config=_app.config["PUENTE"], now=utcnow())
    if started:
        with _app.app_context():
            wake_worker()


def draft_translations() -> None:
    """Job: machine-draft empty translation tasks, when a translator is configured."""
    from bot.broadcasts.translate import draft_translations as draft
    from bot.broadcasts.translate import make_translator

    assert _app is not None
    translator = make_translator(_app.config["PUENTE"])
    if translator is None:
        return
    with _app.extensions["puente.db"].unit_of_work() as session:
        draft(session, translator, utcnow())


def run_number_checks() -> None:
    """Job: the day's number checks (reminders, stale, new prompts within the caps)."""
    from bot.freshness.checks import run_checks

    assert _app is not None
    config = _app.config["PUENTE"]
    if not config.freshness.enabled:
        return
    with _app.extensions["puente.db"].unit_of_work() as session:
        report = run_checks(session, config=config, now=utcnow())
    log.info("number checks: %s", report.summary())


def start_scheduler(app: Flask) -> BackgroundScheduler | None:
    """Start the scheduler in this process if no other process runs it; else return None."""
    global _app
    db = app.extensions["puente.db"]
    # An engine of its own: the lock's connection and the job store's never mix with the
    # app's pool, and stopping the scheduler closes them all.
    engine = make_engine(db.url)
    if db.is_postgres:
        holder = engine.connect()  # kept open: the lock lives as long as this connection
        if not holder.execute(text("SELECT pg_try_advisory_lock(:k)"),
                              {"k": SCHEDULER_LOCK}).scalar():
            holder.close()
            engine.dispose()
            log.info("another process runs the scheduler")
            return None
        app.extensions["puente.scheduler_lock"] = holder
    app.extensions["puente.scheduler_engine"] = engine
    _app = app
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1,
                                    "misfire_grace_time": 300})
    scheduler.start()
    config = app.config["PUENTE"]
    for job in JOBS:
        if job.daily_hour:
            section, key = job.daily_hour.split(".")
            scheduler.add_job(job.func, "cron", hour=getattr(getattr(config, section), key),
                              timezone=config.app.default_timezone, id=job.id,
                              replace_existing=True)
        else:
            scheduler.add_job(job.func, "interval", seconds=job.seconds, id=job.id,
                              replace_existing=True)
    app.extensions["puente.scheduler"] = scheduler
    log.info("scheduler running %d job(s)", len(JOBS))
    return scheduler


def stop_scheduler(app: Flask) -> None:
    """Stop this process's scheduler, if it runs one, and let another process take over."""
    scheduler = app.extensions.pop("puente.scheduler", None)
    if scheduler is not None:
        scheduler.shutdown(wait=True)  # let a running job finish before the lock goes
    holder = app.extensions.pop("puente.scheduler_lock", None)
    if holder is not None:
        holder.invalidate()  # closes the database connection: PostgreSQL releases the lock
        holder.close()
    engine = app.extensions.pop("puente.scheduler_engine", None)
    if engine is not None:
        engine.dispose()


def run_forever(app: Flask, stop: threading.Event) -> None:
    """Run the scheduler until stop is set (the `scheduler run` command)."""
    scheduler = None
    while scheduler is None and not stop.is_set():
        scheduler = start_scheduler(app)
        if scheduler is None:
            stop.wait(30)  # stand by: take over if the running scheduler's process dies
    stop.wait()
    stop_scheduler(app)


@click.group("scheduler", help="The scheduler (exactly one runs; others stand by).")
def scheduler_cli() -> None:
    pass


@scheduler_cli.command("run", help="Run the scheduled jobs until stopped.")
@with_appcontext
def run_command() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo(f"scheduler: {', '.join(job.id for job in JOBS)}; Ctrl-C stops")
    run_forever(app, stop)
