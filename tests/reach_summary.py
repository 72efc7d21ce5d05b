"""An independent check of the reach summary the database triggers keep (migration 0009).

Worked out here, in Python, from the numbers, contacts and households as they stand, and
compared with what the triggers wrote; tests/conftest.py runs it after every test, so each
write path the suite exercises (ORM, Core bulk updates, imports, linking) is checked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from bot.models import Contact, ContactNumber, Household


def stale_summaries(conn: Connection) -> list[str]:
    """Describe every contact and household whose summary differs from its rows; [] if none."""
    numbers: dict[int, list[Any]] = {}
    for n in conn.execute(select(ContactNumber.__table__)):
        numbers.setdefault(n.contact_id, []).append(n)
    schools = dict(conn.execute(select(Household.id, Household.school_id)).all())
    contacts = conn.execute(select(Contact.__table__).order_by(Contact.id)).all()
    problems = []
    guardians: dict[int, list[Any]] = {}
    for c in contacts:
        mine = numbers.get(c.id, [])
        alive = [n for n in mine if n.detached_at is None and n.invalid_at is None]
        working = [n for n in alive if n.opted_out_at is None]
        level = 2 if working else 1 if alive else 0
        confirmed = max((n.last_confirmed_at for n in working if n.last_confirmed_at),
                        default=None)
        expected = (level, confirmed, schools.get(c.household_id))
        found = (c.reach_level, c.reach_confirmed_at, c.reach_school_id)
        if found != expected:
            problems.append(f"contact {c.id}: (level, confirmed, school) {found}, "
                            f"expected {expected}")
        if c.household_id is not None and not c.is_unknown:
            guardians.setdefault(c.household_id, []).append((c, level))
    for h in conn.execute(select(Household.id, Household.reach_language,
                                 Household.reach_level)):
        mine = guardians.get(h.id, [])
        expected = (mine[0][0].language if mine else None,
                    max((level for _, level in mine), default=0))
        if (h.reach_language, h.reach_level) != expected:
            problems.append(f"household {h.id}: (language, level) "
                            f"{(h.reach_language, h.reach_level)}, expected {expected}")
    return problems
