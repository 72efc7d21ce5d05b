"""Compose, translate, approve, schedule and cancel broadcasts.

Permissions live here, not in views: staff and admins compose, schedule and send; a liaison
edits and approves only the languages they speak. A language goes out unreviewed only by a
staff member's explicit, recorded decision.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.broadcasts.audience import audience_languages
from bot.broadcasts.templates import Template
from bot.languages import normalize_tag, speaks
from bot.models import AuditEvent, Broadcast, BroadcastVariant, User
from bot.models.broadcast import MISSING_POLICIES

AUDIENCE_KEYS = {"schools", "grades", "languages", "households"}


class BroadcastError(ValueError):
    """A broadcast request that cannot be carried out, with the reason for the person."""


def _require_staff(user: User) -> None:
    if user.role not in ("staff", "admin"):
        raise PermissionError("only staff can compose, schedule or send announcements")


def create_broadcast(session: Session, *, author: User, title: str, audience: dict[str, Any],
                     timezone: str, now: datetime, text: str | None = None,
                     source_language: str = "en", template: Template | None = None,
                     variables: dict[str, Any] | None = None, urgent: bool | None = None,
                     missing_policy: str = "hold") -> Broadcast:
    """Create a draft with its variants: the original, the template's, and translation tasks."""
    _require_staff(author)
    unknown = set(audience) - AUDIENCE_KEYS
    if unknown:
        raise BroadcastError(f"unknown audience field(s): {', '.join(sorted(unknown))}")
    if missing_policy not in MISSING_POLICIES:
        raise BroadcastError(f"missing-translation policy must be one of {MISSING_POLICIES}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BroadcastError(f"unknown timezone {timezone!r}") from None
    if (text is None) == (template is None):
        raise BroadcastError("give either a text or a template")
    broadcast = Broadcast(
        title=title.strip() or "Announcement", audience=audience, timezone=timezone,
        template_name=template.name if template else None,
        variables={k: _jsonable(v) for k, v in (variables or {}).items()},
        source_language=normalize_tag(source_language),
        urgent=template.urgent if urgent is None and template else bool(urgent),
        missing_policy=missing_policy, created_by=author, status="draft", created_at=now)
    if template is not None:
        missing = set(template.placeholders) - {"students"} - set(variables or {})
        if missing:
            raise BroadcastError(f"template {template.name!r} needs: {', '.join(sorted(missing))}")
        for language, variant in template.variants.items():
            broadcast.variants.append(BroadcastVariant(
                language=language, text=variant.text, origin="template",
                approved_at=now if template.reviewed(language) else None))
    else:
        if not text or not text.strip():
            raise BroadcastError("the announcement is empty")
        broadcast.variants.append(BroadcastVariant(
            language=broadcast.source_language, text=text.strip(), origin="staff",
            approved_by=author, approved_at=now))
    session.add(broadcast)
    session.flush()
    add_translation_tasks(session, broadcast)
    session.add(AuditEvent(at=now, actor_id=author.id, actor="user", action="broadcast.created",
                           subject_type="broadcast", subject_id=broadcast.id,
                           details={"urgent": broadcast.urgent, "audience": audience}))
    return broadcast


def _jsonable(value: Any) -> Any:
    """Dates and times are kept as ISO text; `variables_for` turns them back."""
    return value.isoformat() if isinstance(value, date | time | datetime) else value


def variables_for(template: Template, stored: dict[str, Any]) -> dict[str, Any]:
    """Rebuild typed values from stored variables, by the template's placeholder types."""
    parse = {"date": date.fromisoformat, "time": time.fromisoformat,
             "datetime": datetime.fromisoformat}
    return {name: parse[template.placeholders.get(name, "")](value)
            if template.placeholders.get(name) in parse and isinstance(value, str) else value
            for name, value in stored.items()}


def add_translation_tasks(session: Session, broadcast: Broadcast) -> list[str]:
    """Add an empty variant for each audience language nobody has written yet."""
    have = {v.language for v in broadcast.variants}
    added = []
    for language in audience_languages(session, broadcast.audience):
        if not any(speaks([language], existing) and speaks([existing], language)
                   for existing in have):
            broadcast.variants.append(BroadcastVariant(language=language, text="", origin="task"))
            have.add(language)
            added.append(language)
    session.flush()
    return added


def save_variant(session: Session, broadcast: Broadcast, language: str, text: str, user: User,
                 now: datetime, *, approve: bool) -> BroadcastVariant:
    """Edit (and optionally approve) one language; only a liaison who speaks it may approve."""
    if broadcast.status not in ("draft", "scheduled", "sending"):
        raise BroadcastError("this announcement can no longer be changed")
    language = normalize_tag(language)
    is_speaker = user.role == "liaison" and speaks(user.languages, language)
    if not is_speaker and user.role not in ("staff", "admin"):
        raise PermissionError("a liaison edits only the languages they speak")
    if approve and not is_speaker:
        raise PermissionError("only a liaison who speaks the language can approve it")
    if not text.strip():
        raise BroadcastError("the translation is empty")
    variant = broadcast.variant(language)
    if variant is None:
        variant = BroadcastVariant(language=language, origin="liaison")
        broadcast.variants.append(variant)
    if variant.text != text.strip():
        variant.text, variant.origin = text.strip(), "liaison" if is_speaker else "staff"
        variant.approved_at = variant.approved_by = None  # a changed text needs approving again
    if approve:
        variant.approved_at, variant.approved_by, variant.unreviewed_reason = now, user, None
    session.flush()
    session.add(AuditEvent(at=now, actor_id=user.id, actor="user",
                           action="broadcast.variant_approved" if approve
                           else "broadcast.variant_edited",
                           subject_type="broadcast", subject_id=broadcast.id,
                           details={"language": language}))
    return variant


def send_unreviewed(session: Session, broadcast: Broadcast, language: str, user: User,
                    reason: str, now: datetime) -> BroadcastVariant:
    """Let a language go out without a liaison's review: staff only, with a recorded reason."""
    _require_staff(user)
    if not reason.strip():
        raise BroadcastError("say why this language goes out without review (e.g. emergency)")
    variant = broadcast.variant(normalize_tag(language))
    if variant is None or not variant.text.strip():
        raise BroadcastError(f"there is no {language} text to send")
    variant.approved_at, variant.approved_by = now, user
    variant.unreviewed_reason = reason.strip()
    session.add(AuditEvent(at=now, actor_id=user.id, actor="user",
                           action="broadcast.variant_sent_unreviewed",
                           subject_type="broadcast", subject_id=broadcast.id,
                           details={"language": variant.language, "reason": reason.strip()}))
    return variant


def schedule_broadcast(session: Session, broadcast: Broadcast, user: User, now: datetime, *,
                       send_at: datetime | None = None,
                       recurrence: dict[str, Any] | None = None) -> Broadcast:
    """Send now (no time), at a time, or on a weekly recurrence; edits allowed until it starts."""
    from bot.broadcasts.recurrence import next_occurrence, validate_recurrence

    _require_staff(user)
    if broadcast.status not in ("draft", "scheduled"):
        raise BroadcastError("this announcement has already started")
    if recurrence is not None:
        validate_recurrence(recurrence)
        broadcast.recurrence = recurrence
        broadcast.send_at = next_occurrence(recurrence, broadcast.timezone, now)
    elif send_at is not None:
        if send_at <= now:
            raise BroadcastError("the send time is in the past")
        broadcast.recurrence, broadcast.send_at = None, send_at
    else:
        broadcast.recurrence, broadcast.send_at = None, now
    broadcast.status = "scheduled"
    session.add(AuditEvent(at=now, actor_id=user.id, actor="user", action="broadcast.scheduled",
                           subject_type="broadcast", subject_id=broadcast.id,
                           details={"send_at": broadcast.send_at.isoformat(),
                                    "recurrence": recurrence}))
    return broadcast


def cancel_broadcast(session: Session, broadcast: Broadcast, user: User, now: datetime) -> None:
    """Cancel a draft or scheduled broadcast (or stop a recurrence) before it starts."""
    _require_staff(user)
    if broadcast.status not in ("draft", "scheduled"):
        raise BroadcastError("this announcement has already started; it cannot be canceled")
    broadcast.status = "canceled"
    session.add(AuditEvent(at=now, actor_id=user.id, actor="user", action="broadcast.canceled",
                           subject_type="broadcast", subject_id=broadcast.id, details={}))
