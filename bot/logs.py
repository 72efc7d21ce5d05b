"""Logging set-up: plain lines to stderr; bodies and phone numbers never at INFO."""

from __future__ import annotations

import logging

from flask import Flask


def init_app(app: Flask, level: str) -> None:
    """Configure the 'bot' logger once."""
    logger = logging.getLogger("bot")
    logger.setLevel(level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
