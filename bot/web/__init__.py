"""The web side: Twilio webhooks, the dashboard, the sandbox simulator."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask


def init_app(app: Flask) -> None:
    """Register blueprints, login and CSRF protection, and error pages."""
    from bot.web import (
        api,
        auth,
        broadcasts,
        dashboard,
        errors,
        followups,
        linking,
        reports,
        sandbox,
        translations,
        webhooks,
    )

    auth.init_app(app)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(linking.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(broadcasts.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(followups.bp)
    app.register_blueprint(translations.bp)
    if app.config["PUENTE"].app.sandbox:
        app.register_blueprint(sandbox.bp)
    errors.init_app(app)
    auth.csrf.exempt(webhooks.bp)
    auth.csrf.exempt(api.bp)
    app.add_template_filter(local_time, "local")


def local_time(moment: datetime, timezone: str) -> str:
    """Format a stored UTC time in the school's timezone, e.g. 'Nov 23, 4:08 PM EST'."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%b %d, %-I:%M %p %Z")
