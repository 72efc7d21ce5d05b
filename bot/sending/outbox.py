"""Outbox rows: enqueue inside the caller's transaction; claim in batches for a sender."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from bot import bidi
from bot.broadcasts.segments import count_segments
from bot.models import Message, OutboxItem
from bot.models.outbox import PRIORITY_BULK


def enqueue(session: Session, message: Message, *, priority: int, now: datetime,
            not_before: datetime | None = None) -> OutboxItem:
    """Add an outbox row for a stored message; it is sent after the caller commits."""
    message.body = bidi.clean(message.body)  # whoever wrote it: no overrides, balanced
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


def insert_bulk(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert bulk messages (each row with its "not_before") and their outbox rows with
    plain executemany; return how many.

    The message ids are reserved first, so no RETURNING is needed: with RETURNING in a
    guaranteed order SQLAlchemy inserts SQLite rows one statement at a time, and psycopg
    parses every multi-row statement in Python — about three times slower here.
    """
    if not rows:
        return 0
    not_before = [row.pop("not_before") for row in rows]
    messages, outbox = Message.__table__, OutboxItem.__table__
    connection = session.connection()  # Core, inside the session's transaction
    ids = _reserve_ids(connection, len(rows))
    for row, message_id in zip(rows, ids, strict=True):
        row["id"] = message_id
    connection.execute(insert(messages), rows)
    connection.execute(insert(outbox), [
        {"message_id": message_id, "priority": PRIORITY_BULK, "state": "pending",
         "not_before": when, "attempts": 0, "created_at": now}
        for message_id, when in zip(ids, not_before, strict=True)])
    return len(ids)


def _reserve_ids(connection: Any, count: int) -> list[int]:
    """Take `count` new message ids: from the sequence on PostgreSQL; on SQLite after the
    largest id, which is safe because the transaction already holds the write lock
    (transactions begin IMMEDIATE)."""
    if connection.dialect.name == "postgresql":
        return list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('messages', 'id')) "
                 "FROM generate_series(1, :n)"), {"n": count}).scalars())
    start = (connection.execute(select(func.max(Message.id))).scalar() or 0) + 1
    return list(range(start, start + count))
