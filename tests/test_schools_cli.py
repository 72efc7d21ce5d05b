"""`flask schools create/list` and the school service behind them."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import School
from bot.schools.service import create_school, find_school, school_by_number

LINCOLN = ["schools", "create", "Lincoln Elementary", "--timezone", "America/New_York",
           "--country", "US"]


def test_create_school_stores_numbers_in_e164(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=[*LINCOLN, "--sms-number", "(617) 555-0100",
                                 "--whatsapp-number", "whatsapp:+1 617 555 0101",
                                 "--office-phone", "617.555.0199"])

    assert result.exit_code == 0, result.output
    school = session.scalars(select(School)).one()
    assert (school.name, school.timezone, school.country) == (
        "Lincoln Elementary", "America/New_York", "US")
    assert school.sms_number == "+16175550100"
    assert school.whatsapp_number == "+16175550101"  # stored without the whatsapp: prefix
    assert school.office_phone == "+16175550199"


def test_list_shows_each_school_with_its_numbers(runner: FlaskCliRunner) -> None:
    runner.invoke(args=[*LINCOLN, "--sms-number", "+16175550100"])
    runner.invoke(args=["schools", "create", "Roosevelt Middle School", "--timezone",
                        "America/Chicago", "--country", "US"])

    result = runner.invoke(args=["schools", "list"])

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "timezone", "country", "sms", "whatsapp", "office"]
    assert "Lincoln Elementary" in lines[2] and "+16175550100" in lines[2]
    assert "Roosevelt Middle School" in lines[3] and "America/Chicago" in lines[3]


def test_list_without_schools_says_how_to_add_one(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["schools", "list"])

    assert result.exit_code == 0
    assert "schools create" in result.output


@pytest.mark.parametrize(("extra", "message"), [
    (["--timezone", "Mars/Olympus"], "unknown timezone 'Mars/Olympus'"),
    (["--country", "XX"], "unknown country code 'XX'"),
    (["--sms-number", "555-01"], "SMS number"),
    (["--whatsapp-number", "+16175550101"], "whatsapp:+"),
])
def test_invalid_settings_are_refused_with_a_message(runner: FlaskCliRunner, extra: list[str],
                                                     message: str) -> None:
    result = runner.invoke(args=[*LINCOLN, *extra])

    assert result.exit_code == 1
    assert message in result.output


def test_duplicate_name_is_refused_ignoring_case(runner: FlaskCliRunner) -> None:
    runner.invoke(args=LINCOLN)

    result = runner.invoke(args=["schools", "create", "  lincoln elementary ", "--timezone",
                                 "America/New_York", "--country", "US"])

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_number_of_another_school_is_refused(runner: FlaskCliRunner) -> None:
    runner.invoke(args=[*LINCOLN, "--sms-number", "+16175550100"])

    result = runner.invoke(args=["schools", "create", "Roosevelt Middle School", "--timezone",
                                 "America/New_York", "--country", "US",
                                 "--sms-number", "617-555-0100"])

    assert result.exit_code == 1
    assert "already belongs to 'Lincoln Elementary'" in result.output


def test_find_school_ignores_case_and_spaces(session: Session) -> None:
    school = create_school(session, name="Lincoln Elementary", timezone="America/New_York",
                           country="us")

    assert find_school(session, "  LINCOLN   elementary ") is school
    assert find_school(session, "Lincoln") is None
    assert school.country == "US"


def test_school_by_number_looks_up_the_channel_given(session: Session) -> None:
    school = create_school(session, name="Lincoln Elementary", timezone="America/New_York",
                           country="US", sms_number="+16175550100",
                           whatsapp_number="whatsapp:+16175550101")

    assert school_by_number(session, "sms", "+16175550100") is school
    assert school_by_number(session, "whatsapp", "whatsapp:+16175550101") is school
    assert school_by_number(session, "whatsapp", "+16175550100") is None
