"""The reachability report over a district of 100,000 guardians, against a 200 ms target.

Builds a fresh, migrated database with N guardians (default 100,000) in 40 schools, in 9
languages, with Core `executemany` and a fixed random seed: about a third of households
have a second guardian, a quarter of guardians a WhatsApp number too, a fifth are on
prepaid phones; about 10% were never confirmed, 5% are stale, 3% have an invalid number,
2% opted out, 4% have an old detached number, and confirmations are spread over the last
400 days. 500 unknown senders (no household) are added on top and must not be counted.

Then times, after one warm-up each, the median of `--runs` runs of:

- **district**: `reachability_report` as staff see it (every school and language);
- **liaison**: as a liaison at three schools who speaks Spanish and Portuguese sees it;
- **api**: `GET /api/v1/reports/reachability` through the Flask test client with a staff
  token: the district report, token check and JSON included.

Checks the district's six figures against the ones worked out from the generated rows
(INVALID, exit 2, when they differ); prints the timings and PASS when the district and
liaison medians are under the target; writes bench/results/reachability-<timestamp>.json.

    .venv/bin/python bench/reachability.py [--contacts 100000] [--runs 7]
                                           [--database sqlite|URL]

Exit status: 0 PASS, 1 over the target, 2 the report's counts do not match the data.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
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
from bot import create_app  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.freshness.report import FIGURES, reachability_report  # noqa: E402
from bot.models import (  # noqa: E402
    Contact,
    ContactNumber,
    Household,
    School,
    Student,
    User,
    UserLanguage,
)
from bot.users.tokens import create_token  # noqa: E402

TARGET_MS = 200.0
SCHOOLS = 40
UNKNOWN = 500
SEED = 20261124
LANGUAGES = DISTRICT_LANGUAGES


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    load = os.getloadavg()[0]  # before we add any: other work competing for the CPUs
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp:
        url = database_url(args.database, Path(tmp))
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        config = load_config(environ={}, overrides={
            "app": {"secret_key": "bench-secret-key-not-for-production"},
            "database": {"url": url}, "sending": {"embedded_worker": False}})
        db = fresh_database(url)
        try:
            start = time.perf_counter()
            since = now - timedelta(days=config.freshness.confirm_after_days)
            expected = _populate(db, args.contacts, now, since)
            liaison_schools = _first_schools(db, 3)
            print(f"setup: {args.contacts:,} guardians in {expected['households']:,} "
                  f"households, {expected['numbers']:,} numbers, {SCHOOLS} schools "
                  f"({time.perf_counter() - start:.1f} s)")
            timings, problems = _measure(db, config, args.runs, now, liaison_schools,
                                         expected)
        finally:
            db.engine.dispose()
    return _report(args, url, timings, expected, problems, load)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000,
                        help="guardians in households (unknown senders come on top)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs; the median counts")
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh file in a temp dir) or a PostgreSQL URL, "
                             "whose public schema is dropped and recreated")
    args = parser.parse_args(argv)
    if not 1 <= args.contacts <= 1_000_000:
        parser.error("--contacts must be between 1 and 1,000,000")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def _populate(db: Database, contacts: int, now: datetime, since: datetime) -> dict[str, int]:
    """Insert the district with Core executemany; return what the report must find."""
    rng = random.Random(SEED)
    languages, weights = list(LANGUAGES), list(LANGUAGES.values())
    schools = [{"id": i + 1, "name": name,
                "timezone": "America/New_York", "country": "US",
                "sms_number": f"+1415555{i:04d}", "created_at": now}
               for i, name in enumerate(school_names(SCHOOLS))]
    households: list[dict[str, Any]] = []
    students: list[dict[str, Any]] = []
    guardians: list[dict[str, Any]] = []
    numbers: list[dict[str, Any]] = []
    while len(guardians) < contacts:
        household_id, school_id = len(households) + 1, rng.randrange(SCHOOLS) + 1
        households.append({"id": household_id, "external_id": f"H{household_id:07d}",
                           "school_id": school_id, "created_at": now})
        students.append({"household_id": household_id, "school_id": school_id,
                         "name": f"Student {household_id}", "grade": str(rng.randrange(1, 9))})
        language = rng.choices(languages, weights)[0]
        for _ in range(2 if rng.random() < 0.35 else 1):
            if len(guardians) == contacts:
                break
            _guardian(rng, now, household_id, language, guardians, numbers)
            language = language if rng.random() < 0.8 else "en"
    for _ in range(UNKNOWN):  # unknown senders: in the database, not in the report
        _guardian(rng, now, None, "es", guardians, numbers)
    expected = {**_figures(guardians, numbers, since), "numbers": len(numbers)}
    # Ids are given, so no RETURNING is needed to link the rows (sequences stay behind on
    # PostgreSQL: nothing else inserts into these tables during the run).
    with db.engine.begin() as conn:
        for model, rows in ((School, schools), (Household, households), (Student, students),
                            (Contact, guardians), (ContactNumber, numbers)):
            conn.execute(insert(model), rows)
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would after a roster import
    return expected


def _figures(guardians: list[dict[str, Any]], numbers: list[dict[str, Any]],
             since: datetime) -> dict[str, int]:
    """The district's figures worked out from the rows, as the report module defines them."""
    level: dict[int, int] = {}  # 0 no number alive, 1 opted out, 2 working, 3 and confirmed
    for n in numbers:
        value = (0 if n["detached_at"] or n["invalid_at"] else 1 if n["opted_out_at"] else
                 3 if n["last_confirmed_at"] and n["last_confirmed_at"] >= since else 2)
        level[n["contact_id"]] = max(level.get(n["contact_id"], 0), value)
    counted = [(g, level.get(g["id"], 0)) for g in guardians if g["household_id"] is not None]
    households: dict[int, int] = {}
    for g, best in counted:
        households[g["household_id"]] = max(households.get(g["household_id"], 0), best)
    return {"contacts": len(counted),
            "confirmed": sum(best == 3 for _, best in counted),
            "stale": sum(g["status"] == "stale" for g, _ in counted),
            "invalid": sum(g["status"] == "invalid" or best == 0 for g, best in counted),
            "households": len(households),
            "unreachable_households": sum(best < 2 for best in households.values())}


def _guardian(rng: random.Random, now: datetime, household_id: int | None, language: str,
              guardians: list[dict[str, Any]], numbers: list[dict[str, Any]]) -> None:
    """One guardian and their numbers, in the mix the module docstring describes."""
    contact_id = len(guardians) + 1
    roll = rng.random()
    status, confirmed = "active", now - timedelta(days=rng.uniform(0, 400))
    sms: dict[str, Any] = {}
    if roll < 0.10:
        status, confirmed = "unconfirmed", None
    elif roll < 0.15:
        status, confirmed = "stale", now - timedelta(days=rng.uniform(200, 600))
    elif roll < 0.18:
        status, sms = "invalid", {"invalid_at": now - timedelta(days=rng.uniform(1, 90)),
                                  "invalid_reason": "21211"}
    elif roll < 0.20:
        sms = {"opted_out_at": now - timedelta(days=rng.uniform(1, 300)),
               "opt_out_keyword": "STOP"}
    if household_id is None:
        status, confirmed = "unconfirmed", None
    guardians.append({
        "id": contact_id, "household_id": household_id, "name": f"Guardian {contact_id}",
        "relationship": "parent", "language": language, "other_languages": [],
        "prepaid": rng.random() < 0.2, "status": status, "is_unknown": household_id is None,
        "created_at": now, "updated_at": now})
    phone = f"+1{617 + contact_id // 10_000_000}{contact_id % 10_000_000:07d}"
    rows = [{"channel": "sms", "address": phone, "priority": 0, **sms}]
    if rng.random() < 0.25:
        rows.append({"channel": "whatsapp", "address": phone, "priority": 1})
    if rng.random() < 0.04:
        rows.append({"channel": "sms", "address": f"+1857{contact_id:07d}", "priority": 2,
                     "detached_at": now - timedelta(days=rng.uniform(100, 700)),
                     "detached_reason": "replaced"})
    for row in rows:
        numbers.append({"id": len(numbers) + 1, "contact_id": contact_id,
                        "last_confirmed_at": confirmed if "detached_at" not in row else None,
                        "last_heard_at": None, "opted_out_at": None, "opt_out_keyword": None,
                        "invalid_at": None, "invalid_reason": None, "detached_at": None,
                        "detached_reason": None, "consecutive_failures": 0,
                        "created_at": now, **row})


def _first_schools(db: Database, n: int) -> list[int]:
    with db.sessions() as session:
        return list(session.scalars(select(School.id).order_by(School.id).limit(n)))


def _measure(db: Database, config: Config, runs: int, now: datetime,
             liaison_schools: list[int],
             expected: dict[str, int]) -> tuple[dict[str, list[float]], list[str]]:
    """Time each way of asking for the report; check the district one against the data."""
    problems: list[str] = []

    def district() -> Any:
        with db.sessions() as session:
            return reachability_report(session, config, now=now)

    def liaison() -> Any:
        with db.sessions() as session:
            return reachability_report(session, config, now=now, school_ids=liaison_schools,
                                       languages=["es", "pt"])

    total = district().total
    wrong = [f"{name} {getattr(total, name):,} (the data has {expected[name]:,})"
             for name in FIGURES if getattr(total, name) != expected[name]]
    if wrong:
        problems.append(f"the district report counted {', '.join(wrong)}")
    print(f"district: {total.as_dict()}")
    client, headers = _api_client(db, config, now)

    def api() -> Any:
        response = client.get("/api/v1/reports/reachability", headers=headers)
        if response.status_code != 200:
            problems.append(f"the API answered {response.status_code}")
        return response

    timings = {name: _time(call, runs) for name, call in
               (("district", district), ("liaison", liaison), ("api", api))}
    return timings, problems


def _api_client(db: Database, config: Config, now: datetime) -> tuple[Any, dict[str, str]]:
    with db.unit_of_work() as session:
        staff = User(email="staff@bench.invalid", name="Dana Staff", role="staff",
                     password_hash="!")  # cannot log in
        staff.language_rows = [UserLanguage(language="en", position=0)]
        session.add(staff)
        session.flush()
        token = create_token(session, staff, "bench", now)
    return create_app(config).test_client(), {"Authorization": f"Bearer {token}"}


def _time(call: Callable[[], Any], runs: int) -> list[float]:
    call()  # warm-up: caches, compiled statements, the first connection
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append((time.perf_counter() - start) * 1000)
    return seconds


def _report(args: argparse.Namespace, url: str, timings: dict[str, list[float]],
            expected: dict[str, int], problems: list[str], load: float) -> int:
    medians = {name: statistics.median(ms) for name, ms in timings.items()}
    passed = medians["district"] < TARGET_MS and medians["liaison"] < TARGET_MS
    verdict = "INVALID" if problems else "PASS" if passed else "FAIL"
    backend = make_url(url).get_backend_name()
    print(f"\n{args.contacts:,} guardians, {SCHOOLS} schools, {len(LANGUAGES)} languages, "
          f"{backend}; {os.cpu_count()} CPUs, load before the run {load:.1f}; "
          f"{args.runs} runs after a warm-up")
    print(f"{'run':<10}{'median ms':>11}{'min ms':>9}{'max ms':>9}")
    for name, ms in timings.items():
        print(f"{name:<10}{medians[name]:>11.1f}{min(ms):>9.1f}{max(ms):>9.1f}")
    print(f"district and liaison medians under {TARGET_MS:.0f} ms: {verdict}")
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    now = datetime.now(UTC)
    record = {
        "benchmark": "reachability", "at": now.isoformat(timespec="seconds"),
        "command": command_line(args, url), "database": backend,
        "settings": {"contacts": args.contacts, "runs": args.runs, "schools": SCHOOLS,
                     "languages": list(LANGUAGES), "unknown_senders": UNKNOWN, "seed": SEED},
        "data": expected, "machine": machine(load),
        "runs_ms": {name: [round(m, 2) for m in ms] for name, ms in timings.items()},
        "median_ms": {name: round(m, 2) for name, m in medians.items()},
        "target_ms": TARGET_MS, "passed": passed, "problems": problems,
    }
    return finish("reachability", record, now, passed=passed, problems=problems)


if __name__ == "__main__":
    sys.exit(main())
