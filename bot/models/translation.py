"""Translation reviews: a family-facing text a person reviewed in the dashboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


class TranslationReview(Base):
    """The reviewed text of one msgid in one catalog's language; it wins over the catalog."""

    __tablename__ = "translation_reviews"
    __table_args__ = (UniqueConstraint("language", "msgid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(35))  # the catalog's tag: es, zh-Hans, fa-AF
    msgid: Mapped[str] = mapped_column(Text)  # the English source (singular of a plural pair)
    msgid_plural: Mapped[str | None] = mapped_column(Text)
    strings: Mapped[list[str]] = mapped_column(JSON)  # one per plural form, else one
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
