"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def log_in(page: Page, base: str, email: str, password: str) -> None:
    """Log in through the real form and land on the inbox."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Log in')")
    expect(page.locator("h1")).to_have_text("Inbox")
