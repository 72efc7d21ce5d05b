"""A liaison resolving a household on the follow-up list, in one action, one of three ways.

(a) A new number the liaison checked in person (a phone call, or the guardian at school):
the contact moves to it at once. (b) A new number not checked in person: a code goes to it,
and the household stays on the list, waiting, until the code comes back from that phone;
nobody can redirect a family's messages by typing a number. (c) No new number: the liaison
reached the guardian by phone and the current number is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Config
from bot.freshness.followups import may_work_on, resolve_household
from bot.freshness.verify import move_number, start_verification
from bot.models import (
    AuditEvent,
    Contact,
    ContactNumber,
    FollowUp,
    NumberCheck,
    NumberVerification,
    User,
)
from bot.models.freshness import OPEN_CHECK_STATES
from bot.phones import PhoneError, display_phone, parse_phone


class ResolveRefused(ValueError):
    """The follow-up cannot be resolved as asked; the message says why, for the liaison."""


@dataclass(frozen=True)
class Resolution:
    """What resolving did: moved | code_sent | confirmed, and a sentence for the liaison."""

    outcome: str
    message: str


def resolve_follow_up(session: Session, follow_up: FollowUp, user: User, *,
                      new_number: str | None, verified_in_person: bool,
                      confirmed_by_phone: bool, contact_id: int, config: Config,
                      now: datetime) -> Resolution:
    """Move the guardian to a new number, send it a code, or confirm the current one."""
    household = follow_up.household
    if not may_work_on(user, household):
        raise ResolveRefused("This household is not in your schools and languages.")
    if follow_up.resolved_at is not None:
        raise ResolveRefused("This household was already taken off the follow-up list.")
    contact = next((c for c in household.contacts if c.id == contact_id), None)
    if contact is None:
        raise ResolveRefused("Pick one of this household's guardians.")
    typed = (new_number or "").strip()
    if typed and confirmed_by_phone:
        raise ResolveRefused("Either enter a new number or confirm the current one, not both.")
    if not typed and not confirmed_by_phone:
        raise ResolveRefused("Enter the guardian's new number, or press “Number confirmed by "
                             "phone” if the current one is right.")
    if confirmed_by_phone:
        return _confirm(session, follow_up, contact, user, now)
    address = _parse(typed, follow_up, config)
    old = _replaced_number(contact)
    if verified_in_person:
        _cancel_codes(session, contact, now, "the liaison checked another number in person")
        move_number(session, contact, address, now=now,
                    how=f"checked in person by {user.name}",
                    old_number_id=old.id if old else None, actor_user=user)
        return Resolution("moved", f"{contact.name} now gets texts at {display_phone(address)}."
                                   f" {_students(follow_up)} is off the follow-up list.")
    verification = start_verification(session, contact, address, school=household.school,
                                      config=config, now=now, old_number=old, user=user,
                                      follow_up_id=follow_up.id)
    session.add(AuditEvent(at=now, actor="user", actor_id=user.id,
                           action="number.code_sent", subject_type="contact",
                           subject_id=contact.id,
                           details={"verification_id": verification.id,
                                    "new_address": address, "follow_up_id": follow_up.id}))
    return Resolution("code_sent", f"A code was texted to {display_phone(address)}. "
                                   f"{contact.name} is moved to it when the code comes back "
                                   f"from that phone; until then the household stays here.")


def _confirm(session: Session, follow_up: FollowUp, contact: Contact, user: User,
             now: datetime) -> Resolution:
    """The liaison reached the guardian on the current number: it is confirmed."""
    number = _current_number(contact)
    if number is None:
        raise ResolveRefused(f"{contact.name} has no working number to confirm: enter a new "
                             f"one.")
    number.last_confirmed_at = now
    # A person answered on it, so the failures that made it look dead are behind us.
    number.consecutive_failures = 0
    contact.status = "active"
    session.execute(
        update(NumberCheck)
        .where(NumberCheck.contact_id == contact.id, NumberCheck.state.in_(OPEN_CHECK_STATES))
        .values(state="confirmed", resolved_at=now, next_prompt_at=None))
    _cancel_codes(session, contact, now, "the liaison confirmed the current number by phone")
    shown = display_phone(number.address)
    resolve_household(session, follow_up.household_id,
                      f"{shown} confirmed by phone by {user.name}", now, user)
    session.add(AuditEvent(at=now, actor="user", actor_id=user.id, action="number.confirmed",
                           subject_type="contact", subject_id=contact.id,
                           details={"number_id": number.id, "how": "by phone",
                                    "follow_up_id": follow_up.id}))
    return Resolution("confirmed", f"{shown} confirmed for {contact.name}. "
                                   f"{_students(follow_up)} is off the follow-up list.")


def _parse(typed: str, follow_up: FollowUp, config: Config) -> str:
    try:
        address = parse_phone(typed, config.app.default_country)
    except PhoneError as exc:
        raise ResolveRefused(f"The new number cannot be used: {exc}.") from None
    school = follow_up.household.school
    if address in {school.sms_number, school.whatsapp_number, school.office_phone,
                   config.twilio.sms_number}:
        raise ResolveRefused(f"{display_phone(address)} is the school's own number, not the "
                             f"family's.")
    return address


def _current_number(contact: Contact) -> ContactNumber | None:
    """The first number that can still take a text: not detached, invalid or opted out."""
    return next((n for n in contact.numbers if n.detached_at is None and n.invalid_at is None
                 and n.opted_out_at is None), None)


def _replaced_number(contact: Contact) -> ContactNumber | None:
    """The SMS number a new one replaces: the first attached one, dead or not, unless the
    family opted it out (that record is kept as it is)."""
    return next((n for n in contact.numbers if n.channel == "sms" and n.detached_at is None
                 and n.opted_out_at is None), None)


def _cancel_codes(session: Session, contact: Contact, now: datetime, why: str) -> None:
    """A code sent earlier must not move the contact after the liaison decided otherwise."""
    for verification in session.scalars(select(NumberVerification).where(
            NumberVerification.contact_id == contact.id,
            NumberVerification.state == "pending")):
        verification.state, verification.finished_at = "canceled", now
        verification.detail = why


def _students(follow_up: FollowUp) -> str:
    names = [s.name for s in follow_up.household.students]
    return f"{' and '.join(names)}'s household" if names else "The household"
