"""The outbox: messages waiting for the sender, claimed in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow

# Lower goes first: a reply to a family never waits behind a bulk announcement.
PRIORITY_REPLY = 0
PRIORITY_BULK = 10


class OutboxItem(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_ready", "state", "priority", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    priority: Mapped[int] = mapped_column(default=PRIORITY_REPLY)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|done|failed
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
