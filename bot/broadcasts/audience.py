"""Who a broadcast reaches: one recipient per phone, in their language, never opted out.

Set-based queries (SQLAlchemy Core), since a district audience is tens of thousands of
families: one query for the numbers, one for the students' names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from bot.models import Contact, ContactNumber, Household, School, Student


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    household_id: int
    school_id: int
    channel: str
    address: str
    languages: tuple[str, ...]  # preferred, fallback, English: the order texts are tried in
    students: tuple[str, ...]  # the household's students in the audience
    preferred_start: time | None
    preferred_end: time | None


def audience_filter(audience: dict[str, Any]) -> list[Any]:
    """Turn a broadcast's audience into WHERE clauses on students, households and contacts."""
    clauses: list[Any] = []
    if audience.get("schools"):
        clauses.append(Student.school_id.in_(audience["schools"]))
    if audience.get("grades"):
        clauses.append(Student.grade.in_([str(g) for g in audience["grades"]]))
    if audience.get("households"):
        clauses.append(Household.external_id.in_([str(h) for h in audience["households"]]))
    return clauses


def _households_query(audience: dict[str, Any]) -> Select[Any]:
    """The households with a student in the audience, as a subquery (a district audience
    has more households than a statement may have parameters)."""
    return (select(Student.household_id)
            .join(Household, Household.id == Student.household_id)
            .where(*audience_filter(audience)))


def _students_query(audience: dict[str, Any]) -> Select[Any]:
    return (select(Student.household_id, Student.name, Student.school_id)
            .join(Household, Household.id == Student.household_id)
            .where(*audience_filter(audience))
            .order_by(Student.household_id, Student.name))


def select_recipients(session: Session, audience: dict[str, Any], *,
                      whatsapp_languages: Collection[str] = ()) -> list[Recipient]:
    """Return one recipient per phone (and channel) in the audience, skipping opted-out ones.

    A household with three students in the audience gets one message per guardian's phone,
    naming all three; two guardians sharing a phone get one message between them.
    Free-form WhatsApp reaches a family only inside its 24-hour window, so unless the
    broadcast has an approved WhatsApp template in one of the contact's languages
    (`whatsapp_languages`), a contact's SMS number is preferred and WhatsApp is used only
    when there is none.
    """
    students: dict[int, list[str]] = defaultdict(list)
    schools: dict[int, int] = {}
    for household_id, name, school_id in session.execute(_students_query(audience)):
        students[household_id].append(name)
        schools.setdefault(household_id, school_id)
    if not students:
        return []
    languages = {str(lang) for lang in audience.get("languages") or ()}
    rows = session.execute(
        select(Contact.id, Contact.household_id, Contact.language, Contact.fallback_language,
               Contact.preferred_start, Contact.preferred_end, ContactNumber.channel,
               ContactNumber.address, ContactNumber.priority)
        .join(ContactNumber, and_(ContactNumber.contact_id == Contact.id,
                                  ContactNumber.detached_at.is_(None),
                                  ContactNumber.invalid_at.is_(None)))
        .where(Contact.household_id.in_(_households_query(audience)),
               Contact.status != "invalid",
               ContactNumber.opted_out_at.is_(None))
        .order_by(Contact.id, ContactNumber.priority, ContactNumber.id)
    ).all()
    chains: dict[tuple[str, str | None], tuple[str, ...]] = {}
    template_ok: dict[tuple[str, ...], bool] = {}
    chosen: dict[int, Any] = {}
    for row in rows:  # each contact's first number by priority, SMS first unless WhatsApp ok
        key = (row.language, row.fallback_language)
        if key not in chains:
            chain = _chain(*key)
            chains[key] = chain
            template_ok[chain] = any(lang in whatsapp_languages for lang in chain)
        current = chosen.get(row.id)
        if current is None or (not template_ok[chains[key]] and current.channel == "whatsapp"
                               and row.channel == "sms"):
            chosen[row.id] = row
    recipients: dict[tuple[str, str], Recipient] = {}
    for row in chosen.values():
        chain = chains[(row.language, row.fallback_language)]
        if languages and row.language not in languages:
            continue
        key = (row.channel, row.address)
        if key in recipients:
            continue
        recipients[key] = Recipient(
            contact_id=row.id, household_id=row.household_id,
            school_id=schools[row.household_id], channel=row.channel, address=row.address,
            languages=chain, students=tuple(students[row.household_id]),
            preferred_start=row.preferred_start, preferred_end=row.preferred_end)
    return list(recipients.values())


def _chain(language: str, fallback: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys([language, *([fallback] if fallback else []), "en"]))


def audience_languages(session: Session, audience: dict[str, Any]) -> Counter[str]:
    """Count recipients per preferred language, for the preview before sending."""
    return Counter(r.languages[0] for r in select_recipients(session, audience))


def school_hours(session: Session) -> dict[int, tuple[str, time, time]]:
    """Each school's timezone and sending hours."""
    return {row.id: (row.timezone, row.sending_start, row.sending_end)
            for row in session.execute(select(School.id, School.timezone, School.sending_start,
                                              School.sending_end))}
