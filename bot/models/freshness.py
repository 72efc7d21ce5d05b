"""Number checks: prompts asking a family to confirm its number, codes that verify a new
one, and the follow-up list of households nobody can reach."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.contact import Contact, ContactNumber
    from bot.models.household import Household
    from bot.models.user import User

# pending: prompted, waiting for an answer; verifying: a new number was given and its code
# sent; confirmed / changed / wrong_person: answered; stale: no answer after the reminders,
# or the number died; canceled: superseded (the contact opted out, the number was replaced).
CHECK_STATES = ("pending", "verifying", "confirmed", "changed", "wrong_person", "stale",
                "canceled")
CHECK_REASONS = ("interval", "prepaid", "failures")
OPEN_CHECK_STATES = ("pending", "verifying")
VERIFICATION_STATES = ("pending", "verified", "failed", "expired", "canceled")
FOLLOW_UP_REASONS = ("no_answer", "wrong_person", "dead_number")


class NumberCheck(Base):
    """One round of asking a contact to confirm the number we text."""

    __tablename__ = "number_checks"
    __table_args__ = (
        Index("ix_number_checks_contact_state", "contact_id", "state"),
        Index("ix_number_checks_state_next", "state", "next_prompt_at"),
        CheckConstraint(f"state IN {CHECK_STATES}", name="state"),
        CheckConstraint(f"reason IN {CHECK_REASONS}", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number_id: Mapped[int] = mapped_column(ForeignKey("contact_numbers.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    reason: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    prompts_sent: Mapped[int] = mapped_column(default=1)
    last_prompt_at: Mapped[datetime]
    next_prompt_at: Mapped[datetime | None]  # the next reminder, or when it goes stale
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    contact: Mapped[Contact] = relationship()
    number: Mapped[ContactNumber] = relationship()


class NumberVerification(Base):
    """A code sent to a new number; only that phone sending it back moves the contact."""

    __tablename__ = "number_verifications"
    __table_args__ = (
        Index("ix_number_verifications_address_state", "new_address", "state"),
        CheckConstraint(f"state IN {VERIFICATION_STATES}", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("number_checks.id", ondelete="SET NULL"))
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="SET NULL"))
    old_number_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_numbers.id", ondelete="SET NULL"))
    new_address: Mapped[str] = mapped_column(String(32))  # E.164, SMS
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of the code, hex
    attempts: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by: Mapped[str] = mapped_column(String(16))  # family | user
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    code_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    detail: Mapped[str] = mapped_column(Text, default="")

    contact: Mapped[Contact] = relationship()


class FollowUp(Base):
    """A household its liaisons must reach another way: call, or ask the other guardian."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_open", "resolved_at", "household_id"),
        CheckConstraint(f"reason IN {FOLLOW_UP_REASONS}", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")

    household: Mapped[Household] = relationship()
    contact: Mapped[Contact | None] = relationship()
    resolved_by: Mapped[User | None] = relationship()
