"""The phone simulator: text as a family, see the bot's and the liaison's replies."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import ContactNumber, Message
from bot.worker import Worker
from tests.factories import csrf_token, fresh, login, make_contact, make_school, make_user


@pytest.fixture
def family(session):
    school = make_school(session)
    contact = make_contact(session, school, name="Rosa Pérez", language="es",
                           phone="+16175550143")
    session.commit()
    return contact


def send(client, address: str, body: str, target: str = "sms:+16175550100"):
    return client.post("/sandbox/send", data={"address": address, "body": body,
                                              "target": target,
                                              "csrf_token": csrf_token(client, "/sandbox")})


def phone_messages(client, number_id: int) -> list[dict]:
    return client.get(f"/sandbox/messages.json?number={number_id}").json


def test_simulator_lists_demo_guardians_without_numbers_in_urls(client, family) -> None:
    page = client.get("/sandbox").text
    assert "Rosa Pérez" in page and "+16175550143" in page
    assert f'value="{family.numbers[0].id}"' in page


def test_text_from_the_simulator_goes_through_the_inbound_flow(client, session, family) -> None:
    response = send(client, "617-555-0143", "Hola, ¿hay clases mañana?")
    number_id = family.numbers[0].id
    assert response.status_code == 302
    assert response.location.startswith(f"/sandbox?number={number_id}")
    shown = phone_messages(client, number_id)
    assert shown[0]["direction"] == "in" and shown[0]["body"] == "Hola, ¿hay clases mañana?"
    # Nobody who speaks Spanish is on duty: the acknowledgement shows on the phone, in Spanish.
    assert shown[1]["direction"] == "out" and "Lincoln Elementary" in shown[1]["body"]


def test_liaison_reply_reaches_the_simulated_phone(app, client, session, family) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[family.household.school])
    session.commit()
    send(client, "+16175550143", "Hola")
    login(client, maria)
    client.post("/conversations/1/reply", data={
        "body": "¡Hola! Sí hay clases.", "csrf_token": csrf_token(client, "/conversations/1")})
    Worker(app).run_once()
    last = phone_messages(client, family.numbers[0].id)[-1]
    assert (last["body"], last["status"]) == ("¡Hola! Sí hay clases.", "delivered")


def test_text_from_an_unknown_number_creates_an_unknown_contact(client, session, family) -> None:
    response = send(client, "+1 617 555 0177", "Bonjou, se manman Jak mwen ye")
    fresh(session)
    number = session.scalars(select(ContactNumber)
                             .where(ContactNumber.address == "+16175550177")).one()
    assert number.contact.is_unknown
    assert response.location.startswith(f"/sandbox?number={number.id}")


def test_an_unreadable_number_is_a_clear_error_and_nothing_is_stored(client, session,
                                                                     family) -> None:
    response = send(client, "call me maybe", "hola")
    assert response.status_code == 400
    assert "phone number" in response.text
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_simulator_form_needs_its_csrf_token(client, session, family) -> None:
    response = client.post("/sandbox/send", data={"address": "+16175550143", "body": "hola",
                                                  "target": "sms:+16175550100"})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Message)) == 0
