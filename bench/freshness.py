"""The day's number checks: `run_checks` over 100,000 contacts, selection and queueing.

Builds a fresh database with N contacts (default 100,000) in households across 40
schools (each in America/New_York with its own SMS number), one SMS number each, in nine
languages, about 30% on prepaid phones, numbers last confirmed up to 400 days ago (about
10% never), about 3% with failed texts, about 2% opted out, and a few hundred open checks
whose reminders are due. Then, for each daily cap (the default 50 per school and one
large enough for the whole due set), it times, in rounds:

- `run_checks(session, config=..., now=NOW)` in one unit of work, commit included:
  reminders and stale checks, the selection of due contacts (one query), and a check, a
  message and an outbox row for each contact prompted;
- `select_due` alone with no cap (rolled back): the selection's share of the time and the
  number of rows the query selects.

Between rounds the database goes back to its seeded state (checks, messages, outbox,
follow-ups and audit rows reset), so each round does the same work. After each round the
bench checks the result against a due set computed in Python from the generated data:
exactly the expected contacts prompted, none opted out, no school over its cap, one
message and one outbox row per prompt and reminder, each in the family's language. A cap
whose round takes longer than --long-round seconds is not repeated. Prints the median
round per cap and PASS/FAIL for the first cap against the target (3 s, commit included);
writes bench/results/freshness-<timestamp>.json.

    .venv/bin/python bench/freshness.py [--contacts 100000] [--schools 40] [--rounds 3]
                                        [--caps 50,2500] [--long-round 20]
                                        [--database sqlite|URL]

Exit status: 0 PASS, 1 over the target, 2 a run failed or its result was wrong.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, insert, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import command_line, database_url, finish, fresh_database, machine  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.freshness.checks import NEVER_TWICE_WITHIN, run_checks, select_due  # noqa: E402
from bot.models import (  # noqa: E402
    AuditEvent,
    Contact,
    ContactNumber,
    FollowUp,
    Household,
    Message,
    NumberCheck,
    OutboxItem,
    School,
    Student,
)

TARGET_SECONDS = 3.0
# 10:00 in Boston on a school day: every family is inside its sending hours.
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
IMPORTED = NOW - timedelta(days=500)  # the roster import: numbers never confirmed date from it
LANGUAGES = {"es": 40, "en": 18, "ht": 9, "pt-BR": 9, "vi": 6, "ar": 5, "zh-Hans": 5,
             "so": 4, "fr": 4}  # weights
AREA_CODES = ("617", "508", "781", "857", "978", "339", "413", "774", "351", "401", "603",
              "802")
MAX_CONTACTS = 10_000 * len(AREA_CODES)
FIRST_NAMES = ("Ana", "Jean", "Minh", "Fatima", "Wei", "Hodan", "Lucas", "Maria", "Omar",
               "Sophie", "Daniel", "Nadia")
REMINDERS_DUE = 300  # open checks whose reminder (or end) is due, some on opted-out numbers
REMINDERS_OPTED_OUT = 12
EARLIER_TODAY = 10  # checks started 3 h ago in each of the first 5 schools: they count
RECENTLY_CLOSED = 300  # answered 2-6 days ago: not asked again within the week


@dataclass
class Person:
    """What the bench generated for a contact, to compute the expected due set."""
    contact_id: int
    number_id: int
    address: str
    language: str
    household_id: int
    school_id: int
    prepaid: bool
    confirmed: datetime  # last confirmed, or the import
    failures: int
    opted_out: bool


@dataclass
class Seed:
    schools: dict[int, tuple[str, str]]  # id -> name, sms number
    people: list[Person]
    checks: list[dict[str, Any]]  # seeded number_checks rows


@dataclass
class Expected:
    due: list[Person]  # the query's rows, in order, before the caps
    reminded: int  # reminders actually sent
    canceled: int  # open checks whose number opted out
    went_stale: int
    follow_ups: int  # households of the contacts gone stale, one entry each
    started_today: Counter[int] = field(default_factory=Counter)


@dataclass
class Round:
    cap: int
    due: int  # rows the selection query returns, before the caps
    prompted: int
    reminded: int  # as run_checks reports it: reminders sent
    went_stale: int
    run_seconds: float  # run_checks
    commit_seconds: float
    select_seconds: float  # select_due alone, no cap
    reminders_sent: int = 0  # found in the database afterwards
    canceled: int = 0

    @property
    def seconds(self) -> float:
        return self.run_seconds + self.commit_seconds


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    load = os.getloadavg()[0]  # before we add any: other work competing for the CPUs
    rounds: dict[int, list[Round]] = {cap: [] for cap in args.caps}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp:
        url = database_url(args.database, Path(tmp))
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        db = fresh_database(url)
        try:
            start = time.perf_counter()
            seed = _populate(db, args.contacts, args.schools)
            print(f"setup: {args.contacts:,} contacts, {args.schools} schools, "
                  f"{len(seed.checks)} seeded checks ({time.perf_counter() - start:.1f} s)")
            for cap in args.caps:
                config = _config(url, cap)
                expected = _expected(seed, config)
                for round_no in range(args.rounds):
                    _restore(db, seed)
                    try:
                        result = _time_round(db, config)
                    except Exception as exc:  # noqa: BLE001 - report it, as INVALID
                        problems.append(f"cap {cap}: run_checks failed: {_summary(exc)}")
                        print(f"cap {cap}, round {round_no + 1}: FAILED {_summary(exc)}")
                        break
                    found = _verify(db, seed, expected, config, result)
                    problems += [f"cap {cap}, round {round_no + 1}: {p}" for p in found]
                    rounds[cap].append(result)
                    print(f"cap {cap}, round {round_no + 1}: {result.due:,} due, "
                          f"{result.prompted:,} prompted, {result.reminders_sent} reminders "
                          f"sent, {result.canceled} canceled, {result.went_stale} stale; "
                          f"run_checks {result.run_seconds:.2f} s "
                          f"+ commit {result.commit_seconds:.2f} s; select_due alone "
                          f"{result.select_seconds:.2f} s"
                          + ("" if not found else f"; {len(found)} problem(s)"))
                    if found:
                        break
                    if result.seconds > args.long_round and round_no + 1 < args.rounds:
                        print(f"cap {cap}: a round took over {args.long_round:.0f} s; "
                              "not repeated (--long-round)")
                        break
        finally:
            db.engine.dispose()
    return _report(args, url, rounds, problems, load)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000,
                        help=f"contacts, one SMS number each (at most {MAX_CONTACTS})")
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per cap; the median is reported")
    parser.add_argument("--caps", default="50,2500",
                        help="daily caps per school to time, comma-separated; the first is "
                             "held to the target")
    parser.add_argument("--long-round", type=float, default=20.0,
                        help="a cap whose round takes longer than this many seconds is not "
                             "repeated, to keep the run short")
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh file in a temp dir) or a PostgreSQL URL, "
                             "whose public schema is dropped and recreated")
    args = parser.parse_args(argv)
    if not 1_000 <= args.contacts <= MAX_CONTACTS:
        parser.error(f"--contacts must be between 1000 and {MAX_CONTACTS}")
    if not 5 <= args.schools <= 100:
        parser.error("--schools must be between 5 and 100")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        args.caps = [int(c) for c in args.caps.split(",")]
    except ValueError:
        parser.error("--caps must be integers separated by commas")
    if not args.caps or min(args.caps) < 1:
        parser.error("--caps must be at least 1")
    return args


def _config(url: str, cap: int) -> Config:
    return load_config(environ={}, overrides={
        "database": {"url": url}, "sending": {"embedded_worker": False},
        "freshness": {"daily_cap_per_school": cap}})


def _populate(db: Database, contacts: int, schools: int) -> Seed:
    """Schools, households, students, contacts and numbers with Core executemany.

    Ids are given (the database is fresh), so no RETURNING; PostgreSQL's sequences are
    moved past them afterwards.
    """
    rng = random.Random(4)
    school_rows = [{"id": s, "name": f"Escuela {s:02d}", "timezone": "America/New_York",
                    "country": "US", "sms_number": f"+1415555{100 + s:04d}",
                    "created_at": IMPORTED} for s in range(1, schools + 1)]
    households, students, contact_rows, numbers, people = [], [], [], [], []
    languages, weights = list(LANGUAGES), list(LANGUAGES.values())
    h = 0
    while len(contact_rows) < contacts:
        h += 1
        school_id = (h - 1) % schools + 1
        households.append({"id": h, "external_id": f"H{h:06d}", "school_id": school_id,
                           "created_at": IMPORTED})
        for k in range(1 + (h % 3 == 0) + (h % 7 == 0)):  # 1 to 3 students
            students.append({"household_id": h, "school_id": school_id,
                             "name": f"{FIRST_NAMES[(h + k) % len(FIRST_NAMES)]} {h}-{k}",
                             "grade": str((h + k) % 6 + 1)})
        for _ in range(min(1 + (h % 5 in (0, 2, 4)), contacts - len(contact_rows))):
            c = len(contact_rows) + 1
            language = rng.choices(languages, weights)[0]
            prepaid = rng.random() < 0.30
            confirmed = (None if rng.random() < 0.10
                         else NOW - timedelta(seconds=rng.uniform(0, 400 * 86_400)))
            failures = rng.randint(1, 2) if rng.random() < 0.03 else 0
            opted_out = rng.random() < 0.02
            address = f"+1{AREA_CODES[(c - 1) // 10_000]}555{(c - 1) % 10_000:04d}"
            contact_rows.append({
                "id": c, "household_id": h, "name": f"Guardian {c:06d}",
                "relationship_label": "parent",
                "language": language, "other_languages": [],
                "status": "active", "is_unknown": False, "prepaid": prepaid,
                "created_at": IMPORTED, "updated_at": IMPORTED})
            numbers.append({
                "id": c, "contact_id": c, "address": address, "channel": "sms",
                "priority": 0, "last_confirmed_at": confirmed, "consecutive_failures": failures,
                "opted_out_at": NOW - timedelta(days=rng.randint(1, 300)) if opted_out else None,
                "opt_out_keyword": "STOP" if opted_out else None, "created_at": IMPORTED})
            people.append(Person(c, c, address, language, h, school_id, prepaid,
                                 confirmed or IMPORTED, failures, opted_out))
    checks = _seed_checks(rng, people, schools)
    with db.engine.begin() as conn:
        for table, rows in ((School, school_rows), (Household, households),
                            (Student, students), (Contact, contact_rows),
                            (ContactNumber, numbers)):
            conn.execute(insert(table), rows)
        if db.is_postgres:
            for model in (School, Household, Student, Contact, ContactNumber):
                conn.execute(select(func.setval(
                    func.pg_get_serial_sequence(model.__tablename__, "id"),
                    select(func.max(model.id)).scalar_subquery())))
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would after a roster import
    return Seed({r["id"]: (r["name"], r["sms_number"]) for r in school_rows}, people, checks)


def _seed_checks(rng: random.Random, people: list[Person], schools: int) -> list[dict[str, Any]]:
    """Open checks with reminders due, checks started today, checks answered this week."""
    opted_out = [p for p in people if p.opted_out]
    reachable = [p for p in people if not p.opted_out]
    chosen = rng.sample(reachable, REMINDERS_DUE - REMINDERS_OPTED_OUT + RECENTLY_CLOSED)
    rows = []
    for i, person in enumerate(opted_out[:REMINDERS_OPTED_OUT]
                               + chosen[:REMINDERS_DUE - REMINDERS_OPTED_OUT]):
        sent = 1 + i % 3  # 3: out of reminders, goes stale
        rows.append(_check(person, "pending", sent, NOW - timedelta(days=7 * sent, hours=1),
                           next_prompt=NOW - timedelta(hours=1)))
    for person in chosen[REMINDERS_DUE - REMINDERS_OPTED_OUT:]:
        created = NOW - timedelta(days=rng.uniform(2, 6))
        rows.append(_check(person, "confirmed", 1, created, resolved=created + timedelta(hours=2)))
    taken = {r["contact_id"] for r in rows}
    for school_id in range(1, 6):
        fresh = [p for p in reachable if p.school_id == school_id and p.contact_id not in taken]
        for person in fresh[:EARLIER_TODAY]:
            rows.append(_check(person, "pending", 1, NOW - timedelta(hours=3),
                               next_prompt=NOW + timedelta(days=7) - timedelta(hours=3)))
    return rows


def _check(person: Person, state: str, sent: int, created: datetime, *,
           next_prompt: datetime | None = None, resolved: datetime | None = None
           ) -> dict[str, Any]:
    return {"contact_id": person.contact_id, "number_id": person.number_id,
            "school_id": person.school_id, "reason": "interval", "state": state,
            "prompts_sent": sent, "created_at": created,
            "last_prompt_at": created + timedelta(days=7 * (sent - 1)),
            "next_prompt_at": next_prompt, "resolved_at": resolved}


def _expected(seed: Seed, config: Config) -> Expected:
    """What run_checks should do, computed from the generated data alone."""
    settings = config.freshness
    excluded = {c["contact_id"] for c in seed.checks
                if c["state"] in ("pending", "verifying")
                or c["created_at"] > NOW - NEVER_TWICE_WITHIN}
    due = [p for p in seed.people
           if not p.opted_out and p.contact_id not in excluded
           and (p.failures > 0 or p.confirmed < NOW - timedelta(
               days=settings.prepaid_confirm_after_days if p.prepaid
               else settings.confirm_after_days))]
    due.sort(key=lambda p: (-p.failures, p.confirmed, p.contact_id))
    opted_out = {p.contact_id for p in seed.people if p.opted_out}
    open_due = [c for c in seed.checks
                if c["state"] == "pending" and c["next_prompt_at"] <= NOW]
    stale = [c for c in open_due if c["prompts_sent"] > settings.reminders]
    canceled = [c for c in open_due if c not in stale and c["contact_id"] in opted_out]
    started = Counter(c["school_id"] for c in seed.checks
                      if c["created_at"] > NOW - timedelta(hours=24))
    households = {seed.people[c["contact_id"] - 1].household_id for c in stale}
    return Expected(due, len(open_due) - len(stale) - len(canceled), len(canceled), len(stale),
                    len(households), started)


def _restore(db: Database, seed: Seed) -> None:
    """Back to the seeded state: the seeded checks only, nothing queued, nobody stale."""
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("TRUNCATE outbox, messages, follow_ups, number_checks, "
                              "audit_events CASCADE"))
        else:
            for model in (OutboxItem, Message, FollowUp, NumberCheck, AuditEvent):
                conn.execute(delete(model))
        conn.execute(insert(NumberCheck), seed.checks)
        conn.execute(update(Contact).where(Contact.status != "active").values(status="active"))
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE contacts, number_checks"))


def _time_round(db: Database, config: Config) -> Round:
    """run_checks in one unit of work, timed up to and through the commit."""
    with db.sessions() as session:
        start = time.perf_counter()
        selected = select_due(session, config=_uncapped(config), now=NOW)
        select_seconds = time.perf_counter() - start
        session.rollback()
    with db.sessions() as session:
        start = time.perf_counter()
        report = run_checks(session, config=config, now=NOW)
        run_seconds = time.perf_counter() - start
        session.commit()
        commit_seconds = time.perf_counter() - start - run_seconds
    return Round(config.freshness.daily_cap_per_school, len(selected),
                 sum(report.prompted.values()), report.reminded, report.went_stale,
                 round(run_seconds, 3), round(commit_seconds, 3), round(select_seconds, 3))


def _uncapped(config: Config) -> Config:
    return replace(config, freshness=replace(config.freshness, daily_cap_per_school=10**9))


def _verify(db: Database, seed: Seed, expected: Expected, config: Config,
            result: Round) -> list[str]:
    """Compare what the run stored with what it should have; return what is wrong."""
    cap = config.freshness.daily_cap_per_school
    problems = []
    left: Counter[int] = Counter({s: cap - expected.started_today[s] for s in seed.schools})
    should = []
    for person in expected.due:
        if left[person.school_id] > 0:
            left[person.school_id] -= 1
            should.append(person)
    by_contact = {p.contact_id: p for p in seed.people}
    with db.sessions() as session:
        new = session.execute(
            select(NumberCheck.contact_id, NumberCheck.number_id, NumberCheck.school_id,
                   NumberCheck.reason, NumberCheck.state, NumberCheck.prompts_sent)
            .where(NumberCheck.created_at == NOW)).all()
        messages = session.execute(
            select(Message.id, Message.contact_id, Message.school_id, Message.to_address,
                   Message.from_address, Message.body, Message.language, Message.kind,
                   Message.status,
                   Message.segments, OutboxItem.id.label("outbox_id"), OutboxItem.not_before)
            .outerjoin(OutboxItem, OutboxItem.message_id == Message.id)).all()
        outbox = session.scalar(select(func.count()).select_from(OutboxItem))
        opted_out_prompted = session.scalar(
            select(func.count()).select_from(Message)
            .join(ContactNumber, ContactNumber.address == Message.to_address)
            .where(ContactNumber.opted_out_at.is_not(None)))
        states = Counter(session.execute(
            select(NumberCheck.state).where(NumberCheck.created_at < NOW)).scalars())
        reminded = session.scalar(
            select(func.count()).select_from(NumberCheck)
            .where(NumberCheck.created_at < NOW, NumberCheck.last_prompt_at == NOW))
        follow_ups = session.scalar(select(func.count()).select_from(FollowUp))
    result.reminders_sent, result.canceled = reminded or 0, states["canceled"]
    if result.due != len(expected.due):
        problems.append(f"the query selected {result.due} contacts, {len(expected.due)} are due")
    if len(new) != result.prompted:
        problems.append(f"report says {result.prompted} prompted, {len(new)} checks stored")
    got, want = {r.contact_id for r in new}, {p.contact_id for p in should}
    if got != want:
        problems.append(f"prompted {len(got)} contacts, expected {len(want)}: "
                        f"{len(got - want)} unexpected, {len(want - got)} missing")
    if len(got) != len(new):
        problems.append(f"{len(new) - len(got)} contacts got two checks")
    for row in new:
        person = by_contact.get(row.contact_id)
        if person is None or person.opted_out:
            problems.append(f"contact {row.contact_id} (opted out or unknown) was prompted")
            break
        reason = "failures" if person.failures else "prepaid" if person.prepaid else "interval"
        if (row.number_id, row.school_id, row.reason, row.state, row.prompts_sent) != (
                person.number_id, person.school_id, reason, "pending", 1):
            problems.append(f"check for contact {row.contact_id} stored as {tuple(row)}")
            break
    per_school = Counter(r.school_id for r in new) + expected.started_today
    over = {s: n for s, n in per_school.items() if n > cap}
    if over:
        problems.append(f"schools over their cap of {cap} in 24 h: {over}")
    if opted_out_prompted:
        problems.append(f"{opted_out_prompted} messages to opted-out numbers")
    sent = len(new) + expected.reminded
    if len(messages) != sent or outbox != sent:
        problems.append(f"{len(messages)} messages and {outbox} outbox rows for {len(new)} "
                        f"prompts and {expected.reminded} reminders")
    prompted_to = Counter((m.contact_id, m.to_address) for m in messages)
    missing = [r.contact_id for r in new
               if prompted_to[(r.contact_id, by_contact[r.contact_id].address)] != 1]
    if missing:
        problems.append(f"{len(missing)} prompts without exactly one message, e.g. contact "
                        f"{missing[0]}")
    for m in messages:
        name, number = seed.schools[m.school_id]
        if m.outbox_id is None or m.not_before != NOW:
            problems.append(f"message {m.id}: no outbox row, or held ({m.not_before})")
            break
        if (m.kind, m.status, m.from_address, m.language) != (
                "auto", "pending", number, by_contact[m.contact_id].language) or \
                name not in m.body or m.segments < 1:
            problems.append(f"message {m.id} stored as {m.kind}/{m.status} from "
                            f"{m.from_address} in {m.language}, {m.segments} segment(s): "
                            f"{m.body!r}")
            break
    if reminded != expected.reminded or result.reminded != expected.reminded:
        problems.append(f"{reminded} reminders stored, report {result.reminded}; expected "
                        f"{expected.reminded} sent and {expected.canceled} canceled")
    if states["stale"] != expected.went_stale or result.went_stale != expected.went_stale \
            or states["canceled"] != expected.canceled:
        problems.append(f"{states['stale']} checks stale (report {result.went_stale}), "
                        f"{states['canceled']} canceled; expected {expected.went_stale} and "
                        f"{expected.canceled}")
    if follow_ups != expected.follow_ups:
        problems.append(f"{follow_ups} follow-ups for the {expected.follow_ups} households of "
                        f"{expected.went_stale} stale checks")
    return problems


def _summary(exc: BaseException) -> str:
    """The error and where run_checks raised it, without SQLAlchemy's statement and
    parameters (an IN list of 66,000 ids prints megabytes)."""
    cause = getattr(exc, "orig", None) or exc
    message = (str(cause).splitlines() or [""])[0][:300]
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f"{os.sep}bot{os.sep}" in f.filename]
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} ({frames[-1].line})" \
        if frames else ""
    return f"{type(cause).__name__}: {message}{where}"


def _median(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda r: r.seconds)[len(rounds) // 2]


def _report(args: argparse.Namespace, url: str, rounds: dict[int, list[Round]],
            problems: list[str], load: float) -> int:
    backend = make_url(url).get_backend_name()
    medians = {cap: _median(runs) for cap, runs in rounds.items() if runs}
    first = medians.get(args.caps[0])
    passed = first is not None and first.seconds < TARGET_SECONDS and not problems
    verdict = "INVALID" if problems else "PASS" if passed else "FAIL"
    print(f"\n{args.contacts:,} contacts, {args.schools} schools, {backend}; "
          f"{os.cpu_count()} CPUs, load before the run {load:.1f}; median round per cap")
    print(f"{'cap':>6}{'rounds':>7}{'due':>9}{'prompted':>10}{'reminders':>10}{'stale':>7}"
          f"{'select s':>10}{'run s':>8}{'commit s':>10}{'total s':>9}")
    for cap, r in medians.items():
        print(f"{cap:>6}{len(rounds[cap]):>7}{r.due:>9,}{r.prompted:>10,}{r.reminders_sent:>10}{r.went_stale:>7}"
              f"{r.select_seconds:>10.2f}{r.run_seconds:>8.2f}{r.commit_seconds:>10.2f}"
              f"{r.seconds:>9.2f}")
    if first is not None:
        print(f"cap {args.caps[0]}: {first.seconds:.2f} s for {first.prompted:,} prompts "
              f"(target under {TARGET_SECONDS:.0f} s): {verdict}")
    else:
        print(f"cap {args.caps[0]}: no run finished: {verdict}")
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    now = datetime.now(UTC)
    record = {
        "benchmark": "freshness", "at": now.isoformat(timespec="seconds"),
        "command": command_line(args, url), "database": backend,
        "settings": {"contacts": args.contacts, "schools": args.schools,
                     "rounds": args.rounds, "long_round_seconds": args.long_round,
                     "caps": args.caps, "now": NOW.isoformat(),
                     "languages": list(LANGUAGES)},
        "machine": machine(load),
        "medians": {str(cap): {**r.__dict__, "seconds": round(r.seconds, 3)}
                    for cap, r in medians.items()},
        "rounds_seconds": {str(cap): [round(r.seconds, 3) for r in runs]
                           for cap, runs in rounds.items()},
        "target_seconds": TARGET_SECONDS, "passed": passed, "problems": problems,
    }
    return finish("freshness", record, now, passed=passed, problems=problems)


if __name__ == "__main__":
    sys.exit(main())
