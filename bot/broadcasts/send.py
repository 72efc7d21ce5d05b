"""Start a broadcast: expand the audience, render each family's text, enqueue in bulk.

Everything here is set-based: recipients come from two queries, texts are rendered once
per (language, students) pair, and messages and outbox rows go in with executemany
(SQLAlchemy Core), because a district broadcast is tens of thousands of rows and per-row
ORM objects are several times slower.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcasts.audience import Recipient, school_hours, select_recipients
from bot.broadcasts.copies import queue_liaison_copies
from bot.broadcasts.hours import next_allowed, window_for
from bot.broadcasts.segments import count_segments
from bot.broadcasts.service import variables_for
from bot.broadcasts.templates import content_variables, load_templates, render
from bot.broadcasts.variants import choose_variant, with_variant_text
from bot.config import Config
from bot.conversations.threads import sender_address
from bot.models import AuditEvent, Broadcast, BroadcastVariant, Message, School
from bot.sending.outbox import insert_bulk


@dataclass
class SendReport:
    queued: int = 0
    held_for_hours: int = 0
    held_for_translation: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)


def start_broadcast(session: Session, broadcast: Broadcast, *, config: Config,
                    now: datetime) -> SendReport:
    """Queue one message per recipient phone, each in its language, held until its hours."""
    if broadcast.status not in ("draft", "scheduled"):
        return SendReport()
    broadcast.status, broadcast.started_at = "sending", now
    report = enqueue_recipients(session, broadcast, config=config, now=now)
    broadcast.recipients = report.queued
    copies = queue_liaison_copies(session, broadcast, report.by_language, config=config,
                                  now=now)
    session.add(AuditEvent(
        at=now, actor="system", action="broadcast.started", subject_type="broadcast",
        subject_id=broadcast.id,
        details={"queued": report.queued, "urgent": broadcast.urgent,
                 "quiet_hours": "skipped: urgent" if broadcast.urgent else "respected",
                 "liaison_copies": copies,
                 "held_for_translation": dict(report.held_for_translation)}))
    return report


def enqueue_recipients(session: Session, broadcast: Broadcast, *, config: Config,
                       now: datetime, only_language: str | None = None) -> SendReport:
    """Queue messages for recipients not yet sent this broadcast (all, or one language)."""
    template = load_templates().get(broadcast.template_name) if broadcast.template_name else None
    recipients = select_recipients(
        session, broadcast.audience,
        whatsapp_languages=template.whatsapp_languages if template else ())
    already = set(session.scalars(select(Message.contact_id)
                                  .where(Message.broadcast_id == broadcast.id)))
    hours = school_hours(session)
    schools = {s.id: s for s in session.scalars(select(School))}
    report = SendReport()
    # Everything below is decided once per distinct input, not once per family: 50,000
    # families share a handful of language chains, texts and sending windows.
    variants: dict[tuple[str, ...], BroadcastVariant | None] = {}
    rendered: dict[tuple[str, tuple[str, ...]], tuple[str, str, int]] = {}
    contents: dict[tuple[str, tuple[str, ...]], tuple[str | None, dict[str, str] | None]] = {}
    windows: dict[tuple[int, Any, Any], datetime] = {}
    names_students = bool(template and "students" in template.placeholders)
    rows: list[dict[str, Any]] = []
    for recipient in recipients:
        if recipient.contact_id in already:
            continue
        if recipient.languages not in variants:
            variants[recipient.languages] = choose_variant(broadcast, recipient)
        variant = variants[recipient.languages]
        if variant is None:
            report.held_for_translation[recipient.languages[0]] += 1
            continue
        if only_language is not None and variant.language != only_language:
            continue
        key = (variant.language, recipient.students if names_students else ())
        if key not in rendered:
            body = _render(broadcast, variant, recipient, template)
            rendered[key] = (body, variant.language, count_segments(body).segments)
        body, language, segments = rendered[key]
        content_sid, content_variables = None, None
        if recipient.channel == "whatsapp":
            if key not in contents:
                contents[key] = _whatsapp_content(broadcast, variant, recipient, template)
            content_sid, content_variables = contents[key]
        not_before = now
        if not broadcast.urgent:
            hold = (recipient.school_id, recipient.preferred_start, recipient.preferred_end)
            if hold not in windows:
                timezone, start, end = hours[recipient.school_id]
                window = window_for(recipient.preferred_start, recipient.preferred_end,
                                    start, end)
                windows[hold] = next_allowed(now, timezone, window)
            not_before = windows[hold]
            report.held_for_hours += not_before > now
        rows.append({
            "contact_id": recipient.contact_id, "school_id": recipient.school_id,
            "broadcast_id": broadcast.id, "direction": "out", "kind": "chat",
            "channel": recipient.channel,
            "from_address": sender_address(config, schools[recipient.school_id],
                                           recipient.channel),
            "to_address": recipient.address, "body": body, "language": language,
            "media": [], "status": "pending", "segments": segments,
            "content_sid": content_sid, "content_variables": content_variables,
            "created_at": now, "updated_at": now, "not_before": not_before})
        report.by_language[language] += 1
    report.queued = insert_bulk(session, rows, now)
    return report


def _render(broadcast: Broadcast, variant: BroadcastVariant, recipient: Recipient,
            template: Any) -> str:
    if template is None:
        return variant.text
    values = {**variables_for(template, broadcast.variables),
              "students": list(recipient.students)}
    # A liaison's edited text replaces the template's for that language.
    edited = with_variant_text(template, variant.language, variant.text)
    return render(edited, variant.language, values).text


def _whatsapp_content(broadcast: Broadcast, variant: BroadcastVariant, recipient: Recipient,
                      template: Any) -> tuple[str | None, dict[str, str] | None]:
    """The approved WhatsApp template for this family's text, if there is one it matches.

    Meta approved the template's own wording: a liaison's edit of that language's text
    means the template no longer says what was approved here, so that language goes by
    free-form text inside the window and by SMS outside it.
    """
    own = template.variants.get(variant.language) if template else None
    if own is None or not own.whatsapp_content_sid or own.text != variant.text:
        return None, None
    values = {**variables_for(template, broadcast.variables),
              "students": list(recipient.students)}
    return own.whatsapp_content_sid, content_variables(template, variant.language, values)
