"""Outbox rows: enqueue inside the caller's transaction; claim in batches for a sender."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.broadcasts.segments import count_segments
from bot.models import Message, OutboxItem


def enqueue(session: Session, message: Message, *, priority: int, now: datetime,
            not_before: datetime | None = None) -> OutboxItem:
    """Add an outbox row for a stored message; it is sent after the caller commits."""
    message.segments = count_segments(message.body).segments  # the sender paces by segments
    item = OutboxItem(message_id=message.id, priority=priority, state="pending",
                      not_before=not_before or now, created_at=now)
    session.add(item)
    return item


def claim(session: Session, *, worker: str, limit: int, now: datetime,
          stale_after: timedelta) -> list[OutboxItem]:
    """Claim up to limit ready rows, replies first; several workers never claim the same row.

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets workers claim side by side; SQLite ignores
    it and runs one worker. A row left 'sending' by a worker that died is claimed again
    after stale_after: the one window where a message may go out twice (see docs).
    """
    ready = or_(
        (OutboxItem.state == "pending") & (OutboxItem.not_before <= now),
        (OutboxItem.state == "sending") & (OutboxItem.claimed_at < now - stale_after),
    )
    ids = list(session.scalars(
        select(OutboxItem.id)
        .where(ready)
        .order_by(OutboxItem.priority, OutboxItem.not_before, OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all())
    if not ids:
        return []
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(ids))
        .values(state="sending", claimed_by=worker, claimed_at=now,
                attempts=OutboxItem.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    items = session.scalars(
        select(OutboxItem).where(OutboxItem.id.in_(ids))
        .order_by(OutboxItem.priority, OutboxItem.not_before, OutboxItem.id)
        .execution_options(populate_existing=True)
    ).all()
    return list(items)
