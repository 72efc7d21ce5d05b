"""The daily number checks: pick who to ask, ask within their hours, remind, give up.

Who is asked: contacts whose number was last confirmed longer ago than the interval
(shorter for prepaid phones), and contacts whose texts have started failing — failures
first, then the longest unconfirmed. Never an opted-out contact, never one with a check
open, never one asked in the last week; at most `daily_cap_per_school` new checks per
school per 24 hours, so a school's families are asked over days, not on one morning.
Selection is one query (a window function picks each contact's number); the prompts are
rendered once per language, school and students.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel.lists import format_list
from sqlalchemy import and_, case, exists, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from bot import texts
from bot.broadcasts.audience import school_hours
from bot.broadcasts.hours import next_allowed, window_for
from bot.broadcasts.segments import count_segments
from bot.config import Config
from bot.conversations.threads import sender_address
from bot.freshness.followups import mark_stale
from bot.i18n import family_text
from bot.keywords.replies import prompt_words
from bot.languages import has_locale_data
from bot.models import (
    Contact,
    ContactNumber,
    Household,
    NumberCheck,
    School,
    Student,
)
from bot.models.freshness import OPEN_CHECK_STATES
from bot.sending.outbox import insert_bulk

NEVER_TWICE_WITHIN = timedelta(days=7)
CHUNK = 10_000  # ids per IN list: PostgreSQL takes at most 65,535 parameters a statement


@dataclass(frozen=True)
class Due:
    contact_id: int
    number_id: int
    school_id: int
    reason: str  # interval | prepaid | failures


@dataclass
class RunReport:
    prompted: Counter[str] = field(default_factory=Counter)  # school name -> new checks
    reminded: int = 0
    went_stale: int = 0
    held_for_hours: int = 0
    due: list[Due] = field(default_factory=list)

    def summary(self) -> str:
        schools = ", ".join(f"{name} {n}" for name, n in sorted(self.prompted.items()))
        return (f"{sum(self.prompted.values())} new check(s) ({schools or 'none'}), "
                f"{self.reminded} reminder(s), {self.went_stale} gone stale, "
                f"{self.held_for_hours} held for sending hours")


def run_checks(session: Session, *, config: Config, now: datetime,
               dry_run: bool = False) -> RunReport:
    """Remind or give up on open checks, then start today's new ones."""
    report = RunReport()
    _follow_open_checks(session, config, now, report, dry_run)
    report.due = select_due(session, config=config, now=now)
    if not dry_run:
        _prompt(session, report.due, config, now, report)
    else:
        names = dict(session.execute(select(School.id, School.name)).all())
        report.prompted.update(names[d.school_id] for d in report.due)
    return report


def select_due(session: Session, *, config: Config, now: datetime) -> list[Due]:
    """Today's new checks, failures first, within each school's daily cap."""
    settings = config.freshness
    working = and_(ContactNumber.detached_at.is_(None), ContactNumber.invalid_at.is_(None),
                   ContactNumber.opted_out_at.is_(None))
    ranked = (
        select(ContactNumber.id, ContactNumber.contact_id, ContactNumber.consecutive_failures,
               func.coalesce(ContactNumber.last_confirmed_at,
                             ContactNumber.created_at).label("confirmed"),
               func.row_number().over(
                   partition_by=ContactNumber.contact_id,
                   order_by=(case((ContactNumber.channel == "sms", 0), else_=1),
                             ContactNumber.priority, ContactNumber.id)).label("rank"))
        .where(working).subquery())
    opted_out = exists().where(ContactNumber.contact_id == Contact.id,
                               ContactNumber.opted_out_at.is_not(None))
    recent = exists().where(NumberCheck.contact_id == Contact.id,
                            or_(NumberCheck.state.in_(OPEN_CHECK_STATES),
                                NumberCheck.created_at > now - NEVER_TWICE_WITHIN))
    interval = case((Contact.prepaid, now - timedelta(days=settings.prepaid_confirm_after_days)),
                    else_=now - timedelta(days=settings.confirm_after_days))
    rows = session.execute(
        select(Contact.id, ranked.c.id, Household.school_id, Contact.prepaid,
               ranked.c.consecutive_failures)
        .join(ranked, and_(ranked.c.contact_id == Contact.id, ranked.c.rank == 1))
        .join(Household, Household.id == Contact.household_id)
        .where(Contact.is_unknown.is_(False), Contact.status.in_(("active", "unconfirmed")),
               or_(ranked.c.confirmed < interval, ranked.c.consecutive_failures > 0),
               ~opted_out, ~recent)
        .order_by(ranked.c.consecutive_failures.desc(), ranked.c.confirmed, Contact.id)
    ).all()
    started = Counter(dict(session.execute(
        select(NumberCheck.school_id, func.count())
        .where(NumberCheck.created_at > now - timedelta(hours=24))
        .group_by(NumberCheck.school_id)).all()))
    due = []
    for contact_id, number_id, school_id, prepaid, failures in rows:
        if started[school_id] >= settings.daily_cap_per_school:
            continue
        started[school_id] += 1
        reason = "failures" if failures else "prepaid" if prepaid else "interval"
        due.append(Due(contact_id, number_id, school_id, reason))
    return due


def _prompt(session: Session, due: list[Due], config: Config, now: datetime,
            report: RunReport) -> None:
    if not due:
        return
    contacts = {c.id: c for ids in _chunks([d.contact_id for d in due]) for c in session.scalars(
        select(Contact).where(Contact.id.in_(ids)))}
    numbers = {n.id: n for ids in _chunks([d.number_id for d in due]) for n in session.scalars(
        select(ContactNumber).where(ContactNumber.id.in_(ids)))}
    schools = {s.id: s for s in session.scalars(select(School))}
    students = _students(session, [c.household_id for c in contacts.values()])
    prompts = _Prompts(hours=school_hours(session), config=config, now=now)
    checks, rows = [], []
    reminder = now + timedelta(days=config.freshness.reminder_interval_days)
    for item in due:
        contact, number, school = contacts[item.contact_id], numbers[item.number_id], \
            schools[item.school_id]
        checks.append({"contact_id": contact.id, "number_id": number.id, "school_id": school.id,
                       "reason": item.reason, "state": "pending", "prompts_sent": 1,
                       "last_prompt_at": now, "created_at": now, "next_prompt_at": reminder,
                       "resolved_at": None})
        row = prompts.row(contact, number, school, students.get(contact.household_id or 0, []))
        rows.append(row)
        report.prompted[school.name] += 1
        report.held_for_hours += row["not_before"] > now
    session.connection().execute(insert(NumberCheck), checks)
    insert_bulk(session, rows, now)


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _follow_open_checks(session: Session, config: Config, now: datetime, report: RunReport,
                        dry_run: bool) -> None:
    """Remind checks whose reminder is due; mark stale those out of reminders."""
    settings = config.freshness
    checks = session.scalars(
        select(NumberCheck).where(NumberCheck.state.in_(OPEN_CHECK_STATES),
                                  NumberCheck.next_prompt_at <= now)
        .options(selectinload(NumberCheck.contact), selectinload(NumberCheck.number))).all()
    if not checks:
        return
    schools = {s.id: s for s in session.scalars(select(School))}
    students = _students(session, [c.contact.household_id for c in checks])
    prompts = _Prompts(hours=school_hours(session), config=config, now=now)
    rows = []
    for check in checks:
        contact = check.contact
        if check.prompts_sent > settings.reminders:
            report.went_stale += 1
            if not dry_run:
                check.state = "stale"
                mark_stale(session, contact, "no_answer",
                           f"no answer to {check.prompts_sent} number checks", now)
            continue
        number = check.number
        if (number.detached_at or number.invalid_at or number.opted_out_at) is not None:
            if not dry_run:
                check.state, check.resolved_at, check.next_prompt_at = "canceled", now, None
            continue
        report.reminded += 1
        if dry_run:
            continue
        check.prompts_sent += 1
        check.last_prompt_at = now
        check.next_prompt_at = now + timedelta(days=settings.reminder_interval_days)
        rows.append(prompts.row(contact, number, schools[check.school_id],
                                students.get(contact.household_id or 0, [])))
    insert_bulk(session, rows, now)


class _Prompts:
    """Message rows for prompts: each text rendered, counted and timed once per kind."""

    def __init__(self, *, hours: dict[int, Any], config: Config, now: datetime) -> None:
        self.hours, self.config, self.now = hours, config, now
        self.texts: dict[tuple[Any, ...], tuple[str, str, int]] = {}
        self.not_before: dict[tuple[Any, ...], datetime] = {}

    def row(self, contact: Contact, number: ContactNumber, school: School,
            names: list[str]) -> dict[str, Any]:
        languages = contact.text_languages
        key = (tuple(languages), school.name, tuple(names))
        if key not in self.texts:
            yes, wrong = prompt_words(languages)
            body, language = family_text(texts.CHECK_NUMBER, languages, school=school.name,
                                         students=_names(names, languages[0]), yes=yes,
                                         wrong=wrong)
            self.texts[key] = body, language, count_segments(body).segments
        body, language, segments = self.texts[key]
        hold = (school.id, contact.preferred_start, contact.preferred_end)
        if hold not in self.not_before:
            timezone, start, end = self.hours[school.id]
            self.not_before[hold] = next_allowed(self.now, timezone, window_for(
                contact.preferred_start, contact.preferred_end, start, end))
        return {"contact_id": contact.id, "school_id": school.id, "direction": "out",
                "kind": "auto", "channel": number.channel,
                "from_address": sender_address(self.config, school, number.channel),
                "to_address": number.address, "body": body, "language": language,
                "status": "pending", "segments": segments, "created_at": self.now,
                "updated_at": self.now, "not_before": self.not_before[hold]}


def _students(session: Session, household_ids: list[int | None]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    ids = sorted({i for i in household_ids if i is not None})
    for chunk in _chunks(ids):
        for household_id, name in session.execute(
                select(Student.household_id, Student.name)
                .where(Student.household_id.in_(chunk)).order_by(Student.name)):
            found.setdefault(household_id, []).append(name.split()[0])
    return found


def _names(names: list[str], language: str) -> str:
    if not names:
        return ""
    locale = language.replace("-", "_") if has_locale_data(language) else "en"
    try:
        return format_list(names, locale=locale)
    except (ValueError, LookupError):
        return ", ".join(names)
