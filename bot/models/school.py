"""Schools: their timezone, country, own numbers and sending hours."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import String, Time
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    sms_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    whatsapp_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    messaging_service_sid: Mapped[str | None] = mapped_column(String(64))
    office_phone: Mapped[str | None] = mapped_column(String(32))
    sending_start: Mapped[time] = mapped_column(Time, default=time(8, 0))
    sending_end: Mapped[time] = mapped_column(Time, default=time(20, 0))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<School {self.id} {self.name!r}>"
