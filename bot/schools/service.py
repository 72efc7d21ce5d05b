"""Schools: create them with validated timezone, country and numbers; find them."""

from __future__ import annotations

import zoneinfo

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import School
from bot.phones import WHATSAPP_PREFIX, PhoneError, parse_phone

CHANNEL_COLUMNS = {"sms": School.sms_number, "whatsapp": School.whatsapp_number}


def create_school(session: Session, *, name: str, timezone: str, country: str,
                  sms_number: str | None = None, whatsapp_number: str | None = None,
                  office_phone: str | None = None) -> School:
    """Add a school after checking its timezone, country and numbers; raise ValueError."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("a school needs a name")
    if len(name) > 200:
        raise ValueError("a school name must be at most 200 characters")
    if find_school(session, name) is not None:
        raise ValueError(f"a school named {name!r} already exists")
    _check_timezone(timezone)
    country = (country or "").strip().upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown country code {country!r} (use ISO 3166 codes like US)")

    sms = _number("SMS number", sms_number, country)
    if whatsapp_number and not whatsapp_number.strip().lower().startswith(WHATSAPP_PREFIX):
        raise ValueError(f"the WhatsApp number must look like whatsapp:+16175550101, "
                         f"not {whatsapp_number!r}")
    whatsapp = _number("WhatsApp number", whatsapp_number, country)
    office = _number("office phone", office_phone, country)
    for channel, address in (("sms", sms), ("whatsapp", whatsapp)):
        if address is None:
            continue
        other = school_by_number(session, channel, address)
        if other is not None:
            raise ValueError(f"{channel} number {address} already belongs to {other.name!r}")

    school = School(name=name, timezone=timezone, country=country, sms_number=sms,
                    whatsapp_number=whatsapp, office_phone=office)
    session.add(school)
    session.flush()
    return school


def find_school(session: Session, name: str) -> School | None:
    """Return the school with this name, ignoring case and surrounding spaces."""
    wanted = _fold(name)
    if not wanted:
        return None
    # Compared in Python: SQLite's lower() folds only ASCII, and a district has few schools.
    return next((s for s in list_schools(session) if _fold(s.name) == wanted), None)


def list_schools(session: Session) -> list[School]:
    """Return every school, by name."""
    return list(session.scalars(select(School).order_by(School.name)))


def school_by_number(session: Session, channel: str, address: str) -> School | None:
    """Return the school that owns address (E.164, with or without 'whatsapp:') on channel."""
    column = CHANNEL_COLUMNS.get(channel)
    if column is None:
        raise ValueError(f"unknown channel {channel!r}")
    if address.lower().startswith(WHATSAPP_PREFIX):
        address = address[len(WHATSAPP_PREFIX):]
    return session.scalars(select(School).where(column == address)).first()


def _fold(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {timezone!r} (use names like America/New_York)") \
            from None


def _number(label: str, raw: str | None, country: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse_phone(raw, country)
    except PhoneError as exc:
        raise ValueError(f"{label}: {exc}") from None
