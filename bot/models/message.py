"""Messages in and out, with their status history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.conversation import Conversation
    from bot.models.user import User

DIRECTIONS = ("in", "out")
# chat: a person wrote it; auto: the bot answered on its own (acknowledgement, help);
# opt_out: the one confirmation an opted-out number may still be sent.
KINDS = ("chat", "auto", "opt_out")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(f"direction IN {DIRECTIONS}", name="direction"),
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A broadcast message belongs to no conversation until the family answers it.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(16), default="chat")
    channel: Mapped[str] = mapped_column(String(16))
    from_address: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(35))
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Twilio's MessageSid; unique, so a webhook delivered twice is stored once.
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None]
    segments: Mapped[int] = mapped_column(default=1, server_default="1")
    # An announcement's approved WhatsApp template in the family's language, for when the
    # 24-hour window is closed; sent_as_template records that it went out that way.
    content_sid: Mapped[str | None] = mapped_column(String(34))
    content_variables: Mapped[dict[str, str] | None] = mapped_column(JSON)
    sent_as_template: Mapped[bool] = mapped_column(default=False, server_default="0")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    conversation: Mapped[Conversation | None] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    events: Mapped[list[MessageEvent]] = relationship(
        order_by="MessageEvent.id", cascade="all, delete-orphan")


class MessageEvent(Base):
    """One status a message went through, as reported, in arrival order."""

    __tablename__ = "message_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="")
    applied: Mapped[bool] = mapped_column(default=True)  # False: arrived late, kept for history
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
