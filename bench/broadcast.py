"""Broadcast enqueue throughput: `start_broadcast` against a raw Core executemany of its rows.

Builds a fresh database with N households (one student, one guardian with one SMS number
each, guardians' languages spread over English, Spanish, Brazilian Portuguese, Vietnamese
and Simplified Chinese), a broadcast approved in those five languages, then times, in
alternating rounds:

- **real**: `start_broadcast` in one unit of work: expand the audience, choose each
  family's variant, render, apply sending hours, insert every message and outbox row,
  commit;
- **raw**: the same message and outbox rows, built in advance with their ids, inserted
  with SQLAlchemy Core `executemany` into scratch copies of the two tables (same columns,
  indexes, constraints and foreign keys) and committed: the most this machine can insert.

Prints both rates in rows/s (a message row and an outbox row per family), their ratio and
PASS/FAIL against the target; writes bench/results/broadcast-<timestamp>.json.

    .venv/bin/python bench/broadcast.py [--families 50000] [--rounds 3]
                                        [--database sqlite|URL]

Exit status: 0 PASS, 1 below the target, 2 the real run queued the wrong number of rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import (  # noqa: E402
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    MetaData,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import command_line, database_url, finish, fresh_database, machine  # noqa: E402
from bot.broadcasts.audience import select_recipients  # noqa: E402
from bot.broadcasts.segments import count_segments  # noqa: E402
from bot.broadcasts.send import start_broadcast  # noqa: E402
from bot.broadcasts.service import create_broadcast, save_variant  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.db import NAMING, Database  # noqa: E402
from bot.models import (  # noqa: E402
    Broadcast,
    Contact,
    ContactNumber,
    Household,
    Message,
    OutboxItem,
    School,
    Student,
    User,
    UserLanguage,
)
from bot.models.outbox import PRIORITY_BULK  # noqa: E402

TARGET = 0.40
# 10:00 in Boston on a school day: every family is inside its sending hours, so each run
# does the same work (the hours are still computed for every family).
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
SCHOOL_NUMBER = "+14155550100"  # outside the families' ranges
# Ten thousand fictional-exchange numbers per Massachusetts area code, all valid numbers.
AREA_CODES = ("617", "508", "781", "857", "978", "339", "413", "774", "351")
MAX_FAMILIES = 10_000 * len(AREA_CODES)
TEXTS = {
    "en": "Lincoln Elementary is closed tomorrow, Tuesday, because of the snow storm. "
          "Stay safe!",
    "es": "La escuela Lincoln estará cerrada mañana martes por la tormenta de nieve. "
          "¡Cuídense!",
    "pt-BR": "A escola Lincoln estará fechada amanhã, terça-feira, por causa da tempestade "
             "de neve.",
    "vi": "Trường Lincoln sẽ đóng cửa ngày mai, thứ Ba, vì bão tuyết. Hãy giữ an toàn!",
    "zh-Hans": "由于暴风雪，林肯小学明天（星期二）停课。请注意安全！",
}
LANGUAGES = tuple(TEXTS)
SCRATCH_MESSAGES, SCRATCH_OUTBOX = "bench_messages", "bench_outbox"


@dataclass
class Round:
    run: str
    rows: int
    seconds: float
    rows_per_second: float


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    load = os.getloadavg()[0]  # before we add any: other work competing for the CPUs
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp:
        url = database_url(args.database, Path(tmp))
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        config = load_config(environ={}, overrides={
            "database": {"url": url}, "twilio": {"sms_number": SCHOOL_NUMBER},
            "sending": {"embedded_worker": False}})
        db = fresh_database(url)
        try:
            start = time.perf_counter()
            _populate(db, args.families)
            broadcast_id = _compose(db)
            scratch = _scratch_tables(db)
            raw_rows = _raw_rows(db, broadcast_id)
            print(f"setup: {args.families} families, broadcast in {len(LANGUAGES)} languages "
                  f"({time.perf_counter() - start:.1f} s)")
            rounds: dict[str, list[Round]] = {"real": [], "raw": []}
            problems: list[str] = []
            for round_no in range(args.rounds):
                order = ("real", "raw") if round_no % 2 == 0 else ("raw", "real")
                for name in order:
                    if name == "real":
                        result, queued, stored = _time_real(db, config, broadcast_id)
                        if not queued == stored == args.families:
                            problems.append(f"round {round_no + 1}: queued {queued} messages "
                                            f"({stored} outbox rows) for {args.families} "
                                            "families")
                    else:
                        result = _time_raw(db, scratch, raw_rows)
                    rounds[name].append(result)
                    print(f"round {round_no + 1}: {name} {result.seconds:.2f} s, "
                          f"{result.rows_per_second:,.0f} rows/s")
            expand = _time_expand(db)
        finally:
            db.engine.dispose()
    return _report(args, url, rounds, expand, problems, load)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000,
                        help=f"households, one guardian each (at most {MAX_FAMILIES})")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating rounds of each run; the median is reported")
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh file in a temp dir) or a PostgreSQL URL, "
                             "whose public schema is dropped and recreated")
    args = parser.parse_args(argv)
    if not 1 <= args.families <= MAX_FAMILIES:
        parser.error(f"--families must be between 1 and {MAX_FAMILIES}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def _populate(db: Database, families: int) -> None:
    """One school, N households with a student and a guardian each, with Core executemany."""
    now = datetime.now(UTC)
    with db.unit_of_work() as session:
        school = School(name="Lincoln Elementary", timezone="America/New_York", country="US",
                        sms_number=SCHOOL_NUMBER)
        session.add(school)
        session.flush()
        conn = session.connection()
        households = conn.execute(
            insert(Household).returning(Household.id, sort_by_parameter_order=True),
            [{"external_id": f"H{i:06d}", "school_id": school.id, "created_at": now}
             for i in range(families)]).scalars().all()
        conn.execute(insert(Student), [
            {"household_id": h, "school_id": school.id, "name": f"Student {i:06d}",
             "grade": str(i % 6 + 1)} for i, h in enumerate(households)])
        contacts = conn.execute(
            insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
            [{"household_id": h, "name": f"Guardian {i:06d}", "relationship_label": "parent",
              "language": LANGUAGES[i % len(LANGUAGES)], "other_languages": [],
              "status": "active", "is_unknown": False, "prepaid": False,
              "created_at": now, "updated_at": now} for i, h in enumerate(households)]
        ).scalars().all()
        conn.execute(insert(ContactNumber), [
            {"contact_id": c, "address": _phone(i), "channel": "sms", "priority": 0,
             "consecutive_failures": 0, "created_at": now} for i, c in enumerate(contacts)])
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would after a roster import


def _phone(i: int) -> str:
    return f"+1{AREA_CODES[i // 10_000]}555{i % 10_000:04d}"


def _compose(db: Database) -> int:
    """A staff member writes in English; a liaison per language translates and approves."""
    with db.unit_of_work() as session:
        staff = _user(session, "Dana Staff", "staff", ["en"])
        broadcast = create_broadcast(session, author=staff, title="Snow day", audience={},
                                     timezone="America/New_York", now=NOW, text=TEXTS["en"])
        for language in LANGUAGES[1:]:
            liaison = _user(session, f"Liaison {language}", "liaison", [language])
            save_variant(session, broadcast, language, TEXTS[language], liaison, NOW,
                         approve=True)
        approved = sorted(v.language for v in broadcast.variants if v.approved)
        assert approved == sorted(LANGUAGES), approved
        return broadcast.id


def _user(session: Any, name: str, role: str, languages: list[str]) -> User:
    user = User(email=f"{name.split()[-1].lower()}@bench.invalid", name=name, role=role,
                password_hash="!")  # cannot log in
    user.language_rows = [UserLanguage(language=lang, position=i)
                          for i, lang in enumerate(languages)]
    session.add(user)
    session.flush()
    return user


def _scratch_tables(db: Database) -> tuple[Table, Table]:
    """Create empty copies of messages and outbox, with their indexes and constraints."""
    metadata = MetaData(naming_convention=NAMING)
    messages = _copy(Message.__table__, SCRATCH_MESSAGES, metadata, {})
    outbox = _copy(OutboxItem.__table__, SCRATCH_OUTBOX, metadata, {"messages": messages})
    with db.engine.begin() as conn:
        metadata.drop_all(conn)
        metadata.create_all(conn)
    return messages, outbox


def _copy(source: Table, name: str, metadata: MetaData, renamed: dict[str, Table]) -> Table:
    columns = []
    for column in source.columns:
        keys = [ForeignKey(renamed.get(fk.column.table.name, fk.column.table).c[fk.column.name],
                           ondelete=fk.ondelete) for fk in column.foreign_keys]
        columns.append(Column(column.name, column.type, *keys, primary_key=column.primary_key,
                              nullable=column.nullable, unique=column.unique,
                              index=column.index, server_default=column.server_default))
    extras: list[Any] = [CheckConstraint(c.sqltext, name=c.name) for c in source.constraints
                         if isinstance(c, CheckConstraint)]
    extras += [Index(f"{index.name}_{name}", *[c.name for c in index.columns])
               for index in source.indexes if len(index.columns) > 1]
    return Table(name, metadata, *columns, *extras)


def _raw_rows(db: Database, broadcast_id: int) -> tuple[list[dict[str, Any]],
                                                     list[dict[str, Any]]]:
    """The message and outbox rows start_broadcast writes, ids included, built ahead."""
    segments = {lang: count_segments(body).segments for lang, body in TEXTS.items()}
    with db.sessions() as session:
        contacts = session.execute(
            select(Contact.id, Contact.language, ContactNumber.address)
            .join(ContactNumber, ContactNumber.contact_id == Contact.id)
            .order_by(Contact.id)).all()
        school_id = session.scalar(select(School.id))
    messages = [{"id": n, "contact_id": contact_id, "school_id": school_id,
                 "broadcast_id": broadcast_id, "direction": "out", "kind": "chat",
                 "channel": "sms", "from_address": SCHOOL_NUMBER, "to_address": address,
                 "body": TEXTS[language], "language": language, "media": [],
                 "status": "pending", "segments": segments[language], "created_at": NOW,
                 "updated_at": NOW}
                for n, (contact_id, language, address) in enumerate(contacts, start=1)]
    outbox = [{"message_id": row["id"], "priority": PRIORITY_BULK, "state": "pending",
               "not_before": NOW, "attempts": 0, "created_at": NOW} for row in messages]
    return messages, outbox


def _time_real(db: Database, config: Config,
               broadcast_id: int) -> tuple[Round, int, int]:
    """Start the broadcast and commit; return the timing, the messages it says it queued
    and the outbox rows committed."""
    _reset_real(db, broadcast_id)
    start = time.perf_counter()
    with db.unit_of_work() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        report = start_broadcast(session, broadcast, config=config, now=NOW)
    seconds = time.perf_counter() - start
    with db.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(OutboxItem)) or 0
    rows = 2 * report.queued
    return Round("real", rows, round(seconds, 3), round(rows / seconds, 1)), report.queued, stored


def _time_raw(db: Database, scratch: tuple[Table, Table],
              rows: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> Round:
    """Insert the prepared rows with plain executemany, and nothing else: the ceiling.

    The ids are given, so no RETURNING is needed to link outbox rows to their messages.
    """
    messages, outbox = scratch
    _empty(db, [outbox, messages])
    start = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(insert(messages), rows[0])
        conn.execute(insert(outbox), rows[1])
    seconds = time.perf_counter() - start
    count = len(rows[0]) + len(rows[1])
    return Round("raw", count, round(seconds, 3), round(count / seconds, 1))


def _reset_real(db: Database, broadcast_id: int) -> None:
    """Forget an earlier round: no messages, the broadcast back to a draft."""
    _empty(db, [OutboxItem.__table__, Message.__table__])
    with db.engine.begin() as conn:
        conn.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                     .values(status="draft", started_at=None, recipients=0))


def _empty(db: Database, tables: list[Table]) -> None:
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def _time_expand(db: Database) -> float:
    """Time the audience expansion on its own, to split the real run's time."""
    with db.sessions() as session:
        start = time.perf_counter()
        recipients = select_recipients(session, {})
        seconds = time.perf_counter() - start
        session.rollback()
    print(f"audience expansion alone: {len(recipients)} recipients in {seconds:.2f} s")
    return round(seconds, 3)


def _median(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda r: r.rows_per_second)[len(rounds) // 2]


def _report(args: argparse.Namespace, url: str, rounds: dict[str, list[Round]],
            expand_seconds: float, problems: list[str], load: float) -> int:
    real, raw = _median(rounds["real"]), _median(rounds["raw"])
    ratio = real.rows_per_second / raw.rows_per_second
    passed = ratio >= TARGET and not problems
    verdict = "INVALID" if problems else "PASS" if passed else "FAIL"
    print(f"\n{args.families} families, {len(LANGUAGES)} languages, "
          f"{make_url(url).get_backend_name()}; {os.cpu_count()} CPUs, load before the run "
          f"{load:.1f}; median of {args.rounds} round(s)")
    print(f"{'run':<6}{'rows':>10}{'seconds':>10}{'rows/s':>12}{'families/s':>12}")
    for r in (real, raw):
        print(f"{r.run:<6}{r.rows:>10}{r.seconds:>10.2f}{r.rows_per_second:>12,.0f}"
              f"{r.rows_per_second / 2:>12,.0f}")
    spread = {name: [r.rows_per_second for r in runs] for name, runs in rounds.items()}
    print(f"start_broadcast / raw executemany: {ratio:.1%} (target {TARGET:.0%}): {verdict}")
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    now = datetime.now(UTC)
    record = {
        "benchmark": "broadcast", "at": now.isoformat(timespec="seconds"),
        "command": command_line(args, url),
        "database": make_url(url).get_backend_name(),
        "settings": {"families": args.families, "rounds": args.rounds,
                     "languages": list(LANGUAGES), "now": NOW.isoformat()},
        "machine": machine(load),
        "real": real.__dict__, "raw": raw.__dict__,
        "rounds_rows_per_second": spread,
        "real_median_seconds": statistics.median(r.seconds for r in rounds["real"]),
        "expand_seconds": expand_seconds,
        "ratio": round(ratio, 4), "target": TARGET, "passed": passed, "problems": problems,
    }
    return finish("broadcast", record, now, passed=passed, problems=problems)


if __name__ == "__main__":
    sys.exit(main())
