"""Opt-out, opt-in and help keywords on inbound texts, and what they block afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import ContactNumber, Conversation, Message, OutboxItem
from bot.worker import Worker
from tests.factories import (
    auto_replies_after,
    csrf_token,
    fresh,
    inbound_form,
    last_message_id,
    login,
    make_contact,
    make_school,
    make_user,
    post_signed,
    process,
    text,
)


def number(session, phone: str, channel: str = "sms") -> ContactNumber:
    fresh(session)
    return session.scalars(select(ContactNumber).where(ContactNumber.address == phone,
                                                       ContactNumber.channel == channel)).one()


@pytest.mark.parametrize(("language", "keyword", "name"), [
    ("en", "STOP", "Mary Smith"),
    ("es", "Alto", "Rosa Pérez"),
    ("pt-BR", "sair", "Ana Souza"),
    ("zh-Hans", "退订", "Li Wei"),
])
def test_opt_out_keyword_confirms_once_and_blocks_replies(client, session, lincoln, language,
                                                          keyword, name) -> None:
    family = make_contact(session, lincoln, name=name, language=language, phone="+16175550143")
    liaison = make_user(session, "Polyglot", languages=[language], schools=[lincoln])
    session.commit()

    [confirmation] = text(client, "+16175550143", keyword)
    assert "Lincoln Elementary" in confirmation
    assert number(session, "+16175550143").opted_out_at is not None

    # A second STOP gets nothing: an opted-out number receives one confirmation only.
    assert text(client, "+16175550143", keyword) == []

    login(client, liaison)
    conversation = session.scalars(select(Conversation)
                                   .where(Conversation.contact_id == family.id)).one()
    url = f"/conversations/{conversation.id}"
    reply = client.post(url + "/reply", data={"body": "¿Está todo bien?",
                                              "csrf_token": csrf_token(client, url)})
    assert reply.status_code == 409
    assert "opted out" in reply.text and keyword in reply.text
    assert "¿Está todo bien?" in reply.text  # what the liaison typed is kept
    queued = session.scalars(select(Message.kind).join(OutboxItem)).all()
    assert queued == ["opt_out"]  # only the confirmation, nothing from the liaison
    page = client.get(url).text
    assert "Opted out of SMS" in page


def test_opt_out_covers_that_number_and_channel_only(client, session, lincoln) -> None:
    family = make_contact(session, lincoln, phone="+16175550143")
    family.numbers.append(ContactNumber(address="+16175550143", channel="whatsapp", priority=1))
    other = make_contact(session, lincoln, name="Pedro Pérez", household=family.household,
                         phone="+16175550144")
    session.commit()
    text(client, "+16175550143", "STOP")
    assert number(session, "+16175550143", "sms").opted_out_at is not None
    assert number(session, "+16175550143", "whatsapp").opted_out_at is None
    assert number(session, other.numbers[0].address).opted_out_at is None


@pytest.mark.parametrize("body", ["the bus did not stop", "Please cancel my appointment",
                                  "STOP sending the bus at 7", "alto riesgo en la escuela"])
def test_an_ordinary_sentence_containing_a_keyword_is_not_an_opt_out(client, session, lincoln,
                                                                    body) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    text(client, "+16175550143", body)
    assert number(session, "+16175550143").opted_out_at is None


def test_plain_language_request_to_stop_is_flagged_not_acted_on(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    text(client, "+16175550143", "no más mensajes por favor")
    assert number(session, "+16175550143").opted_out_at is None
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.possible_opt_out


def test_start_opts_back_in_and_confirms(client, session, lincoln) -> None:
    make_contact(session, lincoln, language="es", phone="+16175550143")
    session.commit()
    text(client, "+16175550143", "ALTO")
    [confirmation] = text(client, "+16175550143", "START")
    assert "Lincoln Elementary" in confirmation
    assert number(session, "+16175550143").opted_out_at is None


def test_yes_opts_in_an_opted_out_number(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    text(client, "+16175550143", "STOP")
    text(client, "+16175550143", "yes")
    assert number(session, "+16175550143").opted_out_at is None


def test_yes_from_an_opted_in_number_is_an_ordinary_message(client, session, lincoln) -> None:
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    assert text(client, "+16175550143", "YES") == []
    assert number(session, "+16175550143").opted_out_at is None
    assert session.scalars(select(Message).where(Message.body == "YES")).one().direction == "in"


def test_help_names_the_school_and_how_to_reach_a_person_in_their_language(client, session,
                                                                          lincoln) -> None:
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    make_contact(session, lincoln, language="es", phone="+16175550143")
    session.commit()
    [reply] = text(client, "+16175550143", "HELP")
    assert "Lincoln Elementary" in reply
    assert "+1 617-555-0199" in reply
    auto = session.scalars(select(Message).where(Message.kind == "auto")).one()
    assert auto.language == "es"


def test_opted_out_number_gets_no_help_and_no_acknowledgement(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")  # nobody on duty: would be acked
    session.commit()
    text(client, "+16175550143", "STOP")
    assert text(client, "+16175550143", "HELP") == []
    assert text(client, "+16175550143", "hola, ¿hay clases?") == []


def test_the_confirmation_is_the_one_message_sent_to_an_opted_out_number(app, client, session,
                                                                        lincoln) -> None:
    make_contact(session, lincoln, language="es", phone="+16175550143")
    session.commit()
    text(client, "+16175550143", "hola")  # acknowledgement queued, not yet sent
    text(client, "+16175550143", "ALTO")
    while Worker(app).run_once():
        pass
    fresh(session)
    sent = session.scalars(select(Message).where(Message.direction == "out")
                           .order_by(Message.id)).all()
    assert [(m.kind, m.status) for m in sent] == [("auto", "canceled"), ("opt_out", "delivered")]


@pytest.mark.parametrize(("body", "extra", "we_answer"), [
    ("STOP", {}, False),  # Twilio answers its own keywords, and blocks ours after STOP
    ("START", {}, False),
    ("ALTO", {}, True),  # Twilio does not know Spanish keywords: the confirmation is ours
    ("ALTO", {"OptOutType": "STOP"}, False),  # Advanced Opt-Out answered it already
])
def test_with_twilio_we_answer_only_keywords_twilio_did_not(twilio_app, body, extra,
                                                             we_answer) -> None:
    client = twilio_app.test_client()
    with twilio_app.extensions["puente.db"].unit_of_work() as s:
        make_contact(s, make_school(s), language="es", phone="+16175550143")
    if body == "START":
        text(client, "+16175550143", "STOP")
    before = last_message_id(twilio_app)
    post_signed(client, "/twilio/messages", inbound_form("+16175550143", body, **extra))
    process(twilio_app)
    assert bool(auto_replies_after(twilio_app, before)) is we_answer
