"""Phone numbers: parse to E.164 with the school's country as the default region."""

from __future__ import annotations

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"


class PhoneError(ValueError):
    """A phone number that cannot be used, with a reason a person can act on."""


def parse_phone(raw: str, region: str) -> str:
    """Return raw as E.164, reading national forms in region; raise PhoneError if unusable."""
    text = (raw or "").strip()
    if text.lower().startswith(WHATSAPP_PREFIX):
        text = text[len(WHATSAPP_PREFIX):]
    if not text:
        raise PhoneError("no phone number given")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"cannot read {text!r} as a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"{text!r} is not a valid phone number for {region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Format an E.164 number for people to read, in international form."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
