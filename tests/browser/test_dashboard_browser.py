"""The whole loop in a real browser: a family texts, a liaison answers, the phone shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bot.db import utcnow
from bot.demo.data import DEMO_PASSWORD, load_demo
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


def test_family_text_reaches_the_liaison_and_the_reply_reaches_the_phone(live_server,
                                                                        page) -> None:
    with live_server.extensions["puente.db"].unit_of_work() as session:
        load_demo(session, utcnow())
    base = live_server.config["LIVE_URL"]

    # A Spanish-speaking guardian texts the school from the phone simulator (its own tab).
    phone = page.context.new_page()
    phone.goto(f"{base}/sandbox")
    option = phone.locator("#pick option", has_text=" · es · sms ").first
    guardian = option.inner_text().split(" · ")[0].strip()
    phone.select_option("#pick", value=option.get_attribute("value"))
    phone.fill("#sms-body", "Hola, mi hija tiene cita con el doctor mañana <b>temprano</b>")
    phone.click("#phone button:has-text('Send text')")
    expect(phone.locator("#phone-messages")).to_contain_text("cita con el doctor")

    # A liaison who does not speak Spanish does not see it.
    log_in(page, base, "linh@roosevelt.example", DEMO_PASSWORD)
    expect(page.locator("main")).not_to_contain_text(guardian)
    page.click("button:has-text('Log out')")

    # The Spanish-speaking liaison sees it, with the family and why it came to her.
    log_in(page, base, "maria@lincoln.example", DEMO_PASSWORD)
    conversation = page.locator(".conversations li", has_text=guardian)
    expect(conversation).to_contain_text("Spanish")
    expect(conversation.locator(".dot")).to_be_visible()  # unread
    conversation.locator("a").click()
    expect(page.locator(".thread")).to_contain_text("<b>temprano</b>")  # shown as text
    expect(page.locator(".profile")).to_contain_text("speaks Spanish")

    page.fill("#body", "Gracias por avisar. ¡Que le vaya bien!")
    page.click("button:has-text('Send')")
    expect(page.locator(".thread")).to_contain_text("Gracias por avisar")

    # The reply reaches the family's phone; the simulator shows it without a reload.
    expect(phone.locator("#phone-messages")).to_contain_text("Gracias por avisar",
                                                             timeout=10_000)
    page.reload()
    expect(page.locator(".thread .status").last).to_have_text("delivered")
