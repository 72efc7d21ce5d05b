"""A broadcast's progress: how many messages are in each state, overall and per language."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Broadcast, Message, OutboxItem

# The states a person watching a broadcast cares about, in the order they are shown.
STATES = ("held", "queued", "sent", "delivered", "failed", "opted_out")


def _state(status: str, outbox_state: str | None, not_before: datetime | None,
           error_code: int | None, now: datetime) -> str:
    if status == "pending":
        return "held" if not_before is not None and not_before > now else "queued"
    if status in ("accepted", "scheduled", "queued", "sending", "sent"):
        return "sent"
    if status in ("delivered", "read"):
        return "delivered"
    if status == "canceled" or error_code == 21610:
        return "opted_out"
    return "failed"


@dataclass
class Progress:
    total: int = 0
    states: Counter[str] = field(default_factory=Counter)
    by_language: dict[str, Counter[str]] = field(default_factory=dict)
    held_until: datetime | None = None  # when the last held message may go
    failures: Counter[str] = field(default_factory=Counter)  # error code -> count
    by_channel: Counter[str] = field(default_factory=Counter)  # sms|whatsapp|whatsapp_template

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "states": {s: self.states[s] for s in STATES},
                "by_language": {lang: {s: c[s] for s in STATES}
                                for lang, c in sorted(self.by_language.items())},
                "held_until": self.held_until.isoformat() if self.held_until else None,
                "failures": dict(self.failures), "by_channel": dict(self.by_channel)}


def broadcast_progress(session: Session, broadcast: Broadcast, now: datetime) -> Progress:
    """Count the broadcast's messages by state and language (one grouped query)."""
    rows = session.execute(
        select(Message.language, Message.status, OutboxItem.state, OutboxItem.not_before,
               Message.error_code, Message.channel, Message.sent_as_template, func.count())
        .outerjoin(OutboxItem, OutboxItem.message_id == Message.id)
        .where(Message.broadcast_id == broadcast.id)
        .group_by(Message.language, Message.status, OutboxItem.state, OutboxItem.not_before,
                  Message.error_code, Message.channel, Message.sent_as_template)
    ).all()
    progress = Progress()
    for language, status, outbox_state, not_before, error_code, channel, template, count in rows:
        state = _state(status, outbox_state, not_before, error_code, now)
        progress.total += count
        progress.by_channel["whatsapp_template" if template else channel] += count
        progress.states[state] += count
        progress.by_language.setdefault(language or "und", Counter())[state] += count
        if state == "held" and (progress.held_until is None or not_before > progress.held_until):
            progress.held_until = not_before
        if state == "failed" and error_code is not None:
            progress.failures[str(error_code)] += count
    return progress


def recent_announcements(session: Session, contact_id: int, limit: int = 3) -> list[Message]:
    """The last announcements a family was sent: context when they answer one."""
    return list(session.scalars(
        select(Message)
        .where(Message.contact_id == contact_id, Message.broadcast_id.is_not(None))
        .order_by(Message.id.desc())
        .limit(limit)))
