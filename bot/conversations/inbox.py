"""What a dashboard user may see: their inbox, their languages' queue, the unrouted queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from bot.languages import speaks
from bot.models import Assignment, Contact, Conversation, ConversationRead, Household, User

VIEWS = {"mine": "Assigned to me", "languages": "My languages", "unrouted": "Unrouted",
         "all": "All conversations"}


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    unread: bool


def views_for(user: User) -> list[str]:
    """Return the inbox views this user has, first one the default."""
    if user.role == "liaison":
        return ["mine", "languages"]
    return ["unrouted", "all", "mine"]


def can_view(user: User, conversation: Conversation) -> bool:
    """Staff and admins see everything; a liaison sees their own and their languages'."""
    if user.role in ("staff", "admin"):
        return True
    if conversation.assigned_user_id == user.id:
        return True
    if not speaks(user.languages, conversation.language):
        return False
    return user.district_wide or any(s.id == conversation.school_id for s in user.schools)


def list_inbox(session: Session, user: User, view: str, *, limit: int = 200) -> list[InboxRow]:
    """Return the open conversations of a view, newest first, with unread markers."""
    query = (
        select(Conversation, ConversationRead.read_at)
        .outerjoin(ConversationRead, and_(ConversationRead.conversation_id == Conversation.id,
                                          ConversationRead.user_id == user.id))
        .where(Conversation.status == "open")
        .options(selectinload(Conversation.contact).selectinload(Contact.household)
                 .selectinload(Household.students),
                 selectinload(Conversation.school), selectinload(Conversation.assigned_user))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )
    if view == "mine":
        query = query.where(Conversation.assigned_user_id == user.id).limit(limit)
    elif view == "unrouted":
        query = query.where(Conversation.assigned_user_id.is_(None)).limit(limit)
    elif view == "all" and user.role in ("staff", "admin"):
        query = query.limit(limit)
    elif view != "languages":
        return []
    rows = [InboxRow(c, _unread(c, read_at)) for c, read_at in session.execute(query).all()]
    if view == "languages":
        rows = [r for r in rows if can_view(user, r.conversation)][:limit]
    return rows


def _unread(conversation: Conversation, read_at: datetime | None) -> bool:
    inbound = conversation.last_inbound_at
    return inbound is not None and (read_at is None or read_at < inbound)


def mark_read(session: Session, user: User, conversation: Conversation, now: datetime) -> None:
    """Record that this user has read the conversation up to now."""
    row = session.get(ConversationRead, (user.id, conversation.id))
    if row is None:
        session.add(ConversationRead(user_id=user.id, conversation_id=conversation.id,
                                     read_at=now))
    else:
        row.read_at = now


def take_conversation(session: Session, user: User, conversation: Conversation,
                      now: datetime) -> None:
    """Assign the conversation to a liaison who speaks its language, recording why."""
    if user.role != "liaison" or not speaks(user.languages, conversation.language):
        raise PermissionError("only a liaison who speaks the family's language can take it")
    conversation.assigned_user = user
    conversation.route_reason = f"{user.name} took it from the queue"
    session.add(Assignment(conversation_id=conversation.id, user_id=user.id,
                           language=conversation.language, rule="taken",
                           reason=conversation.route_reason, created_at=now))
