"""Text copies of announcements for liaisons who asked for them.

Every liaison sees the announcements in their languages in the dashboard; one who set a
copy phone (`flask --app bot users copies EMAIL --phone …`) also gets, when a broadcast
starts, one text with what families in the first of their languages were sent. The copy
is staff-facing (English around the family's text), goes at once, and is not counted in
the broadcast's progress.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.broadcasts.templates import load_templates
from bot.broadcasts.variants import sample_text
from bot.config import Config
from bot.languages import english_name, speaks
from bot.models import Broadcast, Message, User
from bot.models.outbox import PRIORITY_BULK
from bot.sending.outbox import enqueue


def queue_liaison_copies(session: Session, broadcast: Broadcast, sent_languages: Collection[str],
                         *, config: Config, now: datetime) -> int:
    """Queue one copy per liaison with a copy phone who speaks a language that went out."""
    if not sent_languages:
        return 0
    template = load_templates().get(broadcast.template_name) if broadcast.template_name else None
    variants = {v.language: v for v in broadcast.variants if v.language in sent_languages}
    liaisons = session.scalars(
        select(User).where(User.role == "liaison", User.active.is_(True),
                           User.copy_phone.is_not(None))
        .options(selectinload(User.language_rows), selectinload(User.schools))).all()
    queued = 0
    for liaison in liaisons:
        language = next((lang for lang in variants if speaks(liaison.languages, lang)), None)
        if language is None:
            continue
        text = sample_text(broadcast, variants[language], template)
        school = liaison.schools[0] if liaison.schools else None
        message = Message(
            direction="out", kind="auto", channel="sms", status="pending", language=language,
            from_address=(school.sms_number if school else None) or config.twilio.sms_number,
            to_address=liaison.copy_phone, created_at=now,
            body=staff_copy(broadcast.title, language, text))
        session.add(message)
        session.flush()
        enqueue(session, message, priority=PRIORITY_BULK, now=now)
        queued += 1
    return queued


def staff_copy(title: str, language: str, text: str) -> str:
    """The copy a liaison reads: staff-facing English around the families' own text."""
    return f"Puente copy, {english_name(language)}: {title}\n\n{text}"
