"""Contacts as the inbound flow sees them: find by number, create unknown, opt out and in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.models import AuditEvent, Contact, ContactNumber


def find_numbers(session: Session, channel: str, address: str) -> list[ContactNumber]:
    """Return the attached numbers with this address, most recently heard from first."""
    rows = session.scalars(
        select(ContactNumber)
        .where(ContactNumber.channel == channel, ContactNumber.address == address,
               ContactNumber.detached_at.is_(None))
        .order_by(ContactNumber.last_heard_at.desc().nulls_last(), ContactNumber.id)
    ).all()
    return list(rows)


def create_unknown_contact(session: Session, *, channel: str, address: str, language: str,
                           name: str | None, now: datetime) -> ContactNumber:
    """Create a contact for a number no roster knows, for a liaison to link later."""
    contact = Contact(name=name or "", language=language, other_languages=[],
                      fallback_language=None, is_unknown=True, status="unconfirmed")
    number = ContactNumber(channel=channel, address=address, priority=0, last_heard_at=now,
                           source="inbound")
    contact.numbers.append(number)
    session.add(contact)
    session.flush()
    return number


def opted_out_number(session: Session, channel: str, address: str) -> ContactNumber | None:
    """Return a number row that records an opt-out of this address on this channel."""
    return session.scalars(
        select(ContactNumber)
        .where(ContactNumber.channel == channel, ContactNumber.address == address,
               ContactNumber.opted_out_at.is_not(None))
        .order_by(ContactNumber.opted_out_at.desc())
        .limit(1)
    ).first()


def invalid_number(session: Session, channel: str, address: str) -> ContactNumber | None:
    """Return a number row the provider reported as unable to receive texts, if any."""
    return session.scalars(
        select(ContactNumber)
        .where(ContactNumber.channel == channel, ContactNumber.address == address,
               ContactNumber.invalid_at.is_not(None), ContactNumber.detached_at.is_(None))
        .limit(1)
    ).first()


def opt_out(session: Session, *, channel: str, address: str, keyword: str, now: datetime,
            source: str = "family") -> int:
    """Opt this address out on this channel only (every contact sharing it); return rows."""
    result = session.execute(
        update(ContactNumber)
        .where(ContactNumber.channel == channel, ContactNumber.address == address,
               ContactNumber.opted_out_at.is_(None))
        .values(opted_out_at=now, opt_out_keyword=keyword[:64])
        .execution_options(synchronize_session="fetch")
    )
    _audit_numbers(session, channel, address, "number.opted_out",
                   {"channel": channel, "keyword": keyword[:64], "source": source}, now)
    return result.rowcount or 0


def opt_in(session: Session, *, channel: str, address: str, keyword: str, now: datetime) -> int:
    """Lift an opt-out of this address on this channel; return rows changed."""
    result = session.execute(
        update(ContactNumber)
        .where(ContactNumber.channel == channel, ContactNumber.address == address,
               ContactNumber.opted_out_at.is_not(None))
        .values(opted_out_at=None, opt_out_keyword=None)
        .execution_options(synchronize_session="fetch")
    )
    _audit_numbers(session, channel, address, "number.opted_in",
                   {"channel": channel, "keyword": keyword[:64]}, now)
    return result.rowcount or 0


def _audit_numbers(session: Session, channel: str, address: str, action: str,
                   details: dict[str, str], now: datetime) -> None:
    ids = session.scalars(
        select(ContactNumber.contact_id)
        .where(ContactNumber.channel == channel, ContactNumber.address == address)
    ).all()
    for contact_id in dict.fromkeys(ids):
        session.add(AuditEvent(at=now, actor="family", action=action, subject_type="contact",
                               subject_id=contact_id, details=details))
