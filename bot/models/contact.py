"""Contacts (guardians) and their numbers, in priority order, with history."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.household import Household

CHANNELS = ("sms", "whatsapp")
# Where a number came from. Only a roster number is the roster's to detach: a number the
# family proved by code, a liaison entered, or a family texted from was learned in Puente,
# and the next SIS export, which does not know it yet, must not undo it.
NUMBER_SOURCES = ("roster", "family", "liaison", "inbound")
NUMBER_STATUSES = ("active", "unconfirmed", "stale", "invalid")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    relationship_label: Mapped[str] = mapped_column("relationship", String(64), default="")
    language: Mapped[str] = mapped_column(String(35))
    other_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # For a language without locale data (e.g. Mixtec), automated texts use this one.
    fallback_language: Mapped[str | None] = mapped_column(String(35))
    prepaid: Mapped[bool] = mapped_column(default=False)
    preferred_start: Mapped[time | None] = mapped_column(Time)
    preferred_end: Mapped[time | None] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Texted us from a number no roster knows; the liaison may link it to a household.
    is_unknown: Mapped[bool] = mapped_column(default=False)
    # The language menu last sent (its options, in order) and when: a number sent back
    # soon after picks from it (bot/language/menu.py).
    language_menu: Mapped[list[str] | None] = mapped_column(JSON)
    language_menu_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The reach summary, for the reachability report: written only by database triggers
    # (migration 0009) whenever a number, a contact or a household changes. Deferred, so an
    # object loads them only when asked, from what the database holds at that moment.
    reach_level: Mapped[int] = mapped_column(  # 0 no number alive, 1 opted out, 2 working
        SmallInteger, server_default="0", deferred=True)
    reach_confirmed_at: Mapped[datetime | None] = mapped_column(deferred=True)  # of a working one
    reach_school_id: Mapped[int | None] = mapped_column(deferred=True)  # the household's

    household: Mapped[Household | None] = relationship(back_populates="contacts")
    numbers: Mapped[list[ContactNumber]] = relationship(
        back_populates="contact", order_by="ContactNumber.priority",
        cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"status IN {NUMBER_STATUSES}", name="status"),
        # A household's guardians in id order: the first one is found without a sort, and
        # without PostgreSQL walking the primary key instead (it would, for a plan made
        # while the table was small: see migration 0009).
        Index("ix_contacts_household_id", "household_id", "id"),
        # Covers the report's count: read in (school, language) order, no table, no sort.
        Index("ix_contacts_reach", "reach_school_id", "language", "is_unknown", "status",
              "reach_level", "reach_confirmed_at"),
    )

    @property
    def languages(self) -> list[str]:
        """The preferred language first, then the others, without repeats."""
        return list(dict.fromkeys([self.language, *(self.other_languages or [])]))

    @property
    def text_languages(self) -> list[str]:
        """The language chain for automated texts: preferred, fallback, English."""
        chain = [self.language]
        if self.fallback_language:
            chain.append(self.fallback_language)
        chain.append("en")
        return list(dict.fromkeys(chain))

    @property
    def active_numbers(self) -> list[ContactNumber]:
        return [n for n in self.numbers if n.detached_at is None]


class ContactNumber(Base):
    __tablename__ = "contact_numbers"
    __table_args__ = (
        UniqueConstraint("contact_id", "channel", "address"),
        Index("ix_contact_numbers_address_channel", "address", "channel"),
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
        CheckConstraint(f"source IN {NUMBER_SOURCES}", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(32))  # E.164, no "whatsapp:" prefix
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="roster", server_default="roster")
    priority: Mapped[int] = mapped_column(default=0)  # lower is tried first
    last_confirmed_at: Mapped[datetime | None]
    last_heard_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    opt_out_keyword: Mapped[str | None] = mapped_column(String(64))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    # The provider said the number cannot receive texts (21211 invalid, 21614 not mobile,
    # 30006 landline): nothing more is sent to it until someone fixes it.
    invalid_at: Mapped[datetime | None]
    invalid_reason: Mapped[str | None] = mapped_column(String(200))
    # A number is never deleted: detaching keeps it in the contact's history.
    detached_at: Mapped[datetime | None]
    detached_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="numbers")

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None
