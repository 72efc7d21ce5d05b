"""The reachability report: per school and language, how many families we can still text.

A *working* number is one that is not detached, not invalid and not opted out. The report
counts guardians in a household; unknown senders (no household) are left out.

- **contacts**: guardians, each counted in their own preferred language;
- **confirmed**: guardians with a working number confirmed (`last_confirmed_at`) within
  the last `days`;
- **stale**: guardians whose status is `stale` (they did not answer a number check);
- **invalid**: guardians whose status is `invalid`, or who have no number left that is
  neither invalid nor detached (an opted-out number is not invalid: the family chose to
  get no texts, the phone still works);
- **households**: each household once, in the language of its first guardian (the lowest
  contact id, the roster's first), so rows add up to school and district totals; a
  household with no guardian on file has no language and is not counted;
- **unreachable households**: households where no guardian has a working number.

The four flags overlap (a stale guardian may also be invalid), so their shares do not add
up to 100%. Two aggregate queries over a summary the database keeps do the work
(report_queries.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.freshness.report_queries import contact_counts, household_counts
from bot.languages import speaks
from bot.models import School, User

MAX_DAYS = 3650


@dataclass(frozen=True)
class Counts:
    """The figures of one row; rows add up with +."""

    contacts: int = 0
    confirmed: int = 0
    stale: int = 0
    invalid: int = 0
    households: int = 0
    unreachable_households: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, name) + getattr(other, name) for name in FIGURES))

    @property
    def shares(self) -> dict[str, float | None]:
        """Each figure as a fraction of contacts (or households); None when there are none."""
        return {"confirmed_share": _share(self.confirmed, self.contacts),
                "stale_share": _share(self.stale, self.contacts),
                "invalid_share": _share(self.invalid, self.contacts),
                "unreachable_share": _share(self.unreachable_households, self.households)}

    def as_dict(self) -> dict[str, int | float | None]:
        # Not dataclasses.asdict, which deep-copies: the API builds hundreds of these.
        figures = {name: getattr(self, name) for name in FIGURES}
        rounded = {k: None if v is None else round(v, 4) for k, v in self.shares.items()}
        return {**figures, **rounded}


FIGURES = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class SchoolReach:
    school_id: int
    name: str
    languages: dict[str, Counts]  # most contacts first

    @cached_property  # the report is read-only once built; the API and the page ask often
    def total(self) -> Counts:
        return sum(self.languages.values(), Counts())


@dataclass(frozen=True)
class ReachabilityReport:
    now: datetime
    days: int
    schools: list[SchoolReach]  # by name

    @property
    def since(self) -> datetime:
        return self.now - timedelta(days=self.days)

    @cached_property
    def total(self) -> Counts:
        return sum((s.total for s in self.schools), Counts())

    @cached_property
    def languages(self) -> dict[str, Counts]:
        """District totals per language, most contacts first."""
        totals: dict[str, Counts] = {}
        for school in self.schools:
            for language, counts in school.languages.items():
                totals[language] = totals.get(language, Counts()) + counts
        return _by_size(totals.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.now.isoformat(), "days": self.days,
            "confirmed_since": self.since.isoformat(),
            "total": self.total.as_dict(),
            "languages": [{"language": lang, **c.as_dict()} for lang, c in self.languages.items()],
            "schools": [{"id": s.school_id, "name": s.name, "total": s.total.as_dict(),
                         "languages": [{"language": lang, **c.as_dict()}
                                       for lang, c in s.languages.items()]}
                        for s in self.schools],
        }


class Scope(NamedTuple):
    """What a user may see: None means every school, or every language."""

    school_ids: frozenset[int] | None
    languages: tuple[str, ...] | None


def parse_days(value: str | None, default: int) -> int:
    """Read `?days=` from a query string; raise ValueError saying what is allowed."""
    if value is None or not value.strip():
        return default
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_DAYS:
        raise ValueError(f"must be a whole number of days from 1 to {MAX_DAYS}, not {value!r}")
    return int(value)


def scope_for(user: User) -> Scope:
    """Staff and admins see everything; a liaison their schools (all when attached to none)
    and the languages they speak."""
    if user.role in ("staff", "admin"):
        return Scope(None, None)
    schools = None if user.district_wide else frozenset(s.id for s in user.schools)
    return Scope(schools, tuple(user.languages))


def reachability_report(session: Session, config: Config, *, now: datetime,
                        days: int | None = None, school_ids: Collection[int] | None = None,
                        languages: Collection[str] | None = None) -> ReachabilityReport:
    """Count contacts confirmed within `days` (default `freshness.confirm_after_days`),
    stale and invalid ones, and unreachable households, per school and language.

    `school_ids` keeps those schools; `languages` keeps the rows in a language someone who
    speaks them can read (`bot.languages.speaks`: zh-TW and zh-Hant are one language), which
    is why languages are filtered here rather than in SQL.
    """
    days = config.freshness.confirm_after_days if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    if school_ids is not None and not school_ids:
        return ReachabilityReport(now, days, [])
    by_school = school_ids is not None
    values: dict[str, Any] = {"since": now - timedelta(days=days)}
    if school_ids is not None:
        values["school_ids"] = sorted(school_ids)
    found: dict[tuple[int, str], dict[str, int]] = {}  # each query fills in its figures
    for query in (contact_counts(by_school), household_counts(by_school)):
        for row in session.execute(query, values).mappings():
            counts = found.setdefault((row["school_id"], row["language"]), {})
            counts.update((name, int(row[name])) for name in FIGURES if name in row)
    names = dict(session.execute(select(School.id, School.name).where(
        School.id.in_({school_id for school_id, _ in found}))).all())
    grouped: dict[int, list[tuple[str, Counts]]] = {}
    for (school_id, language), counts in found.items():
        if languages is not None and not _speaks(languages, language):
            continue
        grouped.setdefault(school_id, []).append((language, Counts(**counts)))
    schools = [SchoolReach(school_id, names[school_id], _by_size(items))
               for school_id, items in grouped.items()]
    schools.sort(key=lambda s: (s.name.casefold(), s.school_id))
    return ReachabilityReport(now, days, schools)


def _speaks(languages: Collection[str], tag: str) -> bool:
    try:
        return speaks(languages, tag)
    except ValueError:  # a tag no one can match; only staff see it
        return False


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _by_size(items: Iterable[tuple[str, Counts]]) -> dict[str, Counts]:
    return dict(sorted(items, key=lambda item: (-item[1].contacts, item[0])))
