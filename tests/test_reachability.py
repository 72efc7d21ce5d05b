"""The reachability report: contacts confirmed within N days, stale and invalid ones, and
households nobody can text, per school and language; in the dashboard and the JSON API,
each user seeing only their schools and languages."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.freshness.report import Counts, parse_days, reachability_report, scope_for
from bot.models import Contact, ContactNumber, Household, School
from bot.web import api, reports
from tests.factories import login, make_contact, make_school, make_user

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def guardian(session, school: School, name: str, language: str, *, confirmed: int | None = None,
             status: str = "active", household: Household | None = None,
             **number: datetime) -> Contact:
    """A guardian with one SMS number, confirmed `confirmed` days ago (None: never); keyword
    arguments set the number's opted_out_at, invalid_at or detached_at."""
    contact = make_contact(session, school, name=name, language=language, household=household)
    contact.status = status
    first = contact.numbers[0]
    first.last_confirmed_at = None if confirmed is None else ago(confirmed)
    for column, moment in number.items():
        setattr(first, column, moment)
    session.flush()
    return contact


@pytest.fixture
def district(session, lincoln):
    """Lincoln: Spanish, Vietnamese, a Kreyòl/French household; Roosevelt: Somali, Spanish;
    and an unknown sender, who is in no report."""
    roosevelt = make_school(session, name="Roosevelt Middle", sms_number="+16175550200",
                            office_phone=None)
    rosa = guardian(session, lincoln, "Rosa", "es", confirmed=10)
    # A second number that died does not make Rosa invalid: her SMS number still works.
    rosa.numbers.append(ContactNumber(address="+16175559001", channel="whatsapp", priority=1,
                                      invalid_at=ago(3)))
    guardian(session, lincoln, "Pedro", "es", confirmed=40)
    guardian(session, lincoln, "Ana", "es", status="stale")  # never confirmed, still working
    guardian(session, lincoln, "Luis", "es", status="invalid", invalid_at=ago(5))
    # Confirmed recently, but on a number that no longer works: neither counts as confirmed.
    guardian(session, lincoln, "Mai", "vi", confirmed=3, opted_out_at=ago(2))
    guardian(session, lincoln, "Hoa", "vi", confirmed=2, detached_at=ago(1))
    jean = guardian(session, lincoln, "Jean", "ht", invalid_at=ago(20))
    guardian(session, lincoln, "Marie", "fr", confirmed=1, household=jean.household)
    guardian(session, roosevelt, "Ali", "so", confirmed=5)
    guardian(session, roosevelt, "Sofia", "es", status="unconfirmed")
    stranger = Contact(name="", language="es", is_unknown=True, status="unconfirmed")
    stranger.numbers.append(ContactNumber(address="+16175559999", channel="sms",
                                          last_confirmed_at=ago(1)))
    session.add(stranger)
    session.commit()
    return {"lincoln": lincoln, "roosevelt": roosevelt}


def report(session, app, **kwargs):  # type: ignore[no-untyped-def]
    return reachability_report(session, app.config["PUENTE"], now=NOW, **kwargs)


def figures(counts: Counts) -> tuple[int, ...]:
    """(contacts, confirmed, stale, invalid, households, unreachable households)."""
    return dataclasses.astuple(counts)


# The definitions ----------------------------------------------------------------------------

def test_each_school_and_language_has_its_counts(app, session, district) -> None:
    result = report(session, app, days=30)

    lincoln, roosevelt = result.schools
    assert (lincoln.name, roosevelt.name) == ("Lincoln Elementary", "Roosevelt Middle")
    assert {lang: figures(c) for lang, c in lincoln.languages.items()} == {
        "es": (4, 1, 1, 1, 4, 1),  # Rosa confirmed, Ana stale, Luis invalid and unreachable
        "vi": (2, 0, 0, 1, 2, 2),  # Mai opted out, Hoa's only number detached
        "ht": (1, 0, 0, 1, 1, 0),  # Jean's number is dead, but Marie's works
        "fr": (1, 1, 0, 0, 0, 0),  # Marie's household counts in Jean's language
    }
    assert list(lincoln.languages) == ["es", "vi", "fr", "ht"]  # most contacts first
    assert figures(lincoln.total) == (8, 2, 1, 3, 7, 3)
    assert {lang: figures(c) for lang, c in roosevelt.languages.items()} == {
        "es": (1, 0, 0, 0, 1, 0), "so": (1, 1, 0, 0, 1, 0)}
    assert figures(result.total) == (10, 3, 1, 3, 9, 3)  # the unknown sender is left out
    assert figures(result.languages["es"]) == (5, 1, 1, 1, 5, 1)


def test_shares_are_of_contacts_and_of_households(app, session, district) -> None:
    lincoln = report(session, app, days=30).schools[0]
    vietnamese, french = lincoln.languages["vi"], lincoln.languages["fr"]

    assert vietnamese.shares == {"confirmed_share": 0.0, "stale_share": 0.0,
                                 "invalid_share": 0.5, "unreachable_share": 1.0}
    assert french.shares["confirmed_share"] == 1.0
    assert french.shares["unreachable_share"] is None  # no household counts in French


@pytest.mark.parametrize(("days", "confirmed"), [(39, 1), (40, 2), (365, 2)])
def test_a_confirmation_counts_within_the_last_n_days_inclusive(app, session, district, days,
                                                               confirmed) -> None:
    spanish = report(session, app, days=days).schools[0].languages["es"]

    assert spanish.confirmed == confirmed  # Rosa 10 days ago, Pedro 40


def test_days_default_to_the_confirm_after_setting(app, session, district) -> None:
    config = app.config["PUENTE"]
    short = dataclasses.replace(config, freshness=dataclasses.replace(
        config.freshness, confirm_after_days=20))

    assert reachability_report(session, config, now=NOW).days == 180
    assert reachability_report(session, config, now=NOW).schools[0].languages["es"].confirmed == 2
    assert reachability_report(session, short, now=NOW).schools[0].languages["es"].confirmed == 1


def test_an_opted_out_only_household_is_unreachable_but_not_invalid(app, session,
                                                                   lincoln) -> None:
    guardian(session, lincoln, "Mai", "vi", confirmed=3, opted_out_at=ago(2))
    session.commit()

    assert figures(report(session, app, days=30).total) == (1, 0, 0, 0, 1, 1)


def test_a_detached_number_does_not_work(app, session, lincoln) -> None:
    hoa = guardian(session, lincoln, "Hoa", "vi", confirmed=2, detached_at=ago(1))
    session.commit()
    assert figures(report(session, app, days=30).total) == (1, 0, 0, 1, 1, 1)

    hoa.numbers.append(ContactNumber(address="+16175559002", channel="sms", priority=1,
                                     last_confirmed_at=ago(1)))
    session.commit()
    assert figures(report(session, app, days=30).total) == (1, 1, 0, 0, 1, 0)


def test_one_working_guardian_makes_the_household_reachable(app, session, lincoln) -> None:
    dead = guardian(session, lincoln, "Jean", "ht", invalid_at=ago(20))
    session.commit()
    assert report(session, app, days=30).total.unreachable_households == 1

    guardian(session, lincoln, "Marie", "ht", household=dead.household)
    session.commit()
    assert figures(report(session, app, days=30).total) == (2, 0, 0, 1, 1, 0)


def test_a_guardian_without_numbers_is_invalid_and_unreachable(app, session, lincoln) -> None:
    guardian(session, lincoln, "Rosa", "es", confirmed=1).numbers.clear()
    session.commit()

    assert figures(report(session, app, days=30).total) == (1, 0, 0, 1, 1, 1)


def test_any_guardian_of_a_household_can_make_it_reachable(app, session, lincoln) -> None:
    jean = guardian(session, lincoln, "Jean", "ht", invalid_at=ago(20))
    guardian(session, lincoln, "Marie", "ht", opted_out_at=ago(3), household=jean.household)
    paul = guardian(session, lincoln, "Paul", "ht", detached_at=ago(1), household=jean.household)
    session.commit()
    assert figures(report(session, app, days=30).total) == (3, 0, 0, 2, 1, 1)

    paul.numbers[0].detached_at = None
    session.commit()
    assert figures(report(session, app, days=30).total) == (3, 0, 0, 1, 1, 0)


def test_an_empty_district_has_an_empty_report(app, session, lincoln) -> None:
    result = report(session, app, days=30)

    assert result.schools == []
    assert result.total == Counts()
    assert result.total.shares["confirmed_share"] is None


def test_days_outside_one_to_ten_years_are_refused(app, session, lincoln) -> None:
    with pytest.raises(ValueError):
        report(session, app, days=0)
    assert parse_days(None, 180) == 180
    assert parse_days(" 30 ", 180) == 30
    for bad in ("0", "-3", "3651", "ten", "1.5", "²"):
        with pytest.raises(ValueError, match="whole number of days"):
            parse_days(bad, 180)


# Who sees what ------------------------------------------------------------------------------

def test_a_liaison_sees_only_their_schools_and_languages(app, session, district) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[district["lincoln"]])
    linh = make_user(session, "Linh Tran", languages=["vi", "fr"])  # district-wide
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")

    for_maria = report(session, app, days=30, **scope_for(maria)._asdict())
    for_linh = report(session, app, days=30, **scope_for(linh)._asdict())

    assert [(s.name, list(s.languages)) for s in for_maria.schools] == \
        [("Lincoln Elementary", ["es"])]
    assert figures(for_maria.total) == (4, 1, 1, 1, 4, 1)
    assert [(s.name, list(s.languages)) for s in for_linh.schools] == \
        [("Lincoln Elementary", ["vi", "fr"])]
    assert figures(for_linh.total) == (3, 1, 0, 1, 2, 2)
    assert scope_for(staff) == (None, None)


def test_a_portuguese_speaker_sees_brazilian_portuguese_families(app, session, lincoln) -> None:
    guardian(session, lincoln, "Ana", "pt-BR", confirmed=1)
    liaison = make_user(session, "João", languages=["pt"], schools=[lincoln])
    session.commit()

    result = report(session, app, days=30, **scope_for(liaison)._asdict())

    assert figures(result.total) == (1, 1, 0, 0, 1, 0)


# The dashboard ------------------------------------------------------------------------------

@pytest.fixture
def page_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports, "utcnow", lambda: NOW)
    monkeypatch.setattr(api, "utcnow", lambda: NOW)


def row_figures(page: str, row: str) -> tuple[int, ...]:
    """The numbers in a table row of the page, in column order."""
    match = re.search(rf'<tr[^>]*data-row="{re.escape(row)}">(.*?)</tr>', page, re.S)
    assert match, f"no row {row!r}"
    return tuple(int(n) for n in re.findall(r'data-figure="\w+">(\d+)', match.group(1)))


def test_the_page_shows_the_district_to_staff(client, session, district, page_clock) -> None:
    lincoln, roosevelt = district["lincoln"].id, district["roosevelt"].id
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    session.commit()
    login(client, staff)

    page = client.get("/reports/reachability?days=30").text

    assert row_figures(page, "total") == (10, 3, 1, 3, 9, 3)
    assert row_figures(page, str(lincoln)) == (8, 2, 1, 3, 7, 3)
    assert row_figures(page, f"{lincoln}:vi") == (2, 0, 0, 1, 2, 2)
    assert row_figures(page, f"{roosevelt}:so") == (1, 1, 0, 0, 1, 0)
    assert "Vietnamese" in page and "Haitian Creole" in page
    # The chart: the district, then Lincoln, then Roosevelt.
    assert re.findall(r'aria-label="Confirmed (\d+)%"', page) == ["30", "25", "50"]
    assert re.findall(r'aria-label="Unreachable households (\d+)%"', page) == ["33", "43", "0"]
    assert "last 30 days" in page


def test_the_page_defaults_to_the_setting_and_a_liaison_sees_their_share(
        client, session, district, page_clock) -> None:
    lincoln = district["lincoln"].id
    maria = make_user(session, "María López", languages=["es"], schools=[district["lincoln"]])
    session.commit()
    login(client, maria)

    page = client.get("/reports/reachability").text

    assert "last 180 days" in page
    assert row_figures(page, str(lincoln)) == (4, 2, 1, 1, 4, 1)  # Pedro's 40 days count now
    assert row_figures(page, f"{lincoln}:es") == (4, 2, 1, 1, 4, 1)
    assert 'data-row="total"' not in page  # one school: its total is the total
    assert "Roosevelt" not in page and "Vietnamese" not in page


def test_the_page_needs_a_login_and_refuses_bad_days(client, session, district) -> None:
    assert client.get("/reports/reachability").status_code == 302
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    session.commit()
    login(client, staff)

    response = client.get("/reports/reachability?days=soon")

    assert response.status_code == 400
    assert "whole number of days" in response.text


# The API ------------------------------------------------------------------------------------

def token_for(runner, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["users", "token", user.email, "--name", "reports"])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.stdout.strip()}"}


@pytest.fixture
def staff_token(runner, session, district) -> dict[str, str]:
    user = make_user(session, "Sam Staff", languages=["en"], role="staff")
    session.commit()
    return token_for(runner, user)


def test_the_api_answers_the_report_in_json(client, staff_token, district, page_clock) -> None:
    body = client.get("/api/v1/reports/reachability?days=30", headers=staff_token).json

    assert (body["days"], body["as_of"]) == (30, "2026-12-01T15:00:00+00:00")
    assert body["confirmed_since"] == "2026-11-01T15:00:00+00:00"
    assert body["total"] == {"contacts": 10, "confirmed": 3, "stale": 1, "invalid": 3,
                             "households": 9, "unreachable_households": 3,
                             "confirmed_share": 0.3, "stale_share": 0.1, "invalid_share": 0.3,
                             "unreachable_share": 0.3333}
    assert [s["name"] for s in body["schools"]] == ["Lincoln Elementary", "Roosevelt Middle"]
    vietnamese = body["schools"][0]["languages"][1]
    assert (vietnamese["language"], vietnamese["unreachable_households"]) == ("vi", 2)
    assert [(lang["language"], lang["contacts"]) for lang in body["languages"]] == \
        [("es", 5), ("vi", 2), ("fr", 1), ("ht", 1), ("so", 1)]


def test_the_api_filters_by_school_name_or_id(client, staff_token, district,
                                              page_clock) -> None:
    by_name = client.get("/api/v1/reports/reachability?days=30&school=roosevelt%20middle",
                         headers=staff_token).json
    by_id = client.get(f"/api/v1/reports/reachability?school={district['roosevelt'].id}",
                       headers=staff_token).json

    assert [s["name"] for s in by_name["schools"]] == ["Roosevelt Middle"]
    assert by_name["total"]["contacts"] == 2
    assert by_id["total"]["confirmed"] == 1 and by_id["days"] == 180


@pytest.mark.parametrize(("query", "code", "field"), [
    ("days=0", "invalid_value", "days"),
    ("days=abc", "invalid_value", "days"),
    ("days=99999", "invalid_value", "days"),
    ("school=Nowhere%20High", "unknown_school", "school"),
    ("language=es", "unknown_field", "language"),
])
def test_bad_api_parameters_are_422_naming_the_field(client, staff_token, query, code,
                                                     field) -> None:
    response = client.get(f"/api/v1/reports/reachability?{query}", headers=staff_token)

    assert response.status_code == 422
    assert (response.json["error"]["code"], response.json["error"]["field"]) == (code, field)
    assert response.json["error"]["message"].startswith(f"{field}: ")


def test_a_liaisons_token_sees_their_schools_and_languages_only(client, runner, session,
                                                                district, page_clock) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[district["lincoln"]])
    session.commit()
    headers = token_for(runner, maria)

    body = client.get("/api/v1/reports/reachability?days=30", headers=headers).json
    other = client.get("/api/v1/reports/reachability?school=Roosevelt%20Middle",
                       headers=headers)

    assert [(s["name"], [lang["language"] for lang in s["languages"]])
            for s in body["schools"]] == [("Lincoln Elementary", ["es"])]
    assert body["total"]["contacts"] == 4
    assert (other.status_code, other.json["error"]["code"]) == (403, "forbidden")


def test_the_report_has_every_field_the_document_describes(client, staff_token,
                                                           district) -> None:
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    body = client.get("/api/v1/reports/reachability", headers=staff_token).json

    assert set(schemas["Reachability"]["properties"]) == set(body)
    assert set(schemas["ReachCounts"]["properties"]) == set(body["total"])
    school = schemas["Reachability"]["properties"]["schools"]["items"]
    assert set(school["properties"]) == set(body["schools"][0])
    assert set(body["schools"][0]["languages"][0]) == \
        set(schemas["ReachCounts"]["properties"]) | {"language"}
