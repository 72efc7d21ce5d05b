"""The follow-up list: households nobody can reach by text, for their liaisons to call.

A household goes on it when a contact stops answering number checks, says "wrong person",
or has no working number left. It comes off when a liaison resolves it (a new number,
verified by code or in person, or the old one confirmed by phone) or when the family's
new number is verified.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.languages import speaks
from bot.models import (
    AuditEvent,
    Contact,
    ContactNumber,
    FollowUp,
    Household,
    NumberCheck,
    User,
)
from bot.models.freshness import OPEN_CHECK_STATES


def open_follow_up(session: Session, contact: Contact, reason: str, detail: str,
                   now: datetime) -> FollowUp | None:
    """Put the contact's household on the list (once: an open entry is kept, not doubled)."""
    if contact.household_id is None:
        return None
    existing = session.scalars(
        select(FollowUp).where(FollowUp.household_id == contact.household_id,
                               FollowUp.resolved_at.is_(None))).first()
    if existing is not None:
        return existing
    follow_up = FollowUp(household_id=contact.household_id, contact_id=contact.id,
                         reason=reason, detail=detail, opened_at=now)
    session.add(follow_up)
    session.add(AuditEvent(at=now, actor="system", action="household.follow_up",
                           subject_type="household", subject_id=contact.household_id,
                           details={"reason": reason, "detail": detail,
                                    "contact_id": contact.id}))
    return follow_up


def mark_stale(session: Session, contact: Contact, reason: str, detail: str,
               now: datetime) -> FollowUp | None:
    """The contact cannot be reached by text: stale, its checks closed, on the list."""
    contact.status = "stale"
    session.execute(
        update(NumberCheck)
        .where(NumberCheck.contact_id == contact.id, NumberCheck.state.in_(OPEN_CHECK_STATES))
        .values(state="stale", resolved_at=now, next_prompt_at=None))
    return open_follow_up(session, contact, reason, detail, now)


def has_working_number(contact: Contact, unreachable_threshold: int) -> bool:
    """Tell whether any of the contact's numbers can still take a text."""
    return any(n.detached_at is None and n.invalid_at is None and n.opted_out_at is None
               and n.consecutive_failures < unreachable_threshold for n in contact.numbers)


def resolve_household(session: Session, household_id: int, resolution: str, now: datetime,
                      user: User | None = None) -> int:
    """Close the household's open follow-ups; return how many."""
    rows = session.scalars(select(FollowUp).where(FollowUp.household_id == household_id,
                                                  FollowUp.resolved_at.is_(None))).all()
    for follow_up in rows:
        follow_up.resolved_at, follow_up.resolution = now, resolution
        follow_up.resolved_by_id = user.id if user else None
    return len(rows)


def follow_ups_for(session: Session, user: User) -> list[FollowUp]:
    """Open follow-ups a user may work on: staff all; a liaison their schools and languages."""
    query = (select(FollowUp).join(Household, Household.id == FollowUp.household_id)
             .where(FollowUp.resolved_at.is_(None)).order_by(FollowUp.opened_at))
    if user.role == "liaison" and user.schools:
        query = query.where(Household.school_id.in_([s.id for s in user.schools]))
    rows = session.scalars(query).all()
    if user.role != "liaison":
        return list(rows)
    return [f for f in rows if may_work_on(user, f.household)]


def may_work_on(user: User, household: Household) -> bool:
    """Staff may; a liaison when the household is in their schools and speaks their language."""
    if user.role != "liaison":
        return True
    if user.schools and household.school_id not in {s.id for s in user.schools}:
        return False
    languages = {lang for c in household.contacts for lang in c.languages}
    return any(speaks(user.languages, lang) for lang in languages)


def last_success(contact: Contact) -> datetime | None:
    """When the family was last heard from or confirmed a number, whichever is later."""
    moments = [m for n in contact.numbers for m in (n.last_heard_at, n.last_confirmed_at) if m]
    return max(moments, default=None)


def number_history(contact: Contact) -> list[ContactNumber]:
    """Every number the contact ever had, working ones first, detached ones kept."""
    return sorted(contact.numbers, key=lambda n: (n.detached_at is not None, n.priority, n.id))
