"""After a delivery failure: a contact left with no working number goes on the follow-up
list, and a verification code that could not reach the new number is answered on the old."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.freshness.followups import has_working_number, mark_stale
from bot.freshness.verify import fail_for_number
from bot.models import Contact, ContactNumber, Message, NumberVerification, School
from bot.models.outbox import PRIORITY_REPLY
from bot.sending.outbox import enqueue


def after_failure(session: Session, message: Message, code: int | None, config: Config,
                  now: datetime) -> None:
    """Act on a number the provider called dead or unreachable too often."""
    answer = fail_for_number(session, message, code, config, now)
    if answer is not None:
        _tell_old_phone(session, message, answer, config, now)
        return  # a new number that failed says nothing about the family's own numbers
    threshold = config.freshness.unreachable_threshold
    contact_ids = session.scalars(
        select(ContactNumber.contact_id)
        .where(ContactNumber.channel == message.channel,
               ContactNumber.address == message.to_address)).all()
    for contact in session.scalars(select(Contact).where(Contact.id.in_(contact_ids))):
        if contact.is_unknown or contact.status == "stale":
            continue
        if not has_working_number(contact, threshold):
            mark_stale(session, contact, "dead_number",
                       f"no working number after provider error {code}", now)


def _tell_old_phone(session: Session, message: Message, answer: tuple[str, str],
                    config: Config, now: datetime) -> None:
    verification = session.scalars(select(NumberVerification).where(
        NumberVerification.code_message_id == message.id)).one()
    old = session.get(ContactNumber, verification.old_number_id) \
        if verification.old_number_id else None
    if old is None or old.detached_at is not None:
        return
    school = session.get(School, message.school_id) if message.school_id else None
    text, language = answer
    reply = Message(contact_id=message.contact_id, school_id=message.school_id, direction="out",
                    kind="auto", channel=old.channel, to_address=old.address, body=text,
                    language=language, status="pending", created_at=now,
                    from_address=(school.sms_number if school else None)
                    or config.twilio.sms_number)
    session.add(reply)
    session.flush()
    enqueue(session, reply, priority=PRIORITY_REPLY, now=now)
