"""Small factories for test data, and a signed-webhook helper."""

from __future__ import annotations

import itertools
import re
from datetime import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from werkzeug.security import generate_password_hash

from bot.conversations.intake import process_pending
from bot.db import utcnow
from bot.models import (
    Contact,
    ContactNumber,
    Household,
    Message,
    School,
    Student,
    User,
    UserLanguage,
)
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL

PASSWORD = "correct horse battery"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")
_seq = itertools.count(1)


def make_school(session: Session, name: str = "Lincoln Elementary",
                sms_number: str | None = "+16175550100", whatsapp_number: str | None = None,
                office_phone: str | None = "+16175550199") -> School:
    school = School(name=name, timezone="America/New_York", country="US", sms_number=sms_number,
                    whatsapp_number=whatsapp_number, office_phone=office_phone,
                    sending_start=time(8), sending_end=time(20))
    session.add(school)
    session.flush()
    return school


def make_contact(session: Session, school: School, *, name: str = "Rosa Pérez",
                 language: str = "es", phone: str | None = None, channel: str = "sms",
                 other_languages: list[str] | None = None, fallback: str | None = None,
                 student: str = "Juan Pérez", household: Household | None = None) -> Contact:
    n = next(_seq)
    if household is None:
        household = Household(external_id=f"H{n:05d}", school=school)
        household.students.append(Student(name=student, grade="3", school=school))
        session.add(household)
    contact = Contact(name=name, language=language, other_languages=other_languages or [],
                      fallback_language=fallback, household=household, relationship_label="mother")
    contact.numbers.append(ContactNumber(address=phone or f"+1617555{n % 10000:04d}",
                                         channel=channel, priority=0))
    session.add(contact)
    session.flush()
    return contact


def make_user(session: Session, name: str, *, languages: list[str], schools: list[School] = (),
              role: str = "liaison", on_duty: bool = True, email: str | None = None) -> User:
    user = User(email=email or f"{name.split()[0].lower()}{next(_seq)}@example.org", name=name,
                role=role, password_hash=_PASSWORD_HASH, on_duty=on_duty)
    user.language_rows = [UserLanguage(language=lang, position=i)
                          for i, lang in enumerate(languages)]
    user.schools = list(schools)
    session.add(user)
    session.flush()
    return user


def sign(path: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """Return the X-Twilio-Signature Twilio would send for this form to our public URL."""
    return RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, form)


def post_signed(client: FlaskClient, path: str, form: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    """POST a form to a webhook with a valid Twilio signature."""
    return client.post(path, data=form, headers={"X-Twilio-Signature": sign(path, form)},
                       **kwargs)


def inbound_form(from_: str, body: str, *, to: str = "+16175550100",
                 sid: str | None = None, **extra: str) -> dict[str, str]:
    """A Twilio inbound-message webhook form, as Twilio sends it."""
    sid = sid or f"SM{next(_seq):032x}"
    form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
            "AccountSid": "AC" + "0" * 31 + "1", "From": from_, "To": to, "Body": body,
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
            "ApiVersion": "2010-04-01"}
    form.update(extra)
    return form


def csrf_token(client: FlaskClient, url: str) -> str:
    """Read the CSRF token from a page's form, as a browser would submit it."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client: FlaskClient, user: User) -> None:
    """Log in through the real form, CSRF token included."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.text


def fresh(session: Session) -> None:
    """End the session's read snapshot and forget loaded rows, to see what requests committed."""
    session.rollback()
    session.expire_all()


def process(app: Flask) -> int:
    """Run what the worker does with stored texts: turn them into routed messages."""
    with app.extensions["puente.db"].unit_of_work() as session:
        return process_pending(session, config=app.config["PUENTE"], now=utcnow())


def auto_replies_after(app: Flask, message_id: int) -> list[str]:
    """Bodies of the automatic replies queued after message_id, oldest first."""
    with app.extensions["puente.db"].sessions() as session:
        return list(session.scalars(
            select(Message.body)
            .where(Message.id > message_id, Message.kind.in_(("auto", "opt_out")))
            .order_by(Message.id)))


def last_message_id(app: Flask) -> int:
    with app.extensions["puente.db"].sessions() as session:
        return session.scalar(select(func.max(Message.id))) or 0


def text(client: FlaskClient, phone: str, body: str, *, to: str = "+16175550100") -> list[str]:
    """A family texts the school through the signed webhook and a worker processes it;
    return the automatic replies it queued (none when a liaison is there to answer)."""
    before = last_message_id(client.application)
    response = post_signed(client, "/twilio/messages", inbound_form(phone, body, to=to))
    assert response.status_code == 200, response.text
    assert response.text == EMPTY_TWIML
    process(client.application)
    return auto_replies_after(client.application, before)
