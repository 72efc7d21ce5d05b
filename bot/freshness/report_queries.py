"""The reachability report's one aggregate query: one row per (school, language).

It comes in a form that suits each engine, as the two run the same SQL very differently
(bench/reachability.py: 100,000 guardians, 40 schools):

- PostgreSQL hashes: numbers are folded per contact in one pass and hash-joined to the
  contacts, then window functions over each household (one sort) pick its first guardian
  and tell whether anyone in it is reachable.
- SQLite has no hash join or hash aggregate: every GROUP BY sorts, a grouped subquery that
  is joined gets stored and indexed on the fly, and window functions copy every row through
  a temporary table (together two thirds of the time in the form above). So each contact's
  numbers are folded as the contact is read, through the unique (contact_id, channel,
  address) index; one lookup in the household index tells whether an earlier guardian
  exists; and only first guardians with no working number (a few in a hundred) look for
  another guardian with one. The single sort left is the final one, by school and language.
  This takes a third less work for the district and four fifths less for a liaison's
  schools, which are found through the households' school index.

Both forms count alike: the PostgreSQL one runs on SQLite too, and tests/test_reachability.py
compares the two there. Each is built once and takes `since` (and schools) as parameters.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from bot.models import Contact, ContactNumber, Household

# How good a contact's best number is, worst first: none alive (invalid or detached), opted
# out, working, working and confirmed within the window. Each level implies those below it.
DEAD, OPTED_OUT, WORKING, CONFIRMED = 0, 1, 2, 3


@cache
def counts_query(dialect: str, by_school: bool) -> Select[Any]:
    """One row per (school, language) with every count, in a single aggregate query shaped
    for the engine (see the module docstring); built once, with `since` (and `school_ids`
    when by_school) bound at each run."""
    schools = bindparam("school_ids", expanding=True) if by_school else None
    if dialect == "sqlite":
        return _counts_by_lookup(schools)
    return _counts_by_window(schools)


def _level(*dead: ColumnElement[bool]) -> ColumnElement[int]:
    """A number's level, `dead` adding ways to have none alive; a contact's best, its
    numbers' max, carries all three flags in one aggregate."""
    number = ContactNumber
    return case((or_(*dead, number.detached_at.is_not(None), number.invalid_at.is_not(None)),
                 DEAD),
                (number.opted_out_at.is_not(None), OPTED_OUT),
                (number.last_confirmed_at >= bindparam("since"), CONFIRMED), else_=WORKING)


def _counts_by_window(schools: BindParameter[Any] | None) -> Select[Any]:
    """Fold numbers per contact, then let window functions over each household pick its
    first guardian and tell whether anyone in it is reachable."""
    number = ContactNumber
    numbers = (select(number.contact_id, func.max(_level()).label("level"))
               .group_by(number.contact_id).subquery("numbers"))
    best = func.coalesce(numbers.c.level, DEAD)  # a guardian without numbers has none alive
    per_household = {"partition_by": Contact.household_id}
    guardians = (
        select(Household.school_id, Contact.language,
               case((Contact.id == func.min(Contact.id).over(**per_household), 1),
                    else_=0).label("first"),
               func.max(best).over(**per_household).label("household_level"),
               case((best == CONFIRMED, 1), else_=0).label("confirmed"),
               case((Contact.status == "stale", 1), else_=0).label("stale"),
               case((or_(Contact.status == "invalid", best == DEAD), 1), else_=0)
               .label("invalid"))
        .join(Household, Household.id == Contact.household_id)
        .outerjoin(numbers, numbers.c.contact_id == Contact.id)
        .where(Contact.is_unknown.is_(False)))
    if schools is not None:
        guardians = guardians.where(Household.school_id.in_(schools))
    g = guardians.subquery("guardians")
    return _totals(g, case((and_(g.c.first == 1, g.c.household_level < WORKING), 1), else_=0))


def _counts_by_lookup(schools: BindParameter[Any] | None) -> Select[Any]:
    """Fold each contact's numbers as it is read, and look up in the household index
    whether an earlier guardian exists and, for the few first guardians with no working
    number, whether another guardian has one."""
    earlier = aliased(Contact, name="earlier")
    first = ~exists().where(earlier.household_id == Contact.household_id,
                            earlier.id < Contact.id, earlier.is_unknown.is_(False))
    contacts = (
        # Grouped by contact id alone: SQLite takes the other columns from the group's rows,
        # all the contact's own (PostgreSQL would want them in the GROUP BY too).
        select(Household.school_id, Contact.household_id, Contact.id, Contact.language,
               Contact.status,
               # A guardian without numbers has one row, all NULL, from the outer join.
               func.max(_level(ContactNumber.id.is_(None))).label("level"),
               case((first, 1), else_=0).label("first"))
        .join(Household, Household.id == Contact.household_id)
        .outerjoin(ContactNumber, ContactNumber.contact_id == Contact.id)
        .where(Contact.is_unknown.is_(False))
        .group_by(Contact.id))
    if schools is not None:
        contacts = contacts.where(Household.school_id.in_(schools))
    c = contacts.subquery("contacts_levels")
    other, number = aliased(Contact, name="other"), aliased(ContactNumber, name="other_number")
    other_works = exists().where(
        other.household_id == c.c.household_id, other.id != c.c.id,
        other.is_unknown.is_(False), number.contact_id == other.id,
        number.detached_at.is_(None), number.invalid_at.is_(None),
        number.opted_out_at.is_(None))
    g = select(
        c.c.school_id, c.c.language, c.c.first,
        case((c.c.level == CONFIRMED, 1), else_=0).label("confirmed"),
        case((c.c.status == "stale", 1), else_=0).label("stale"),
        case((or_(c.c.status == "invalid", c.c.level == DEAD), 1), else_=0).label("invalid"),
        # Conditions run in order: only first guardians with no working number look.
        case((and_(c.c.first == 1, c.c.level < WORKING, ~other_works), 1), else_=0)
        .label("unreachable"),
    ).subquery("guardians")
    return _totals(g, g.c.unreachable)


def _totals(g: Subquery, unreachable: ColumnElement[int]) -> Select[Any]:
    """Sum the guardians' flags per school and language."""
    return (
        select(g.c.school_id, g.c.language, func.count().label("contacts"),
               func.sum(g.c.confirmed).label("confirmed"), func.sum(g.c.stale).label("stale"),
               func.sum(g.c.invalid).label("invalid"), func.sum(g.c.first).label("households"),
               func.sum(unreachable).label("unreachable"))
        .group_by(g.c.school_id, g.c.language))
