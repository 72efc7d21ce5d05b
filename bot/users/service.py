"""Dashboard users: create them with their languages and schools, sign them in."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from bot.languages import normalize_tag
from bot.models import AuditEvent, School, User, UserLanguage
from bot.models.user import ROLES
from bot.schools.service import find_school

MIN_PASSWORD_LENGTH = 8


def create_user(session: Session, *, email: str, name: str, role: str, password: str,
                languages: Sequence[str], school_names: Sequence[str]) -> User:
    """Add a dashboard user; raise ValueError naming the first thing that is wrong."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise ValueError(f"{email!r} is not an email address")
    if find_user(session, email) is not None:
        raise ValueError(f"a user with email {email!r} already exists")
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("a user needs a name")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    tags = _normalize_languages(languages)
    if role == "liaison" and not tags:
        raise ValueError("a liaison needs at least one language")
    schools = _find_schools(session, school_names)

    user = User(email=email, name=name, role=role,
                password_hash=generate_password_hash(password, method="scrypt"))
    user.language_rows = [UserLanguage(language=tag, position=i) for i, tag in enumerate(tags)]
    user.schools = schools
    session.add(user)
    session.flush()
    session.add(AuditEvent(action="user.created", subject_type="user", subject_id=user.id,
                           details={"email": email, "role": role, "languages": tags,
                                    "schools": [s.name for s in schools]}))
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = find_user(session, email)
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not ok or not user.active:
        return None
    return user


def set_on_duty(session: Session, user: User, on_duty: bool) -> None:
    """Mark a user on or off duty, so routing sends them new conversations or not."""
    if user.on_duty != on_duty:
        user.on_duty = on_duty
        session.flush()


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this email (any case), or None."""
    return session.scalars(select(User).where(User.email == normalize_email(email))).first()


def list_users(session: Session) -> list[User]:
    """Return every user with languages and schools loaded, by role then email."""
    query = (select(User).options(selectinload(User.language_rows), selectinload(User.schools))
             .order_by(User.role, User.email))
    return list(session.scalars(query))


def normalize_email(email: str) -> str:
    """Return email trimmed and lower-cased, the form it is stored and looked up in."""
    return (email or "").strip().lower()


@cache
def _dummy_hash() -> str:
    # Checked when the email is unknown, so a miss costs as much time as a wrong password.
    return generate_password_hash("not-a-real-password", method="scrypt")


def _normalize_languages(languages: Sequence[str]) -> list[str]:
    # normalize_tag raises ValueError("unknown language tag …") for a tag it cannot read.
    tags = [normalize_tag(tag.strip()) for tag in languages if tag and tag.strip()]
    return list(dict.fromkeys(tags))


def _find_schools(session: Session, names: Sequence[str]) -> list[School]:
    schools: list[School] = []
    for name in names:
        if not name or not name.strip():
            continue
        school = find_school(session, name)
        if school is None:
            raise ValueError(f"unknown school {name.strip()!r}")
        if school not in schools:
            schools.append(school)
    return schools
