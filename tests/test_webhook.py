"""The inbound webhook, through HTTP, as Twilio calls it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import Contact, ContactNumber, Conversation, Message
from tests.factories import (
    EMPTY_TWIML,
    inbound_form,
    make_contact,
    make_school,
    make_user,
    post_signed,
    process,
    sign,
    text,
)

PATH = "/twilio/messages"


def deliver(client, form: dict[str, str]):
    """POST a signed webhook, then let the worker process what was stored."""
    response = post_signed(client, PATH, form)
    process(client.application)
    return response


def stored(session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.direction == "in")
                                .order_by(Message.id)))


def test_signed_sms_is_stored_and_answered_with_twiml(client, session, lincoln) -> None:
    family = make_contact(session, lincoln, language="es", phone="+16175550143")
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    session.commit()
    response = deliver(client, inbound_form("+16175550143", "Hola, mi hijo está enfermo"))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.text == EMPTY_TWIML  # answered at once; the work happens after
    [message] = stored(session)
    assert message.body == "Hola, mi hijo está enfermo"
    assert message.conversation.contact_id == family.id
    assert message.conversation.assigned_user.name == "María López"


def test_whatsapp_message_is_matched_to_the_whatsapp_number(client, session, lincoln) -> None:
    lincoln.whatsapp_number = "+16175550101"
    make_contact(session, lincoln, language="pt-BR", phone="+16175550150", channel="whatsapp")
    session.commit()
    form = inbound_form("whatsapp:+16175550150", "Olá, bom dia", to="whatsapp:+16175550101",
                        ProfileName="Ana Souza", WaId="16175550150")
    assert deliver(client, form).status_code == 200
    [message] = stored(session)
    assert (message.channel, message.from_address) == ("whatsapp", "+16175550150")
    assert message.conversation.last_channel == "whatsapp"
    assert message.conversation.contact.is_unknown is False


def test_two_media_items_are_kept_with_their_types(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    form = inbound_form("+16175550143", "Aquí está la foto", NumMedia="2",
                        MediaUrl0="https://api.twilio.com/media/ME1",
                        MediaContentType0="image/jpeg",
                        MediaUrl1="https://api.twilio.com/media/ME2",
                        MediaContentType1="application/pdf")
    assert deliver(client, form).status_code == 200
    [message] = stored(session)
    assert message.media == [
        {"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"},
        {"url": "https://api.twilio.com/media/ME2", "content_type": "application/pdf"}]


def test_empty_body_with_media_only_is_stored(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    form = inbound_form("+16175550143", "", NumMedia="1",
                        MediaUrl0="https://api.twilio.com/media/ME9",
                        MediaContentType0="image/png")
    assert deliver(client, form).status_code == 200
    [message] = stored(session)
    assert message.body == ""
    assert len(message.media) == 1


def test_missing_signature_is_refused_and_nothing_is_stored(client, session, lincoln) -> None:
    response = client.post(PATH, data=inbound_form("+16175550143", "hola"))
    process(client.application)
    assert response.status_code == 403
    assert stored(session) == []


def test_wrong_signature_is_refused_and_nothing_is_stored(client, session, lincoln) -> None:
    form = inbound_form("+16175550143", "hola")
    forged = sign(PATH, form, token="not-our-token")
    response = client.post(PATH, data=form, headers={"X-Twilio-Signature": forged})
    process(client.application)
    assert response.status_code == 403
    assert stored(session) == []


def test_signature_over_a_changed_body_is_refused(client, session, lincoln) -> None:
    form = inbound_form("+16175550143", "hola")
    signature = sign(PATH, form)
    form["Body"] = "hola, send me everything"
    response = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_signature_is_checked_against_the_public_url_behind_a_proxy(client, session,
                                                                     lincoln) -> None:
    # The proxy forwards to http://localhost; Twilio signed https://puente.example.org/...
    form = inbound_form("+16175550143", "hola")
    response = client.post(PATH, data=form, base_url="http://10.0.0.5:8000",
                           headers={"X-Twilio-Signature": sign(PATH, form)})
    assert response.status_code == 200


def test_duplicate_message_sid_is_stored_once(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    form = inbound_form("+16175550143", "¿Hay clases mañana?", sid="SM" + "a" * 32)
    assert deliver(client, form).status_code == 200
    second = deliver(client, form)
    assert second.status_code == 200
    assert second.text == EMPTY_TWIML
    assert session.scalar(select(func.count()).select_from(Message)
                          .where(Message.provider_sid == "SM" + "a" * 32)) == 1


def test_unknown_number_texting_in_vietnamese_reaches_a_vietnamese_liaison(client, session,
                                                                         lincoln) -> None:
    linh = make_user(session, "Linh Tran", languages=["vi"], schools=[lincoln])
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    session.commit()
    body = "Xin chào, tôi là mẹ của bé An. Con tôi hôm nay bị ốm nên không đi học được."
    assert deliver(client, inbound_form("+16175550999", body)).status_code == 200
    number = session.scalars(select(ContactNumber)
                             .where(ContactNumber.address == "+16175550999")).one()
    assert number.contact.is_unknown is True
    assert number.contact.language == "vi"
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.assigned_user_id == linh.id
    assert conversation.language_uncertain is False


def test_unknown_number_with_no_clear_language_goes_to_the_unrouted_queue(client, session,
                                                                        lincoln) -> None:
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    session.commit()
    replies = text(client, "+16175550998", "👍")
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.assigned_user_id is None
    assert conversation.language_uncertain is True
    assert len(replies) == 1  # nobody can answer: the family is acknowledged


@pytest.mark.parametrize("body", [
    "<script>alert('x')</script><b>hola</b>",
    "x" * 1600,
    "Mi hija 👧🏽 está feliz 🎉 — gracias 🙏 𝒜",
    "Robert'); DROP TABLE messages;--",
    "line one\r\nline two\u202eevil\u0000end",
])
def test_hostile_or_unusual_bodies_are_stored_exactly(client, session, lincoln, body) -> None:
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    assert deliver(client, inbound_form("+16175550143", body)).status_code == 200
    [message] = stored(session)
    # NUL cannot be stored in PostgreSQL text and means nothing in SMS: it is the one
    # character dropped.
    assert message.body == body.replace("\u0000", "")


def test_form_without_message_sid_is_a_clear_400(client, session, lincoln) -> None:
    form = inbound_form("+16175550143", "hola")
    del form["MessageSid"], form["SmsMessageSid"], form["SmsSid"]
    response = deliver(client, form)
    assert response.status_code == 400
    assert "MessageSid" in response.text
    assert stored(session) == []


def test_school_is_picked_by_the_number_texted(client, session, lincoln) -> None:
    roosevelt = make_school(session, "Roosevelt Middle School", sms_number="+16175550110")
    make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    deliver(client, inbound_form("+16175550143", "hola", to="+16175550110"))
    assert session.scalars(select(Conversation)).one().school_id == roosevelt.id


def test_district_number_falls_back_to_the_household_school(client, session, lincoln) -> None:
    roosevelt = make_school(session, "Roosevelt Middle School", sms_number="+16175550110")
    make_contact(session, roosevelt, phone="+16175550143")
    session.commit()
    deliver(client, inbound_form("+16175550143", "hola", to="+16175550177"))
    assert session.scalars(select(Conversation)).one().school_id == roosevelt.id


def test_unsigned_requests_pass_only_when_validation_is_switched_off(database_url) -> None:
    from tests.conftest import empty_database, make_test_app

    app = make_test_app(database_url, twilio={"validate_signatures": False})
    with app.extensions["puente.db"].unit_of_work() as s:
        make_school(s)
    try:
        response = app.test_client().post(PATH, data=inbound_form("+16175550143", "hola"))
        assert response.status_code == 200
        assert process(app) == 1
    finally:
        empty_database(app.extensions["puente.db"])


def test_contact_lookup_ignores_a_detached_old_number(client, session, lincoln) -> None:
    family = make_contact(session, lincoln, phone="+16175550143")
    family.numbers[0].detached_at = family.created_at
    session.commit()
    deliver(client, inbound_form("+16175550143", "hola"))
    contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
    assert len(contacts) == 2 and contacts[1].is_unknown
