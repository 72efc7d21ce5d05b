"""Process a family's text: dedupe, contact, conversation, route, keywords, acknowledge.

Runs in a worker (see intake.py), never in the webhook request. Any reply is queued in the
outbox like every other message, ahead of bulk sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import texts
from bot.channels.base import Inbound
from bot.channels.twilio import PROVIDER_KEYWORDS
from bot.config import Config
from bot.contacts.service import (
    create_unknown_contact,
    find_numbers,
    opt_in,
    opt_out,
    opted_out_number,
)
from bot.conversations.threads import open_conversation
from bot.freshness.answers import answer_check
from bot.freshness.verify import answer_code
from bot.i18n import family_text
from bot.keywords.match import KeywordMatch, find_opt_out_phrase, match_keyword
from bot.language.detect import detect_language
from bot.language.menu import answer_menu, send_menu
from bot.models import AuditEvent, Contact, Conversation, Message, MessageEvent, School
from bot.models.outbox import PRIORITY_REPLY
from bot.phones import display_phone
from bot.routing.service import Route, route_conversation
from bot.schools.service import school_by_number
from bot.sending.outbox import enqueue

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
    # A code from a new number moves the contact to it before anything else looks it up.
    code = answer_code(session, address, inbound.body, config=config, now=now) \
        if channel == "sms" else None
    numbers = find_numbers(session, channel, address)
    detection = None
    if numbers:
        number = numbers[0]
        number.last_heard_at = now
    elif code is not None:  # a wrong or late code: the phone is not the family's yet
        number = None
    else:
        detection = detect_language(inbound.body,
                                    threshold=config.languages.detection_threshold)
        language = detection.language if detection.certain and detection.language else UNDETERMINED
        number = create_unknown_contact(session, channel=channel, address=address,
                                        language=language, name=inbound.profile_name, now=now)
    contact = number.contact if number is not None else code.contact  # type: ignore[union-attr]
    school = _school_for(session, inbound, contact)
    conversation = open_conversation(session, contact, school, contact.language, now)
    if detection is not None:
        conversation.language_uncertain = not detection.certain

    message = Message(
        conversation=conversation, contact_id=contact.id, school_id=school.id,
        direction="in", kind="chat", channel=channel,
        from_address=address, to_address=inbound.to_address, body=inbound.body,
        language=contact.language if contact.language != UNDETERMINED else None,
        media=[{"url": m.url, "content_type": m.content_type} for m in inbound.media],
        provider_sid=inbound.provider_sid, status="received", created_at=now)
    session.add(message)
    session.flush()
    session.add(MessageEvent(message_id=message.id, status="received", created_at=now))
    conversation.last_channel, conversation.last_address = channel, address
    conversation.last_inbound_at = conversation.last_message_at = now

    keyword = match_keyword(inbound.body)
    opted_out = _opted_out(session, inbound)
    choice = None
    if code is None and number is not None and keyword is None and not opted_out:
        # Before routing: a family that picked a language is routed in it.
        choice = answer_menu(session, contact, inbound.body, school=school, now=now)
        if choice is not None:
            conversation.language = choice.language
    languages = [] if contact.language == UNDETERMINED else contact.languages
    route = route_conversation(session, conversation, languages, now)
    check_answer = None
    if code is None and choice is None and number is not None \
            and (keyword is None or keyword.kind == "yes") and not opted_out:
        check_answer = answer_check(session, number, inbound.body, school=school,
                                    config=config, now=now)
    if code is not None:
        reply_text = code.reply
    elif choice is not None:
        reply_text = choice.reply
    elif check_answer is not None:  # YES from an opted-in number with a check confirms it
        reply_text = check_answer
    elif keyword is not None and (keyword.kind != "yes" or opted_out):
        reply_text = _answer_keyword(session, inbound, keyword, contact, school, config, now)
    else:  # an ordinary message (a YES from a number that is not opted out is one too)
        reply_text = None
        _flag_plain_opt_out(session, conversation, inbound.body, now)
        if (route.user is None and not opted_out
                and not _acknowledged_recently(session, conversation, now)):
            reply_text = family_text(texts.ACK_NOBODY_ON_DUTY, contact.text_languages,
                                     school=school.name)
    reply = None
    if reply_text is not None:
        reply = _queue_reply(session, conversation, inbound, reply_text, now)
    log.debug("inbound message %s stored in conversation %s (%s)", message.id, conversation.id,
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


def _opted_out(session: Session, inbound: Inbound) -> bool:
    return opted_out_number(session, inbound.channel, inbound.from_address) is not None


def _answer_keyword(session: Session, inbound: Inbound, match: KeywordMatch, contact: Contact,
                    school: School, config: Config, now: datetime) -> tuple[str, str] | None:
    """Act on an opt-out, opt-in, help or language-menu keyword; return our reply, if due."""
    channel, address = inbound.channel, inbound.from_address
    was_opted_out = _opted_out(session, inbound)
    languages = contact.text_languages
    # The provider already answered its own keywords; a second answer would be refused
    # (after STOP) or repeat it (START, HELP). We still record what the family asked.
    answered = inbound.opt_out_type is not None or (
        not config.app.sandbox and match.keyword.upper() in PROVIDER_KEYWORDS)
    if match.kind == "opt_out":
        if was_opted_out:
            return None  # already confirmed once; an opted-out number gets nothing more
        opt_out(session, channel=channel, address=address, keyword=match.keyword, now=now)
        # The one confirmation an opted-out number may still receive.
        return None if answered else family_text(texts.OPTED_OUT, languages, school=school.name)
    if match.kind in ("opt_in", "yes"):
        opt_in(session, channel=channel, address=address, keyword=match.keyword, now=now)
        return None if answered else family_text(texts.OPTED_IN, languages, school=school.name)
    if was_opted_out:  # help and the menu: an opted-out number gets nothing
        return None
    if match.kind == "language_menu":
        return send_menu(session, contact, config, now)
    if answered:
        return None
    if school.office_phone:
        return family_text(texts.HELP_WITH_PHONE, languages, school=school.name,
                           phone=display_phone(school.office_phone))
    return family_text(texts.HELP, languages, school=school.name)


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


def _queue_reply(session: Session, conversation: Conversation, inbound: Inbound,
                 reply: tuple[str, str], now: datetime) -> Message:
    """Queue the automatic reply from the number the family texted, ahead of bulk sends."""
    body, language = reply
    opted_out = opted_out_number(session, inbound.channel, inbound.from_address) is not None
    message = Message(
        conversation=conversation, contact_id=conversation.contact_id,
        school_id=conversation.school_id, direction="out",
        kind="opt_out" if opted_out else "auto",
        channel=inbound.channel, from_address=inbound.to_address,
        to_address=inbound.from_address, body=body, language=language, status="pending",
        created_at=now)
    session.add(message)
    session.flush()
    session.add(MessageEvent(message_id=message.id, status="pending",
                             detail="automatic reply", created_at=now))
    enqueue(session, message, priority=PRIORITY_REPLY, now=now)
    return message
