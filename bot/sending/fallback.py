"""WhatsApp refused a message (outside the 24-hour window, or not on WhatsApp): send it by
SMS instead, when the family has an SMS number that can take it, and say so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import ContactNumber, Message, MessageEvent, School


def retarget_to_sms(session: Session, message: Message, config: Config, code: int | None,
                    now: datetime) -> bool:
    """Point a failed WhatsApp message at the contact's SMS number; False if there is none."""
    if message.channel != "whatsapp" or message.contact_id is None:
        return False
    sms = session.scalars(
        select(ContactNumber)
        .where(ContactNumber.contact_id == message.contact_id, ContactNumber.channel == "sms",
               ContactNumber.detached_at.is_(None), ContactNumber.opted_out_at.is_(None),
               ContactNumber.invalid_at.is_(None))
        .order_by(ContactNumber.priority)
        .limit(1)
    ).first()
    if sms is None:
        return False
    school = session.get(School, message.school_id) if message.school_id else None
    message.channel, message.to_address = "sms", sms.address
    message.from_address = (school.sms_number if school else None) or config.twilio.sms_number
    session.add(MessageEvent(
        message_id=message.id, status=message.status, error_code=code, applied=False,
        created_at=now, detail=f"WhatsApp refused it ({code}): sent by SMS instead"))
    return True
