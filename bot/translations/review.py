"""Reviewing a family-facing string in the dashboard: who may, what is accepted, the save."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.languages import speaks
from bot.models import AuditEvent, TranslationReview, User
from bot.translations.entries import Entry
from bot.translations.strings import placeholders

DISTRICT_ROLES = ("staff", "admin")


class ReviewRefused(ValueError):
    """The correction cannot go to families as it is; nothing was saved."""


def may_review(user: User, tag: str) -> bool:
    """Only someone who speaks the language reviews it, whatever their role."""
    return speaks(user.languages, tag)


def may_view(user: User, tag: str) -> bool:
    """Staff and admins see every language; a liaison the languages they speak."""
    return user.role in DISTRICT_ROLES or may_review(user, tag)


def save_review(session: Session, user: User, tag: str, entry: Entry, forms: Sequence[str],
                now: datetime) -> TranslationReview:
    """Store forms as the reviewed text of entry in tag, and audit it; flush, never commit."""
    if not may_review(user, tag):
        raise PermissionError(f"{user.name} does not speak {tag}")
    forms = [form.replace("\r\n", "\n").strip() for form in forms]
    check_forms(entry, forms)
    string = entry.string
    review = session.scalar(select(TranslationReview).where(
        TranslationReview.language == tag, TranslationReview.msgid == string.msgid))
    if review is None:
        review = TranslationReview(language=tag, msgid=string.msgid)
        session.add(review)
    review.msgid_plural = string.plural
    review.strings = forms
    review.reviewed_by_id = user.id
    review.reviewed_at = now
    session.flush()
    session.add(AuditEvent(actor_id=user.id, actor="user", action="translation.reviewed",
                           subject_type="translation_review", subject_id=review.id,
                           details={"language": tag, "msgid": string.msgid,
                                    "changed": tuple(forms) != entry.forms}))
    return review


def check_forms(entry: Entry, forms: Sequence[str]) -> None:
    """Refuse a text that is empty, or adds a placeholder, or loses one the English has."""
    if len(forms) != len(entry.forms):
        raise ReviewRefused(f"Write all {len(entry.forms)} forms of this text.")
    wanted = entry.string.placeholders
    used: set[str] = set()
    for number, form in enumerate(forms, start=1):
        which = f"Form {number}" if len(forms) > 1 else "The text"
        if not form:
            raise ReviewRefused(f"{which} is empty: write the text a family should get.")
        try:
            found = placeholders(form)
        except ValueError:
            raise ReviewRefused(f"{which} has a lone {{ or }}: a placeholder is written like "
                                "{school}, braces and all.") from None
        if found - wanted:
            raise ReviewRefused(f"{which} has {_names(found - wanted)}, which the English "
                                f"text does not have: keep the placeholders exactly as "
                                f"they are ({_names(wanted)}).")
        used |= found
    # A plural form may leave the number out ("ساعة واحدة", one hour): together they keep all.
    if wanted - used:
        raise ReviewRefused(f"The text must keep {_names(wanted - used)}: the program "
                            "fills in each placeholder when it sends the text.")


def _names(names: set[str]) -> str:
    return ", ".join("{" + name + "}" for name in sorted(names))
