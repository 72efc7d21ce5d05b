"""The scheduler: one declarative job list, persisted, run by exactly one process."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import apscheduler_jobs
from bot.scheduler import JOBS, start_scheduler, stop_scheduler
from tests.conftest import make_test_app


def stored_job_ids(app) -> list[str]:
    with app.extensions["puente.db"].engine.connect() as conn:
        return sorted(conn.execute(select(apscheduler_jobs.c.id)).scalars())


def test_jobs_are_stored_once_under_stable_ids_across_restarts(app, database_url) -> None:
    assert start_scheduler(app) is not None
    stop_scheduler(app)
    restarted = make_test_app(database_url)
    assert start_scheduler(restarted) is not None
    stop_scheduler(restarted)
    restarted.extensions["puente.db"].engine.dispose()
    assert stored_job_ids(app) == sorted(job.id for job in JOBS)


def test_a_second_scheduler_process_stands_by_on_postgresql(app, database_url) -> None:
    if not app.extensions["puente.db"].is_postgres:
        pytest.skip("the advisory-lock election is PostgreSQL's; SQLite runs one process")
    assert start_scheduler(app) is not None
    standby = make_test_app(database_url)
    try:
        assert start_scheduler(standby) is None
    finally:
        stop_scheduler(app)
    assert start_scheduler(standby) is not None  # the lock is free again: it takes over
    stop_scheduler(standby)
    standby.extensions["puente.db"].engine.dispose()
