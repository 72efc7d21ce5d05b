"""APScheduler's job store table, declared here so Alembic creates and tracks it."""

from __future__ import annotations

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode

from bot.db import Base

# Exactly the table apscheduler.jobstores.sqlalchemy.SQLAlchemyJobStore defines (3.11).
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
