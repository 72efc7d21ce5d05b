"""`flask users create/list/duty` and the user service behind them."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import AuditEvent, User
from bot.schools.service import create_school
from bot.users.service import authenticate, create_user, find_user

PASSWORD = "sunflower-42"


@pytest.fixture
def schools(session: Session) -> None:
    for name, sms in (("Lincoln Elementary", "+16175550100"),
                      ("Roosevelt Middle School", "+16175550110")):
        create_school(session, name=name, timezone="America/New_York", country="US",
                      sms_number=sms)
    session.commit()


def create(runner: FlaskCliRunner, *extra: str, password: str = PASSWORD,
           languages: str = "es,pt-br", schools: str = "Lincoln Elementary") -> Result:
    args = ["users", "create", "--email", "Maria@Lincoln.example", "--name", "María López",
            "--role", "liaison", "--languages", languages, "--schools", schools, *extra]
    return runner.invoke(args=args, input=password + "\n")


def test_password_is_read_from_stdin_and_hashed(runner: FlaskCliRunner, session: Session,
                                                schools: None) -> None:
    result = create(runner)

    assert result.exit_code == 0, result.output
    user = find_user(session, "maria@lincoln.example")
    assert user is not None and user.email == "maria@lincoln.example"
    assert user.password_hash.startswith("scrypt:")
    assert authenticate(session, "MARIA@lincoln.example", PASSWORD) is user
    assert authenticate(session, "maria@lincoln.example", "wrong password") is None


def test_languages_are_stored_normalised_in_the_order_given(
        runner: FlaskCliRunner, session: Session, schools: None) -> None:
    create(runner, languages="pt_br, es ,fr")

    user = session.scalars(select(User)).one()
    assert user.languages == ["pt-BR", "es", "fr"]
    assert [row.position for row in user.language_rows] == [0, 1, 2]


def test_new_liaison_is_on_duty_for_the_schools_named(runner: FlaskCliRunner, session: Session,
                                                     schools: None) -> None:
    create(runner, schools="lincoln elementary, Roosevelt Middle School")

    user = session.scalars(select(User)).one()
    assert user.on_duty is True
    assert [s.name for s in user.schools] == ["Lincoln Elementary", "Roosevelt Middle School"]


def test_user_without_schools_is_district_wide(runner: FlaskCliRunner, session: Session,
                                               schools: None) -> None:
    create(runner, schools="")

    assert session.scalars(select(User)).one().district_wide


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"password": "short"}, "at least 8 characters"),
    ({"schools": "Lincon Elementary"}, "unknown school 'Lincon Elementary'"),
    ({"languages": "es,klingon"}, "language tag 'klingon'"),
    ({"languages": ""}, "a liaison needs at least one language"),
])
def test_invalid_user_is_refused_and_not_stored(runner: FlaskCliRunner, session: Session,
                                                schools: None, kwargs: dict[str, str],
                                                message: str) -> None:
    result = create(runner, **kwargs)

    assert result.exit_code == 1
    assert message in result.output
    assert session.scalars(select(User)).first() is None


def test_duplicate_email_is_refused_ignoring_case(runner: FlaskCliRunner, schools: None) -> None:
    create(runner)

    result = create(runner)

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_creation_is_audited_without_the_password(runner: FlaskCliRunner, session: Session,
                                                  schools: None) -> None:
    create(runner)

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.created")).one()
    assert event.subject_type == "user"
    assert event.details["email"] == "maria@lincoln.example"
    assert PASSWORD not in str(event.details)
    assert "password" not in str(event.details)


def test_duty_switches_a_liaison_off_and_on(runner: FlaskCliRunner, session: Session,
                                            schools: None) -> None:
    create(runner)

    off = runner.invoke(args=["users", "duty", "maria@lincoln.example", "--off"])
    assert off.exit_code == 0, off.output
    assert find_user(session, "maria@lincoln.example").on_duty is False  # type: ignore[union-attr]
    session.rollback()

    on = runner.invoke(args=["users", "duty", "MARIA@lincoln.example", "--on"])
    assert on.exit_code == 0
    assert find_user(session, "maria@lincoln.example").on_duty is True  # type: ignore[union-attr]


def test_duty_for_an_unknown_email_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "duty", "nobody@example.org", "--on"])

    assert result.exit_code == 1
    assert "no user" in result.output


def test_list_shows_roles_languages_and_schools(runner: FlaskCliRunner, schools: None) -> None:
    create(runner)

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0
    row = result.output.splitlines()[2]
    for text in ("maria@lincoln.example", "liaison", "es,pt-BR", "Lincoln Elementary", "yes"):
        assert text in row


def test_inactive_user_cannot_sign_in(session: Session, schools: None) -> None:
    user = create_user(session, email="jean@lincoln.example", name="Jean", role="staff",
                       password=PASSWORD, languages=[], school_names=[])
    user.active = False

    assert authenticate(session, "jean@lincoln.example", PASSWORD) is None
    assert authenticate(session, "nobody@lincoln.example", PASSWORD) is None
