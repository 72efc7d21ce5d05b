"""Crash safety: a sender killed with SIGKILL in the middle of a broadcast, then restarted.

How the one ambiguous window works. The sender claims a batch of outbox rows (state
`sending`, `claimed_at` now) in one transaction, then for each row in turn calls the
provider outside any transaction and records the result in a transaction of its own right
after the call returns. A process killed at any moment therefore leaves:

- rows already recorded: `done`, never sent again;
- rows claimed but not yet handed to the provider: `sending`, not sent; another sender
  claims them again once `sending.stale_claim_seconds` have passed, and sends them once;
- at most one row per sender process whose request had reached the provider when the
  process died, either before the answer came back or before the record committed. That
  row is also left `sending` and is sent again after `stale_claim_seconds`: Twilio accepted
  it once already, so the family gets it twice. Nothing we store can tell these apart from
  the unsent rows (the provider's answer is what we would store), so the window is kept
  to the one request in flight, never a whole batch.

With the default `stale_claim_seconds` (300) the rows a dead sender had claimed wait five
minutes before another sender takes them. The value must stay well above the time a live
sender needs for one batch (about two seconds when paced, longer when the provider is
slow): a sender is not told that its claim went stale, so a value below that would let two
live senders send the same rows. This test runs one sender at a time, so 1 s is safe here.
The same ambiguity arises without a crash when Twilio's answer times out: the provider
calls that retryable (a school notice lost is worse than one received twice).

The test kills the sender while the fake server holds a request unanswered, so the
ambiguous case happens every run rather than by chance: exactly that message must be sent
twice, every other message exactly once, none lost, and every recipient must have exactly
one message row.

2,000 recipients by default keep the test near 15 s on SQLite and 20 s on PostgreSQL;
`PUENTE_CRASH_RECIPIENTS=10000` runs the issue's full size (about 70 s on SQLite).

The sender runs in a child process (`python -c CHILD`) against a file SQLite database,
and also against PostgreSQL when TEST_DATABASE_URL is set. PostgreSQL runs in a schema of
its own (`puente_crash`, through `search_path`), dropped and recreated here: the rest of
the suite's tables in `public` are never touched, and the suite's own reset (which drops
`public`) never touches this one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from werkzeug.wrappers import Response

from bot import migrations
from bot.broadcasts.send import start_broadcast
from bot.broadcasts.service import create_broadcast
from bot.config import load_config
from bot.db import Database, utcnow
from bot.models import (
    Contact,
    ContactNumber,
    Household,
    Message,
    OutboxItem,
    School,
    Student,
    User,
)
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL
from tests.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = int(os.environ.get("PUENTE_CRASH_RECIPIENTS", "2000"))
KILL_AT = 0.4  # share of the broadcast the fake server has received when the kill comes
STALE_CLAIM_SECONDS = 1.0  # safe: the two senders never run at the same time
BATCH_SIZE = 50  # unpaced, so a sender claims sending.batch_size rows at a time
PG_SCHEMA = "puente_crash"
DEADLINE = 120.0  # seconds a sender process may take before the test gives up on it

# The sender as a deployment runs it: its own process, `Worker(app).sender.run_once` until
# nothing is left to send (rows left `sending` by a dead sender count: wait for them).
CHILD = """
import json, sys, time
from sqlalchemy import func, select
from bot import create_app
from bot.models import OutboxItem
from bot.worker import Worker

app = create_app(json.loads(sys.argv[1]))
db = app.extensions["puente.db"]
sender = Worker(app, name="crash-sender").sender
while True:
    if sender.run_once():
        continue
    with db.sessions() as session:
        left = session.scalar(select(func.count()).select_from(OutboxItem)
                              .where(OutboxItem.state.in_(("pending", "sending"))))
    if not left:
        break
    time.sleep(0.1)
"""

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def crash_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of the test's own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.db'}"
        migrations.upgrade(url)
        yield url
        return
    base = os.environ["TEST_DATABASE_URL"]
    _recreate_schema(base, PG_SCHEMA)
    url = make_url(base).update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
    url_text = url.render_as_string(hide_password=False)
    migrations.upgrade(url_text)
    yield url_text
    _recreate_schema(base, PG_SCHEMA, create=False)


def _recreate_schema(url: str, schema: str, *, create: bool = True) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


class HoldingTwilio(FakeTwilio):
    """The fake Twilio, able to keep one accepted request unanswered, as a lost answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._hold_next = False
        self._hold_lock = threading.Lock()
        self._release = threading.Event()
        self.holding = threading.Event()  # set once a request is being held
        self.held: int | None = None  # the held request's message id

    def hold_next(self) -> None:
        """Record the next message as accepted but answer only when the server stops."""
        with self._hold_lock:
            self._hold_next = True

    def _create(self, form: Any) -> Response:
        with self._hold_lock:
            hold, self._hold_next = self._hold_next, False
        if hold:
            self.held = _message_id(form)
            self.holding.set()
            self._release.wait(DEADLINE)
        return super()._create(form)

    def stop(self) -> None:
        self._release.set()
        super().stop()


@pytest.fixture
def fake_twilio() -> Iterator[HoldingTwilio]:
    with HoldingTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as server:
        yield server


def test_a_killed_sender_loses_nothing_and_resends_only_the_message_in_flight(
        crash_url: str, fake_twilio: HoldingTwilio, tmp_path: Path) -> None:
    db = Database(crash_url)
    log = tmp_path / "sender.log"
    overrides = _sender_config(crash_url, fake_twilio.base_url)
    try:
        broadcast_id = _enqueue_broadcast(db, RECIPIENTS)
        with _sender(overrides, log) as first:
            in_flight = _hold_a_request_in_flight(fake_twilio, first,
                                                  int(RECIPIENTS * KILL_AT), log)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        received_at_kill = len(fake_twilio.requests)
        left_sending = _ids(db, OutboxItem.state == "sending")

        with _sender(overrides, log) as second:  # after stale_claim_seconds, it takes them
            try:
                second.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the restarted sender did not finish in {DEADLINE:.0f}s\n"
                            f"{_tail(log)}")
        assert second.returncode == 0, _tail(log)

        posted = Counter(_message_id(r.form) for r in fake_twilio.requests)
        duplicated = {m for m, n in posted.items() if n > 1}
        print(f"\nkilled after {received_at_kill} of {RECIPIENTS} requests; "
              f"{len(left_sending)} rows left 'sending' (the claimed batch); "
              f"sent twice: {len(duplicated)} (the request in flight)")

        messages = _messages(db, broadcast_id)
        # Every recipient has exactly one message row.
        assert len(messages) == RECIPIENTS
        assert len({contact_id for contact_id, *_ in messages}) == RECIPIENTS
        # None lost: every message went to the provider and ended accepted by it.
        assert set(posted) == {message_id for _, message_id, *_ in messages}
        assert {(status, sid is not None) for _, _, status, sid in messages} == \
            {("queued", True)}
        assert _ids(db, OutboxItem.state != "done") == set()
        # None duplicated but the one request in flight when the process died, which was
        # one of the rows the dead sender had claimed.
        assert in_flight in left_sending
        assert duplicated == {in_flight}
        assert posted[in_flight] == 2
        assert len(duplicated) <= BATCH_SIZE  # the documented bound: the claimed batch
    finally:
        db.engine.dispose()


def _enqueue_broadcast(db: Database, families: int) -> int:
    """One school, `families` households with one guardian and one student, a started
    urgent broadcast (due now, whatever the hour): every message and outbox row committed,
    nothing sent."""
    now = utcnow()
    with db.unit_of_work() as session:
        school = School(name="Lincoln Elementary", timezone="America/New_York", country="US",
                        sms_number="+16175550100")
        staff = User(email="staff@example.org", name="Dana Staff", role="staff",
                     password_hash="!")
        session.add_all([school, staff])
        session.flush()
        conn = session.connection()
        households = conn.execute(
            insert(Household).returning(Household.id, sort_by_parameter_order=True),
            [{"external_id": f"H{i:05d}", "school_id": school.id, "created_at": now}
             for i in range(families)]).scalars().all()
        conn.execute(insert(Student), [
            {"household_id": h, "school_id": school.id, "name": f"Student {i:05d}",
             "grade": "3"} for i, h in enumerate(households)])
        contacts = conn.execute(
            insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
            [{"household_id": h, "name": f"Guardian {i:05d}", "relationship_label": "parent",
              "language": "en", "other_languages": [], "status": "active",
              "is_unknown": False, "prepaid": False, "created_at": now, "updated_at": now}
             for i, h in enumerate(households)]).scalars().all()
        conn.execute(insert(ContactNumber), [
            {"contact_id": c, "address": f"+1{('508', '781')[i // 10_000]}555{i % 10_000:04d}",
             "channel": "sms", "priority": 0, "consecutive_failures": 0, "created_at": now}
            for i, c in enumerate(contacts)])
        broadcast = create_broadcast(
            session, author=staff, title="Snow day", audience={}, timezone="America/New_York",
            now=now, urgent=True,
            text="Lincoln Elementary is closed tomorrow because of the snow storm.")
        config = load_config(environ={}, overrides={"database": {"url": db.url}})
        report = start_broadcast(session, broadcast, config=config, now=now)
        assert report.queued == families
        return broadcast.id


def _sender_config(url: str, api_base_url: str) -> dict[str, dict[str, object]]:
    return {
        "app": {"sandbox": False, "secret_key": "crash-test-secret-key-not-for-production",
                "public_base_url": PUBLIC_BASE_URL, "log_level": "WARNING"},
        "database": {"url": url},
        "twilio": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                   "api_base_url": api_base_url, "sms_number": "+16175550100"},
        "sending": {"embedded_worker": False, "segments_per_second": 0.0,
                    "batch_size": BATCH_SIZE, "stale_claim_seconds": STALE_CLAIM_SECONDS},
    }


@contextmanager
def _sender(overrides: dict[str, dict[str, object]], log: Path) -> Iterator[subprocess.Popen]:
    """Run the sender in a child process; kill it if the block ends while it still runs."""
    # Only our settings: none of the caller's BOT_* variables or config file.
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(overrides)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _hold_a_request_in_flight(fake: HoldingTwilio, sender: subprocess.Popen, after: int,
                              log: Path) -> int:
    """Once `after` requests have arrived, hold the next one unanswered; return its message.

    The held request is recorded by the server (Twilio has queued the message) while the
    sender still waits for the answer: a kill now lands in the ambiguous window.
    """
    deadline = time.monotonic() + DEADLINE
    while len(fake.requests) < after:
        if sender.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the sender stopped after {len(fake.requests)} requests "
                        f"(status {sender.returncode})\n{_tail(log)}")
        time.sleep(0.005)
    fake.hold_next()
    assert fake.holding.wait(DEADLINE), "the sender sent nothing more"
    assert fake.held is not None
    return fake.held


def _message_id(form) -> int | None:  # type: ignore[no-untyped-def]
    """Our message id, from the StatusCallback URL the sender gave Twilio."""
    values = parse_qs(urlsplit(form.get("StatusCallback", "")).query).get("m")
    return int(values[0]) if values else None


def _ids(db: Database, condition) -> set[int]:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return set(session.scalars(select(OutboxItem.message_id).where(condition)))


def _messages(db: Database, broadcast_id: int) -> list[tuple[int, int, str, str | None]]:
    with db.sessions() as session:
        rows = session.execute(
            select(Message.contact_id, Message.id, Message.status, Message.provider_sid)
            .where(Message.broadcast_id == broadcast_id)).all()
        assert session.scalar(select(func.count()).select_from(Message)) == len(rows)
    return [tuple(row) for row in rows]


def _tail(log: Path, lines: int = 30) -> str:
    if not log.exists():
        return "(no sender output)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
