"""The liaisons' follow-up list in the dashboard: households nobody can text, shown to the
liaisons who speak their language in their schools, with the other guardians' numbers, the
last successful contact and what was tried; resolved in one action (a number checked in
person, a number verified by code, or the current number confirmed by phone)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.conversations.intake import process_pending
from bot.freshness.followups import mark_stale
from bot.freshness.resolve import ResolveRefused, resolve_follow_up
from bot.freshness.verify import CODE
from bot.models import (
    AuditEvent,
    Contact,
    ContactNumber,
    FollowUp,
    Message,
    NumberCheck,
    NumberVerification,
)
from bot.web import followups
from tests.factories import (
    csrf_token,
    fresh,
    inbound_form,
    login,
    make_contact,
    make_school,
    make_user,
    post_signed,
)

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
ROSA_OLD, ROSA, CARLOS, NEW = "+16175550111", "+16175550143", "+16175550144", "+16175550177"


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The dashboard's clock stands still at NOW."""
    monkeypatch.setattr(followups, "utcnow", lambda: NOW)


@pytest.fixture
def world(session, lincoln):
    """Lincoln: the Pérez household (Spanish; Rosa stopped answering, Carlos still can be
    reached) and the Tran household (Vietnamese); Roosevelt: the Díaz household (Spanish)."""
    roosevelt = make_school(session, name="Roosevelt Middle", sms_number="+16175550200",
                            office_phone=None)
    rosa = make_contact(session, lincoln, name="Rosa Pérez", language="es", phone=ROSA,
                        student="Juan Pérez")
    rosa.numbers[0].last_heard_at = ago(200)
    rosa.numbers.append(ContactNumber(
        address=ROSA_OLD, channel="sms", priority=1, detached_at=ago(400),
        detached_reason="replaced by +1 617-555-0143: checked in person by Ana"))
    carlos = make_contact(session, lincoln, name="Carlos Pérez", language="es",
                          other_languages=["en"], phone=CARLOS, household=rosa.household)
    carlos.relationship_label = "father"
    carlos.numbers[0].last_confirmed_at = ago(30)
    session.flush()
    session.add(NumberCheck(contact_id=rosa.id, number_id=rosa.numbers[0].id,
                            school_id=lincoln.id, reason="interval", prompts_sent=3,
                            last_prompt_at=ago(8), next_prompt_at=ago(1), created_at=ago(22)))
    session.add(Message(contact_id=rosa.id, school_id=lincoln.id, direction="out", kind="auto",
                        channel="sms", from_address="+16175550100", to_address=ROSA,
                        body="¿Sigue siendo su número?", status="undelivered",
                        error_code=30003, created_at=ago(8)))
    mark_stale(session, rosa, "no_answer", "no answer after 2 reminders", ago(1))
    mai = make_contact(session, lincoln, name="Mai Tran", language="vi", student="Bao Tran")
    mark_stale(session, mai, "wrong_person", "the number is someone else's", ago(2))
    sofia = make_contact(session, roosevelt, name="Sofía Díaz", language="es",
                         student="Lucía Díaz")
    mark_stale(session, sofia, "dead_number", "no working number after provider error 30006",
               ago(3))
    people = {
        "maria": make_user(session, "María López", languages=["es"], schools=[lincoln]),
        "linh": make_user(session, "Linh Tran", languages=["vi"], schools=[lincoln]),
        "ana": make_user(session, "Ana Ruiz", languages=["es"]),  # district-wide
        "staff": make_user(session, "Sam Staff", languages=["en"], role="staff"),
    }
    session.commit()
    follow_up = {c.name: session.scalars(select(FollowUp).where(
        FollowUp.household_id == c.household_id)).one().id for c in (rosa, mai, sofia)}
    return {"rosa": rosa, "carlos": carlos, "mai": mai, "sofia": sofia, "lincoln": lincoln,
            "follow_up": follow_up, **people}


def page_for(client, user) -> str:
    login(client, user)
    response = client.get("/follow-ups")
    assert response.status_code == 200
    return response.text


def card(page: str, follow_up_id: int) -> str:
    """One household's card on the page, as text without tags."""
    match = re.search(rf'<section[^>]*data-follow-up="{follow_up_id}".*?</section>', page, re.S)
    assert match, f"follow-up {follow_up_id} is not on the page"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


def households_on(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-follow-up="(\d+)"', page)}


def resolve(client, follow_up_id: int, **form: str):
    return client.post(f"/follow-ups/{follow_up_id}/resolve",
                       data={"csrf_token": csrf_token(client, "/follow-ups"), **form})


def flashed(response_or_page) -> str:
    text = response_or_page if isinstance(response_or_page, str) else response_or_page.text
    return html.unescape(" ".join(re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', text)))


# What the list shows -------------------------------------------------------------------------

def test_the_card_shows_the_other_guardian_last_contact_attempts_and_old_numbers(
        client, world) -> None:
    shown = card(page_for(client, world["maria"]), world["follow_up"]["Rosa Pérez"])
    assert "Juan Pérez · Lincoln Elementary" in shown
    assert "No answer to the number check (Rosa Pérez): no answer after 2 reminders" in shown
    # The other guardian, to call or to ask: name, languages, working number.
    assert "Carlos Pérez (father)" in shown and "Spanish, English" in shown
    assert "+1 617-555-0144" in shown
    # The last successful contact is Carlos's confirmation 30 days ago, not Rosa's.
    assert "Last successful contact: Oct 03, 11:00 AM EDT (Carlos Pérez)" in shown
    # The attempts: the number check with its prompts, the failed text with its error.
    assert "Number check of +1 617-555-0143 (Rosa Pérez), interval: 3 prompts sent, the last " \
           "on Oct 25" in shown and "· stale" in shown
    assert "Text to +1 617-555-0143 (sms) undelivered on Oct 25" in shown
    assert "error 30003, unreachable" in shown
    # Rosa's old number stays in her history, marked as such.
    assert "+1 617-555-0111 (sms) · old number: replaced by +1 617-555-0143: checked in " \
           "person by Ana" in shown
    assert "Rosa Pérez (mother) cannot be reached" in shown


def test_the_navigation_counts_the_households_waiting(client, world) -> None:
    login(client, world["staff"])
    assert re.search(r"Follow-ups <span class=\"badge count\">\(3\)</span>",
                     client.get("/inbox").text)


def test_no_households_to_follow_up(client, session, lincoln) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    session.commit()
    page = page_for(client, maria)
    assert "No households to follow up." in page
    assert "badge count" not in page


def test_the_list_needs_a_login(client, world) -> None:
    response = client.get("/follow-ups")
    assert response.status_code == 302 and "/login" in response.location


# Who sees what --------------------------------------------------------------------------------

def test_a_liaison_sees_households_in_their_languages_and_schools_only(client, world) -> None:
    ids = world["follow_up"]
    assert households_on(page_for(client, world["maria"])) == {ids["Rosa Pérez"]}


def test_a_vietnamese_liaison_sees_the_vietnamese_household(client, world) -> None:
    ids = world["follow_up"]
    assert households_on(page_for(client, world["linh"])) == {ids["Mai Tran"]}


def test_a_district_wide_liaison_sees_every_school_in_their_languages(client, world) -> None:
    ids = world["follow_up"]
    assert households_on(page_for(client, world["ana"])) == {ids["Rosa Pérez"],
                                                             ids["Sofía Díaz"]}


def test_staff_see_every_household(client, world) -> None:
    assert households_on(page_for(client, world["staff"])) == set(world["follow_up"].values())


@pytest.mark.parametrize("follow_up", ["Mai Tran", "Sofía Díaz"])
def test_a_liaison_cannot_resolve_a_household_not_theirs(client, session, world,
                                                         follow_up) -> None:
    login(client, world["maria"])
    follow_up_id = world["follow_up"][follow_up]
    contact = world["mai"] if follow_up == "Mai Tran" else world["sofia"]
    response = resolve(client, follow_up_id, contact_id=str(contact.id), new_number=NEW,
                       verified_in_person="1", action="resolve")
    assert response.status_code == 404
    fresh(session)
    assert session.get(FollowUp, follow_up_id).resolved_at is None
    assert [n.address for n in session.get(Contact, contact.id).numbers] == \
        [contact.numbers[0].address]


def test_the_service_refuses_a_user_who_may_not_work_on_the_household(app, session,
                                                                       world) -> None:
    follow_up = session.get(FollowUp, world["follow_up"]["Mai Tran"])
    with pytest.raises(ResolveRefused, match="not in your schools and languages"):
        resolve_follow_up(session, follow_up, world["maria"], new_number=None,
                          verified_in_person=False, confirmed_by_phone=True,
                          contact_id=world["mai"].id, config=app.config["PUENTE"], now=NOW)
    assert issubclass(ResolveRefused, ValueError)


# Resolving -----------------------------------------------------------------------------------

def test_a_number_checked_in_person_moves_the_guardian_at_once(client, session, world) -> None:
    login(client, world["maria"])
    follow_up_id, rosa = world["follow_up"]["Rosa Pérez"], world["rosa"]
    response = resolve(client, follow_up_id, contact_id=str(rosa.id), new_number="617 555 0177",
                       verified_in_person="1", action="resolve")
    assert response.status_code == 302
    page = client.get("/follow-ups").text
    assert "Rosa Pérez now gets texts at +1 617-555-0177." in flashed(page)
    assert follow_up_id not in households_on(page)

    fresh(session)
    contact = session.get(Contact, rosa.id)
    assert contact.status == "active"
    by_address = {n.address: n for n in contact.numbers}
    assert contact.numbers[0].address == NEW
    assert by_address[NEW].last_confirmed_at == NOW and by_address[NEW].detached_at is None
    assert by_address[ROSA].detached_at == NOW  # kept, detached, with why
    assert "checked in person by María López" in by_address[ROSA].detached_reason
    assert by_address[ROSA_OLD].detached_at == ago(400)
    follow_up = session.get(FollowUp, follow_up_id)
    assert follow_up.resolved_at == NOW and follow_up.resolved_by_id == world["maria"].id
    assert "checked in person by María López" in follow_up.resolution
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "number.changed")).one()
    assert (audit.actor, audit.actor_id, audit.subject_id) == ("user", world["maria"].id, rosa.id)
    assert audit.details["verified"] == "checked in person by María López"
    assert session.scalar(select(func.count()).select_from(NumberVerification)) == 0


def test_a_number_not_checked_in_person_gets_a_code_and_moves_when_it_comes_back(
        client, session, world) -> None:
    login(client, world["maria"])
    follow_up_id, rosa = world["follow_up"]["Rosa Pérez"], world["rosa"]
    response = resolve(client, follow_up_id, contact_id=str(rosa.id), new_number="617-555-0177",
                       action="resolve")
    assert response.status_code == 302
    page = client.get("/follow-ups").text
    assert "A code was texted to +1 617-555-0177." in flashed(page)
    assert "Waiting for the family to send back the code sent to +1 617-555-0177" in \
        card(page, follow_up_id)

    fresh(session)
    verification = session.scalars(select(NumberVerification)).one()
    assert (verification.state, verification.new_address, verification.follow_up_id,
            verification.requested_by_user_id) == ("pending", NEW, follow_up_id,
                                                   world["maria"].id)
    code_text = session.get(Message, verification.code_message_id)
    assert (code_text.to_address, code_text.status) == (NEW, "pending")
    assert session.get(FollowUp, follow_up_id).resolved_at is None
    assert session.get(Contact, rosa.id).numbers[0].address == ROSA

    # The family texts the code back from the new phone.
    [code] = CODE.findall(code_text.body)
    family_texts(client, NEW, f"Mi código es {code}", now=NOW + timedelta(minutes=5))
    fresh(session)
    follow_up = session.get(FollowUp, follow_up_id)
    assert follow_up.resolved_at == NOW + timedelta(minutes=5)
    assert follow_up.resolved_by_id == world["maria"].id
    contact = session.get(Contact, rosa.id)
    assert contact.numbers[0].address == NEW and contact.status == "active"
    assert next(n for n in contact.numbers if n.address == ROSA).detached_at is not None
    assert session.get(NumberVerification, verification.id).state == "verified"
    assert follow_up_id not in households_on(client.get("/follow-ups").text)


def test_a_number_checked_in_person_cancels_a_code_still_waiting(client, session,
                                                                 world) -> None:
    login(client, world["maria"])
    follow_up_id, rosa = world["follow_up"]["Rosa Pérez"], world["rosa"]
    resolve(client, follow_up_id, contact_id=str(rosa.id), new_number="+16175550188",
            action="resolve")
    response = resolve(client, follow_up_id, contact_id=str(rosa.id), new_number=NEW,
                       verified_in_person="1", action="resolve")
    assert response.status_code == 302
    fresh(session)
    verification = session.scalars(select(NumberVerification)).one()
    assert verification.state == "canceled"  # a late code cannot undo the liaison's choice
    assert session.get(Contact, rosa.id).numbers[0].address == NEW


def test_the_current_number_confirmed_by_phone(client, session, world) -> None:
    login(client, world["maria"])
    follow_up_id, rosa = world["follow_up"]["Rosa Pérez"], world["rosa"]
    response = resolve(client, follow_up_id, contact_id=str(rosa.id), new_number="",
                       action="confirm")
    assert response.status_code == 302
    page = client.get("/follow-ups").text
    assert "+1 617-555-0143 confirmed for Rosa Pérez." in flashed(page)
    assert follow_up_id not in households_on(page)

    fresh(session)
    contact = session.get(Contact, rosa.id)
    assert contact.status == "active"
    assert contact.numbers[0].address == ROSA and contact.numbers[0].last_confirmed_at == NOW
    follow_up = session.get(FollowUp, follow_up_id)
    assert follow_up.resolved_at == NOW
    assert follow_up.resolution == "+1 617-555-0143 confirmed by phone by María López"
    audit = session.scalars(select(AuditEvent)
                            .where(AuditEvent.action == "number.confirmed")).one()
    assert (audit.actor, audit.actor_id, audit.subject_id) == ("user", world["maria"].id, rosa.id)


def test_the_other_guardian_can_be_the_one_resolved(client, session, world) -> None:
    login(client, world["maria"])
    follow_up_id = world["follow_up"]["Rosa Pérez"]
    response = resolve(client, follow_up_id, contact_id=str(world["carlos"].id),
                       action="confirm")
    assert response.status_code == 302
    fresh(session)
    assert session.get(FollowUp, follow_up_id).resolved_at == NOW
    assert session.get(Contact, world["carlos"].id).numbers[0].last_confirmed_at == NOW


@pytest.mark.parametrize(("form", "message"), [
    ({"new_number": "555-12", "verified_in_person": "1", "action": "resolve"},
     "The new number cannot be used: '555-12' is not a valid phone number for US."),
    ({"new_number": "not a phone", "action": "resolve"}, "The new number cannot be used"),
    ({"new_number": "+16175550100", "verified_in_person": "1", "action": "resolve"},
     "+1 617-555-0100 is the school's own number"),
    ({"new_number": "", "action": "resolve"}, "Enter the guardian's new number"),
    ({"new_number": NEW, "action": "confirm"}, "not both"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(
        client, session, world, form, message) -> None:
    login(client, world["maria"])
    follow_up_id, rosa = world["follow_up"]["Rosa Pérez"], world["rosa"]
    response = resolve(client, follow_up_id, contact_id=str(rosa.id), **form)
    assert response.status_code == 422
    assert message in flashed(response)
    # What the liaison typed is still in the form.
    assert f'value="{html.escape(form["new_number"])}"' in response.text
    fresh(session)
    assert_unchanged(session, world)


def test_a_guardian_of_another_household_is_refused(client, session, world) -> None:
    login(client, world["maria"])
    response = resolve(client, world["follow_up"]["Rosa Pérez"],
                       contact_id=str(world["sofia"].id), action="confirm")
    assert response.status_code == 422
    assert "Pick one of this household's guardians." in flashed(response)
    fresh(session)
    assert_unchanged(session, world)


def test_resolving_without_a_csrf_token_is_refused(client, session, world) -> None:
    login(client, world["maria"])
    response = client.post(f"/follow-ups/{world['follow_up']['Rosa Pérez']}/resolve",
                           data={"contact_id": str(world["rosa"].id), "action": "confirm"})
    assert response.status_code == 400
    fresh(session)
    assert_unchanged(session, world)


def assert_unchanged(session, world) -> None:
    assert session.scalar(select(func.count()).select_from(FollowUp)
                          .where(FollowUp.resolved_at.is_(None))) == 3
    assert session.scalar(select(func.count()).select_from(NumberVerification)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action.like("number.%"))) == 0
    rosa = session.get(Contact, world["rosa"].id)
    assert rosa.status == "stale"
    assert sorted(n.address for n in rosa.numbers) == [ROSA_OLD, ROSA]


def family_texts(client, phone: str, body: str, *, now: datetime) -> None:
    """The family texts the school through the signed webhook; the worker runs at `now`."""
    response = post_signed(client, "/twilio/messages", inbound_form(phone, body))
    assert response.status_code == 200
    app = client.application
    with app.extensions["puente.db"].unit_of_work() as session:
        process_pending(session, config=app.config["PUENTE"], now=now)
