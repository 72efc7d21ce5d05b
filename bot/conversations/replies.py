"""A liaison answers a family: checks, then one outbox row; the sender does the rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Config
from bot.contacts.service import invalid_number, opted_out_number
from bot.conversations.threads import choose_destination, sender_address
from bot.models import Conversation, Message, MessageEvent, User
from bot.models.outbox import PRIORITY_REPLY
from bot.sending.outbox import enqueue

MAX_BODY = 1600  # Twilio refuses longer bodies (error 21617)


class ReplyRefused(Exception):
    """The reply cannot be sent; the message says why, for the liaison."""


def send_reply(session: Session, conversation: Conversation, author: User, body: str, *,
               config: Config, now: datetime) -> Message:
    """Queue a liaison's reply on the channel the family last used; raise ReplyRefused."""
    body = body.strip()
    if not body:
        raise ReplyRefused("The reply is empty.")
    if len(body) > MAX_BODY:
        raise ReplyRefused(f"The reply is {len(body)} characters long; the limit is {MAX_BODY}.")
    destination = choose_destination(conversation, now)
    if destination is None:
        raise ReplyRefused("This family has no number we can message: their WhatsApp window "
                           "has closed (24 hours after their last message) and they have no "
                           "SMS number.")
    blocked = opted_out_number(session, destination.channel, destination.address)
    if blocked is not None:
        raise ReplyRefused(
            f"Not sent: this family opted out of {destination.channel.upper()} messages at "
            f"this number on {blocked.opted_out_at:%Y-%m-%d} by texting "
            f"“{blocked.opt_out_keyword}”. Nothing can be sent to it until they text START.")
    invalid = invalid_number(session, destination.channel, destination.address)
    if invalid is not None:
        raise ReplyRefused(
            f"Not sent: the provider reported this number cannot receive texts "
            f"({invalid.invalid_reason}, {invalid.invalid_at:%Y-%m-%d}). Ask the family for "
            f"a new number, or call another guardian.")
    message = Message(
        conversation=conversation, contact_id=conversation.contact_id,
        school_id=conversation.school_id, direction="out", kind="chat",
        channel=destination.channel,
        from_address=sender_address(config, conversation.school, destination.channel),
        to_address=destination.address, body=body, language=conversation.language,
        status="pending", author=author, created_at=now)
    session.add(message)
    session.flush()
    session.add(MessageEvent(message_id=message.id, status="pending",
                             detail=destination.note or "queued by the dashboard", created_at=now))
    enqueue(session, message, priority=PRIORITY_REPLY, now=now)
    conversation.last_message_at = now
    return message
