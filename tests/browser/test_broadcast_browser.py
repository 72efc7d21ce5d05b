"""An announcement in a real browser: staff compose, a liaison approves, progress shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bot.broadcasts.jobs import dispatch_due
from bot.db import utcnow
from bot.demo.data import DEMO_PASSWORD, load_demo
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


def test_compose_approve_send_and_watch_progress(live_server, page) -> None:
    db = live_server.extensions["puente.db"]
    with db.unit_of_work() as session:
        load_demo(session, utcnow())
    base = live_server.config["LIVE_URL"]

    log_in(page, base, "staff@district.example", DEMO_PASSWORD)
    page.click("text=Announcements")
    page.click("text=New announcement")
    page.fill("#title", "Snow day")
    page.fill("#text", "School is closed tomorrow because of snow.")
    page.check("input[name=urgent]")  # a closure: it goes at once, whatever the hour
    page.click("button:has-text('Create and preview')")
    expect(page.locator("#lang-es")).to_contain_text("needs a translation")
    broadcast_url = page.url
    page.click("button:has-text('Log out')")

    # The Spanish-speaking liaison writes and approves the Spanish text.
    log_in(page, base, "maria@lincoln.example", DEMO_PASSWORD)
    page.goto(broadcast_url)
    page.fill("#text-es", "Mañana no habrá clases por la nieve.")
    page.locator("#lang-es button:has-text('Approve')").click()
    expect(page.locator("#lang-es")).to_contain_text("approved by María López")
    expect(page.locator("#lang-es")).to_contain_text("UCS-2")
    page.click("button:has-text('Log out')")

    # Staff send it now; the scheduler's job starts it; the worker delivers (sandbox).
    log_in(page, base, "staff@district.example", DEMO_PASSWORD)
    page.goto(broadcast_url)
    page.click("button:has-text('Schedule')")
    expect(page.locator("main")).to_contain_text("Sending starts within a few seconds")
    with db.unit_of_work() as session:
        assert dispatch_due(session, config=live_server.config["PUENTE"], now=utcnow())
    delivered = page.locator('#progress tr[data-lang="all"] td[data-state="delivered"]')
    for _ in range(20):  # the worker delivers in the background; the page refreshes itself
        page.reload()
        if delivered.count() and delivered.inner_text() not in ("", "0"):
            break
        page.wait_for_timeout(250)
    assert int(delivered.inner_text()) > 0
    expect(page.locator("#progress")).to_contain_text("Spanish")
