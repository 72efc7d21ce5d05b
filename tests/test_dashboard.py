"""The dashboard through HTTP: login, inbox per language, conversation, reply."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import AuditEvent, Message, OutboxItem
from tests.factories import (
    PASSWORD,
    csrf_token,
    fresh,
    login,
    make_contact,
    make_school,
    make_user,
    text,
)


@pytest.fixture
def world(session):
    """A Spanish family whose text reached María; Linh speaks only Vietnamese."""
    school = make_school(session)
    family = make_contact(session, school, name="Rosa Pérez", language="es",
                          other_languages=["en"], phone="+16175550143", student="Juan Pérez")
    maria = make_user(session, "María López", languages=["es"], schools=[school])
    linh = make_user(session, "Linh Tran", languages=["vi"], schools=[school])
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    session.commit()
    return {"school": school, "family": family, "maria": maria, "linh": linh, "staff": staff}


def family_texts(client, body: str = "Hola, Juan está enfermo hoy") -> None:
    text(client, "+16175550143", body)


def test_pages_need_a_login(client, world) -> None:
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_is_refused(client, world) -> None:
    response = client.post("/login", data={"email": world["maria"].email, "password": "nope",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 200
    assert "do not match" in response.text
    assert client.get("/inbox").status_code == 302


def test_login_without_csrf_token_is_refused(client, world) -> None:
    response = client.post("/login", data={"email": world["maria"].email, "password": PASSWORD})
    assert response.status_code == 400


def test_login_does_not_redirect_off_site(client, world) -> None:
    response = client.post("/login?next=https://evil.example/", data={
        "email": world["maria"].email, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/login")})
    assert response.location == "/inbox"


def test_liaison_who_speaks_the_language_sees_the_conversation_with_the_family(
        client, world) -> None:
    family_texts(client)
    login(client, world["maria"])
    inbox = client.get("/inbox").text
    assert "Rosa Pérez" in inbox and "Juan Pérez" in inbox and "Spanish" in inbox
    assert 'aria-label="unread"' in inbox
    page = client.get("/conversations/1").text
    assert "Hola, Juan está enfermo hoy" in page
    assert "Juan Pérez" in page and "grade 3" in page
    assert "Prefers Spanish; also English" in page
    assert "María López speaks Spanish" in page  # why it came to her
    assert 'aria-label="unread"' not in client.get("/inbox").text


def test_liaison_who_does_not_speak_the_language_does_not_see_it(client, world) -> None:
    family_texts(client)
    login(client, world["linh"])
    assert "Rosa Pérez" not in client.get("/inbox").text
    assert "Rosa Pérez" not in client.get("/inbox?view=languages").text
    assert client.get("/conversations/1").status_code == 404


def test_reply_is_queued_with_its_author_and_the_family_channel(client, session, world) -> None:
    family_texts(client)
    login(client, world["maria"])
    response = client.post("/conversations/1/reply", data={
        "body": "Gracias, que se mejore.", "csrf_token": csrf_token(client, "/conversations/1")})
    assert response.status_code == 302
    reply = session.scalars(select(Message).where(Message.direction == "out")).one()
    assert (reply.body, reply.author_id, reply.channel) == (
        "Gracias, que se mejore.", world["maria"].id, "sms")
    assert (reply.to_address, reply.from_address) == ("+16175550143", "+16175550100")
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 1
    assert "Gracias, que se mejore." in client.get("/conversations/1").text


def test_empty_reply_is_refused_and_nothing_is_queued(client, session, world) -> None:
    family_texts(client)
    login(client, world["maria"])
    response = client.post("/conversations/1/reply", data={
        "body": "   ", "csrf_token": csrf_token(client, "/conversations/1")})
    assert response.status_code == 409
    assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0


def test_family_text_is_shown_escaped(client, world) -> None:
    family_texts(client, "<script>alert('x')</script><img src=x onerror=alert(1)>")
    login(client, world["maria"])
    page = client.get("/conversations/1").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_staff_see_the_unrouted_queue(client, world, session) -> None:
    world["maria"].on_duty = False
    session.commit()
    family_texts(client)
    login(client, world["staff"])
    assert "Rosa Pérez" in client.get("/inbox?view=unrouted").text


def test_liaison_can_take_an_unrouted_conversation_in_their_language(client, world,
                                                                     session) -> None:
    world["maria"].on_duty = False
    session.commit()
    family_texts(client)
    login(client, world["maria"])
    assert "Rosa Pérez" in client.get("/inbox?view=languages").text
    client.post("/conversations/1/take",
                data={"csrf_token": csrf_token(client, "/conversations/1")})
    assert "Rosa Pérez" in client.get("/inbox?view=mine").text


def test_going_off_duty_sends_new_conversations_elsewhere(client, world, session) -> None:
    login(client, world["maria"])
    client.post("/duty", data={"on_duty": "0", "csrf_token": csrf_token(client, "/inbox")})
    family_texts(client)
    fresh(session)
    assert session.get(type(world["maria"]), world["maria"].id).on_duty is False
    assert "Rosa Pérez" not in client.get("/inbox?view=mine").text


def test_viewing_a_conversation_is_audited(client, world, session) -> None:
    family_texts(client)
    login(client, world["maria"])
    client.get("/conversations/1")
    viewed = session.scalars(select(AuditEvent)
                             .where(AuditEvent.action == "conversation.viewed")).all()
    assert [(e.actor_id, e.subject_id) for e in viewed] == [(world["maria"].id, 1)]
