"""Status callbacks: signed, matched by our own id, only moving forward."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.conversations.threads import open_conversation
from bot.db import utcnow
from bot.models import ContactNumber, Message, MessageEvent
from tests.factories import fresh, make_contact, make_school, post_signed

PATH = "/twilio/status"


@pytest.fixture
def sent_message(session) -> Message:
    school = make_school(session)
    family = make_contact(session, school, phone="+16175550143")
    conversation = open_conversation(session, family, school, "es", utcnow())
    message = Message(conversation=conversation, direction="out", channel="sms",
                      from_address="+16175550100", to_address="+16175550143", body="Hola",
                      status="pending")
    session.add(message)
    session.commit()
    return message


def callback(client, message_id: int | None, sid: str, status: str, **extra: str):
    path = PATH + (f"?m={message_id}" if message_id else "")
    form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": "AC" + "0" * 31 + "1", "From": "+16175550100", "To": "+16175550143",
            "ApiVersion": "2010-04-01", **extra}
    return post_signed(client, path, form)


def reload(session, message: Message) -> Message:
    fresh(session)
    return session.get(Message, message.id)


def test_delivered_before_sent_keeps_delivered(client, session, sent_message) -> None:
    sid = "SM" + "1" * 32
    assert callback(client, sent_message.id, sid, "delivered").status_code == 204
    assert callback(client, sent_message.id, sid, "sent").status_code == 204
    message = reload(session, sent_message)
    assert message.status == "delivered"
    assert [(e.status, e.applied) for e in message.events] == [("delivered", True),
                                                               ("sent", False)]


def test_callback_matches_by_our_id_before_the_provider_id_is_stored(client, session,
                                                                     sent_message) -> None:
    callback(client, sent_message.id, "SM" + "2" * 32, "sent")
    message = reload(session, sent_message)
    assert (message.status, message.provider_sid) == ("sent", "SM" + "2" * 32)


def test_callback_without_our_id_matches_the_provider_id(client, session, sent_message) -> None:
    sent_message.provider_sid = "SM" + "3" * 32
    session.commit()
    callback(client, None, "SM" + "3" * 32, "delivered")
    assert reload(session, sent_message).status == "delivered"


def test_error_code_is_recorded_with_the_failure(client, session, sent_message) -> None:
    callback(client, sent_message.id, "SM" + "4" * 32, "undelivered", ErrorCode="30003")
    message = reload(session, sent_message)
    assert (message.status, message.error_code) == ("undelivered", 30003)


def test_late_failure_does_not_undo_delivered(client, session, sent_message) -> None:
    callback(client, sent_message.id, "SM" + "5" * 32, "delivered")
    callback(client, sent_message.id, "SM" + "5" * 32, "failed", ErrorCode="30008")
    assert reload(session, sent_message).status == "delivered"


def test_read_after_delivered_moves_forward(client, session, sent_message) -> None:
    callback(client, sent_message.id, "SM" + "6" * 32, "delivered")
    callback(client, sent_message.id, "SM" + "6" * 32, "read", EventType="READ")
    assert reload(session, sent_message).status == "read"


def test_carrier_opt_out_in_a_callback_opts_the_number_out(client, session, sent_message) -> None:
    callback(client, sent_message.id, "SM" + "7" * 32, "failed", ErrorCode="21610")
    fresh(session)
    assert session.scalars(select(ContactNumber)).one().opted_out_at is not None


def test_forged_status_callback_is_refused(client, session, sent_message) -> None:
    response = client.post(f"{PATH}?m={sent_message.id}",
                           data={"MessageSid": "SM" + "8" * 32, "MessageStatus": "delivered"},
                           headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert response.status_code == 403
    assert reload(session, sent_message).status == "pending"
    assert session.scalars(select(MessageEvent)).all() == []


def test_callback_for_an_unknown_message_is_accepted_and_ignored(client, session) -> None:
    assert callback(client, 999, "SM" + "9" * 32, "delivered").status_code == 204
    assert session.scalars(select(MessageEvent)).all() == []


def test_callback_with_a_non_numeric_id_is_a_clear_400(client, session) -> None:
    path = PATH + "?m=abc"
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "sent"}
    assert post_signed(client, path, form).status_code == 400


@pytest.mark.parametrize("code", ["21211", "21614", "30006"])
def test_a_dead_number_is_marked_invalid_and_gets_nothing_more(client, session, sent_message,
                                                               code) -> None:
    callback(client, sent_message.id, "SM" + "a" * 32, "undelivered", ErrorCode=code)
    fresh(session)
    number = session.scalars(select(ContactNumber)).one()
    assert number.invalid_at is not None and code in number.invalid_reason


def test_unreachable_counts_consecutive_failures_and_delivery_resets_them(
        client, session, sent_message) -> None:
    others = []
    for _ in range(3):
        other = Message(conversation_id=sent_message.conversation_id, direction="out",
                        channel="sms", from_address="+16175550100", to_address="+16175550143",
                        body="Hola", status="pending")
        session.add(other)
        others.append(other)
    session.commit()
    for i, message in enumerate(others):
        callback(client, message.id, f"SM{i:032d}", "undelivered", ErrorCode="30003")
        callback(client, message.id, f"SM{i:032d}", "undelivered", ErrorCode="30003")  # twice
    fresh(session)
    assert session.scalars(select(ContactNumber)).one().consecutive_failures == 3
    callback(client, sent_message.id, "SM" + "b" * 32, "delivered")
    fresh(session)
    assert session.scalars(select(ContactNumber)).one().consecutive_failures == 0
