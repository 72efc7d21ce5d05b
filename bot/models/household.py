"""Households and their students."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.contact import Contact
    from bot.models.school import School


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The student information system's household id, as in the roster.
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The reach summary, written only by database triggers (migration 0009; see Contact):
    # the first guardian's language (lowest id), and the best reach_level of its guardians.
    reach_language: Mapped[str | None] = mapped_column(String(35), deferred=True)
    reach_level: Mapped[int] = mapped_column(SmallInteger, server_default="0", deferred=True)

    school: Mapped[School] = relationship()
    students: Mapped[list[Student]] = relationship(
        back_populates="household", order_by="Student.name")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="household", order_by="Contact.id")

    # Leads with school_id, so it serves lookups by school too; covers the report's count.
    __table_args__ = (Index("ix_households_reach", "school_id", "reach_language",
                            "reach_level"),)


class Student(Base):
    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("household_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(16), default="")

    household: Mapped[Household] = relationship(back_populates="students")
    school: Mapped[School] = relationship()
