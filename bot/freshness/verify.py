"""Moving a contact to a new number: only when a code sent to that number comes back from it
(or a liaison records that they checked it in person). Nobody can redirect a family's
messages without holding the new phone. The old number stays in the contact's history.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import texts
from bot.config import Config
from bot.freshness.followups import resolve_household
from bot.i18n import family_ntext, family_text
from bot.models import (
    AuditEvent,
    Contact,
    ContactNumber,
    Conversation,
    Message,
    NumberCheck,
    NumberVerification,
    School,
    User,
)
from bot.models.outbox import PRIORITY_REPLY
from bot.phones import display_phone
from bot.sending.outbox import enqueue

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
Reply = tuple[str, str]  # (text, language)


@dataclass(frozen=True)
class CodeAnswer:
    """What a text holding a code did, for the inbound flow to store and answer."""

    contact: Contact
    reply: Reply
    moved: bool


def start_verification(session: Session, contact: Contact, new_address: str, *,
                       school: School, config: Config, now: datetime,
                       old_number: ContactNumber | None = None, check: NumberCheck | None = None,
                       user: User | None = None, follow_up_id: int | None = None
                       ) -> NumberVerification:
    """Send a 6-digit code to the new number; earlier pending codes for the contact end."""
    for earlier in _pending(session, NumberVerification.contact_id == contact.id):
        earlier.state, earlier.finished_at = "canceled", now
        earlier.detail = "a newer code was sent"
    code = f"{secrets.randbelow(10**6):06d}"
    hours = config.freshness.code_valid_hours
    verification = NumberVerification(
        contact_id=contact.id, check_id=check.id if check else None, follow_up_id=follow_up_id,
        old_number_id=old_number.id if old_number else None, new_address=new_address,
        code_hash=_hash(config, code), requested_by="user" if user else "family",
        requested_by_user_id=user.id if user else None, expires_at=now + timedelta(hours=hours),
        created_at=now)
    session.add(verification)
    text, language = family_ntext(*texts.VERIFY_CODE, hours, contact.text_languages,
                                  school=school.name, code=code, hours=hours)
    message = Message(contact_id=contact.id, school_id=school.id, direction="out", kind="auto",
                      channel="sms", from_address=school.sms_number or config.twilio.sms_number,
                      to_address=new_address, body=text, language=language, status="pending",
                      created_at=now)
    session.add(message)
    session.flush()
    enqueue(session, message, priority=PRIORITY_REPLY, now=now)
    verification.code_message_id = message.id
    if check is not None:
        check.state = "verifying"
    return verification


def answer_code(session: Session, from_address: str, body: str, *, config: Config,
                now: datetime) -> CodeAnswer | None:
    """Act on a code sent from a number waiting for verification; None if it is not one."""
    codes = CODE.findall(body)
    if len(codes) != 1:
        return None
    [verification] = _pending(session, NumberVerification.new_address == from_address)[:1] or [None]
    if verification is None:
        return None
    contact = verification.contact
    school = _school(session, contact)
    if now >= verification.expires_at:
        verification.state, verification.finished_at = "expired", now
        return CodeAnswer(contact, family_text(texts.CODE_EXPIRED, contact.text_languages,
                                               school=school.name), moved=False)
    # Any script's digits: a Dari or Arabic keyboard types the code as "۴۸۲۹۱۳" or "٤٨٢٩١٣".
    code = "".join(str(unicodedata.digit(c)) for c in codes[0])
    if not hmac.compare_digest(verification.code_hash, _hash(config, code)):
        verification.attempts += 1
        left = config.freshness.code_attempts - verification.attempts
        if left <= 0:
            verification.state, verification.finished_at = "failed", now
            verification.detail = "too many wrong codes"
            return CodeAnswer(contact, family_text(
                texts.TOO_MANY_ATTEMPTS, contact.text_languages, school=school.name,
                phone=display_phone(school.office_phone or school.sms_number or "")),
                moved=False)
        return CodeAnswer(contact, family_ntext(*texts.WRONG_CODE, left, contact.text_languages,
                                                attempts=left), moved=False)
    verification.state, verification.finished_at = "verified", now
    how = "a code sent to the new number came back from it"
    move_number(session, contact, from_address, now=now, how=how,
                old_number_id=verification.old_number_id,
                actor_user=_user(session, verification.requested_by_user_id))
    return CodeAnswer(contact, family_text(texts.NUMBER_CHANGED, contact.text_languages,
                                           school=school.name), moved=True)


def code_from_wrong_phone(session: Session, contact: Contact, body: str) -> Reply | None:
    """A code sent from the old phone: it must come from the new one. None if not that."""
    if len(CODE.findall(body)) != 1:
        return None
    pending = _pending(session, NumberVerification.contact_id == contact.id)
    if not pending:
        return None
    return family_text(texts.CODE_FROM_WRONG_PHONE, contact.text_languages,
                       phone=display_phone(pending[0].new_address))


def move_number(session: Session, contact: Contact, address: str, *, now: datetime, how: str,
                old_number_id: int | None = None, actor_user: User | None = None) -> ContactNumber:
    """Make address the contact's first SMS number, confirmed; detach the old one (kept)."""
    existing = next((n for n in contact.numbers if n.channel == "sms" and n.address == address),
                    None)
    for number in contact.numbers:
        if number is not existing:
            number.priority += 1
    number = existing or ContactNumber(channel="sms", address=address)
    if existing is None:
        contact.numbers.append(number)
    number.priority, number.detached_at, number.detached_reason = 0, None, None
    number.last_confirmed_at = number.last_heard_at = now
    number.source = "liaison" if actor_user else "family"  # no longer the roster's to undo
    number.consecutive_failures, number.invalid_at, number.invalid_reason = 0, None, None
    old = next((n for n in contact.numbers if n.id == old_number_id), None) \
        if old_number_id else None
    if old is not None and old is not number and old.detached_at is None:
        old.detached_at = now
        old.detached_reason = f"replaced by {display_phone(address)}: {how}"[:200]
    contact.status = "active"
    session.flush()
    for check in session.scalars(select(NumberCheck).where(
            NumberCheck.contact_id == contact.id, NumberCheck.state.in_(("pending",
                                                                          "verifying")))):
        check.state, check.resolved_at, check.next_prompt_at = "changed", now, None
    # The conversation in progress follows the contact to the new number.
    for conversation in session.scalars(select(Conversation).where(
            Conversation.contact_id == contact.id, Conversation.last_channel == "sms")):
        conversation.last_address = address
    if contact.household_id is not None:
        resolve_household(session, contact.household_id,
                          f"new number {display_phone(address)}: {how}", now, actor_user)
    session.add(AuditEvent(
        at=now, actor="user" if actor_user else "family",
        actor_id=actor_user.id if actor_user else None, action="number.changed",
        subject_type="contact", subject_id=contact.id,
        details={"new_number_id": number.id, "old_number_id": old.id if old else None,
                 "verified": how}))
    return number


def fail_for_number(session: Session, message: Message, code: int | None, config: Config,
                    now: datetime) -> Reply | None:
    """The code could not reach the new number (a landline, say): end the verification
    and return the answer for the old phone, if the message was a verification code."""
    verification = session.scalars(select(NumberVerification).where(
        NumberVerification.code_message_id == message.id,
        NumberVerification.state == "pending")).first()
    if verification is None:
        return None
    verification.state, verification.finished_at = "failed", now
    verification.detail = f"the code could not be delivered (provider error {code})"
    return family_text(texts.NOT_MOBILE, verification.contact.text_languages,
                       phone=display_phone(verification.new_address))


def _pending(session: Session, condition) -> list[NumberVerification]:  # type: ignore[no-untyped-def]
    return list(session.scalars(
        select(NumberVerification)
        .where(condition, NumberVerification.state == "pending")
        .order_by(NumberVerification.id.desc())))


def _hash(config: Config, code: str) -> str:
    key = (config.app.secret_key or "puente-sandbox").encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _school(session: Session, contact: Contact) -> School:
    if contact.household is not None:
        return contact.household.school
    return session.scalars(select(School).order_by(School.id).limit(1)).one()


def _user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id else None
