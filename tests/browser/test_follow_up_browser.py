"""A liaison resolves a stale household in a real browser: she sees the other guardian's
number, records a new number she checked in person, and the household leaves her list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.freshness.followups import mark_stale
from bot.models import Contact, FollowUp
from bot.web import followups
from tests.browser.pages import log_in
from tests.factories import PASSWORD, make_contact, make_school, make_user

pytestmark = pytest.mark.browser
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_a_liaison_resolves_a_stale_household_with_a_number_checked_in_person(
        live_server, page, monkeypatch) -> None:
    monkeypatch.setattr(followups, "utcnow", lambda: NOW)  # the dashboard's clock
    db = live_server.extensions["puente.db"]
    with db.unit_of_work() as session:
        lincoln = make_school(session)
        rosa = make_contact(session, lincoln, name="Rosa Pérez", language="es",
                            phone="+16175550143", student="Juan Pérez")
        make_contact(session, lincoln, name="Carlos Pérez", language="es", phone="+16175550144",
                     household=rosa.household)
        mark_stale(session, rosa, "no_answer", "no answer after 2 reminders", NOW)
        maria = make_user(session, "María López", languages=["es"], schools=[lincoln],
                          email="maria@lincoln.example")  # ASCII: the form checks it
        rosa_id, email = rosa.id, maria.email
    base = live_server.config["LIVE_URL"]

    log_in(page, base, email, PASSWORD)
    page.get_by_role("link", name="Follow-ups").click()
    expect(page.locator("h1")).to_have_text("Follow-ups")

    household = page.locator("section.follow-up", has_text="Juan Pérez")
    expect(household).to_contain_text("Carlos Pérez")
    expect(household).to_contain_text("+1 617-555-0144")  # the other guardian, to ask
    expect(household.get_by_label("Guardian")).to_have_value(str(rosa_id))
    household.get_by_label("New number").fill("(617) 555-0177")
    household.get_by_label("I verified this number in person").check()
    household.get_by_role("button", name="Save the new number").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Rosa Pérez now gets texts at +1 617-555-0177")
    expect(page.locator("section.follow-up")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("No households to follow up.")

    with db.sessions() as session:
        contact = session.get(Contact, rosa_id)
        assert contact.status == "active"
        assert [(n.address, n.detached_at) for n in contact.numbers] == [
            ("+16175550177", None), ("+16175550143", NOW)]
        follow_up = session.scalars(select(FollowUp)).one()
        assert follow_up.resolved_at == NOW
