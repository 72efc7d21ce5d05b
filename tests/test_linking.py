"""'Who is this?': a text from an unknown number names a family, and a liaison links it."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.freshness.candidates import households_named
from bot.models import (
    Assignment,
    AuditEvent,
    Contact,
    ContactNumber,
    Conversation,
    FollowUp,
    Message,
)
from bot.web import linking
from tests.factories import (
    csrf_token,
    fresh,
    login,
    make_contact,
    make_school,
    make_user,
    text,
)

NOW = datetime(2031, 3, 4, 15, 30, tzinfo=UTC)
NEW_PHONE = "+16175550188"
OLD_PHONE = "+16175550143"
INTRO = "Hola, soy María, la mamá de Juan Pérez, este es mi número nuevo"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Linking happens at NOW."""
    monkeypatch.setattr(linking, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def world(session):
    """Lincoln has the Pérez family and a García family that shares first names; Washington
    has another Juan Pérez. Lucía serves Lincoln, Walt serves Washington; both speak Spanish."""
    lincoln = make_school(session)
    washington = make_school(session, "Washington Middle", sms_number="+16175550200")
    maria = make_contact(session, lincoln, name="María Pérez", language="es",
                         phone=OLD_PHONE, student="Juan Pérez")
    maria.numbers.append(ContactNumber(address="+16175550177", channel="whatsapp", priority=1))
    garcia = make_contact(session, lincoln, name="María García", language="es",
                          phone="+16175550151", student="Juan García")
    elsewhere = make_contact(session, washington, name="María Pérez", language="es",
                             phone="+16175550231", student="Juan Pérez")
    lucia = make_user(session, "Lucía Gómez", languages=["es"], schools=[lincoln])
    walt = make_user(session, "Walt Brown", languages=["es"], schools=[washington])
    session.commit()
    return {"maria": maria, "garcia": garcia, "elsewhere": elsewhere, "lucia": lucia,
            "walt": walt, "lincoln": lincoln}


def unknown_conversation(session) -> Conversation:
    fresh(session)
    return session.scalars(select(Conversation).join(Contact)
                           .where(Contact.is_unknown.is_(True))).one()


def card(page: str) -> str:
    """The 'Who is this?' card of a conversation page."""
    match = re.search(r'<section class="card who-is-this".*?</section>', page, re.S)
    assert match, "no 'Who is this?' card on the page"
    return match.group(0)


def households_in(page: str) -> list[str]:
    return re.findall(r"<strong>Household (\w+)</strong>", card(page))


def link(client, conversation_id: int, guardian_id: int, *, token: bool = True):
    url = f"/conversations/{conversation_id}"
    data = {"guardian_id": str(guardian_id)}
    if token:
        data["csrf_token"] = csrf_token(client, url)
    return client.post(f"{url}/link", data=data)


def test_text_naming_a_student_ranks_that_household_first_with_reasons(
        client, session, world) -> None:
    text(client, NEW_PHONE, INTRO)
    conversation = unknown_conversation(session)
    login(client, world["lucia"])
    page = client.get(f"/conversations/{conversation.id}").text
    perez, garcia = world["maria"].household, world["garcia"].household
    # Only Lincoln's households: Washington's Juan Pérez is not Lucía's to link.
    assert households_in(page) == [perez.external_id, garcia.external_id]
    assert "names the student Juan Pérez; names the guardian María" in card(page)
    assert "names the student Juan; names the guardian María" in card(page)
    assert "Link this number to María Pérez</button>" in card(page)


def test_accents_and_case_are_ignored(client, session, world) -> None:
    text(client, NEW_PHONE, "hola soy maria, la mama de JUAN PEREZ, este es mi numero nuevo")
    login(client, world["lucia"])
    page = client.get(f"/conversations/{unknown_conversation(session).id}").text
    assert households_in(page)[0] == world["maria"].household.external_id
    assert "names the student Juan Pérez" in card(page)


def test_text_naming_nobody_has_no_candidates_and_the_search_finds_the_student(
        client, session, world) -> None:
    text(client, NEW_PHONE, "Hola, buenos días, quién habla?")
    conversation = unknown_conversation(session)
    login(client, world["lucia"])
    page = client.get(f"/conversations/{conversation.id}").text
    assert households_in(page) == []
    assert "The texts name no student or guardian in your schools" in card(page)
    assert "Link this number to" not in page

    found = client.get(f"/conversations/{conversation.id}?find=juan+perez").text
    assert households_in(found) == [world["maria"].household.external_id,
                                     world["garcia"].household.external_id]
    assert "matches the student Juan Pérez" in card(found)
    assert "Link this number to María Pérez</button>" in card(found)
    surname = client.get(f"/conversations/{conversation.id}?find=P%C3%89REZ").text
    assert households_in(surname) == [world["maria"].household.external_id]
    nobody = client.get(f"/conversations/{conversation.id}?find=Zacarías").text
    assert households_in(nobody) == []
    assert "No household in your schools has a student or guardian named" in card(nobody)


def test_linking_moves_the_number_and_the_conversation_and_audits_who_and_how(
        client, session, world) -> None:
    maria, lucia = world["maria"], world["lucia"]
    session.add(FollowUp(household_id=maria.household_id, contact_id=maria.id,
                         reason="no_answer", opened_at=datetime(2031, 2, 1, tzinfo=UTC)))
    session.commit()
    text(client, NEW_PHONE, INTRO)
    conversation = unknown_conversation(session)
    unknown_id = conversation.contact_id
    login(client, lucia)

    response = link(client, conversation.id, maria.id)

    assert response.status_code == 302
    assert response.location == f"/conversations/{conversation.id}"
    fresh(session)
    numbers = {(n.channel, n.address): n for n in session.scalars(
        select(ContactNumber).where(ContactNumber.contact_id == maria.id))}
    new, old = numbers[("sms", NEW_PHONE)], numbers[("sms", OLD_PHONE)]
    whatsapp = numbers[("whatsapp", "+16175550177")]
    assert (new.priority, new.last_confirmed_at, new.detached_at) == (0, NOW, None)
    assert new.last_heard_at is not None
    assert old.detached_at == NOW  # kept, not deleted
    assert old.detached_reason == ("replaced by +1 617-555-0188: family texted from it; "
                                   "linked by Lucía Gómez")
    assert whatsapp.detached_at is None and whatsapp.priority > new.priority
    assert session.get(Contact, unknown_id) is None
    assert session.get(Contact, maria.id).status == "active"

    conversation = session.get(Conversation, conversation.id)
    assert conversation.contact_id == maria.id
    assert {m.contact_id for m in conversation.messages} == {maria.id}
    follow_up = session.scalars(select(FollowUp)).one()
    assert (follow_up.resolved_at, follow_up.resolved_by_id) == (NOW, lucia.id)
    assert "linked" in follow_up.resolution

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "number.linked")).one()
    assert (event.actor, event.actor_id, event.subject_type, event.subject_id, event.at) == (
        "user", lucia.id, "contact", maria.id, NOW)
    assert event.details["channel"] == "sms" and event.details["address"] == NEW_PHONE
    assert event.details["detached"] == [
        {"channel": "sms", "address": OLD_PHONE, "number_id": old.id}]
    assert event.details["verified"] == "family texted from it; linked by Lucía Gómez"

    page = client.get(f"/conversations/{conversation.id}").text
    assert "Who is this?" not in page
    assert f"Household {maria.household.external_id}" in page
    assert "Juan Pérez — grade 3" in page
    assert f"{OLD_PHONE} (sms) — old number, replaced by +1 617-555-0188" in page


def test_a_later_text_from_the_new_number_lands_in_the_family_conversation(
        client, session, world) -> None:
    text(client, NEW_PHONE, INTRO)
    conversation = unknown_conversation(session)
    login(client, world["lucia"])
    link(client, conversation.id, world["maria"].id)

    replies = text(client, NEW_PHONE, "ok 👍")

    assert replies == []  # Lucía is there to answer
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Contact)
                          .where(Contact.is_unknown.is_(True))) == 0
    later = session.scalars(select(Message).where(Message.body == "ok 👍")).one()
    assert (later.conversation_id, later.contact_id) == (conversation.id, world["maria"].id)
    assert later.language == "es"  # the family's language, not a guess from "ok"
    conversation = session.get(Conversation, conversation.id)
    assert (conversation.language, conversation.language_uncertain) == ("es", False)
    assert conversation.assigned_user_id == world["lucia"].id
    last = session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
    assert last.language == "es" and "speaks Spanish" in last.reason


def test_the_familys_open_conversation_from_the_old_number_is_folded_in(
        client, session, world) -> None:
    text(client, OLD_PHONE, "Buenos días, Juan llega tarde hoy")
    text(client, NEW_PHONE, INTRO)
    current = unknown_conversation(session)
    old = session.scalars(select(Conversation).where(
        Conversation.contact_id == world["maria"].id)).one()
    login(client, world["lucia"])

    link(client, current.id, world["maria"].id)

    fresh(session)
    assert session.get(Conversation, old.id).status == "closed"
    merged = session.get(Conversation, current.id)
    assert merged.status == "open"
    assert [m.body for m in merged.messages if m.direction == "in"] == [
        "Buenos días, Juan llega tarde hoy", INTRO]
    assert session.scalar(select(func.count()).select_from(Message)
                          .where(Message.conversation_id == old.id)) == 0


def test_liaison_of_another_school_cannot_link_and_nothing_changes(
        client, session, world) -> None:
    text(client, NEW_PHONE, INTRO)
    conversation = unknown_conversation(session)
    login(client, world["walt"])  # Washington: the Lincoln conversation is not his
    assert client.post(f"/conversations/{conversation.id}/link",
                       data={"guardian_id": world["maria"].id,
                             "csrf_token": csrf_token(client, "/inbox")}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})

    login(client, world["lucia"])  # Lincoln: Washington's María Pérez is not hers
    response = link(client, conversation.id, world["elsewhere"].id)
    assert response.status_code == 403
    assert "not in a school you serve" in response.text

    fresh(session)
    assert unknown_conversation(session).contact.numbers[0].address == NEW_PHONE
    assert [(n.address, n.detached_at) for n in session.get(
        Contact, world["elsewhere"].id).numbers] == [("+16175550231", None)]
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "number.linked")) == 0


def test_linking_a_known_familys_conversation_is_refused_with_a_clear_message(
        client, session, world) -> None:
    text(client, OLD_PHONE, "Hola, Juan está enfermo hoy")
    fresh(session)
    conversation = session.scalars(select(Conversation)).one()
    login(client, world["lucia"])
    assert "Who is this?" not in client.get(f"/conversations/{conversation.id}").text

    response = link(client, conversation.id, world["garcia"].id)

    assert response.status_code == 409
    assert "María Pérez is already a known contact" in response.text
    fresh(session)
    assert session.get(Conversation, conversation.id).contact_id == world["maria"].id
    assert [n.address for n in session.get(Contact, world["garcia"].id).active_numbers] == [
        "+16175550151"]


def test_linking_without_the_csrf_token_is_refused(client, session, world) -> None:
    text(client, NEW_PHONE, INTRO)
    conversation = unknown_conversation(session)
    login(client, world["lucia"])
    assert link(client, conversation.id, world["maria"].id, token=False).status_code == 400
    assert unknown_conversation(session).contact.is_unknown


def test_a_number_the_guardian_had_before_is_attached_again_not_duplicated(
        client, session, world) -> None:
    maria = world["maria"]
    earlier = ContactNumber(address=NEW_PHONE, channel="sms", priority=2,
                            detached_at=datetime(2030, 1, 5, tzinfo=UTC),
                            detached_reason="replaced by +1 617-555-0143")
    maria.numbers.append(earlier)
    session.commit()
    text(client, NEW_PHONE, INTRO)
    conversation = unknown_conversation(session)
    login(client, world["lucia"])

    assert link(client, conversation.id, maria.id).status_code == 302

    fresh(session)
    rows = session.scalars(select(ContactNumber).where(ContactNumber.address == NEW_PHONE)).all()
    assert [(n.id, n.contact_id, n.priority, n.detached_at, n.last_confirmed_at)
            for n in rows] == [(earlier.id, maria.id, 0, None, NOW)]
    old = session.scalars(select(ContactNumber).where(ContactNumber.address == OLD_PHONE)).one()
    assert old.detached_at == NOW


NAMES = [
    # (the roster's name, what the family wrote, the reason, or None for no candidate)
    ("María José Núñez", "soy la mama de maria jose nunez", "names the student María José Núñez"),
    (unicodedata.normalize("NFD", "Sofía Pérez"), "SOFIA PEREZ es mi hija",
     "names the student " + unicodedata.normalize("NFD", "Sofía Pérez")),
    ("Nguyễn Thị Lan", "Tôi là mẹ của NGUYEN THI LAN", "names the student Nguyễn Thị Lan"),
    ("Li Wei Chen", "I am Wei Chen's father", "names the student Li Wei Chen"),
    ("Juan Pérez", "la mamá de Juan", "names the student Juan"),
    ("Ángel Ruiz", "soy el papá de ángel", "names the student Ángel"),
    ("Juan Pérez", "somos los Pérez", None),  # a surname alone is shared by many families
    ("Juanita López", "soy la mamá de juan", None),  # whole words only
]


@pytest.mark.parametrize(("student", "body", "reason"), NAMES)
def test_names_are_found_whatever_their_accents_case_or_form(
        session, student: str, body: str, reason: str | None) -> None:
    school = make_school(session)
    make_contact(session, school, name="Rosa Quispe", student=student)
    session.commit()
    candidates = households_named(session, [body])
    assert [c.reasons[0] for c in candidates] == ([reason] if reason else [])
