"""Conversations: find or open one, and pick where a message to the family goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import Contact, ContactNumber, Conversation, School
from bot.sending.whatsapp import WHATSAPP_WINDOW


def open_conversation(session: Session, contact: Contact, school: School, language: str,
                      now: datetime) -> Conversation:
    """Return the contact's open conversation with the school, opening one if needed."""
    conversation = session.scalars(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.school_id == school.id,
               Conversation.status == "open")
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()
    if conversation is None:
        conversation = Conversation(contact=contact, school=school, language=language,
                                    created_at=now, last_message_at=now)
        session.add(conversation)
        session.flush()
    return conversation


def sender_address(config: Config, school: School, channel: str) -> str:
    """Return the number we send from on this channel: the school's own, else the district's."""
    if channel == "whatsapp":
        own = school.whatsapp_number
        district = config.twilio.whatsapp_number.removeprefix("whatsapp:")
    else:
        own, district = school.sms_number, config.twilio.sms_number
    return own or district or ""


@dataclass(frozen=True)
class Destination:
    channel: str
    address: str
    number: ContactNumber | None
    note: str = ""


def choose_destination(conversation: Conversation, now: datetime) -> Destination | None:
    """Pick the channel and number the family last used (WhatsApp only inside its window)."""
    contact = conversation.contact
    numbers = contact.active_numbers
    last = next((n for n in numbers if n.channel == conversation.last_channel
                 and n.address == conversation.last_address), None)
    if last is not None and last.channel == "whatsapp":
        inside = (conversation.last_inbound_at is not None
                  and now - conversation.last_inbound_at < WHATSAPP_WINDOW)
        if not inside:
            sms = next((n for n in numbers if n.channel == "sms"), None)
            if sms is None:
                return None
            return Destination("sms", sms.address, sms,
                               "sent by SMS: WhatsApp allows free-form replies only within "
                               "24 hours of the family's last message")
    if last is not None:
        return Destination(last.channel, last.address, last)
    first = numbers[0] if numbers else None
    if first is None or (first.channel == "whatsapp"):
        sms = next((n for n in numbers if n.channel == "sms"), None)
        return Destination("sms", sms.address, sms) if sms else None
    return Destination(first.channel, first.address, first)
