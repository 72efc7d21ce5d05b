"""The reachability report's two aggregate queries, over the reach summary.

Folding every guardian's numbers and looking at the rest of each household, at each request,
cost 300 ms or more for 100,000 guardians on SQLite, whatever the query's shape (no hash
joins: every GROUP BY sorts; a correlated lookup per guardian). So the database keeps a
summary, in triggers (migration 0009), on every change of a number, a contact or a household:

- each contact's best number (`reach_level`: none alive, opted out, working), the latest
  confirmation of a working one, and its household's school;
- each household's first guardian's language and its best guardian's level.

Each query then reads one covering index in (school, language) order: no table rows, no
sort, no join. A liaison's schools are ranges of the same indexes. The same SQL serves both
engines; tests/conftest.py checks after every test that the summary matches the numbers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select

from bot.models import Contact, Household

# A contact's best number, worst first; only the last can be confirmed.
DEAD, OPTED_OUT, WORKING = 0, 1, 2


@cache
def contact_counts(by_school: bool) -> Select[Any]:
    """Per (school, language): guardians, confirmed since `since`, stale, invalid."""
    c = Contact
    query = (
        select(c.reach_school_id.label("school_id"), c.language,
               func.count().label("contacts"),
               _sum(c.reach_confirmed_at >= bindparam("since")).label("confirmed"),
               _sum(c.status == "stale").label("stale"),
               _sum(or_(c.status == "invalid", c.reach_level == DEAD)).label("invalid"))
        .where(c.reach_school_id.is_not(None), c.is_unknown.is_(False))
        .group_by(c.reach_school_id, c.language))
    if by_school:
        query = query.where(c.reach_school_id.in_(bindparam("school_ids", expanding=True)))
    return query


@cache
def household_counts(by_school: bool) -> Select[Any]:
    """Per (school, first guardian's language): households, and those nobody can text."""
    h = Household
    query = (
        select(h.school_id, h.reach_language.label("language"),
               func.count().label("households"),
               _sum(h.reach_level < WORKING).label("unreachable_households"))
        .where(h.reach_language.is_not(None))
        .group_by(h.school_id, h.reach_language))
    if by_school:
        query = query.where(h.school_id.in_(bindparam("school_ids", expanding=True)))
    return query


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))
