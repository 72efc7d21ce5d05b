"""Scheduled work for broadcasts. Jobs take ids or nothing, and tolerate changed rows."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcasts.recurrence import next_occurrence
from bot.broadcasts.send import start_broadcast
from bot.config import Config
from bot.models import AuditEvent, Broadcast, BroadcastVariant

log = logging.getLogger(__name__)


def dispatch_due(session: Session, *, config: Config, now: datetime) -> list[int]:
    """Start every scheduled broadcast whose time has come; return the ids started.

    A recurring broadcast stays as the schedule: each firing starts a copy of it (its
    child), and the schedule moves on to the next occurrence.
    """
    due = session.scalars(
        select(Broadcast)
        .where(Broadcast.status == "scheduled", Broadcast.send_at <= now)
        .order_by(Broadcast.send_at, Broadcast.id)
        .with_for_update(skip_locked=True)
    ).all()
    started = []
    for broadcast in due:
        target = broadcast if broadcast.recurrence is None else _fire(session, broadcast, now)
        report = start_broadcast(session, target, config=config, now=now)
        log.info("broadcast %s started: %s queued", target.id, report.queued)
        started.append(target.id)
    return started


def _fire(session: Session, schedule: Broadcast, now: datetime) -> Broadcast:
    """Copy a recurring broadcast for this firing and move the schedule to the next one."""
    child = Broadcast(
        title=schedule.title, audience=schedule.audience, template_name=schedule.template_name,
        variables=schedule.variables, source_language=schedule.source_language,
        urgent=schedule.urgent, missing_policy=schedule.missing_policy,
        timezone=schedule.timezone, send_at=schedule.send_at, status="scheduled",
        parent_id=schedule.id, created_by_id=schedule.created_by_id, created_at=now)
    for variant in schedule.variants:
        child.variants.append(BroadcastVariant(
            language=variant.language, text=variant.text, origin=variant.origin,
            approved_by_id=variant.approved_by_id, approved_at=variant.approved_at,
            unreviewed_reason=variant.unreviewed_reason))
    session.add(child)
    session.flush()
    assert schedule.recurrence is not None
    schedule.send_at = next_occurrence(schedule.recurrence, schedule.timezone, now)
    session.add(AuditEvent(at=now, actor="system", action="broadcast.recurrence_fired",
                           subject_type="broadcast", subject_id=schedule.id,
                           details={"child": child.id, "next": schedule.send_at.isoformat()}))
    return child
