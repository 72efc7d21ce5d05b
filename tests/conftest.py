"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
the app, its client and CLI runner, and a clean database for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bot import create_app, migrations
from bot.db import Base, Database
from bot.translations import overlay
from tests.fake_twilio import FakeTwilio
from tests.reach_summary import stale_summaries

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
PUBLIC_BASE_URL = "https://puente.example.org"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate a fresh database once per run; every test then starts from it, emptied."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrations.upgrade(url)
    return url


def reset_postgres(url: str) -> None:
    """Start from an empty schema, whatever an earlier run or another tool left there."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_test_app(database_url: str, **sections: dict) -> Flask:
    """Create the app as tests use it; sections override config keys."""
    overrides: dict[str, dict] = {
        "app": {"secret_key": "test-secret-key-not-for-production", "sandbox": True,
                "public_base_url": PUBLIC_BASE_URL},
        "database": {"url": database_url},
        "twilio": {"auth_token": AUTH_TOKEN, "account_sid": ACCOUNT_SID,
                   "sms_number": "+16175550100", "validate_signatures": True},
        "sending": {"embedded_worker": False},
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return create_app(overrides)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    app.config["TESTING"] = True
    yield app
    empty_database(app.extensions["puente.db"])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's own on the test database, as another process would have.

    Its SQLite transactions begin deferred, so a test that reads and keeps its snapshot
    open never holds the write lock the app's requests wait for.
    """
    db = Database(app.extensions["puente.db"].url, sqlite_immediate=False)
    with db.sessions() as s:
        yield s
    db.engine.dispose()


@pytest.fixture(autouse=True)
def forget_translation_reviews() -> Iterator[None]:
    """Drop the process's copy of reviewed translations after each test, with their rows."""
    yield
    overlay.forget()


def empty_database(db: Database) -> None:
    """Check the reach summary the triggers keep, then delete every row, keeping the
    migrated schema."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        stale = stale_summaries(conn)
        if db.is_postgres:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our table names)
    db.engine.dispose()
    assert not stale, "the reach summary is out of date:\n" + "\n".join(stale[:20])


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lincoln(session: Session):  # type: ignore[no-untyped-def]
    """One school with its own SMS number, committed."""
    from tests.factories import make_school

    school = make_school(session)
    session.commit()
    return school


@pytest.fixture
def twilio_server() -> Iterator[FakeTwilio]:
    """A local server speaking Twilio's Messages API, with our test credentials."""
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def twilio_app(database_url: str, twilio_server: FakeTwilio) -> Iterator[Flask]:
    """The app in production mode, sending through the local Twilio server."""
    app = make_test_app(database_url, app={"sandbox": False},
                        twilio={"api_base_url": twilio_server.base_url, "timeout_seconds": 1.0},
                        sending={"retry_base_seconds": 30.0, "max_attempts": 3,
                                 "segments_per_second": 0.0})
    app.config["TESTING"] = True
    yield app
    empty_database(app.extensions["puente.db"])
