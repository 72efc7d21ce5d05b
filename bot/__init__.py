"""Puente: multilingual SMS/WhatsApp messaging between schools and families."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot.config import Config, load_config


def create_app(config: Config | Mapping[str, Mapping[str, Any]] | None = None) -> Flask:
    """Build the Flask app; config is a Config, a dict of overrides, or None (file + env)."""
    if not isinstance(config, Config):
        config = load_config(overrides=config)
    app = Flask(__name__, instance_relative_config=True, template_folder="web/templates",
                static_folder="web/static")
    app.config["PUENTE"] = config
    app.config["SECRET_KEY"] = _secret_key(app, config)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024

    from bot import cli, db, logs, worker
    from bot.channels import registry
    from bot.translations import overlay
    from bot.web import init_app as init_web

    logs.init_app(app, config.app.log_level)
    db.init_app(app, config.database.url, echo=config.database.echo)
    overlay.init_app(app)
    registry.init_app(app, config)
    worker.init_app(app)
    init_web(app)
    cli.init_app(app)
    return app


def _secret_key(app: Flask, config: Config) -> str:
    """Use the configured key; in sandbox mode keep a generated one under instance/."""
    if config.app.secret_key:
        return config.app.secret_key
    import secrets
    from pathlib import Path

    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
