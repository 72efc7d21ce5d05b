"""Sender pacing: the rate the sender achieves against the rate it is configured for.

Queues N one-segment messages from one sender number in a fresh SQLite database, runs the
real sender (`Worker(app).sender.run_once` in a loop, Twilio mode) against the local fake
Twilio server from tests/fake_twilio.py until the outbox is empty, and measures from the
times the server received each request:

- the achieved rate, segments/s from the first send to the last, against the configured
  `sending.segments_per_second` (the pacer allows an idle sender one second's worth at
  once, so the whole-run rate is a little above the configured one; the rate after that
  burst is printed too, and the busiest one-second window);
- duplicates: a message (its StatusCallback `?m=<id>`) POSTed more than once.

Prints achieved/configured and PASS/FAIL against at least 98% with no duplicate; writes
bench/results/sender-<timestamp>.json.

    .venv/bin/python bench/sender.py [--rate 50] [--messages 1000]

Exit status: 0 PASS, 1 too slow or a duplicate, 2 a message was never sent or failed.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.common import finish, machine  # noqa: E402
from bot import create_app, migrations  # noqa: E402
from bot.broadcasts.segments import count_segments  # noqa: E402
from bot.db import Database, utcnow  # noqa: E402
from bot.models import Message, OutboxItem  # noqa: E402
from bot.models.outbox import PRIORITY_BULK  # noqa: E402
from bot.worker import Worker  # noqa: E402
from tests.fake_twilio import FakeTwilio  # noqa: E402

TARGET = 0.98
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://puente.bench.invalid"
SENDER_NUMBER = "+16175550100"
BODY = "Reminder: parent-teacher conferences are Thursday from 3 to 7 pm. Reply with questions."
AREA_CODES = ("508", "781", "857", "978", "339", "413", "774", "351")
RUN_DEADLINE = 600.0  # stop sending after this long, whatever the rate


class _StampedRequests(list):  # type: ignore[type-arg]
    """FakeTwilio's request log, with the monotonic time each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: Any) -> None:
        # FakeTwilio appends under its lock, so times and requests stay paired.
        self.times.append(time.monotonic())
        super().append(item)


class TimedFakeTwilio(FakeTwilio):
    """The tests' fake Twilio, recording when each request arrived."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__(account_sid=account_sid, auth_token=auth_token)
        self.requests = _StampedRequests()


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    load = os.getloadavg()[0]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp, \
            TimedFakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrations.upgrade(url)
        app = create_app({
            "app": {"sandbox": False, "secret_key": "bench-secret-key-not-for-production",
                    "public_base_url": PUBLIC_BASE_URL, "log_level": "WARNING"},
            "database": {"url": url},
            "twilio": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                       "api_base_url": fake.base_url, "sms_number": SENDER_NUMBER},
            "sending": {"segments_per_second": args.rate, "embedded_worker": False}})
        db: Database = app.extensions["puente.db"]
        ids = _queue(db, args.messages)
        sender = Worker(app, name="bench-sender").sender
        print(f"{args.messages} one-segment messages from {SENDER_NUMBER}; "
              f"{args.rate:g} segments/s configured, batches of {sender.batch_limit}")
        start = time.perf_counter()
        deadline = time.monotonic() + RUN_DEADLINE
        while _unsent(db) and time.monotonic() < deadline:
            if not sender.run_once():
                time.sleep(0.05)  # only rows not yet due: wait for them
        seconds = time.perf_counter() - start
        states = _states(db)
        db.engine.dispose()
        times = list(fake.requests.times)
        sent = [_message_id(r.form) for r in fake.requests]
    return _report(args, ids, sent, times, seconds, states, load, sender.batch_limit)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0,
                        help="sending.segments_per_second to configure")
    parser.add_argument("--messages", type=int, default=1000, help="messages to queue")
    args = parser.parse_args(argv)
    if args.rate <= 0:
        parser.error("--rate must be positive (0 turns pacing off)")
    if not 2 <= args.messages <= 10_000 * len(AREA_CODES):
        parser.error(f"--messages must be between 2 and {10_000 * len(AREA_CODES)}")
    return args


def _queue(db: Database, count: int) -> list[int]:
    """Queue `count` one-segment messages to distinct numbers, as a broadcast does."""
    assert count_segments(BODY).segments == 1
    now = utcnow()
    with db.unit_of_work() as session:
        conn = session.connection()
        ids = conn.execute(
            insert(Message).returning(Message.id, sort_by_parameter_order=True),
            [{"direction": "out", "kind": "chat", "channel": "sms",
              "from_address": SENDER_NUMBER, "to_address": _phone(i), "body": BODY,
              "language": "en", "media": [], "status": "pending", "segments": 1,
              "created_at": now, "updated_at": now}
             for i in range(count)]).scalars().all()
        conn.execute(insert(OutboxItem), [
            {"message_id": i, "priority": PRIORITY_BULK, "state": "pending", "not_before": now,
             "attempts": 0, "created_at": now} for i in ids])
    return list(ids)


def _phone(i: int) -> str:
    return f"+1{AREA_CODES[i // 10_000]}555{i % 10_000:04d}"


def _unsent(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxItem)
                              .where(OutboxItem.state.in_(("pending", "sending")))) or 0


def _states(db: Database) -> dict[str, int]:
    with db.sessions() as session:
        rows = session.execute(select(OutboxItem.state, func.count())
                               .group_by(OutboxItem.state)).all()
    return {state: count for state, count in rows}


def _message_id(form: Any) -> int | None:
    """Our message id, from the StatusCallback URL the sender gave Twilio."""
    values = parse_qs(urlsplit(form.get("StatusCallback", "")).query).get("m")
    return int(values[0]) if values else None


def _busiest_second(times: list[float]) -> int:
    """The most sends in any one-second window."""
    return max(bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times))


def _report(args: argparse.Namespace, ids: list[int], sent: list[int | None],
            times: list[float], seconds: float, states: dict[str, int], load: float,
            batch_limit: int) -> int:
    counts = Counter(sent)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(set(ids) - set(counts))
    problems = []
    if missing:
        problems.append(f"{missing} messages were never sent")
    if None in counts:
        problems.append(f"{counts[None]} requests had no StatusCallback message id")
    if states.get("done", 0) != len(ids):
        problems.append(f"outbox states at the end: {states}")
    times = sorted(times)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else float("inf")
    burst = int(args.rate) + 1  # what the pacer lets an idle sender send at once
    steady_span = times[-1] - times[burst] if len(times) > burst + 1 else 0.0
    steady = (len(times) - 1 - burst) / steady_span if steady_span else float("nan")
    ratio = achieved / args.rate
    passed = ratio >= TARGET and duplicates == 0 and not problems
    verdict = "INVALID" if problems else "PASS" if passed else "FAIL"
    print(f"\n{os.cpu_count()} CPUs, load before the run {load:.1f}")
    print(f"sent {len(sent)} requests for {len(ids)} messages in {seconds:.1f} s "
          f"(first to last request {span:.2f} s)")
    print(f"achieved {achieved:.2f} segments/s, configured {args.rate:g}: "
          f"{ratio:.1%} (target {TARGET:.0%})")
    print(f"after the first second's burst: {steady:.2f} segments/s; busiest one-second "
          f"window: {_busiest_second(times)} segments")
    print(f"duplicates: {duplicates}; {verdict}")
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    now = datetime.now(UTC)
    record = {
        "benchmark": "sender", "at": now.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "settings": {"rate": args.rate, "messages": args.messages, "batch_limit": batch_limit,
                     "database": "sqlite", "provider": "twilio (tests/fake_twilio.py)"},
        "machine": machine(load),
        "requests": len(sent), "seconds": round(seconds, 3),
        "first_to_last_seconds": round(span, 3),
        "achieved_segments_per_second": round(achieved, 3),
        "steady_segments_per_second": round(steady, 3),
        "busiest_second": _busiest_second(times), "duplicates": duplicates,
        "ratio": round(ratio, 4), "target": TARGET, "passed": passed, "problems": problems,
    }
    return finish("sender", record, now, passed=passed, problems=problems)


if __name__ == "__main__":
    sys.exit(main())
