"""A family's text while a number check is open: confirm, wrong person, or a new number.

Called by the inbound flow for a known contact after carrier keywords had their turn
(STOP always wins; YES from an opted-out number opts in). Returns the answer to send, or
None when the text is not an answer the bot acts on: then it is an ordinary message for
the liaison.
"""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import texts
from bot.config import Config
from bot.freshness.followups import open_follow_up
from bot.freshness.parse import parse_check_reply
from bot.freshness.verify import Reply, code_from_wrong_phone, start_verification
from bot.i18n import family_ntext, family_text
from bot.languages import has_locale_data
from bot.models import AuditEvent, Contact, ContactNumber, NumberCheck, School
from bot.models.freshness import OPEN_CHECK_STATES
from bot.phones import display_phone


def open_check(session: Session, number: ContactNumber) -> NumberCheck | None:
    """The open check on this number, if any."""
    return session.scalars(
        select(NumberCheck).where(NumberCheck.number_id == number.id,
                                  NumberCheck.state.in_(OPEN_CHECK_STATES))
        .order_by(NumberCheck.id.desc()).limit(1)).first()


def answer_check(session: Session, number: ContactNumber, body: str, *, school: School,
                 config: Config, now: datetime) -> Reply | None:
    """Act on a reply to an open number check; None if there is none or it is no answer."""
    contact = number.contact
    wrong_phone = code_from_wrong_phone(session, contact, body)
    if wrong_phone is not None:
        return wrong_phone
    check = open_check(session, number)
    if check is None:
        return None
    household_languages = _household_languages(contact)
    reply = parse_check_reply(body, languages=household_languages,
                              country=config.app.default_country, current=number.address,
                              school_numbers=school_numbers(session, config))
    say = contact.text_languages
    if reply.outcome in ("confirm", "same_number"):
        number.last_confirmed_at = now
        contact.status = "active"
        check.state, check.resolved_at, check.next_prompt_at = "confirmed", now, None
        _audit(session, contact, "number.confirmed", now, reply.reason)
        if reply.outcome == "same_number":
            return family_text(texts.SAME_NUMBER, say, school=school.name)
        return family_text(texts.NUMBER_CONFIRMED, say, school=school.name)
    if reply.outcome == "wrong_number":
        number.detached_at, number.detached_reason = now, "the person at this number said it " \
                                                          "is not this family's"
        check.state, check.resolved_at, check.next_prompt_at = "wrong_person", now, None
        _audit(session, contact, "number.detached", now, reply.reason)
        open_follow_up(session, contact, "wrong_person",
                       f"{display_phone(number.address)} answered that it is not this family",
                       now)
        return family_text(texts.WRONG_PERSON, say, school=school.name)
    if reply.outcome == "new_number":
        assert reply.number is not None
        start_verification(session, contact, reply.number, school=school, config=config,
                           now=now, old_number=number, check=check)
        hours = config.freshness.code_valid_hours
        return family_ntext(*texts.CODE_SENT, hours, say, school=school.name,
                            phone=display_phone(reply.number), hours=hours)
    return _refusal(reply.outcome, say, school, reply.written or "", config)


def _refusal(outcome: str, say: list[str], school: School, written: str,
             config: Config) -> Reply | None:
    """The answer to a number the school cannot use; each changes nothing."""
    if outcome == "two_numbers":
        return family_text(texts.TWO_NUMBERS, say)
    if outcome == "not_a_number":
        return family_text(texts.NOT_A_NUMBER, say, phone=written)
    if outcome == "foreign_number":
        return family_text(texts.FOREIGN_NUMBER, say, school=school.name,
                           country=_country(config, say[0]))
    if outcome == "not_mobile":
        return family_text(texts.NOT_MOBILE, say, phone=written)
    if outcome == "school_number":
        return family_text(texts.SCHOOL_NUMBER, say)
    return None


def _household_languages(contact: Contact) -> list[str]:
    languages = list(contact.languages)
    if contact.household is not None:
        for other in contact.household.contacts:
            languages += [lang for lang in other.languages if lang not in languages]
    if contact.fallback_language:
        languages.append(contact.fallback_language)
    return languages


def school_numbers(session: Session, config: Config) -> list[str]:
    """Every number the district texts or is called at: never a family's new number."""
    numbers = [n for row in session.execute(select(School.sms_number, School.whatsapp_number,
                                                   School.office_phone)) for n in row if n]
    return [*numbers, config.twilio.sms_number,
            config.twilio.whatsapp_number.removeprefix("whatsapp:")]


def _country(config: Config, language: str) -> str:
    locale = Locale.parse(language.replace("-", "_")) if has_locale_data(language) else \
        Locale("en")
    return locale.territories.get(config.app.default_country, config.app.default_country)


def _audit(session: Session, contact: Contact, action: str, now: datetime,
           reason: str) -> None:
    session.add(AuditEvent(at=now, actor="family", action=action, subject_type="contact",
                           subject_id=contact.id, details={"how": f"reply to a number check: "
                                                                  f"{reason}"}))
