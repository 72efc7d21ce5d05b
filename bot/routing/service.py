"""Route a conversation to a liaison who speaks the family's language.

Order (DESIGN.md, flow 2): the conversation's own liaison when they speak the language and
are on duty; else the least-loaded on-duty liaison of the school who speaks it; else the
district pool (liaisons attached to no school); else the unrouted queue that staff see.
The family's languages are tried in order, so a Mixtec family reaches a Spanish speaker
when no Mixtec speaker is on duty. Every decision is recorded with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.languages import english_name, speaks
from bot.models import Assignment, Conversation, User


@dataclass(frozen=True)
class Route:
    user: User | None
    language: str
    rule: str  # sticky | school | district | unrouted
    reason: str


def route_conversation(session: Session, conversation: Conversation, languages: list[str],
                       now: datetime) -> Route:
    """Choose who answers this conversation, record it, and return the decision."""
    route = choose_route(session, conversation, languages)
    changed = (conversation.assigned_user_id != (route.user.id if route.user else None)
               or conversation.route_reason != route.reason)
    conversation.assigned_user = route.user
    conversation.route_reason = route.reason
    if changed:
        session.add(Assignment(conversation_id=conversation.id,
                               user_id=route.user.id if route.user else None,
                               language=route.language, rule=route.rule, reason=route.reason,
                               created_at=now))
    return route


def choose_route(session: Session, conversation: Conversation, languages: list[str]) -> Route:
    """Apply the routing rules without changing anything."""
    languages = list(dict.fromkeys(languages))
    current = conversation.assigned_user
    if languages and _available(current) and speaks(current.languages, languages[0]):
        return _sticky(current, languages[0], "")  # the usual case: no need to look further
    liaisons = _on_duty_liaisons(session)
    for position, language in enumerate(languages):
        why = _why_this_language(languages, position)
        if _available(current) and speaks(current.languages, language):
            return _sticky(current, language, why)
        speakers = [u for u in liaisons if speaks(u.languages, language)]
        at_school = [u for u in speakers if any(s.id == conversation.school_id for s in u.schools)]
        if at_school:
            user, load = _least_loaded(session, at_school)
            return Route(user, language, "school",
                         f"{user.name} speaks {english_name(language)}, is on duty at "
                         f"{conversation.school.name} and had the fewest open conversations "
                         f"({load}){why}")
        pool = [u for u in speakers if u.district_wide]
        if pool:
            user, load = _least_loaded(session, pool)
            return Route(user, language, "district",
                         f"no on-duty liaison at {conversation.school.name} speaks "
                         f"{english_name(language)}; {user.name} covers it district-wide and "
                         f"had the fewest open conversations ({load}){why}")
    names = ", ".join(english_name(lang) for lang in languages) or "an unknown language"
    return Route(None, languages[0] if languages else "und", "unrouted",
                 f"no on-duty liaison speaks {names}; waiting in the unrouted queue for staff")


def _available(user: User | None) -> bool:
    return (user is not None and user.role == "liaison" and user.on_duty is True
            and user.active is True)


def _sticky(user: User, language: str, why: str) -> Route:
    return Route(user, language, "sticky",
                 f"stays with {user.name}, who already has this conversation, "
                 f"speaks {english_name(language)} and is on duty{why}")


def _why_this_language(languages: list[str], position: int) -> str:
    if position == 0:
        return ""
    skipped = ", ".join(english_name(lang) for lang in languages[:position])
    return f" (nobody on duty speaks {skipped}, the family's first language)"


def _on_duty_liaisons(session: Session) -> list[User]:
    return list(session.scalars(
        select(User)
        .where(User.role == "liaison", User.on_duty.is_(True), User.active.is_(True))
        .options(selectinload(User.language_rows), selectinload(User.schools))
        .order_by(User.id)
    ).all())


def _least_loaded(session: Session, users: list[User]) -> tuple[User, int]:
    """Return the user with the fewest open conversations (ties: lowest id) and that count."""
    ids = [u.id for u in users]
    counts = dict(session.execute(
        select(Conversation.assigned_user_id, func.count())
        .where(Conversation.assigned_user_id.in_(ids), Conversation.status == "open")
        .group_by(Conversation.assigned_user_id)
    ).all())
    user = min(users, key=lambda u: (counts.get(u.id, 0), u.id))
    return user, counts.get(user.id, 0)
