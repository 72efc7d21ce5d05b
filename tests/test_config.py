"""Configuration: defaults, the example file, environment overrides, clear errors."""

from __future__ import annotations

import tomllib

import pytest

from bot import create_app
from bot.config import Config, ConfigError, as_dict, load_config
from tests.conftest import ROOT


def test_example_file_documents_exactly_the_defaults() -> None:
    with (ROOT / "config.example.toml").open("rb") as fh:
        example = tomllib.load(fh)
    assert example == as_dict(Config())


def test_example_file_loads_as_a_config(tmp_path) -> None:
    assert load_config(ROOT / "config.example.toml", environ={}) == Config()


def test_file_path_comes_from_bot_config(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[app]\ndefault_timezone = "America/Chicago"\n')
    config = load_config(environ={"BOT_CONFIG": str(path)})
    assert config.app.default_timezone == "America/Chicago"


def test_environment_overrides_the_file(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[twilio]\nauth_token = "from-file"\ntimeout_seconds = 3\n')
    config = load_config(path, environ={"BOT_TWILIO_AUTH_TOKEN": "from-env",
                                        "BOT_TWILIO_VALIDATE_SIGNATURES": "false",
                                        "BOT_SENDING_BATCH_SIZE": "7"})
    assert config.twilio.auth_token == "from-env"
    assert config.twilio.timeout_seconds == 3.0
    assert config.twilio.validate_signatures is False
    assert config.sending.batch_size == 7


@pytest.mark.parametrize(("toml", "environ", "names"), [
    ('[app]\ncolour = "blue"\n', {}, "app.colour"),
    ('[mail]\nhost = "x"\n', {}, "[mail]"),
    ('[app]\ndefault_timezone = "Mars/Olympus"\n', {}, "app.default_timezone"),
    ('[app]\ndefault_country = "XX"\n', {}, "app.default_country"),
    ('[app]\npublic_base_url = "puente.example.org"\n', {}, "app.public_base_url"),
    ('[twilio]\nwhatsapp_number = "+14155550100"\n', {}, "twilio.whatsapp_number"),
    ("", {"BOT_SENDING_BATCH_SIZE": "many"}, "sending.batch_size"),
    ("", {"BOT_APP_SANDBOX": "maybe"}, "app.sandbox"),
    ('[app]\nsandbox = false\nsecret_key = "0123456789abcdef0123"\n', {}, "twilio.account_sid"),
    ('[app]\nsandbox = false\n', {}, "app.secret_key"),
    ('[app]\nsandbox = false\nsecret_key = "0123456789abcdef0123"\n',
     {"BOT_TWILIO_ACCOUNT_SID": "AC1", "BOT_TWILIO_AUTH_TOKEN": "t"}, "twilio.sms_number"),
])
def test_a_bad_setting_stops_startup_naming_the_key(tmp_path, toml, environ, names) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=names.replace("[", r"\[").replace("]", r"\]")):
        load_config(path, environ=environ)


def test_missing_config_file_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(environ={"BOT_CONFIG": "/nonexistent/puente.toml"})


def test_production_config_with_twilio_settings_starts(tmp_path, database_url) -> None:
    app = create_app({"app": {"sandbox": False, "secret_key": "s" * 32},
                      "database": {"url": database_url},
                      "twilio": {"account_sid": "AC" + "1" * 32, "auth_token": "token",
                                 "sms_number": "+16175550100"}})
    assert app.extensions["puente.provider"].name == "twilio"
    assert "sandbox" not in app.blueprints
