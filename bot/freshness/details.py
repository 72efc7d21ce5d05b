"""What the follow-up page shows for each household: who to call and what was tried.

Students and school; every guardian with their languages and every number they ever had
(old ones with why they were replaced, dead or opted-out ones flagged); when the household
was last heard from; the number checks and the last failed texts; and whether a code sent
to a new number is still waiting to come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.freshness.followups import last_success, number_history
from bot.models import (
    Contact,
    ContactNumber,
    FollowUp,
    Household,
    Message,
    NumberCheck,
    NumberVerification,
)
from bot.phones import display_phone
from bot.sending.errors import classify

FAILED_SHOWN = 5  # the last failed texts per household
CHECKS_SHOWN = 5  # the last number checks per household
FAILED = ("failed", "undelivered")


@dataclass(frozen=True)
class NumberLine:
    number: ContactNumber
    shown: str  # the number as people read it
    flags: tuple[str, ...]  # why it may not work: old, invalid, opted out, failing

    @property
    def working(self) -> bool:
        return not self.flags


@dataclass(frozen=True)
class Guardian:
    contact: Contact
    languages: list[str]
    numbers: list[NumberLine]
    last_success: datetime | None
    stale: bool


@dataclass(frozen=True)
class FollowUpDetails:
    follow_up: FollowUp
    household: Household
    guardians: list[Guardian]
    last_success: datetime | None
    last_success_by: str | None  # the guardian heard from last
    checks: list[NumberCheck]
    failures: list[Message]
    waiting: NumberVerification | None  # a code sent to a new number, not back yet
    waiting_expired: bool


def follow_up_details(session: Session, follow_ups: list[FollowUp], *, now: datetime,
                      unreachable_threshold: int) -> list[FollowUpDetails]:
    """Everything the follow-up page shows, per follow-up, in the given order."""
    households = {h.id: h for h in session.scalars(
        select(Household).where(Household.id.in_([f.household_id for f in follow_ups]))
        .options(selectinload(Household.contacts).selectinload(Contact.numbers),
                 selectinload(Household.students), selectinload(Household.school)))}
    return [_details(session, f, households[f.household_id], now, unreachable_threshold)
            for f in follow_ups]


def _details(session: Session, follow_up: FollowUp, household: Household, now: datetime,
             threshold: int) -> FollowUpDetails:
    guardians = [Guardian(contact=c, languages=c.languages,
                          numbers=[_line(n, threshold) for n in number_history(c)],
                          last_success=last_success(c),
                          stale=c.status == "stale" or c.id == follow_up.contact_id)
                 for c in household.contacts]
    heard = [(g.last_success, g.contact.name) for g in guardians if g.last_success]
    last, by = max(heard, default=(None, None))
    contact_ids = [c.id for c in household.contacts]
    checks = list(session.scalars(
        select(NumberCheck).where(NumberCheck.contact_id.in_(contact_ids))
        .order_by(NumberCheck.last_prompt_at.desc(), NumberCheck.id.desc())
        .limit(CHECKS_SHOWN)))
    failures = list(session.scalars(
        select(Message).where(Message.contact_id.in_(contact_ids), Message.direction == "out",
                              Message.status.in_(FAILED))
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(FAILED_SHOWN)))
    waiting = session.scalars(
        select(NumberVerification).where(NumberVerification.contact_id.in_(contact_ids),
                                         NumberVerification.state == "pending")
        .order_by(NumberVerification.id.desc()).limit(1)).first()
    return FollowUpDetails(
        follow_up=follow_up, household=household, guardians=guardians, last_success=last,
        last_success_by=by, checks=checks, failures=failures, waiting=waiting,
        waiting_expired=waiting is not None and now >= waiting.expires_at)


def _line(number: ContactNumber, threshold: int) -> NumberLine:
    flags = []
    if number.detached_at is not None:
        flags.append(f"old number: {number.detached_reason or 'detached'}")
    if number.invalid_at is not None:
        flags.append(f"invalid: {number.invalid_reason or 'the provider refused it'}")
    if number.opted_out_at is not None:
        flags.append("opted out")
    if number.consecutive_failures >= threshold:
        flags.append(f"{number.consecutive_failures} failed texts in a row")
    return NumberLine(number=number, shown=display_phone(number.address), flags=tuple(flags))


def error_meaning(code: int | None) -> str:
    """A failed text's provider error, as a liaison can read it: "30006, invalid number"."""
    if code is None:
        return "no error code"
    return f"{code}, {classify(code, None).value.replace('_', ' ')}"
