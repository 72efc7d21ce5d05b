"""`flask roster import`: idempotent upserts, bad rows by line, SIS column mappings."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.contacts.roster import COLUMNS, RosterFormatError, import_roster, read_roster_csv
from bot.freshness.verify import move_number
from bot.models import AuditEvent, Contact, ContactNumber, Household, Student
from bot.schools.service import create_school
from tests.conftest import ROOT

EXAMPLE = ROOT / "docs" / "roster-example.csv"
HEADER = ",".join(COLUMNS)
NOW = datetime(2025, 9, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def schools(session: Session) -> None:
    create_school(session, name="Lincoln Elementary", timezone="America/New_York", country="US",
                  sms_number="+16175550100")
    create_school(session, name="Roosevelt Middle School", timezone="America/New_York",
                  country="US", sms_number="+16175550110")
    session.commit()


def write_csv(tmp_path: Path, *lines: str, name: str = "roster.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(**values: str) -> dict[str, str]:
    """Return a good roster row, with values replacing its defaults."""
    base = {"household_id": "H-1", "student_name": "Ana Ruiz", "grade": "3",
            "school": "Lincoln Elementary", "guardian_name": "Carmen Ruiz",
            "relationship": "mother", "phone": "617-555-0140", "channel": "sms",
            "language": "es", "other_languages": "", "prepaid": "", "preferred_hours": ""}
    return base | values


def csv_line(**values: str) -> str:
    return ",".join(row(**values)[column] for column in COLUMNS)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_example_file_imports_every_row(runner: FlaskCliRunner, session: Session,
                                        schools: None) -> None:
    result = runner.invoke(args=["roster", "import", str(EXAMPLE)])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created 8, updated 0, unchanged 0, rejected 0"
    assert count(session, Household) == 5
    family = session.scalars(select(Household).where(Household.external_id == "H-1001")).one()
    assert [s.name for s in family.students] == ["Mateo Hernández", "Sofía Hernández"]
    maria, jose = family.contacts
    assert (maria.name, maria.prepaid, maria.preferred_start, maria.preferred_end) == (
        "María Hernández", True, time(17), time(20))
    assert [(n.channel, n.address) for n in jose.numbers] == [("whatsapp", "+16175550122")]
    assert jose.other_languages == ["en"]
    hodan = session.scalars(select(Contact).where(Contact.name == "Hodan Warsame")).one()
    assert (hodan.language, hodan.other_languages) == ("so", ["ar", "en"])


def test_reimporting_the_same_file_changes_nothing(runner: FlaskCliRunner, session: Session,
                                                   schools: None) -> None:
    runner.invoke(args=["roster", "import", str(EXAMPLE)])
    numbers_before = count(session, ContactNumber)
    session.rollback()

    result = runner.invoke(args=["roster", "import", str(EXAMPLE)])

    assert result.exit_code == 0
    assert result.output.strip() == "created 0, updated 0, unchanged 8, rejected 0"
    assert count(session, ContactNumber) == numbers_before
    assert count(session, Contact) == 6


def test_bad_rows_are_reported_by_line_while_good_rows_import(
        runner: FlaskCliRunner, session: Session, schools: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER,
                     csv_line(household_id="H-1"),
                     csv_line(household_id="H-2", phone="555-01"),
                     csv_line(household_id="H-3", language="xx"),
                     csv_line(household_id="H-4", school="Lincon Elementary"),
                     csv_line(household_id="H-5", guardian_name=""),
                     csv_line(household_id="H-6", phone="617-555-0141"))

    result = runner.invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "line 3: phone: '555-01' is not a valid phone number for US",
        "line 4: unknown language tag 'xx'",
        "line 5: unknown school 'Lincon Elementary'",
        "line 6: missing guardian_name",
        "created 2, updated 0, unchanged 0, rejected 4",
    ]
    assert set(session.scalars(select(Household.external_id))) == {"H-1", "H-6"}


@pytest.mark.parametrize(("values", "reason"), [
    ({"household_id": ""}, "missing household_id"),
    ({"channel": "fax"}, "channel must be sms or whatsapp, not 'fax'"),
    ({"preferred_hours": "evenings"}, "preferred_hours must look like 17:00-20:00"),
    ({"preferred_hours": "25:00-26:00"}, "preferred_hours must look like 17:00-20:00"),
    ({"prepaid": "maybe"}, "prepaid must be yes or no, not 'maybe'"),
    ({"other_languages": "en;qqq"}, "unknown language tag 'qqq'"),
    ({"phone": "not a phone"}, "phone: cannot read 'not a phone'"),
])
def test_each_kind_of_bad_row_is_rejected_with_its_reason(
        session: Session, schools: None, values: dict[str, str], reason: str) -> None:
    report = import_roster(session, [row(**values)], now=NOW)

    assert report.imported == 0
    assert report.rejected[0].line == 1
    assert report.rejected[0].reason.startswith(reason)


def test_file_of_only_bad_rows_fails(runner: FlaskCliRunner, schools: None,
                                     tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, csv_line(school="Nowhere High"))

    result = runner.invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 1
    assert "line 2: unknown school 'Nowhere High'" in result.output
    assert "no row could be imported" in result.output


def test_file_with_a_header_and_no_rows_fails(runner: FlaskCliRunner, schools: None,
                                              tmp_path: Path) -> None:
    result = runner.invoke(args=["roster", "import", str(write_csv(tmp_path, HEADER))])

    assert result.exit_code == 1
    assert "created 0, updated 0, unchanged 0, rejected 0" in result.output


def test_header_missing_a_required_column_fails_before_any_row(
        runner: FlaskCliRunner, session: Session, schools: None, tmp_path: Path) -> None:
    header = HEADER.replace("phone", "telephone")
    path = write_csv(tmp_path, header, csv_line())

    result = runner.invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 1
    assert "lacks required column(s) phone" in result.output
    assert count(session, Household) == 0


def test_column_mapping_reads_an_sis_export(runner: FlaskCliRunner, session: Session,
                                            schools: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path,
                     "Family ID,Student,School Name,Parent Name,Parent Phone,Home Language,Bus",
                     "F-77,Ana Ruiz,Lincoln Elementary,Carmen Ruiz,617-555-0140,es,12")

    result = runner.invoke(args=[
        "roster", "import", str(path), "--map", "Family ID=household_id",
        "--map", "Student=student_name", "--map", "school name=school",
        "--map", "Parent Name=guardian_name", "--map", "Parent Phone=phone",
        "--map", "Home Language=language"])

    assert result.exit_code == 0, result.output
    contact = session.scalars(select(Contact)).one()
    assert (contact.household.external_id, contact.name) == ("F-77", "Carmen Ruiz")  # type: ignore[union-attr]


def test_column_mapping_can_come_from_a_toml_file(runner: FlaskCliRunner, schools: None,
                                                  tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Family ID," + HEADER.removeprefix("household_id,"),
                     csv_line(household_id="F-1"))
    mapping = tmp_path / "sis.toml"
    mapping.write_text('[columns]\n"Family ID" = "household_id"\n', encoding="utf-8")

    result = runner.invoke(args=["roster", "import", str(path), "--mapping", str(mapping)])

    assert result.exit_code == 0, result.output
    assert "created 1" in result.output


def test_mapping_to_an_unknown_column_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Family ID," + HEADER.removeprefix("household_id,"))

    with pytest.raises(RosterFormatError, match="unknown column"):
        read_roster_csv(path, {"Family ID": "family"})


def test_changed_phone_becomes_first_and_old_one_is_kept_detached(
        runner: FlaskCliRunner, session: Session, schools: None, tmp_path: Path) -> None:
    runner.invoke(args=["roster", "import", str(write_csv(tmp_path, HEADER, csv_line()))])
    changed = write_csv(tmp_path, HEADER, csv_line(phone="617-555-0199"), name="new.csv")

    result = runner.invoke(args=["roster", "import", str(changed)])

    assert result.output.strip() == "created 0, updated 1, unchanged 0, rejected 0"
    contact = session.scalars(select(Contact)).one()
    assert [(n.address, n.priority) for n in contact.active_numbers] == [("+16175550199", 0)]
    old = next(n for n in contact.numbers if n.address == "+16175550140")
    assert old.detached_at is not None
    assert old.detached_reason == "replaced by roster import"


def test_old_number_back_in_the_roster_is_attached_again(session: Session,
                                                         schools: None) -> None:
    import_roster(session, [row()], now=NOW)
    import_roster(session, [row(phone="617-555-0199")], now=NOW)

    report = import_roster(session, [row()], now=NOW)

    assert report.updated == 1
    contact = session.scalars(select(Contact)).one()
    assert [n.address for n in contact.active_numbers] == ["+16175550140"]
    assert count(session, ContactNumber) == 2


def test_number_the_family_verified_survives_a_roster_that_is_behind(
        runner: FlaskCliRunner, session: Session, schools: None, tmp_path: Path) -> None:
    roster = write_csv(tmp_path, HEADER, csv_line())
    runner.invoke(args=["roster", "import", str(roster)])
    contact = session.scalars(select(Contact)).one()
    old = contact.numbers[0]
    move_number(session, contact, "+16175550188", now=NOW, old_number_id=old.id,
                how="a code sent to the new number came back from it")
    session.commit()

    result = runner.invoke(args=["roster", "import", str(roster)])  # the SIS still has 0140

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "created 0, updated 0, unchanged 1, rejected 0; kept Puente's version of 2 numbers "
        "a family or liaison changed (update them in the SIS)")
    session.expire_all()
    assert [(n.address, n.source, n.priority) for n in contact.active_numbers] == [
        ("+16175550188", "family", 0)]
    assert old.detached_reason.startswith("replaced by +1 617-555-0188")


def test_roster_numbers_follow_a_number_the_family_verified(session: Session,
                                                            schools: None) -> None:
    import_roster(session, [row()], now=NOW)
    contact = session.scalars(select(Contact)).one()
    move_number(session, contact, "+16175550188", now=NOW, how="in person",
                old_number_id=contact.numbers[0].id)

    report = import_roster(session, [row(), row(phone="617-555-0177", channel="whatsapp")],
                           now=NOW)

    assert report.kept_from_puente == 2
    assert [(n.channel, n.address) for n in sorted(contact.active_numbers,
                                                   key=lambda n: n.priority)] == [
        ("sms", "+16175550188"), ("whatsapp", "+16175550177")]


def test_roster_still_replaces_its_own_numbers(session: Session, schools: None) -> None:
    import_roster(session, [row(), row(phone="617-555-0177", channel="whatsapp")], now=NOW)

    report = import_roster(session, [row()], now=NOW)

    contact = session.scalars(select(Contact)).one()
    assert report.kept_from_puente == 0
    assert [n.address for n in contact.active_numbers] == ["+16175550140"]


def test_number_detached_as_not_my_family_is_not_attached_again(session: Session,
                                                               schools: None) -> None:
    import_roster(session, [row(), row(phone="617-555-0177")], now=NOW)
    contact = session.scalars(select(Contact)).one()
    wrong = next(n for n in contact.numbers if n.address == "+16175550140")
    wrong.detached_at, wrong.detached_reason = NOW, "the person at this number said it is " \
        "not this family's"

    report = import_roster(session, [row(), row(phone="617-555-0177")], now=NOW)

    assert report.kept_from_puente == 1
    assert [n.address for n in contact.active_numbers] == ["+16175550177"]


def test_guardian_is_matched_ignoring_case_and_accents(session: Session,
                                                       schools: None) -> None:
    import_roster(session, [row(guardian_name="Jose Perez")], now=NOW)

    report = import_roster(session, [row(guardian_name="JOSÉ Pérez", grade="4")], now=NOW)

    assert (report.created, report.updated) == (0, 1)
    contact = session.scalars(select(Contact)).one()
    assert contact.name == "JOSÉ Pérez"
    assert session.scalars(select(Student)).one().grade == "4"


def test_mixtec_guardian_gets_spanish_as_fallback(session: Session, schools: None) -> None:
    import_roster(session, [row(guardian_name="Juana Cruz", language="mix",
                                other_languages="es;en"),
                            row(guardian_name="Pedro Cruz", language="mix",
                                phone="617-555-0141")], now=NOW)

    juana, pedro = session.scalars(select(Contact).order_by(Contact.name)).all()
    assert (juana.language, juana.fallback_language) == ("mix", "es")
    assert juana.text_languages == ["mix", "es", "en"]
    assert pedro.fallback_language == "en"  # no other language with locale data


def test_language_tags_are_normalised(session: Session, schools: None) -> None:
    import_roster(session, [row(language="pt_br", other_languages="ES; zh-hans")], now=NOW)

    contact = session.scalars(select(Contact)).one()
    assert (contact.language, contact.other_languages) == ("pt-BR", ["es", "zh-Hans"])
    assert contact.fallback_language is None


def test_utf8_byte_order_mark_is_handled(runner: FlaskCliRunner, session: Session,
                                         schools: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER, csv_line(guardian_name="Rosa Peña"), bom=True)

    result = runner.invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert session.scalars(select(Contact.name)).one() == "Rosa Peña"


def test_dry_run_reports_but_saves_nothing(runner: FlaskCliRunner, session: Session,
                                           schools: None) -> None:
    result = runner.invoke(args=["roster", "import", str(EXAMPLE), "--dry-run"])

    assert result.exit_code == 0
    assert "created 8" in result.output and "nothing saved" in result.output
    assert count(session, Household) == 0


def test_import_is_audited_with_counts_only(session: Session, schools: None) -> None:
    import_roster(session, [row(), row(school="Nowhere")], now=NOW)

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.imported")).one()
    assert event.details == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1,
                             "kept_from_puente": 0}


def test_whatsapp_prefix_in_phone_implies_the_whatsapp_channel(session: Session,
                                                              schools: None) -> None:
    import_roster(session, [row(phone="whatsapp:+16175550140", channel="")], now=NOW)

    number = session.scalars(select(ContactNumber)).one()
    assert (number.channel, number.address) == ("whatsapp", "+16175550140")


def test_household_belongs_to_the_school_of_its_first_row(session: Session,
                                                          schools: None) -> None:
    import_roster(session, [row(student_name="Ana Ruiz", school="Roosevelt Middle School"),
                            row(student_name="Leo Ruiz", school="lincoln elementary")], now=NOW)

    household = session.scalars(select(Household)).one()
    assert household.school.name == "Roosevelt Middle School"
    assert {s.name: s.school.name for s in household.students} == {
        "Ana Ruiz": "Roosevelt Middle School", "Leo Ruiz": "Lincoln Elementary"}


def test_file_that_is_not_utf8_fails_with_advice(runner: FlaskCliRunner, schools: None,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + csv_line(guardian_name="Rosa Peña") + "\n").encode("latin-1"))

    result = runner.invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 1
    assert "not UTF-8" in result.output
