"""Households a text names: its students and guardians, found by name, scored, with the
reason for each, best first. Used to link a text from an unknown number to its family.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from bot.freshness.names import NameMatch, match_name, names_any_of, words_of
from bot.keywords.match import normalize_text
from bot.models import Contact, Household, Student

FULL_NAME, FIRST_NAME = 5, 2  # a first name alone is weaker evidence than a full name


@dataclass(frozen=True)
class Candidate:
    household: Household
    score: int
    reasons: tuple[str, ...]  # "names the student Juan Pérez", best evidence first
    guardians: tuple[Contact, ...]  # whom the number can be linked to, named ones first


@dataclass(frozen=True)
class _Hit:
    role: str  # student | guardian
    person_id: int
    match: NameMatch

    @property
    def score(self) -> int:
        return FULL_NAME if self.match.full else FIRST_NAME


def households_named(session: Session, texts: Sequence[str], *,
                     school_ids: Collection[int] | None = None, limit: int = 5,
                     search: bool = False) -> list[Candidate]:
    """Return the households whose students or guardians these texts name, best first;
    a search (words a liaison typed) also counts a surname alone."""
    folded = [normalize_text(t) for t in texts]
    words = words_of(" ".join(folded))
    if not words:
        return []
    hits: dict[int, list[_Hit]] = {}
    for role, model in (("student", Student), ("guardian", Contact)):
        for person_id, household_id, name in _named(session, model, words, school_ids,
                                                    search):
            match = _best_match(name, folded, search)
            if match is not None:
                hits.setdefault(household_id, []).append(_Hit(role, person_id, match))
    ranked = sorted(hits.items(), key=lambda item: (-sum(h.score for h in item[1]), item[0]))
    ranked = ranked[:limit]
    households = {h.id: h for h in session.scalars(
        select(Household).where(Household.id.in_([household_id for household_id, _ in ranked]))
        .options(selectinload(Household.students), selectinload(Household.contacts),
                 selectinload(Household.school)))}
    verb = "matches" if search else "names"
    return [_candidate(households[household_id], found, verb)
            for household_id, found in ranked]


def _named(session: Session, model: type[Student] | type[Contact], words: list[str],
           school_ids: Collection[int] | None, search: bool) -> list[tuple[int, int, str]]:
    """Rows of students or roster guardians whose names may be among the words."""
    query = select(model.id, model.household_id, model.name).where(
        names_any_of(model.name, words, anywhere=search), model.household_id.is_not(None))
    if model is Contact:
        query = query.where(Contact.is_unknown.is_(False))
    if school_ids is not None:
        ids = list(school_ids)
        query = query.where(or_(
            model.household_id.in_(select(Household.id).where(Household.school_id.in_(ids))),
            model.household_id.in_(select(Student.household_id)
                                   .where(Student.school_id.in_(ids)))))
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def _best_match(name: str, folded_texts: list[str], any_part: bool) -> NameMatch | None:
    matches = [m for m in (match_name(name, t, any_part=any_part) for t in folded_texts)
               if m is not None]
    return max(matches, key=lambda m: m.full, default=None)


def _candidate(household: Household, hits: list[_Hit], verb: str) -> Candidate:
    hits = sorted(hits, key=lambda h: (-h.score, h.role != "student", h.match.said))
    reasons = tuple(dict.fromkeys(f"{verb} the {h.role} {h.match.said}" for h in hits))
    named = {h.person_id for h in hits if h.role == "guardian"}
    guardians = sorted((c for c in household.contacts if not c.is_unknown),
                       key=lambda c: (c.id not in named, c.id))
    return Candidate(household, sum(h.score for h in hits), reasons, tuple(guardians))
