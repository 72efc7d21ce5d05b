"""Broadcasts: an announcement to an audience, with one variant per language."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.user import User

STATUSES = ("draft", "scheduled", "sending", "sent", "canceled")
# What happens to a language with no approved variant when the broadcast is sent.
MISSING_POLICIES = ("hold", "fallback", "original")


class Broadcast(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint(f"missing_policy IN {MISSING_POLICIES}", name="missing_policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # {"schools": [ids], "grades": [...], "languages": [...], "households": [external ids]};
    # an empty dict is everyone.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    template_name: Mapped[str | None] = mapped_column(String(100))
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_language: Mapped[str] = mapped_column(String(35), default="en")
    urgent: Mapped[bool] = mapped_column(default=False)
    missing_policy: Mapped[str] = mapped_column(String(16), default="hold")
    timezone: Mapped[str] = mapped_column(String(64))
    send_at: Mapped[datetime | None]
    # {"weekdays": [0, 2], "time": "07:30"} in `timezone`; each firing sends a child broadcast.
    recurrence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[User] = relationship()
    variants: Mapped[list[BroadcastVariant]] = relationship(
        back_populates="broadcast", order_by="BroadcastVariant.language",
        cascade="all, delete-orphan")

    def variant(self, language: str) -> BroadcastVariant | None:
        return next((v for v in self.variants if v.language == language), None)


class BroadcastVariant(Base):
    """One language's text of a broadcast, and who approved it."""

    __tablename__ = "broadcast_variants"
    __table_args__ = (UniqueConstraint("broadcast_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    text: Mapped[str] = mapped_column(Text, default="")
    # staff (the original), template (from messages/), machine (a draft), liaison (edited)
    origin: Mapped[str] = mapped_column(String(16))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    # Set when staff sent this language without a liaison's review, with their reason.
    unreviewed_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    broadcast: Mapped[Broadcast] = relationship(back_populates="variants")
    approved_by: Mapped[User | None] = relationship()

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
