"""The reach summary the database keeps for the reachability report (migration 0009): each
contact's best number, latest confirmation and school, each household's first guardian's
language and best guardian, kept right by triggers whatever writes the rows.

tests/conftest.py also compares the summary with the rows after every test of the suite.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, select, text, update

from bot import migrations
from bot.contacts.roster import import_roster
from bot.db import make_engine
from bot.freshness.report import reachability_report
from bot.models import Contact, ContactNumber, Household
from bot.schools.service import create_school
from tests.factories import make_contact, make_school
from tests.reach_summary import stale_summaries

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
DEAD, OPTED_OUT, WORKING = 0, 1, 2
TRIGGERS = {"contact_numbers_reach_insert", "contact_numbers_reach_update",
            "contact_numbers_reach_delete", "contacts_reach_insert", "contacts_reach_update",
            "contacts_reach_delete", "households_reach_school"}


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def contact_summary(session, contact: Contact) -> tuple:
    """(level, latest working confirmation, school), as the database holds them now."""
    return session.execute(select(Contact.reach_level, Contact.reach_confirmed_at,
                                  Contact.reach_school_id).where(Contact.id == contact.id)).one()


def household_summary(session, household: Household) -> tuple:
    """(first guardian's language, best level), as the database holds them now."""
    return session.execute(select(Household.reach_language, Household.reach_level)
                           .where(Household.id == household.id)).one()


def assert_consistent(session) -> None:
    assert stale_summaries(session.connection()) == []


# Numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "level"), [
    ({}, WORKING),
    ({"opted_out_at": ago(1)}, OPTED_OUT),
    ({"invalid_at": ago(1)}, DEAD),
    ({"detached_at": ago(1)}, DEAD),
    ({"opted_out_at": ago(1), "invalid_at": ago(1)}, DEAD),  # dead outranks opted out
])
def test_a_numbers_state_sets_its_contacts_level(session, lincoln, change, level) -> None:
    rosa = make_contact(session, lincoln)
    for column, value in change.items():
        setattr(rosa.numbers[0], column, value)
    session.flush()

    assert contact_summary(session, rosa)[0] == level
    assert household_summary(session, rosa.household) == ("es", level)


def test_the_best_number_counts_and_only_working_confirmations(session, lincoln) -> None:
    rosa = make_contact(session, lincoln)
    rosa.numbers[0].last_confirmed_at = ago(30)
    rosa.numbers.append(ContactNumber(address="+16175559001", channel="whatsapp", priority=1,
                                      last_confirmed_at=ago(2), invalid_at=ago(1)))
    session.flush()
    assert contact_summary(session, rosa)[:2] == (WORKING, ago(30))  # not the dead one's

    rosa.numbers[0].opted_out_at = ago(1)
    session.flush()
    assert contact_summary(session, rosa)[:2] == (OPTED_OUT, None)

    rosa.numbers[1].invalid_at = None  # a liaison fixed it
    session.flush()
    assert contact_summary(session, rosa)[:2] == (WORKING, ago(2))


def test_a_contact_without_numbers_has_none_alive(session, lincoln) -> None:
    rosa = make_contact(session, lincoln)
    session.flush()
    session.execute(delete(ContactNumber).where(ContactNumber.contact_id == rosa.id))

    assert contact_summary(session, rosa)[0] == DEAD
    assert household_summary(session, rosa.household) == ("es", DEAD)


def test_a_number_moved_to_another_contact_updates_both(session, lincoln) -> None:
    rosa, pedro = make_contact(session, lincoln), make_contact(session, lincoln, name="Pedro")
    pedro.numbers[0].detached_at = ago(3)
    session.flush()
    session.execute(update(ContactNumber).where(ContactNumber.contact_id == rosa.id)
                    .values(contact_id=pedro.id))

    assert contact_summary(session, rosa)[0] == DEAD
    assert contact_summary(session, pedro)[0] == WORKING
    assert_consistent(session)


def test_a_core_bulk_update_is_summarised_too(app, session, lincoln) -> None:
    families = [make_contact(session, lincoln, name=f"Guardian {i}") for i in range(5)]
    session.commit()

    session.execute(update(ContactNumber).where(ContactNumber.contact_id.in_(
        [c.id for c in families[:3]])).values(opted_out_at=ago(1)))
    session.commit()

    report = reachability_report(session, app.config["PUENTE"], now=NOW, days=30)
    assert (report.total.households, report.total.unreachable_households) == (5, 3)
    assert_consistent(session)


# Contacts and households ----------------------------------------------------------------------

def test_the_first_guardian_gives_the_household_its_language(session, lincoln) -> None:
    rosa = make_contact(session, lincoln, language="es")
    jean = make_contact(session, lincoln, name="Jean", language="ht", household=rosa.household)
    jean.numbers[0].invalid_at = ago(1)
    session.flush()
    assert household_summary(session, rosa.household) == ("es", WORKING)

    jean.language = "fr"  # a later guardian's language does not change the household's
    session.flush()
    assert household_summary(session, rosa.household) == ("es", WORKING)

    rosa.language = "pt-BR"
    session.flush()
    assert household_summary(session, rosa.household) == ("pt-BR", WORKING)

    session.delete(rosa)
    session.flush()
    assert household_summary(session, jean.household) == ("fr", DEAD)


def test_a_guardian_moved_between_households_updates_both(session, lincoln) -> None:
    roosevelt = make_school(session, name="Roosevelt Middle", sms_number="+16175550200")
    rosa = make_contact(session, lincoln, language="es")
    ali = make_contact(session, roosevelt, name="Ali", language="so")
    old_household = rosa.household

    rosa.household = ali.household
    session.flush()

    assert household_summary(session, old_household) == (None, DEAD)  # nobody left
    assert contact_summary(session, rosa)[2] == roosevelt.id
    # Rosa came first (the lower id), so the household now counts in her language.
    assert household_summary(session, ali.household) == ("es", WORKING)
    assert_consistent(session)


def test_an_unknown_sender_counts_once_linked(session, lincoln) -> None:
    rosa = make_contact(session, lincoln, language="es")
    rosa.numbers[0].opted_out_at = ago(1)
    stranger = Contact(name="", language="es", is_unknown=True, status="unconfirmed",
                       household=rosa.household)  # cannot happen, and still not counted
    stranger.numbers.append(ContactNumber(address="+16175559999", channel="sms"))
    session.add(stranger)
    session.flush()
    assert household_summary(session, rosa.household) == ("es", OPTED_OUT)

    stranger.is_unknown = False  # a liaison linked them
    session.flush()
    assert household_summary(session, rosa.household) == ("es", WORKING)


def test_a_household_that_changes_school_takes_its_guardians(app, session) -> None:
    create_school(session, name="Lincoln Elementary", timezone="America/New_York",
                  country="US", sms_number="+16175550100")
    create_school(session, name="Roosevelt Middle School", timezone="America/New_York",
                  country="US", sms_number="+16175550110")
    row = {"household_id": "H-1", "student_name": "Ana Ruiz", "grade": "3",
           "school": "Lincoln Elementary", "guardian_name": "Carmen Ruiz",
           "relationship": "mother", "phone": "617-555-0140", "channel": "sms",
           "language": "es", "other_languages": "", "prepaid": "", "preferred_hours": ""}
    import_roster(session, [row], now=NOW)
    session.commit()

    import_roster(session, [row | {"school": "Roosevelt Middle School", "grade": "6"}], now=NOW)
    session.commit()

    report = reachability_report(session, app.config["PUENTE"], now=NOW, days=30)
    assert [(s.name, s.total.contacts, s.total.households) for s in report.schools] == [
        ("Roosevelt Middle School", 1, 1)]
    assert_consistent(session)


def test_the_check_itself_finds_a_summary_nobody_kept(session, lincoln) -> None:
    """The suite-wide check can fail: a summary written behind the triggers' back shows."""
    rosa = make_contact(session, lincoln)
    session.flush()
    session.execute(update(Contact).where(Contact.id == rosa.id).values(reach_level=DEAD))

    problems = stale_summaries(session.connection())

    assert problems == [f"contact {rosa.id}: (level, confirmed, school) (0, None, "
                        f"{lincoln.id}), expected (2, None, {lincoln.id})",
                        f"household {rosa.household.id}: (language, level) ('es', 0), "
                        f"expected ('es', 2)"]
    session.rollback()


# The migration --------------------------------------------------------------------------------

def test_every_trigger_is_in_the_migrated_database(session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    assert set(session.scalars(text(query))) >= TRIGGERS


def test_the_migration_summarises_the_rows_already_there(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'existing.db'}"
    migrations.upgrade(url, "0008")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (id, name, timezone, country, sending_start, "
                          "sending_end, created_at) VALUES (7, 'Lincoln', 'America/New_York', "
                          "'US', '08:00:00', '20:00:00', '2026-01-01')"))
        conn.execute(text("INSERT INTO households (id, external_id, school_id, created_at) "
                          "VALUES (1, 'H1', 7, '2026-01-01'), (2, 'H2', 7, '2026-01-01')"))
        conn.execute(text(
            "INSERT INTO contacts (id, household_id, name, relationship, language, "
            "other_languages, prepaid, status, is_unknown, created_at, updated_at) VALUES "
            "(1, 1, 'Rosa', 'mother', 'es', '[]', 0, 'active', 0, '2026-01-01', '2026-01-01'),"
            "(2, 1, 'Luis', 'father', 'en', '[]', 0, 'active', 0, '2026-01-01', '2026-01-01'),"
            "(3, 2, 'Ali', 'father', 'so', '[]', 0, 'active', 0, '2026-01-01', '2026-01-01')"))
        conn.execute(text(
            "INSERT INTO contact_numbers (contact_id, address, channel, priority, "
            "last_confirmed_at, opted_out_at, consecutive_failures, created_at) VALUES "
            "(1, '+16175550001', 'sms', 0, '2026-11-01 10:00:00.000000', NULL, 0, '2026-01-01'),"
            "(3, '+16175550003', 'sms', 0, NULL, '2026-11-02 10:00:00.000000', 0, '2026-01-01')"))
    engine.dispose()

    migrations.upgrade(url)

    engine = make_engine(url)
    with engine.connect() as conn:
        assert stale_summaries(conn) == []
        assert conn.execute(select(Contact.id, Contact.reach_level, Contact.reach_school_id)
                            .order_by(Contact.id)).all() == [(1, 2, 7), (2, 0, 7), (3, 1, 7)]
        assert conn.execute(select(Household.id, Household.reach_language,
                                   Household.reach_level).order_by(Household.id)).all() == [
            (1, "es", 2), (2, "so", 1)]
    engine.dispose()


# Concurrency (PostgreSQL: SQLite has one writer at a time) ------------------------------------

def test_two_guardians_losing_their_numbers_at_once_leave_the_household_unreachable(
        app, session, lincoln) -> None:
    """Each transaction recomputes the household after the other has committed: without the
    lock taken first, the second would count the first's guardian as still working."""
    if session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite writers take turns (BEGIN IMMEDIATE)")
    rosa = make_contact(session, lincoln)
    luis = make_contact(session, lincoln, name="Luis", household=rosa.household)
    session.commit()
    url = app.extensions["puente.db"].url
    engine = create_engine(url)
    first, second, watch = (engine.connect(), engine.connect(),
                            engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
    try:
        first.begin()
        first.execute(update(ContactNumber).where(ContactNumber.contact_id == rosa.id)
                      .values(invalid_at=ago(0)))
        second_pid = second.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        second.rollback()  # end the transaction that asking began

        def lose_luis() -> None:
            with second.begin():
                second.execute(update(ContactNumber).where(ContactNumber.contact_id == luis.id)
                               .values(opted_out_at=ago(0)))

        waiting = threading.Thread(target=lose_luis)
        waiting.start()
        _wait_until_blocked(watch, second_pid)
        first.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive()
    finally:
        for conn in (first, second, watch):
            conn.close()
        engine.dispose()

    session.expire_all()
    assert household_summary(session, rosa.household) == ("es", OPTED_OUT)  # nobody WORKING
    assert_consistent(session)


def _wait_until_blocked(conn, pid: int) -> None:
    """Until the backend `pid` waits for a lock (the household row the first holds); `conn`
    autocommits, as statistics stay the same for the whole of a transaction."""
    for _ in range(500):
        if conn.scalar(text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity "
                            "WHERE pid = :pid"), {"pid": pid}):
            return
        time.sleep(0.01)
    pytest.fail("the second transaction never waited for the first")

