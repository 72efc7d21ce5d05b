"""Conversations between a contact and a school, and who they were routed to, and why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.contact import Contact
    from bot.models.message import Message
    from bot.models.school import School
    from bot.models.user import User


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_assignee_status", "assigned_user_id", "status"),
        Index("ix_conversations_contact_school", "contact_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    language: Mapped[str] = mapped_column(String(35))
    language_uncertain: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    route_reason: Mapped[str] = mapped_column(Text, default="")
    # A plain-language request to stop ("no más mensajes"), for a person to act on.
    possible_opt_out: Mapped[str | None] = mapped_column(Text)
    last_channel: Mapped[str] = mapped_column(String(16), default="sms")
    last_address: Mapped[str] = mapped_column(String(32), default="")
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship()
    school: Mapped[School] = relationship()
    assigned_user: Mapped[User | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id")
    assignments: Mapped[list[Assignment]] = relationship(order_by="Assignment.id")


class Assignment(Base):
    """One routing decision: who got the conversation (or nobody), and why."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    language: Mapped[str] = mapped_column(String(35))
    rule: Mapped[str] = mapped_column(String(32))  # sticky | school | district | unrouted
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationRead(Base):
    """When a user last read a conversation, for unread markers."""

    __tablename__ = "conversation_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
