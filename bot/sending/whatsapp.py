"""How an announcement reaches a WhatsApp number: free-form text inside the 24 hours after
the family's last message, the language's approved template outside them, else SMS.

The decision is taken just before sending, not when the broadcast is queued: a family held
for quiet hours may have written in the meantime, or its window may have closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import ContactNumber, Message, MessageEvent, School

WHATSAPP_WINDOW = timedelta(hours=24)
# A window about to close is treated as closed: the message may sit in Twilio's queue.
_CLOSING_MARGIN = timedelta(minutes=5)


def window_open(session: Session, message: Message, now: datetime) -> bool:
    """Tell whether the family wrote from this WhatsApp number in the last 24 hours."""
    last_heard = session.scalar(
        select(ContactNumber.last_heard_at)
        .where(ContactNumber.contact_id == message.contact_id,
               ContactNumber.channel == "whatsapp",
               ContactNumber.address == message.to_address))
    return last_heard is not None and now - last_heard < WHATSAPP_WINDOW - _CLOSING_MARGIN


def choose_whatsapp_form(session: Session, message: Message, config: Config,
                         now: datetime) -> None:
    """Before an announcement goes out on WhatsApp, switch it to its template or to SMS
    when the family's window is closed. Replies choose their channel themselves."""
    if (message.channel != "whatsapp" or message.broadcast_id is None
            or message.sent_as_template or window_open(session, message, now)):
        return
    if message.content_sid:
        use_template(session, message, now, "outside WhatsApp's 24-hour window")
    else:
        # With no SMS number, try the text anyway: the family may have written a moment ago.
        retarget_to_sms(session, message, config, None, now,
                        "outside WhatsApp's 24-hour window, and no approved template in "
                        "this language")


def use_template(session: Session, message: Message, now: datetime, why: str) -> None:
    """Send the message as its approved WhatsApp template, and record that."""
    message.sent_as_template = True
    session.add(MessageEvent(
        message_id=message.id, status=message.status, applied=False, created_at=now,
        detail=f"{why}: sent as the approved WhatsApp template {message.content_sid}"))


def retarget_to_sms(session: Session, message: Message, config: Config, code: int | None,
                    now: datetime, why: str = "") -> bool:
    """Point a WhatsApp message at the contact's SMS number; False if there is none."""
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
    message.sent_as_template = False
    session.add(MessageEvent(
        message_id=message.id, status=message.status, error_code=code, applied=False,
        created_at=now, detail=f"{why or f'WhatsApp refused it ({code})'}: sent by SMS instead"))
    return True
