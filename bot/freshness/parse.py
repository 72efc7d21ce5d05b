"""Read a family's answer to a number check: confirm, wrong person, or a new number.

A phone number anywhere in the reply (national or international form, the school's
country by default) is a new number; every way it can be unusable has its own answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

from bot.keywords.replies import match_check_answer

Outcome = Literal["confirm", "wrong_number", "new_number", "two_numbers", "not_a_number",
                  "foreign_number", "not_mobile", "school_number", "same_number", "none"]

# A run of digits long enough to be meant as a phone number, with the usual separators.
_DIGITS = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_NOT_MOBILE = {PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE,
               PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST,
               PhoneNumberType.VOICEMAIL, PhoneNumberType.PAGER, PhoneNumberType.UAN}


@dataclass(frozen=True)
class CheckReply:
    outcome: Outcome
    reason: str
    number: str | None = None  # E.164 of a new number
    written: str | None = None  # the number as the family wrote it


def parse_check_reply(text: str, *, languages: Sequence[str], country: str,
                      current: str, school_numbers: Sequence[str]) -> CheckReply:
    """Decide what a reply to a number check asks for; never guess between two readings."""
    matches = list(phonenumbers.PhoneNumberMatcher(text, country, leniency=0))
    written = [m.raw_string for m in matches]
    found = list({_e164(m.number): m for m in reversed(matches)}.values())[::-1]  # one each
    leftovers = _DIGITS.findall(_remove(text, written))
    leftovers = [d for d in leftovers if sum(c.isdigit() for c in d) >= 7]
    if len(found) + len(leftovers) > 1:
        return CheckReply("two_numbers", f"{len(found) + len(leftovers)} phone numbers")
    if leftovers:
        return CheckReply("not_a_number", f"{leftovers[0]!r} is not a valid phone number",
                          written=leftovers[0].strip())
    if found:
        return _new_number(found[0], country, current, school_numbers)
    answer = match_check_answer(text, languages)
    if answer.kind is None:
        return CheckReply("none", answer.reason)
    return CheckReply(answer.kind, answer.reason)


def _new_number(match: phonenumbers.PhoneNumberMatch, country: str, current: str,
                school_numbers: Sequence[str]) -> CheckReply:
    number, written = match.number, match.raw_string
    e164 = _e164(number)
    if not phonenumbers.is_valid_number(number):
        return CheckReply("not_a_number", f"{written!r} is not a valid phone number",
                          written=written)
    region = phonenumbers.region_code_for_number(number)
    if region != country:
        return CheckReply("foreign_number", f"{written!r} is a number in {region}, not "
                          f"{country}", e164, written)
    if phonenumbers.number_type(number) in _NOT_MOBILE:
        return CheckReply("not_mobile", f"{written!r} cannot receive texts", e164, written)
    if e164 in school_numbers:
        return CheckReply("school_number", "the school's own number", e164, written)
    if e164 == current:
        return CheckReply("same_number", "the number already in use", e164, written)
    return CheckReply("new_number", f"new number {written!r}", e164, written)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _remove(text: str, parts: Sequence[str]) -> str:
    for part in parts:
        text = text.replace(part, " ")
    return text
