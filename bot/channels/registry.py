"""Providers registered by name; the config's sandbox switch picks one."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from bot.channels.base import Provider
from bot.channels.sandbox import SandboxProvider
from bot.config import Config


def _twilio(config: Config) -> Provider:
    from bot.channels.twilio import TwilioProvider

    return TwilioProvider(account_sid=config.twilio.account_sid,
                          auth_token=config.twilio.auth_token,
                          api_base_url=config.twilio.api_base_url,
                          timeout=config.twilio.timeout_seconds)


PROVIDERS: dict[str, Callable[[Config], Provider]] = {
    "sandbox": lambda config: SandboxProvider(),
    "twilio": _twilio,
}


def make_provider(config: Config) -> Provider:
    """Build the configured provider (no network is touched until it sends)."""
    return PROVIDERS["sandbox" if config.app.sandbox else "twilio"](config)


def init_app(app: Flask, config: Config) -> None:
    """Give the app its provider."""
    app.extensions["puente.provider"] = make_provider(config)


def get_provider() -> Provider:
    """Return the running app's provider."""
    return current_app.extensions["puente.provider"]
