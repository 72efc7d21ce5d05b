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
# A district's guardians' preferred languages and their weights, roughly a large US
# district's English learners' (Mixtec has no locale data: its texts fall back).
DISTRICT_LANGUAGES = {"es": 40, "en": 15, "pt-BR": 10, "ht": 8, "vi": 7, "zh-Hans": 6, "ar": 6,
                      "so": 5, "mix": 3}
_NAMES = ("Adams", "Barton", "Carver", "Douglass", "Edison", "Franklin", "Grant", "Hale",
          "Irving", "Jefferson", "King", "Lincoln", "Madison", "Nash", "Otis", "Parks",
          "Quincy", "Revere", "Sumner", "Tubman")


def school_names(count: int) -> list[str]:
    """Distinct school names: "Adams Elementary" … "Tubman Elementary", "Adams Middle" …"""
    kinds = ("Elementary", "Middle", "High", "Academy")
    if count > len(_NAMES) * len(kinds):
        raise ValueError(f"at most {len(_NAMES) * len(kinds)} schools")
    return [f"{_NAMES[i % len(_NAMES)]} {kinds[i // len(_NAMES)]}" for i in range(count)]


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


def fresh_database(url: str, revision: str = "head") -> Database:
    """Migrate from scratch to revision; on PostgreSQL drop whatever the database held
    first."""
    if make_url(url).get_backend_name() == "postgresql":
        engine = Database(url).engine
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrations.upgrade(url, revision)
    return Database(url)


def command_line(args: argparse.Namespace, url: str) -> str:
    """This run's command, with any database password masked."""
    command = " ".join([Path(sys.executable).name, *sys.argv])
    if args.database == "sqlite":
        return command
    return command.replace(args.database, make_url(url).render_as_string(hide_password=True))
