"""Delivery statuses: they only move forward, since callbacks arrive out of order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.base import StatusUpdate
from bot.contacts.service import opt_out
from bot.models import Message, MessageEvent
from bot.sending.errors import ErrorAction, classify, moves_forward


def apply_status(session: Session, update: StatusUpdate, now: datetime) -> Message | None:
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
    if update.error_code is not None:
        apply_error_effects(session, message, update.error_code, None, now)
    return message


def apply_error_effects(session: Session, message: Message, code: int | None,
                        http_status: int | None, now: datetime) -> ErrorAction:
    """Update the contact after a provider error that says something about the number."""
    action = classify(code, http_status)
    if action is ErrorAction.OPTED_OUT:
        opt_out(session, channel=message.channel, address=message.to_address,
                keyword=f"carrier opt-out ({code})", now=now, source="provider")
    return action
