"""Where a liaison's reply goes: the channel the family last used, inside WhatsApp's window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import ContactNumber, Conversation, Message
from tests.factories import (
    csrf_token,
    fresh,
    inbound_form,
    login,
    make_contact,
    make_user,
    post_signed,
    process,
    text,
)


@pytest.fixture
def whatsapp_family(session, lincoln):
    lincoln.whatsapp_number = "+16175550101"
    family = make_contact(session, lincoln, name="Ana Souza", language="pt-BR",
                          phone="+16175550150", channel="whatsapp")
    maria = make_user(session, "María López", languages=["es", "pt"], schools=[lincoln])
    session.commit()
    return family, maria


def whatsapp_text(client, body: str = "Olá, bom dia") -> None:
    form = inbound_form("whatsapp:+16175550150", body, to="whatsapp:+16175550101",
                        ProfileName="Ana Souza", WaId="16175550150")
    assert post_signed(client, "/twilio/messages", form).status_code == 200
    process(client.application)


def reply(client, body: str):
    url = "/conversations/1"
    return client.post(url + "/reply", data={"body": body, "csrf_token": csrf_token(client, url)})


def last_outbound(session) -> Message:
    fresh(session)
    return session.scalars(select(Message).where(Message.direction == "out")
                           .order_by(Message.id.desc())).first()


def age_last_inbound(session, hours: float) -> None:
    fresh(session)
    conversation = session.scalars(select(Conversation)).one()
    conversation.last_inbound_at -= timedelta(hours=hours)
    session.commit()


def test_reply_goes_back_on_whatsapp_inside_the_window(client, session, whatsapp_family) -> None:
    whatsapp_text(client)
    login(client, whatsapp_family[1])
    assert reply(client, "Bom dia, Ana!").status_code == 302
    message = last_outbound(session)
    assert (message.channel, message.to_address, message.from_address) == (
        "whatsapp", "+16175550150", "+16175550101")


def test_after_24_hours_the_reply_falls_back_to_sms(client, session, whatsapp_family) -> None:
    family, maria = whatsapp_family
    fresh(session)
    session.add(ContactNumber(contact_id=family.id, address="+16175550151", channel="sms",
                              priority=1))
    session.commit()
    whatsapp_text(client)
    age_last_inbound(session, 25)
    login(client, maria)
    assert reply(client, "Bom dia, Ana!").status_code == 302
    message = last_outbound(session)
    assert (message.channel, message.to_address) == ("sms", "+16175550151")
    assert "24 hours" in message.events[0].detail


def test_after_24_hours_without_sms_the_reply_is_refused_with_the_reason(client, session,
                                                                         whatsapp_family) -> None:
    whatsapp_text(client)
    age_last_inbound(session, 25)
    login(client, whatsapp_family[1])
    response = reply(client, "Bom dia, Ana!")
    assert response.status_code == 409
    assert "WhatsApp window has closed" in response.text
    assert last_outbound(session) is None


def test_mixtec_family_is_acknowledged_in_its_fallback_language(client, session, lincoln) -> None:
    make_contact(session, lincoln, name="Catalina Santiago", language="mix",
                 other_languages=["es"], fallback="es", phone="+16175550180")
    session.commit()
    [ack] = text(client, "+16175550180", "Buenos días")
    assert "ha recibido su mensaje" in ack  # Spanish: Mixtec has no catalog
    fresh(session)
    assert session.scalars(select(Message).where(Message.kind == "auto")).one().language == "es"


def test_an_over_long_reply_is_refused_and_kept(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    session.commit()
    text(client, "+16175550143", "Hola")
    login(client, maria)
    response = reply(client, "a" * 1601)
    assert response.status_code == 409
    assert "1601 characters" in response.text
