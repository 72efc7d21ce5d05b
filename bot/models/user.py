"""Dashboard users: liaisons, staff and admins, their languages and schools."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, utcnow

if TYPE_CHECKING:
    from bot.models.school import School

ROLES = ("liaison", "staff", "admin")

user_schools = Table(
    "user_schools",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    on_duty: Mapped[bool] = mapped_column(default=True)
    # Where a liaison who asked for them gets text copies of announcements (E.164).
    copy_phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    language_rows: Mapped[list[UserLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="UserLanguage.position")
    schools: Mapped[list[School]] = relationship(secondary=user_schools, order_by="School.name")

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @property
    def district_wide(self) -> bool:
        """A user attached to no school serves the whole district."""
        return not self.schools

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


class UserLanguage(Base):
    __tablename__ = "user_languages"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(35), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
