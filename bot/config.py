"""Typed, immutable configuration: defaults in code, a TOML file, then the environment.

The file path comes from `BOT_CONFIG`; any key can be overridden by an environment
variable `BOT_<SECTION>_<KEY>` (e.g. `BOT_TWILIO_AUTH_TOKEN`). Unknown keys and invalid
values stop start-up with a message that names the key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click
import phonenumbers

from bot.i18n import has_catalog
from bot.languages import normalize_tag


class ConfigError(click.ClickException):
    """A setting is missing or invalid; the message names the key.

    A ClickException, so `flask --app bot …` prints one line instead of a traceback.
    """


@dataclass(frozen=True)
class AppSettings:
    secret_key: str = ""
    public_base_url: str = "http://127.0.0.1:5000"
    default_timezone: str = "America/New_York"
    default_country: str = "US"
    sandbox: bool = True
    log_level: str = "INFO"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///instance/puente.db"
    echo: bool = False


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str = ""
    auth_token: str = ""
    sms_number: str = ""
    whatsapp_number: str = ""
    messaging_service_sid: str = ""
    api_base_url: str = "https://api.twilio.com"
    validate_signatures: bool = True
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class SendingSettings:
    embedded_worker: bool = True
    poll_seconds: float = 1.0
    batch_size: int = 50
    max_attempts: int = 6
    retry_base_seconds: float = 30.0
    stale_claim_seconds: float = 300.0
    segments_per_second: float = 1.0
    price_per_segment: float = 0.0083


@dataclass(frozen=True)
class LanguageSettings:
    detection_threshold: float = 0.8
    # The languages the LANGUAGE menu offers, in order; empty: bot.language.menu.DEFAULT_MENU.
    menu: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreshnessSettings:
    enabled: bool = True
    confirm_after_days: int = 180
    prepaid_confirm_after_days: int = 60
    daily_cap_per_school: int = 50
    reminders: int = 2
    reminder_interval_days: int = 7
    unreachable_threshold: int = 3
    code_valid_hours: int = 24
    code_attempts: int = 5
    run_at_hour: int = 9


@dataclass(frozen=True)
class TranslationSettings:
    provider: str = ""
    url: str = ""
    api_key: str = ""


@dataclass(frozen=True)
class Config:
    app: AppSettings = field(default_factory=AppSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    sending: SendingSettings = field(default_factory=SendingSettings)
    languages: LanguageSettings = field(default_factory=LanguageSettings)
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    freshness: FreshnessSettings = field(default_factory=FreshnessSettings)


_SECTION_TYPES = {
    "app": AppSettings,
    "database": DatabaseSettings,
    "twilio": TwilioSettings,
    "sending": SendingSettings,
    "languages": LanguageSettings,
    "translation": TranslationSettings,
    "freshness": FreshnessSettings,
}


def load_config(path: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None,
                overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Config:
    """Build the config from defaults, the TOML file, the environment and overrides."""
    environ = os.environ if environ is None else environ
    raw: dict[str, dict[str, Any]] = {name: {} for name in _SECTION_TYPES}
    path = path or environ.get("BOT_CONFIG")
    if path:
        _merge(raw, _read_toml(Path(path)), source=str(path))
    _merge(raw, _from_environ(environ), source="environment")
    if overrides:
        _merge(raw, overrides, source="overrides")
    sections = {name: _build_section(name, cls, raw[name]) for name, cls in _SECTION_TYPES.items()}
    config = Config(**sections)
    validate(config)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"BOT_CONFIG: config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _merge(raw: dict[str, dict[str, Any]], data: Mapping[str, Any], *, source: str) -> None:
    for section, values in data.items():
        if section not in _SECTION_TYPES:
            raise ConfigError(f"{source}: unknown config section [{section}]")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{source}: [{section}] must be a table")
        known = {f.name for f in fields(_SECTION_TYPES[section])}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"{source}: unknown config key {section}.{key}")
            raw[section][key] = value


def _from_environ(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for section, cls in _SECTION_TYPES.items():
        for f in fields(cls):
            name = f"BOT_{section.upper()}_{f.name.upper()}"
            if name in environ:
                found.setdefault(section, {})[f.name] = environ[name]
    return found


def _build_section(name: str, cls: type, values: Mapping[str, Any]) -> Any:
    kwargs = {}
    types = {f.name: f.type for f in fields(cls)}
    for key, value in values.items():
        kwargs[key] = _coerce(f"{name}.{key}", types[key], value)
    return cls(**kwargs)


def _coerce(key: str, type_name: Any, value: Any) -> Any:
    type_name = getattr(type_name, "__name__", type_name)
    if type_name == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{key} must be true or false, not {value!r}")
    if str(type_name).startswith("tuple"):  # a TOML list, or "a, b" in the environment
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{key} must be a list of strings, not {value!r}")
        return tuple(i.strip() for i in items if i.strip())
    if type_name in {"int", "float"}:
        if isinstance(value, bool):
            raise ConfigError(f"{key} must be a number, not {value!r}")
        try:
            number = int(value) if type_name == "int" else float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key} must be a number, not {value!r}") from None
        if number < 0:
            raise ConfigError(f"{key} must not be negative")
        return number
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string, not {value!r}")
    return value.strip()


def validate(config: Config) -> None:
    """Raise ConfigError naming the first setting that cannot work."""
    app, twilio = config.app, config.twilio
    if not config.app.sandbox and len(app.secret_key) < 16:
        raise ConfigError("app.secret_key must be set to at least 16 random characters "
                          "(BOT_APP_SECRET_KEY) when app.sandbox is false")
    _require_url("app.public_base_url", app.public_base_url)
    _require_url("twilio.api_base_url", twilio.api_base_url)
    try:
        zoneinfo.ZoneInfo(app.default_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"app.default_timezone: unknown timezone {app.default_timezone!r}") from None
    if app.default_country not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(f"app.default_country: unknown country code {app.default_country!r}")
    if not config.database.url:
        raise ConfigError("database.url must be set")
    if app.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"app.log_level: {app.log_level!r} is not DEBUG, INFO, WARNING or ERROR")
    if twilio.whatsapp_number and not twilio.whatsapp_number.startswith("whatsapp:+"):
        raise ConfigError("twilio.whatsapp_number must look like whatsapp:+14155550100")
    if twilio.sms_number and not twilio.sms_number.startswith("+"):
        raise ConfigError("twilio.sms_number must be in E.164 form, like +14155550100")
    translation = config.translation
    if translation.provider not in ("", "libretranslate"):
        raise ConfigError(f"translation.provider: {translation.provider!r} is not "
                          f"\"libretranslate\" or empty")
    if translation.provider:
        _require_url("translation.url", translation.url)
    for tag in config.languages.menu:
        try:
            readable = has_catalog(normalize_tag(tag))
        except ValueError as exc:
            raise ConfigError(f"languages.menu: {exc}") from None
        if not readable:
            raise ConfigError(f"languages.menu: Puente has no texts in {tag!r} (see "
                              "translations/); a family who chose it would get English")
    freshness = config.freshness
    if freshness.run_at_hour > 23:
        raise ConfigError("freshness.run_at_hour must be an hour of the day, 0 to 23")
    for key in ("confirm_after_days", "prepaid_confirm_after_days", "reminder_interval_days",
                "unreachable_threshold", "code_valid_hours", "code_attempts"):
        if getattr(freshness, key) < 1:
            raise ConfigError(f"freshness.{key} must be at least 1")
    if app.sandbox:
        return
    for key in ("account_sid", "auth_token"):
        if not getattr(twilio, key):
            raise ConfigError(f"twilio.{key} is required when app.sandbox is false "
                              f"(set it in the config file or BOT_TWILIO_{key.upper()})")
    if not (twilio.sms_number or twilio.whatsapp_number or twilio.messaging_service_sid):
        raise ConfigError("twilio.sms_number, twilio.whatsapp_number or "
                          "twilio.messaging_service_sid is required when app.sandbox is false")


def _require_url(key: str, value: str) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ConfigError(f"{key} must be an http(s) URL, not {value!r}")


def as_dict(config: Config) -> dict[str, dict[str, Any]]:
    """Return the config as nested dicts (for `config.example.toml` checks), lists as TOML
    reads them."""
    return {section: {key: list(value) if isinstance(value, tuple) else value
                      for key, value in values.items()}
            for section, values in dataclasses.asdict(config).items()}
