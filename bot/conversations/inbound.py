"""A family's text arrives: dedupe, keywords, contact, conversation, route, acknowledge."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import texts
from bot.channels.base import Inbound
from bot.config import Config
from bot.contacts.service import (
    create_unknown_contact,
    find_numbers,
    opt_in,
    opt_out,
    opted_out_number,
)
from bot.conversations.threads import open_conversation
from bot.i18n import family_text
from bot.keywords.match import find_opt_out_phrase, match_keyword
from bot.language.detect import detect_language
from bot.models import AuditEvent, Contact, Conversation, Message, MessageEvent, School
from bot.phones import display_phone
from bot.routing.service import Route, route_conversation
from bot.schools.service import school_by_number

log = logging.getLogger(__name__)

# Acknowledge "nobody is on duty" at most this often per conversation, not on every text.
ACK_INTERVAL = timedelta(hours=12)
UNDETERMINED = "und"


@dataclass(frozen=True)
class InboundResult:
    message: Message | None
    reply: Message | None = None
    duplicate: bool = False
    route: Route | None = None


def record_inbound(session: Session, inbound: Inbound, *, config: Config,
                   now: datetime) -> InboundResult:
    """Store a family's message, act on keywords, route it, and return any immediate reply."""
    if session.scalar(select(Message.id).where(Message.provider_sid == inbound.provider_sid)):
        return InboundResult(message=None, duplicate=True)
    channel, address = inbound.channel, inbound.from_address
    numbers = find_numbers(session, channel, address)
    detection = None
    if numbers:
        number = numbers[0]
        number.last_heard_at = now
    else:
        detection = detect_language(inbound.body,
                                    threshold=config.languages.detection_threshold)
        language = detection.language if detection.certain and detection.language else UNDETERMINED
        number = create_unknown_contact(session, channel=channel, address=address,
                                        language=language, name=inbound.profile_name, now=now)
    contact = number.contact
    school = _school_for(session, inbound, contact)
    conversation = open_conversation(session, contact, school, contact.language, now)
    if detection is not None:
        conversation.language_uncertain = not detection.certain

    message = Message(
        conversation=conversation, direction="in", kind="chat", channel=channel,
        from_address=address, to_address=inbound.to_address, body=inbound.body.replace("\x00", ""),
        language=contact.language if contact.language != UNDETERMINED else None,
        media=[{"url": m.url, "content_type": m.content_type} for m in inbound.media],
        provider_sid=inbound.provider_sid, status="received", created_at=now)
    session.add(message)
    session.flush()
    session.add(MessageEvent(message_id=message.id, status="received", created_at=now))
    conversation.last_channel, conversation.last_address = channel, address
    conversation.last_inbound_at = conversation.last_message_at = now

    languages = [] if contact.language == UNDETERMINED else contact.languages
    route = route_conversation(session, conversation, languages, now)
    reply_text = _keyword_reply(session, inbound, contact, school, now)
    if reply_text is None:
        _flag_plain_opt_out(session, conversation, inbound.body, now)
        if (route.user is None and opted_out_number(session, channel, address) is None
                and not _acknowledged_recently(session, conversation, now)):
            reply_text = family_text(texts.ACK_NOBODY_ON_DUTY, contact.text_languages,
                                     school=school.name)
    reply = None
    if reply_text is not None:
        reply = _store_reply(session, conversation, inbound, reply_text, now)
    log.info("inbound message %s stored in conversation %s (%s)", message.id, conversation.id,
             route.rule)
    return InboundResult(message=message, reply=reply, route=route)


def _school_for(session: Session, inbound: Inbound, contact: Contact) -> School:
    """The number texted picks the school; a district number falls back to the household's."""
    school = school_by_number(session, inbound.channel, inbound.to_address)
    if school is None and contact.household is not None:
        school = contact.household.school
    if school is None:
        school = session.scalars(select(School).order_by(School.id).limit(1)).first()
    if school is None:
        raise LookupError(
            "no school is configured: create one with `flask --app bot schools create`")
    return school


def _keyword_reply(session: Session, inbound: Inbound, contact: Contact, school: School,
                   now: datetime) -> tuple[str, str] | None:
    """Act on an opt-out, opt-in or help keyword; return the reply, if one is allowed."""
    match = match_keyword(inbound.body)
    if match is None:
        return None
    channel, address = inbound.channel, inbound.from_address
    was_opted_out = opted_out_number(session, channel, address) is not None
    languages = contact.text_languages
    if match.kind == "opt_out":
        if was_opted_out:
            return None  # already confirmed once; an opted-out number gets nothing more
        opt_out(session, channel=channel, address=address, keyword=match.keyword, now=now)
        # The one confirmation an opted-out number may still receive.
        return family_text(texts.OPTED_OUT, languages, school=school.name)
    if match.kind == "opt_in" or (match.kind == "yes" and was_opted_out):
        opt_in(session, channel=channel, address=address, keyword=match.keyword, now=now)
        return family_text(texts.OPTED_IN, languages, school=school.name)
    if match.kind == "help" and not was_opted_out:
        if school.office_phone:
            return family_text(texts.HELP_WITH_PHONE, languages, school=school.name,
                               phone=display_phone(school.office_phone))
        return family_text(texts.HELP, languages, school=school.name)
    return None


def _flag_plain_opt_out(session: Session, conversation: Conversation, body: str,
                        now: datetime) -> None:
    """Flag a plain-language request to stop for a person; never act on it automatically."""
    phrase = find_opt_out_phrase(body)
    if phrase is None:
        return
    conversation.possible_opt_out = phrase.reason
    session.add(AuditEvent(at=now, actor="system", action="conversation.possible_opt_out",
                           subject_type="conversation", subject_id=conversation.id,
                           details={"reason": phrase.reason}))


def _acknowledged_recently(session: Session, conversation: Conversation, now: datetime) -> bool:
    last_auto = session.scalar(
        select(Message.created_at)
        .where(Message.conversation_id == conversation.id, Message.kind == "auto")
        .order_by(Message.id.desc())
        .limit(1))
    return last_auto is not None and now - last_auto < ACK_INTERVAL


def _store_reply(session: Session, conversation: Conversation, inbound: Inbound,
                 reply: tuple[str, str], now: datetime) -> Message:
    """Record the automatic reply; it goes back to Twilio as TwiML, not through the outbox."""
    body, language = reply
    message = Message(
        conversation=conversation, direction="out", kind="auto", channel=inbound.channel,
        from_address=inbound.to_address, to_address=inbound.from_address, body=body,
        language=language, status="sent", created_at=now)
    session.add(message)
    session.flush()
    session.add(MessageEvent(message_id=message.id, status="sent", detail="answered as TwiML",
                             created_at=now))
    return message
