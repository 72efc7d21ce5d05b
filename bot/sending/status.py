"""Delivery statuses: they only move forward, since callbacks arrive out of order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.base import StatusUpdate
from bot.config import Config
from bot.contacts.service import opt_out
from bot.freshness.dead import after_failure
from bot.models import AuditEvent, ContactNumber, Message, MessageEvent
from bot.sending.errors import ErrorAction, classify, moves_forward


def apply_status(session: Session, update: StatusUpdate, now: datetime,
                 config: Config | None = None) -> Message | None:
    """Record a provider status for one of our messages; return it, or None if unknown."""
    message = session.get(Message, update.message_id) if update.message_id else None
    if message is not None and message.provider_sid not in (None, update.provider_sid):
        message = None  # the id in the URL and the provider's id disagree: trust the provider
    if message is None and update.provider_sid:
        message = session.scalars(
            select(Message).where(Message.provider_sid == update.provider_sid)).first()
    if message is None or message.direction != "out":
        return None
    if message.provider_sid is None and update.provider_sid:
        message.provider_sid = update.provider_sid  # the callback beat the send response
    applied = moves_forward(message.status, update.status)
    session.add(MessageEvent(message_id=message.id, status=update.status,
                             error_code=update.error_code, applied=applied, created_at=now,
                             detail="" if applied else f"arrived after '{message.status}'"))
    if applied:
        message.status = update.status
        if update.error_code is not None:
            message.error_code = update.error_code
    if not applied:
        return message  # a repeated or late callback has already had its effect, or none
    if update.error_code is not None:
        apply_error_effects(session, message, update.error_code, None, now, config)
    elif update.status in ("delivered", "read"):
        _numbers(session, message).update({ContactNumber.consecutive_failures: 0},
                                          synchronize_session=False)
    return message


def _numbers(session: Session, message: Message):  # type: ignore[no-untyped-def]
    """The number rows this message went to (every contact sharing the phone)."""
    return session.query(ContactNumber).filter(
        ContactNumber.channel == message.channel, ContactNumber.address == message.to_address,
        ContactNumber.detached_at.is_(None))


def apply_error_effects(session: Session, message: Message, code: int | None,
                        http_status: int | None, now: datetime,
                        config: Config | None = None) -> ErrorAction:
    """Update the contact after a provider error that says something about the number."""
    action = classify(code, http_status)
    if action is ErrorAction.OPTED_OUT:
        opt_out(session, channel=message.channel, address=message.to_address,
                keyword=f"carrier opt-out ({code})", now=now, source="provider")
    elif action is ErrorAction.INVALID_NUMBER:
        _numbers(session, message).update(
            {ContactNumber.invalid_at: now,
             ContactNumber.invalid_reason: f"provider error {code}"},
            synchronize_session=False)
        _audit(session, message, "number.invalid", code, now)
    elif action is ErrorAction.UNREACHABLE:
        # Often temporary (30003): counted, so the number-freshness work can act on repeats.
        _numbers(session, message).update(
            {ContactNumber.consecutive_failures: ContactNumber.consecutive_failures + 1},
            synchronize_session=False)
    elif action is ErrorAction.NOT_ON_WHATSAPP:
        _move_whatsapp_down(session, message, code, now)
    if action in (ErrorAction.INVALID_NUMBER, ErrorAction.UNREACHABLE):
        session.flush()
        after_failure(session, message, code, config or Config(), now)
    return action


def _move_whatsapp_down(session: Session, message: Message, code: int | None,
                        now: datetime) -> None:
    """Not on WhatsApp (63003/63024): the contact's other numbers go first from now on."""
    for number in _numbers(session, message).all():
        lowest = max((n.priority for n in number.contact.numbers), default=0)
        number.priority = lowest + 1
    _audit(session, message, "number.not_on_whatsapp", code, now)


def _audit(session: Session, message: Message, action: str, code: int | None,
           now: datetime) -> None:
    if message.contact_id is not None:
        session.add(AuditEvent(at=now, actor="system", action=action, subject_type="contact",
                               subject_id=message.contact_id,
                               details={"channel": message.channel, "error_code": code}))
