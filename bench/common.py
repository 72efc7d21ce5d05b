"""What the benchmarks share: a fresh database to measure on, the machine and command
they ran on, and the ending — figures as JSON under bench/results/ (git-ignored) and the
exit status 0 PASS, 1 FAIL, 2 INVALID."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import migrations
from bot.db import Database

ROOT = Path(__file__).resolve().parent.parent


def machine(load: float) -> dict[str, Any]:
    """The machine the figures came from, and how busy it was before the run."""
    return {"cpus": os.cpu_count(), "load_average_1m_before": round(load, 2),
            "python": platform.python_version(), "platform": platform.platform()}


def finish(name: str, record: dict[str, Any], now: datetime, *, passed: bool,
           problems: list[str]) -> int:
    """Write the record to bench/results/<name>-<time>.json and return the exit status."""
    out = ROOT / "bench" / "results" / f"{name}-{now:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    if problems:
        return 2
    return 0 if passed else 1


def database_url(choice: str, tmp: Path) -> str:
    """`sqlite` (a fresh file in tmp) or a PostgreSQL URL, checked."""
    if choice == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    if make_url(choice).get_backend_name() != "postgresql":
        raise SystemExit("--database must be 'sqlite' or a postgresql URL")
    return choice


def fresh_database(url: str) -> Database:
    """Migrate from scratch; on PostgreSQL drop whatever the database held first."""
    if make_url(url).get_backend_name() == "postgresql":
        engine = Database(url).engine
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrations.upgrade(url)
    return Database(url)


def command_line(args: argparse.Namespace, url: str) -> str:
    """This run's command, with any database password masked."""
    command = " ".join([Path(sys.executable).name, *sys.argv])
    if args.database == "sqlite":
        return command
    return command.replace(args.database, make_url(url).render_as_string(hide_password=True))
