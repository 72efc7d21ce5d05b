"""API bearer tokens: create one (shown once), authenticate a request by it, revoke it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import ApiToken, AuditEvent, User

PREFIX = "pt_"  # lets secret scanners and people recognise a Puente token
MAX_NAME_LENGTH = 100
# Writing last_used_at on every call would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """Return the sha256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str, now: datetime) -> str:
    """Add a token for user and return it in plain text: the only time it is shown."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("a token needs a name saying what uses it, e.g. 'SIS sync'")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a token name must be at most {MAX_NAME_LENGTH} characters")
    if not user.active:
        raise ValueError(f"{user.email} is not active")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, token_hash=hash_token(token), created_at=now)
    session.add(row)
    session.flush()
    session.add(AuditEvent(at=now, action="token.created", subject_type="api_token",
                           subject_id=row.id, details={"name": name, "user_id": user.id}))
    return token


def authenticate_token(session: Session, token: str, now: datetime) -> User | None:
    """Return the active user owning this unrevoked token, or None.

    The token is looked up by its hash, never compared character by character, so the time
    taken says nothing about how much of a guess was right.
    """
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.user


def revoke_token(session: Session, token_id: int, now: datetime | None = None) -> ApiToken | None:
    """Revoke a token by id so it no longer authenticates; return it, or None if unknown."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(AuditEvent(at=row.revoked_at, action="token.revoked",
                               subject_type="api_token", subject_id=row.id,
                               details={"name": row.name, "user_id": row.user_id}))
        session.flush()
    return row
