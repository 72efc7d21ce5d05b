"""`flask demo load`: demo schools, families and liaisons, loaded through the real services."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Contact, Household, School, User
from bot.users.service import authenticate

DEMO_LANGUAGES = {"es", "ht", "pt-BR", "vi", "ar", "zh-Hans", "so", "en", "mix"}
DEMO_LOGINS = {
    "maria@lincoln.example", "jean@lincoln.example", "linh@roosevelt.example",
    "ana@roosevelt.example", "amina@district.example", "wei@district.example",
    "rosa@district.example", "staff@district.example", "admin@district.example",
}


def snapshot(session: Session) -> dict[str, int]:
    models = {"schools": School, "households": Household, "contacts": Contact, "users": User}
    return {name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in models.items()}


def test_demo_load_creates_schools_families_and_users(runner: FlaskCliRunner,
                                                      session: Session) -> None:
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert "rejected 0" in result.output
    assert "puente-demo" in result.output and "maria@lincoln.example" in result.output
    schools = {s.name: s for s in session.scalars(select(School))}
    assert set(schools) == {"Lincoln Elementary", "Roosevelt Middle School"}
    assert schools["Lincoln Elementary"].whatsapp_number == "+16175550101"
    assert 28 <= snapshot(session)["households"] <= 35
    languages = set(session.scalars(select(Contact.language)))
    assert DEMO_LANGUAGES <= languages
    assert DEMO_LOGINS <= set(session.scalars(select(User.email)))


def test_demo_load_twice_changes_nothing(runner: FlaskCliRunner, session: Session) -> None:
    runner.invoke(args=["demo", "load"])
    before = snapshot(session)
    session.rollback()

    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert "schools: 0 created; users: 0 created" in result.output
    assert "created 0, updated 0" in result.output
    assert snapshot(session) == before


def test_demo_mixtec_family_falls_back_to_spanish(runner: FlaskCliRunner,
                                                  session: Session) -> None:
    runner.invoke(args=["demo", "load"])

    mixtec = session.scalars(select(Contact).where(Contact.language == "mix")).all()
    assert mixtec and all(c.fallback_language == "es" for c in mixtec)


def test_demo_liaisons_sign_in_with_the_demo_password(runner: FlaskCliRunner,
                                                      session: Session) -> None:
    runner.invoke(args=["demo", "load"])

    rosa = authenticate(session, "rosa@district.example", "puente-demo")
    assert rosa is not None and rosa.languages == ["mix", "es"] and rosa.district_wide
    maria = authenticate(session, "maria@lincoln.example", "puente-demo")
    assert maria is not None and [s.name for s in maria.schools] == ["Lincoln Elementary"]
    admin = authenticate(session, "admin@district.example", "puente-demo")
    assert admin is not None and admin.role == "admin"


def test_demo_refuses_to_load_outside_sandbox_mode(database_url: str) -> None:
    from tests.conftest import make_test_app

    app = make_test_app(database_url, app={"sandbox": False})

    result = app.test_cli_runner().invoke(args=["demo", "load"])

    assert result.exit_code == 1
    assert "sandbox" in result.output
