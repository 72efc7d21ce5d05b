"""Inbound texts exactly as the provider delivered them, stored before any processing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


class InboundEvent(Base):
    """One webhook delivery: stored by the webhook, turned into a Message by a worker.

    Storing first keeps the webhook to one insert (fast, and nothing is lost if processing
    fails: the row stays, with its error, and is retried).
    """

    __tablename__ = "inbound"
    __table_args__ = (Index("ix_inbound_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Twilio's MessageSid; unique, so a webhook delivered twice is stored once.
    provider_sid: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    from_address: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    profile_name: Mapped[str | None] = mapped_column(String(200))
    opt_out_type: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
