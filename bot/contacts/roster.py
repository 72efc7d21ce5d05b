"""Roster import: upsert households, students, guardians and their numbers from SIS rows.

`read_roster_csv` (from roster_input) turns a file into numbered rows; `import_roster`
applies rows to the database. The first row that mentions a household, student or guardian
sets its details (later rows for it in the same file only add students and numbers), so
importing the same file twice changes nothing even when an export repeats a guardian
inconsistently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.contacts.roster_input import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ParsedRow,
    RosterFormatError,
    RowError,
    fold_name,
    load_mapping,
    map_header,
    parse_row,
    read_roster_csv,
    school_key,
)
from bot.models import AuditEvent, Contact, ContactNumber, Household, School, Student

DETACHED_REASON = "replaced by roster import"
_CHUNK = 500  # ids per IN (...) query, well under every database's parameter limit

RosterRow = Mapping[str, str]
__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "RosterFormatError", "RosterReport", "import_roster",
           "load_mapping", "map_header", "read_roster_csv"]


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class RosterReport:
    created: int = 0  # rows naming a household, student or guardian new in this import
    updated: int = 0  # rows naming one that changed (details or numbers)
    unchanged: int = 0
    # numbers the family or a liaison changed in Puente that the file does not reflect yet
    # (the file lacks the new one, or still lists the replaced one): Puente's stand
    kept_from_puente: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        summary = (f"created {self.created}, updated {self.updated}, "
                   f"unchanged {self.unchanged}, rejected {len(self.rejected)}")
        if self.kept_from_puente:
            summary += (f"; kept Puente's version of {self.kept_from_puente} numbers a "
                        "family or liaison changed (update them in the SIS)")
        return summary


Key = tuple[str, ...]  # ("household", id) | ("student", id, name) | ("contact", id, name)


class _Changes:
    """What this import created or changed, so each row counts once by what it names.

    A row counts as created when a household, student or guardian it names is new in this
    import, else as updated when one of them changed (a new number is a change of its
    guardian), else as unchanged.
    """

    def __init__(self) -> None:
        self.seen: set[Key] = set()
        self.created: set[Key] = set()
        self.updated: set[Key] = set()

    def first(self, key: Key) -> bool:
        """Return whether this import meets key for the first time (it sets the details)."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def set(self, key: Key, obj: Any, attr: str, value: Any) -> None:
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            self.updated.add(key)

    def outcome(self, keys: list[Key]) -> str:
        if any(key in self.created for key in keys):
            return "created"
        return "updated" if any(key in self.updated for key in keys) else "unchanged"


def import_roster(session: Session, rows: Iterable[RosterRow | tuple[int, RosterRow]], *,
                  now: datetime, actor_id: int | None = None) -> RosterReport:
    """Upsert every good row, reject bad ones by line; flush and record one audit event.

    Rows are mappings keyed by COLUMNS, or (line number, mapping) pairs as read_roster_csv
    yields them; plain mappings are numbered from 1.
    """
    report = RosterReport()
    schools = {school_key(s.name): s for s in session.scalars(select(School))}
    parsed: list[ParsedRow] = []
    for line, raw in _numbered(rows):
        try:
            parsed.append(parse_row(line, raw, schools))
        except RowError as exc:
            report.rejected.append(Rejection(line, str(exc)))

    households = _load_households(session, {row.household_id for row in parsed})
    students = {("student", h.external_id, fold_name(s.name)): s
                for h in households.values() for s in h.students}
    contacts = {("contact", h.external_id, fold_name(c.name)): c
                for h in households.values() for c in h.contacts}
    numbers: dict[Key, list[tuple[str, str]]] = {}
    for row in parsed:  # every number a guardian has anywhere in the file, in file order
        wanted = numbers.setdefault(_contact_key(row), [])
        if (row.channel, row.address) not in wanted:
            wanted.append((row.channel, row.address))

    changes = _Changes()
    for row in parsed:
        keys: list[Key] = [("household", row.household_id), _contact_key(row)]
        household = households.get(row.household_id)
        if household is None:
            household = Household(external_id=row.household_id, school=row.school, created_at=now)
            session.add(household)
            households[row.household_id] = household
            changes.created.add(keys[0])
        if changes.first(keys[0]):
            changes.set(keys[0], household, "school", row.school)
        if row.student_name:
            keys.append(_upsert_student(household, row, students, changes))
        if changes.first(keys[1]):
            contact = _upsert_contact(household, row, contacts, changes, now)
            report.kept_from_puente += _reconcile_numbers(contact, numbers[keys[1]], changes,
                                                          keys[1], now)
        outcome = changes.outcome(keys)
        setattr(report, outcome, getattr(report, outcome) + 1)

    session.flush()
    session.add(AuditEvent(
        at=now, actor="user" if actor_id else "system", actor_id=actor_id,
        action="roster.imported", subject_type="roster", subject_id=0,  # no single subject
        details={"created": report.created, "updated": report.updated,
                 "unchanged": report.unchanged, "rejected": len(report.rejected),
                 "kept_from_puente": report.kept_from_puente}))
    session.flush()
    return report


def _contact_key(row: ParsedRow) -> Key:
    return ("contact", row.household_id, fold_name(row.guardian_name))


def _upsert_student(household: Household, row: ParsedRow, students: dict[Key, Student],
                    changes: _Changes) -> Key:
    key = ("student", row.household_id, fold_name(row.student_name))
    student = students.get(key)
    if student is None:
        student = Student(name=row.student_name, grade=row.grade, school=row.school)
        household.students.append(student)
        students[key] = student
        changes.created.add(key)
    if changes.first(key):
        for attr, value in (("name", row.student_name), ("grade", row.grade),
                            ("school", row.school)):
            changes.set(key, student, attr, value)
    return key


def _upsert_contact(household: Household, row: ParsedRow, contacts: dict[Key, Contact],
                    changes: _Changes, now: datetime) -> Contact:
    key = _contact_key(row)
    contact = contacts.get(key)
    if contact is None:
        contact = Contact(name=row.guardian_name, language=row.language, created_at=now,
                          updated_at=now)
        household.contacts.append(contact)
        contacts[key] = contact
        changes.created.add(key)
    for attr, value in (("name", row.guardian_name), ("relationship_label", row.relationship),
                        ("language", row.language),
                        ("other_languages", list(row.other_languages)),
                        ("fallback_language", row.fallback_language),
                        ("prepaid", row.prepaid), ("preferred_start", row.preferred_start),
                        ("preferred_end", row.preferred_end)):
        changes.set(key, contact, attr, value)
    return contact


def _reconcile_numbers(contact: Contact, wanted: list[tuple[str, str]], changes: _Changes,
                       key: Key, now: datetime) -> int:
    """Make the roster's numbers active in roster order; detach its others, keeping them.

    The SIS learns of a number change after Puente does, so the file never undoes one: a
    number the family proved by code or a liaison entered (source other than "roster")
    stays active and first, and a number Puente detached itself (replaced after a verified
    change, "not my family") stays detached even while the file lists it. Return how many
    numbers the file is behind on.
    """
    existing = {(n.channel, n.address): n for n in contact.numbers}
    learned = sorted((n for n in contact.numbers if n.source != "roster"
                      and n.detached_at is None and (n.channel, n.address) not in wanted),
                     key=lambda n: (n.priority, n.id))
    behind = len(learned)
    for priority, number in enumerate(learned):
        changes.set(key, number, "priority", priority)
    priority = len(learned)
    for channel, address in wanted:
        number = existing.get((channel, address))
        if number is None:
            contact.numbers.append(ContactNumber(channel=channel, address=address,
                                                 priority=priority, created_at=now))
            changes.updated.add(key)
            priority += 1
            continue
        if number.detached_at is not None:
            if number.detached_reason != DETACHED_REASON:
                behind += 1  # Puente took it off: the file is behind
                continue
            number.detached_at = None  # the family went back to an old roster number
            number.detached_reason = None
            changes.updated.add(key)
        changes.set(key, number, "priority", priority)
        priority += 1
    for address, number in existing.items():
        if address not in wanted and number.detached_at is None and number.source == "roster":
            number.detached_at = now
            number.detached_reason = DETACHED_REASON
            changes.updated.add(key)
    return behind


def _load_households(session: Session, external_ids: set[str]) -> dict[str, Household]:
    """Load the file's existing households with students, contacts and numbers in bulk."""
    found: dict[str, Household] = {}
    ids = sorted(external_ids)
    for start in range(0, len(ids), _CHUNK):
        query = (select(Household)
                 .where(Household.external_id.in_(ids[start:start + _CHUNK]))
                 .options(selectinload(Household.students),
                          selectinload(Household.contacts).selectinload(Contact.numbers)))
        found.update((h.external_id, h) for h in session.scalars(query))
    return found


def _numbered(rows: Iterable[RosterRow | tuple[int, RosterRow]]
              ) -> Iterator[tuple[int, RosterRow]]:
    for index, item in enumerate(rows, start=1):
        yield item if isinstance(item, tuple) else (index, item)
