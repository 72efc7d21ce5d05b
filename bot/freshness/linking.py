"""Linking a text from an unknown number to the family it says it is.

"Hola, soy María, la mamá de Juan Pérez, este es mi número nuevo": the liaison sees the
households whose students and guardians the texts name, and links the number to a
guardian in one action. The family texting from the number is the verification: the
number becomes the guardian's first, confirmed; their old one on that channel is detached
and kept in history; the conversation follows the guardian; an audit event says who
linked it and how it was verified.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.freshness.candidates import Candidate, households_named
from bot.freshness.followups import resolve_household
from bot.models import (
    AuditEvent,
    Contact,
    ContactNumber,
    Conversation,
    Household,
    Message,
    NumberCheck,
    NumberVerification,
    School,
    User,
)
from bot.models.freshness import OPEN_CHECK_STATES
from bot.phones import display_phone
from bot.routing.service import route_conversation
from bot.schools.service import school_by_number

RECENT_TEXTS = 20  # the texts read for names: who they are is said early, and briefly


class LinkRefused(ValueError):
    """The number cannot be linked to that contact; the message says why."""


class NotYourSchool(LinkRefused):
    """The guardian's household is in none of the schools the user serves."""


def served_school_ids(user: User) -> frozenset[int] | None:
    """The schools a user works for; None (all) for staff, admins and district-wide liaisons."""
    if user.role in ("staff", "admin") or user.district_wide:
        return None
    return frozenset(s.id for s in user.schools)


def candidate_households(session: Session, conversation: Conversation, *,
                         school_ids: Collection[int] | None = None,
                         limit: int = 5) -> list[Candidate]:
    """Return the households the conversation's inbound texts name, best first."""
    bodies = session.scalars(
        select(Message.body)
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .order_by(Message.id.desc())
        .limit(RECENT_TEXTS)).all()
    return households_named(session, list(reversed(bodies)), school_ids=school_ids,
                            limit=limit)


def serves(user: User, household: Household) -> bool:
    """Tell whether the household (or one of its students) is in a school the user serves."""
    school_ids = served_school_ids(user)
    if school_ids is None:
        return True
    return household.school_id in school_ids or any(
        s.school_id in school_ids for s in household.students)


def link_unknown_number(session: Session, conversation: Conversation,
                        guardian_contact_id: int, user: User, now: datetime) -> Contact:
    """Give the unknown number to a roster guardian, confirmed, with the conversation;
    detach (and keep) their old number on that channel; remove the unknown contact."""
    # Lock the contact: of two liaisons linking at once, the second finds it gone.
    unknown = session.scalars(
        select(Contact).where(Contact.id == conversation.contact_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if unknown is None:
        raise LinkRefused("Someone else has just linked this number; reload the page.")
    if not unknown.is_unknown:
        raise LinkRefused(f"{unknown.name} is already a known contact of the household: only "
                          "a conversation from an unknown number can be linked to a family.")
    guardian = session.get(Contact, guardian_contact_id)
    household = guardian.household if guardian is not None else None
    if guardian is None or guardian.is_unknown or household is None:
        raise LinkRefused("Link the number to a guardian in the roster: that contact is not "
                          "one.")
    if not serves(user, household):
        raise NotYourSchool(f"{guardian.name}'s household is not in a school you serve.")
    numbers = unknown.active_numbers
    if not numbers:
        raise LinkRefused("This contact has no number left to link.")
    how = f"family texted from it; linked by {user.name}"
    for number in numbers:
        _link_number(session, guardian, number, conversation, unknown, how, user, now)
    _move_conversations(session, unknown, guardian, household, conversation, now)
    guardian.status = "active"
    _close_checks(session, guardian, how, now)
    new = ", ".join(display_phone(n.address) for n in numbers)
    resolve_household(session, household.id, f"new number {new} linked: {how}",
                      now, user)
    session.flush()
    session.delete(unknown)
    session.flush()
    return guardian


def _link_number(session: Session, guardian: Contact, number: ContactNumber,
                 conversation: Conversation, unknown: Contact, how: str, user: User,
                 now: datetime) -> None:
    """Make number the guardian's first, confirmed; detach their others on its channel."""
    channel, address = number.channel, number.address
    old = [n for n in guardian.active_numbers if n.channel == channel and n.address != address]
    for replaced in old:
        replaced.detached_at = now
        replaced.detached_reason = f"replaced by {display_phone(address)}: {how}"[:200]
    same = next((n for n in guardian.numbers if n.channel == channel and n.address == address),
                None)
    if same is None:
        number.contact = guardian  # the row moves with its history and any opt-out
        linked = number
    else:  # a number the guardian had before: attach that row again, as it stands now
        same.detached_at = same.detached_reason = None
        same.opted_out_at, same.opt_out_keyword = number.opted_out_at, number.opt_out_keyword
        same.last_heard_at = number.last_heard_at
        linked = same
    others = sorted((n for n in guardian.numbers if n is not linked),
                    key=lambda n: (n.detached_at is not None, n.priority, n.id))
    linked.priority = 0
    for position, other in enumerate(others, start=1):
        other.priority = position
    linked.last_confirmed_at = now
    linked.source = "liaison"
    linked.last_heard_at = linked.last_heard_at or now
    linked.consecutive_failures = 0
    for other_conversation in session.scalars(select(Conversation).where(
            Conversation.contact_id == guardian.id, Conversation.last_channel == channel)):
        other_conversation.last_address = address  # replies go to the number that works
    session.flush()
    session.add(AuditEvent(
        at=now, actor="user", actor_id=user.id, action="number.linked",
        subject_type="contact", subject_id=guardian.id,
        details={"channel": channel, "address": address, "number_id": linked.id,
                 "detached": [{"channel": n.channel, "address": n.address, "number_id": n.id}
                              for n in old],
                 "verified": how, "conversation_id": conversation.id,
                 "unknown_contact_id": unknown.id}))


def _move_conversations(session: Session, unknown: Contact, guardian: Contact,
                        household: Household, current: Conversation, now: datetime) -> None:
    """The unknown contact's conversations and messages become the guardian's; the one in
    progress takes the family's language and school, and is routed again by them. The
    guardian's other open conversation with that school (from the old number) is folded
    into it, so the liaison reads one thread per family: its messages move over, and it
    closes."""
    for conversation in session.scalars(select(Conversation).where(
            Conversation.contact_id == unknown.id)):
        conversation.contact = guardian
        conversation.language, conversation.language_uncertain = guardian.language, False
    session.execute(update(Message).where(Message.contact_id == unknown.id)
                    .values(contact_id=guardian.id))
    current.school = _school_for(session, current, household)
    for other in session.scalars(select(Conversation).where(
            Conversation.contact_id == guardian.id, Conversation.school_id == current.school.id,
            Conversation.status == "open", Conversation.id != current.id)):
        session.execute(update(Message).where(Message.conversation_id == other.id)
                        .values(conversation_id=current.id))
        current.last_message_at = max(current.last_message_at, other.last_message_at)
        other.status = "closed"
    route_conversation(session, current, guardian.languages, now)


def _school_for(session: Session, conversation: Conversation, household: Household) -> School:
    """The school a later text would reach (as the inbound flow picks it), so it lands here:
    the school whose number the family texted, else the household's."""
    texted = session.execute(
        select(Message.channel, Message.to_address)
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .order_by(Message.id.desc()).limit(1)).first()
    own = school_by_number(session, texted[0], texted[1]) if texted else None
    return own or household.school


def _close_checks(session: Session, guardian: Contact, how: str, now: datetime) -> None:
    """Open number checks and pending codes for the guardian are answered by the link."""
    session.execute(
        update(NumberCheck)
        .where(NumberCheck.contact_id == guardian.id, NumberCheck.state.in_(OPEN_CHECK_STATES))
        .values(state="changed", resolved_at=now, next_prompt_at=None))
    for verification in session.scalars(select(NumberVerification).where(
            NumberVerification.contact_id == guardian.id,
            NumberVerification.state == "pending")):
        verification.state, verification.finished_at = "canceled", now
        verification.detail = f"a new number was linked: {how}"
