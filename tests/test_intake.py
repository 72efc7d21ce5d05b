"""Intake: the webhook stores texts as they came; workers process them once, in order."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from bot.conversations.intake import MAX_ATTEMPTS, process_pending
from bot.db import utcnow
from bot.models import Contact, Conversation, InboundEvent, Message
from tests.factories import fresh, inbound_form, make_contact, make_school, post_signed, process


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_text_that_cannot_be_processed_is_kept_with_its_error_and_retried(
        app, client, session) -> None:
    # No school exists yet, so the text cannot be placed in a conversation.
    assert post_signed(client, "/twilio/messages",
                       inbound_form("+16175550143", "¿Hay clases hoy?")).status_code == 200
    process(app)
    fresh(session)
    row = session.scalars(select(InboundEvent)).one()
    assert (row.state, row.attempts) == ("pending", 1)
    assert "no school is configured" in row.last_error
    assert count(session, Message) == 0

    make_school(session)
    session.commit()
    process(app)
    fresh(session)
    row = session.scalars(select(InboundEvent)).one()
    assert (row.state, row.last_error) == ("done", None)
    assert session.get(Message, row.message_id).body == "¿Hay clases hoy?"


def test_a_text_that_keeps_failing_is_marked_failed_not_dropped(app, client, session) -> None:
    post_signed(client, "/twilio/messages", inbound_form("+16175550143", "hola"))
    for _ in range(MAX_ATTEMPTS + 2):
        process(app)
    fresh(session)
    row = session.scalars(select(InboundEvent)).one()
    assert (row.state, row.attempts, row.body) == ("failed", MAX_ATTEMPTS, "hola")


def test_one_failing_text_does_not_hold_back_the_others(app, client, session, lincoln,
                                                         monkeypatch) -> None:
    from bot.conversations import intake

    real = intake.record_inbound

    def flaky(session, inbound, **kwargs):  # type: ignore[no-untyped-def]
        if inbound.body == "boom":
            raise RuntimeError("simulated failure")
        return real(session, inbound, **kwargs)

    monkeypatch.setattr(intake, "record_inbound", flaky)
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    for body in ("first", "boom", "third"):
        post_signed(client, "/twilio/messages", inbound_form("+16175550143", body))
    process(app)
    fresh(session)
    assert session.scalars(select(Message.body).where(Message.direction == "in")
                           .order_by(Message.id)).all() == ["first", "third"]
    states = session.scalars(select(InboundEvent.state).order_by(InboundEvent.id)).all()
    assert states == ["done", "pending", "done"]


def test_first_texts_from_an_unknown_number_open_one_contact_and_one_conversation(
        app, client, session, lincoln) -> None:
    for body in ("Hola", "soy la mamá de Juan", "mi número nuevo"):
        post_signed(client, "/twilio/messages", inbound_form("+16175550177", body))
    process(app)
    fresh(session)
    assert count(session, Contact) == 1
    assert count(session, Conversation) == 1
    assert session.scalars(select(Message.body).where(Message.direction == "in")
                           .order_by(Message.id)).all() == [
        "Hola", "soy la mamá de Juan", "mi número nuevo"]


def test_two_workers_at_once_process_each_text_exactly_once(app, client, session,
                                                             lincoln) -> None:
    for i in range(40):
        post_signed(client, "/twilio/messages",
                    inbound_form(f"+161755502{i % 10:02d}", f"texto {i}"))
    db, config = app.extensions["puente.db"], app.config["PUENTE"]

    def pending() -> int:
        with db.unit_of_work() as s:
            return s.scalar(select(func.count()).select_from(InboundEvent)
                            .where(InboundEvent.state == "pending"))

    def work() -> None:
        # On PostgreSQL a worker that finds the lock taken does nothing and looks again.
        while pending():
            with db.unit_of_work() as s:
                process_pending(s, config=config, now=utcnow(), limit=5)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Message)
                          .where(Message.direction == "in")) == 40
    assert count(session, Conversation) == 10
    assert set(session.scalars(select(InboundEvent.state))) == {"done"}
