"""A liaison reviews Spanish in a real browser: she corrects a drafted text, sees it marked
reviewed, and Spanish-speaking families get her text from then on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bot import texts
from bot.i18n import family_text
from tests.browser.pages import log_in
from tests.factories import PASSWORD, make_school, make_user

pytestmark = pytest.mark.browser
CORRECTED = "Va a recibir otra vez los mensajes de {school}. Para no recibirlos, responda ALTO."


def test_a_liaison_corrects_a_spanish_draft_and_sees_it_reviewed(live_server, page) -> None:
    db = live_server.extensions["puente.db"]
    with db.unit_of_work() as session:
        lincoln = make_school(session)
        maria = make_user(session, "María López", languages=["es"], schools=[lincoln],
                          email="maria@lincoln.example")
        email = maria.email
    base = live_server.config["LIVE_URL"]

    log_in(page, base, email, PASSWORD)
    page.get_by_role("link", name="Translations").click()
    expect(page.locator("h1")).to_have_text("Translations")
    spanish = page.locator("tr[data-row='es']")
    expect(spanish.locator("[data-figure='reviewed']")).to_contain_text("0")
    spanish.get_by_role("link", name="Spanish").click()
    expect(page.locator("h1")).to_have_text("Spanish translations")

    text = page.locator("section.translation", has_text=texts.OPTED_IN)
    expect(text.locator(".state")).to_have_text("Drafted")
    expect(text).to_contain_text("Confirmation after a family texts START.")  # the context
    text.get_by_label("Spanish").fill(CORRECTED)
    text.get_by_role("button", name="Save as reviewed").click()

    expect(page.get_by_role("status")).to_contain_text("Saved as reviewed: Opted in in Spanish.")
    text = page.locator("section.translation", has_text=texts.OPTED_IN)
    expect(text.locator(".state")).to_have_text("Reviewed")
    expect(text.get_by_label("Spanish")).to_have_value(CORRECTED)
    expect(page.locator("[data-summary='reviewed']")).to_have_text("Reviewed: 1 of 23")

    page.get_by_role("link", name="All languages").click()
    expect(page.locator("tr[data-row='es'] [data-figure='reviewed']")).to_contain_text("1")
    assert family_text(texts.OPTED_IN, ["es"], school="Lincoln") == (
        CORRECTED.format(school="Lincoln"), "es")
