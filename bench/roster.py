"""A district's roster (SIS) import: first load, the same file again, then a file with changes.

Builds a fresh database migrated to `--revision` (default head; `0008` is the schema before
migration 0009's reach-summary triggers and indexes, plus its five reach columns, added bare,
because the models' INSERTs name them), adds 40 schools with `create_school`, and generates
from a fixed random seed a roster of N guardians (default 20,000): one row per guardian,
households of one or two guardians (about a third two) with one student each, languages
weighted as in reachability.py, a fifth prepaid, a tenth with preferred hours, a distinct
valid US number per guardian. Then times `import_roster` in a unit of work, commit included:

- **first**: every row into the empty database;
- **again**: the same rows (nothing changes);
- **changes**: the same rows with 5% of guardians given a new number (the old one is
  detached) and 2% of households moved to another school.

Checks each import's report (created, updated, unchanged; any rejected row) and, after the
last, the stored contacts, households, students, numbers and schools, and on a revision
with the triggers the reach summary (`tests.reach_summary.stale_summaries`); any difference
makes the run INVALID. Writes bench/results/roster-<timestamp>.json.

    .venv/bin/python bench/roster.py [--guardians 20000] [--revision head|0008]
                                     [--database sqlite|URL]

Exit status: 0 done (there is no target), 2 INVALID.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, inspect, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import (  # noqa: E402
    DISTRICT_LANGUAGES,
    command_line,
    database_url,
    finish,
    fresh_database,
    machine,
    school_names,
)
from bot.contacts.roster import COLUMNS, RosterReport, import_roster  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Contact, ContactNumber, Household, School, Student  # noqa: E402
from bot.schools.service import create_school  # noqa: E402
from tests.reach_summary import stale_summaries  # noqa: E402

SCHOOLS = 40
SEED = 20261123
NEW_NUMBERS = 0.05  # of guardians, in the "changes" step
MOVED = 0.02  # of households, in the "changes" step
LANGUAGES = DISTRICT_LANGUAGES  # Mixtec guardians get English as their other language


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    load = os.getloadavg()[0]  # before we add any: other work competing for the CPUs
    now = datetime.now(UTC).replace(microsecond=0)
    schools = school_names(SCHOOLS)
    rows = _roster(args.guardians, schools)
    changed, expected = _changes(rows, schools)
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp:
        url = database_url(args.database, Path(tmp))
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        db, version, added = _fresh_database(url, args.revision)
        try:
            with db.unit_of_work() as session:
                for i, name in enumerate(schools):
                    create_school(session, name=name, timezone="America/New_York",
                                  country="US", sms_number=f"+1415555{i:04d}")
            bare = f" (+{len(added)} bare reach columns)" if added else ""
            print(f"setup: revision {version}{bare}, {args.guardians:,} guardians in "
                  f"{expected['households']:,} households, {SCHOOLS} schools; changes: "
                  f"{expected['new_numbers']:,} new numbers, {expected['moved']:,} "
                  f"households moved")
            seconds, reports = _import(db, {"first": rows, "again": rows, "changes": changed},
                                       now)
            problems = _check_reports(reports, len(rows), expected["updated"])
            problems += _check_data(db, expected, version)
        finally:
            db.engine.dispose()
    return _report(args, url, (version, added), len(rows), seconds, reports, expected,
                   problems, load)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guardians", type=int, default=20_000,
                        help="guardians in the roster, one row each")
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh file in a temp dir) or a PostgreSQL URL, "
                             "whose public schema is dropped and recreated")
    parser.add_argument("--revision", default="head",
                        help="migrate to this revision, 0008 or later (0008: without the "
                             "reach-summary triggers)")
    args = parser.parse_args(argv)
    if not 1 <= args.guardians <= 200_000:
        parser.error("--guardians must be between 1 and 200,000")
    if args.revision != "head" and not (args.revision.isdigit() and int(args.revision) >= 8):
        parser.error("--revision must be head or 0008 or later (the models need 0008's schema)")
    return args


def _fresh_database(url: str, revision: str) -> tuple[Database, str, list[str]]:
    """Migrate from scratch (PostgreSQL: public schema dropped first) to revision; before
    0009 add the reach columns bare (the models' INSERTs name them and RETURN their server
    defaults). Return the database, the revision it is at and the columns added."""
    db, added = fresh_database(url, revision), []
    with db.engine.begin() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        have = {t: {c["name"] for c in inspect(conn).get_columns(t)}
                for t in ("contacts", "households")}
        for table in (Contact.__table__, Household.__table__):
            for column in (c for c in table.columns
                           if c.name.startswith("reach_") and c.name not in have[table.name]):
                default = (f" NOT NULL DEFAULT {column.server_default.arg}"  # type: ignore
                           if column.server_default else "")
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} "
                                  f"{column.type.compile(dialect=conn.dialect)}{default}"))
                added.append(f"{table.name}.{column.name}")
    return db, version, added


def _has_summary(version: str) -> bool:
    """Whether the database keeps the reach summary (migration 0009 and later)."""
    return version.isdigit() and int(version) >= 9


def _phone(area: int, n: int) -> str:
    """Guardian n's number as an SIS exports it: exchanges 200 and up, all valid."""
    digits = f"{2_000_000 + n:07d}"
    return f"{area}-{digits[:3]}-{digits[3:]}"


def _roster(guardians: int, schools: list[str]) -> list[dict[str, str]]:
    """One row per guardian, households in order, from the fixed seed."""
    rng = random.Random(SEED)
    languages, weights = list(LANGUAGES), list(LANGUAGES.values())
    rows: list[dict[str, str]] = []
    household = 0
    while len(rows) < guardians:
        household += 1
        school, grade = rng.choice(schools), str(rng.randrange(1, 9))
        language = rng.choices(languages, weights)[0]
        for relationship in ("mother", "father")[:2 if rng.random() < 1 / 3 else 1]:
            if len(rows) == guardians:
                break
            n = len(rows) + 1
            rows.append({
                "household_id": f"H{household:06d}", "student_name": f"Student {household}",
                "grade": grade, "school": school, "guardian_name": f"Guardian {n}",
                "relationship": relationship, "phone": _phone(617, n), "channel": "sms",
                "language": language, "other_languages": "en" if language == "mix" else "",
                "prepaid": "yes" if rng.random() < 0.2 else "",
                "preferred_hours": "17:00-20:00" if rng.random() < 0.1 else ""})
            language = language if rng.random() < 0.8 else "en"
    assert all(set(row) == set(COLUMNS) for row in rows)
    return rows


def _changes(rows: list[dict[str, str]], schools: list[str]
             ) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The rows with new numbers and moved households; what the database must hold after."""
    rng = random.Random(SEED + 1)
    changed = [dict(row) for row in rows]
    renumbered = set(rng.sample(range(len(rows)), round(len(rows) * NEW_NUMBERS)))
    for i in renumbered:
        changed[i]["phone"] = _phone(781, i + 1)
    school_of = {row["household_id"]: row["school"] for row in rows}
    moved = {h: rng.choice([s for s in schools if s != school_of[h]])
             for h in rng.sample(sorted(school_of), round(len(school_of) * MOVED))}
    for row in changed:
        row["school"] = moved.get(row["household_id"], row["school"])
    updated = sum(i in renumbered or row["household_id"] in moved
                  for i, row in enumerate(changed))
    return changed, {"guardians": len(rows), "households": len(school_of),
                     "new_numbers": len(renumbered), "moved": len(moved), "updated": updated,
                     "schools": school_of | moved}


def _import(db: Database, steps: dict[str, list[dict[str, str]]], now: datetime
            ) -> tuple[dict[str, float], dict[str, RosterReport]]:
    """Time each step's import in its own unit of work, commit included, a day apart."""
    seconds, reports = {}, {}
    for day, (step, rows) in enumerate(steps.items()):
        start = time.perf_counter()
        with db.unit_of_work() as session:
            reports[step] = import_roster(session, rows, now=now + timedelta(days=day))
        seconds[step] = time.perf_counter() - start
    return seconds, reports


def _check_reports(reports: dict[str, RosterReport], rows: int, updated: int) -> list[str]:
    """Each import's counts against what its rows must give."""
    wanted = {"first": (rows, 0, 0), "again": (0, 0, rows),
              "changes": (0, updated, rows - updated)}
    problems = []
    for step, report in reports.items():
        found = (report.created, report.updated, report.unchanged)
        if found != wanted[step] or report.rejected or report.kept_from_puente:
            problems.append(f"{step}: {report.summary()}, expected (created, updated, "
                            f"unchanged) {wanted[step]}")
        problems += [f"{step}: line {r.line} rejected: {r.reason}" for r in report.rejected[:5]]
    return problems


def _check_data(db: Database, expected: dict[str, Any], version: str) -> list[str]:
    """What the database holds after the last import, and the reach summary if kept."""
    with db.sessions() as session:
        def count(model: type, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        stored = {"contacts": count(Contact), "households": count(Household),
                  "students": count(Student), "numbers": count(ContactNumber),
                  "detached numbers": count(ContactNumber,
                                            ContactNumber.detached_at.is_not(None))}
        schools = dict(session.execute(select(Household.external_id, School.name)
                                       .join(School, Household.school_id == School.id)).all())
    wanted = {"contacts": expected["guardians"], "households": expected["households"],
              "students": expected["households"],
              "numbers": expected["guardians"] + expected["new_numbers"],
              "detached numbers": expected["new_numbers"]}
    problems = [f"{name}: {stored[name]:,} stored, expected {wanted[name]:,}"
                for name in wanted if stored[name] != wanted[name]]
    wrong = sum(schools.get(h) != s for h, s in expected["schools"].items())
    problems += [f"{wrong:,} households not at their roster's school"] if wrong else []
    if _has_summary(version):
        with db.engine.connect() as conn:
            stale = stale_summaries(conn)
        problems += [f"reach summary ({len(stale):,} stale): {p}" for p in stale[:5]]
    return problems


def _report(args: argparse.Namespace, url: str, schema: tuple[str, list[str]], rows: int,
            seconds: dict[str, float], reports: dict[str, RosterReport],
            expected: dict[str, Any], problems: list[str], load: float) -> int:
    (version, added), backend = schema, make_url(url).get_backend_name()
    print(f"\n{args.guardians:,} guardians, {SCHOOLS} schools, revision {version}, {backend}; "
          f"{os.cpu_count()} CPUs, load before the run {load:.1f}")
    print(f"{'step':<9}{'rows':>8}{'seconds':>9}{'rows/s':>9}{'created':>9}{'updated':>9}"
          f"{'unchanged':>11}{'rejected':>10}")
    for step, report in reports.items():
        print(f"{step:<9}{rows:>8,}{seconds[step]:>9.2f}{rows / seconds[step]:>9,.0f}"
              f"{report.created:>9,}{report.updated:>9,}{report.unchanged:>11,}"
              f"{len(report.rejected):>10,}")
    print(f"reports, stored data{' and reach summary' if _has_summary(version) else ''} "
          f"checked: {'INVALID' if problems else 'OK'}")
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    now = datetime.now(UTC)
    record = {
        "benchmark": "roster", "at": now.isoformat(timespec="seconds"),
        "command": command_line(args, url), "database": backend,
        "settings": {"guardians": args.guardians, "revision": args.revision,
                     "migrated_to": version, "added_columns": added, "schools": SCHOOLS,
                     "seed": SEED, "languages": list(LANGUAGES),
                     "new_numbers": NEW_NUMBERS, "moved": MOVED},
        "data": {k: v for k, v in expected.items() if k != "schools"},
        "machine": machine(load),
        "seconds": {step: round(s, 3) for step, s in seconds.items()},
        "reports": {step: {**asdict(r), "rejected": len(r.rejected)}
                    for step, r in reports.items()},
        "passed": not problems, "problems": problems,
    }
    return finish("roster", record, now, passed=True, problems=problems)


if __name__ == "__main__":
    sys.exit(main())
