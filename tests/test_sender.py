"""The sender against a local server that speaks Twilio's REST API."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.base import SendResult
from bot.conversations.replies import send_reply
from bot.conversations.threads import open_conversation
from bot.db import utcnow
from bot.models import ContactNumber, Message, OutboxItem
from bot.models.outbox import PRIORITY_BULK
from bot.sending.outbox import enqueue
from bot.worker import Worker
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL
from tests.factories import make_contact, make_school, make_user


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def db(twilio_app):
    return twilio_app.extensions["puente.db"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(twilio_app, clock):
    return Worker(twilio_app, name="test-sender", clock=clock).sender


def queue_reply(app, clock, body: str = "Hola, mañana hay clases.", channel: str = "sms") -> int:
    """Store a family's conversation and a liaison's queued reply; return the message id."""
    db = app.extensions["puente.db"]
    with db.unit_of_work() as session:
        school = make_school(session)
        family = make_contact(session, school, phone="+16175550143", channel=channel)
        liaison = make_user(session, "María López", languages=["es"], schools=[school])
        conversation = open_conversation(session, family, school, "es", clock())
        conversation.last_channel, conversation.last_address = channel, "+16175550143"
        conversation.last_inbound_at = clock()
        message = send_reply(session, conversation, liaison, body,
                             config=app.config["PUENTE"], now=clock())
        return message.id


def queue_bulk(app, clock, count: int) -> None:
    """A reply, then count - 1 bulk messages to the same family, all queued."""
    first = queue_reply(app, clock, body="0")
    with app.extensions["puente.db"].unit_of_work() as session:
        conversation_id = session.get(Message, first).conversation_id
        for i in range(1, count):
            message = Message(conversation_id=conversation_id, direction="out", channel="sms",
                              from_address="+16175550100", to_address="+16175550143",
                              body=str(i), status="pending", created_at=clock())
            session.add(message)
            session.flush()
            enqueue(session, message, priority=PRIORITY_BULK, now=clock())


def load(db, message_id: int) -> tuple[Message, OutboxItem]:
    with db.sessions() as session:
        message = session.get(Message, message_id)
        item = session.scalars(select(OutboxItem).where(OutboxItem.message_id == message_id)).one()
        session.expunge_all()
        return message, item


def test_reply_is_sent_with_the_fields_twilio_needs(twilio_app, db, sender, clock,
                                                   twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    assert sender.run_once() == 1
    [request] = twilio_server.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form["To"] == "+16175550143"
    assert request.form["From"] == "+16175550100"
    assert request.form["Body"] == "Hola, mañana hay clases."
    assert request.form["StatusCallback"] == f"{PUBLIC_BASE_URL}/twilio/status?m={message_id}"
    message, item = load(db, message_id)
    assert message.provider_sid.startswith("SM")
    assert message.status == "queued"
    assert item.state == "done"


def test_invalid_number_error_fails_the_message_without_retrying(twilio_app, db, sender, clock,
                                                                twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    twilio_server.fail_next(status=400, code=21211, message="The 'To' number is not valid.")
    sender.run_once()
    clock.advance(hours=2)
    assert sender.run_once() == 0
    message, item = load(db, message_id)
    assert (message.status, message.error_code, item.state) == ("failed", 21211, "failed")
    assert len(twilio_server.requests) == 1


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, None), (503, None)])
def test_retryable_errors_are_retried_after_a_backoff(twilio_app, db, sender, clock,
                                                     twilio_server, status, code) -> None:
    message_id = queue_reply(twilio_app, clock)
    twilio_server.fail_next(status=status, code=code)
    sender.run_once()
    message, item = load(db, message_id)
    assert (message.status, item.state, item.attempts) == ("pending", "pending", 1)
    assert sender.run_once() == 0  # not before the backoff has passed
    clock.advance(seconds=31)
    assert sender.run_once() == 1
    message, item = load(db, message_id)
    assert (message.status, item.state) == ("queued", "done")
    assert len(twilio_server.requests) == 2


def test_a_provider_that_times_out_is_retried_and_finally_marked_failed(
        twilio_app, db, sender, clock, twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    for _ in range(3):
        twilio_server.delay_next(1.5)  # longer than the 1 s client timeout
        assert sender.run_once() == 1
        clock.advance(hours=1)
    message, item = load(db, message_id)
    assert (message.status, item.state, item.attempts) == ("failed", "failed", 3)
    assert "network" in item.last_error


def test_carrier_opt_out_error_opts_the_number_out(twilio_app, db, sender, clock,
                                                   twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    twilio_server.fail_next(status=400, code=21610, message="Attempt to send to unsubscribed")
    sender.run_once()
    with db.sessions() as session:
        number = session.scalars(select(ContactNumber)).one()
        assert number.opted_out_at is not None
    assert load(db, message_id)[0].status == "failed"


def test_a_number_that_opts_out_after_queueing_is_not_sent_to(twilio_app, db, sender, clock,
                                                             twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    with db.unit_of_work() as session:
        session.scalars(select(ContactNumber)).one().opted_out_at = clock()
    sender.run_once()
    assert twilio_server.requests == []
    message, item = load(db, message_id)
    assert (message.status, item.state) == ("canceled", "failed")


def test_replies_go_before_bulk_messages(twilio_app, db, sender, clock, twilio_server) -> None:
    reply_id = queue_reply(twilio_app, clock, body="reply")
    with db.unit_of_work() as session:
        reply = session.get(Message, reply_id)
        bulk = Message(conversation_id=reply.conversation_id, direction="out", channel="sms",
                       from_address="+16175550100", to_address="+16175550143",
                       body="bulk", status="pending", created_at=clock())
        session.add(bulk)
        session.flush()
        item = session.scalars(select(OutboxItem)).one()
        item.not_before = clock()  # same time: priority decides
        enqueue(session, bulk, priority=PRIORITY_BULK, now=clock() - timedelta(minutes=5))
    sender.run_once()
    assert [r.form["Body"] for r in twilio_server.requests] == ["reply", "bulk"]


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_later(twilio_app, db, sender, clock,
                                                                twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    with db.unit_of_work() as session:
        item = session.scalars(select(OutboxItem)).one()
        item.state, item.claimed_at, item.claimed_by = "sending", clock(), "dead-worker"
    assert sender.run_once() == 0
    clock.advance(seconds=301)
    assert sender.run_once() == 1
    assert load(db, message_id)[1].state == "done"


def test_sandbox_provider_delivers_at_once(app, clock) -> None:
    db = app.extensions["puente.db"]
    message_id = queue_reply(app, clock)
    Worker(app, clock=clock).sender.run_once()
    message, item = load(db, message_id)
    assert message.status == "delivered" and message.provider_sid.startswith("SB")


class RecordingProvider:
    """Accepts everything and remembers what it was asked to send, from any thread."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[int] = []
        self._lock = threading.Lock()

    def send(self, message):  # type: ignore[no-untyped-def]
        with self._lock:
            self.sent.append(message.message_id)
        return SendResult(provider_sid=f"SM{message.message_id:032d}", status="queued")


def test_two_senders_side_by_side_never_send_a_row_twice(app, clock) -> None:
    db = app.extensions["puente.db"]
    queue_bulk(app, clock, 120)
    provider = RecordingProvider()
    senders = []
    for name in ("a", "b"):
        sender = Worker(app, name=name, clock=clock).sender
        sender.provider = provider
        sender.config = replace(sender.config, sending=replace(sender.config.sending,
                                                               batch_size=7))
        senders.append(sender)

    def drain(sender) -> None:  # type: ignore[no-untyped-def]
        while sender.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(provider.sent) == sorted(set(provider.sent))
    assert len(provider.sent) == 120
    with db.sessions() as session:
        states = session.scalars(select(OutboxItem.state)).all()
    assert set(states) == {"done"}


def test_a_number_reported_invalid_is_not_sent_to(twilio_app, db, sender, clock,
                                                  twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock)
    with db.unit_of_work() as session:
        session.scalars(select(ContactNumber)).one().invalid_at = clock()
    sender.run_once()
    assert twilio_server.requests == []
    assert load(db, message_id)[0].status == "canceled"


def test_not_on_whatsapp_moves_the_whatsapp_number_below_sms(twilio_app, db, sender, clock,
                                                            twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock, channel="whatsapp")
    with db.unit_of_work() as session:
        whatsapp = session.scalars(select(ContactNumber)).one()
        session.add(ContactNumber(contact_id=whatsapp.contact_id, address="+16175550199",
                                  channel="sms", priority=1))
    twilio_server.fail_next(status=400, code=63003, message="Channel could not find To address")
    sender.run_once()
    with db.sessions() as session:
        numbers = {n.channel: n.priority for n in session.scalars(select(ContactNumber))}
    assert numbers["whatsapp"] > numbers["sms"]
    # …and the same message goes out by SMS at once, saying why.
    sender.run_once()
    message, item = load(db, message_id)
    assert (message.channel, message.to_address, item.state) == ("sms", "+16175550199", "done")
    assert [r.form["To"] for r in twilio_server.requests] == ["whatsapp:+16175550143",
                                                              "+16175550199"]


def test_outside_the_whatsapp_window_the_message_falls_back_to_sms(twilio_app, db, sender,
                                                                  clock, twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock, channel="whatsapp")
    with db.unit_of_work() as session:
        whatsapp = session.scalars(select(ContactNumber)).one()
        session.add(ContactNumber(contact_id=whatsapp.contact_id, address="+16175550199",
                                  channel="sms", priority=1))
    twilio_server.fail_next(status=400, code=63016, message="Outside the allowed window")
    sender.run_once()
    sender.run_once()
    message, _ = load(db, message_id)
    assert (message.channel, message.status) == ("sms", "queued")


def test_without_an_sms_number_a_whatsapp_refusal_fails_the_message(twilio_app, db, sender,
                                                                    clock, twilio_server) -> None:
    message_id = queue_reply(twilio_app, clock, channel="whatsapp")
    twilio_server.fail_next(status=400, code=63016, message="Outside the allowed window")
    sender.run_once()
    message, item = load(db, message_id)
    assert (message.status, message.error_code, item.state) == ("failed", 63016, "failed")


class SlowProvider(RecordingProvider):
    def send(self, message):  # type: ignore[no-untyped-def]
        time.sleep(0.06)
        return super().send(message)


def test_a_slow_batch_hands_back_its_rest_before_another_sender_could_take_it(app,
                                                                             clock) -> None:
    db = app.extensions["puente.db"]
    queue_bulk(app, clock, 6)
    sender = Worker(app, name="slow", clock=clock).sender
    sender.provider = SlowProvider()
    sender.config = replace(sender.config, sending=replace(sender.config.sending,
                                                           stale_claim_seconds=0.2))
    sender.run_once()
    sent_first = len(sender.provider.sent)
    assert 0 < sent_first < 6  # part of the batch went; the rest was handed back
    with db.sessions() as session:
        back = session.scalars(select(OutboxItem).where(OutboxItem.state == "pending")).all()
    assert len(back) == 6 - sent_first
    assert all(item.claimed_by is None and item.attempts == 0 for item in back)
    while sender.run_once():
        pass
    assert sorted(sender.provider.sent) == sorted(set(sender.provider.sent))
    assert len(sender.provider.sent) == 6
