"""The JSON API: bearer tokens from the CLI, broadcasts created from bodies or a template,
bad input refused with the field named, progress, and the OpenAPI document."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.broadcasts.jobs import dispatch_due
from bot.db import utcnow
from bot.models import ApiToken, Broadcast
from bot.users.tokens import authenticate_token, create_token, revoke_token
from bot.web import api, api_broadcasts
from tests.factories import fresh, make_contact, make_school, make_user

# 15:00 UTC on a Tuesday = 10:00 in New York: inside the school's 08:00–20:00 hours.
DAYTIME = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SNOW = "School is closed tomorrow because of snow."


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The API's clock stands at DAYTIME, so sending hours and 'the past' are fixed."""
    monkeypatch.setattr(api, "utcnow", lambda: DAYTIME)
    return DAYTIME


@pytest.fixture
def staff(session, lincoln):
    user = make_user(session, "Sam Staff", languages=["en"], role="staff",
                     email="sam@lincoln.example")
    session.commit()
    return user


@pytest.fixture
def families(session, lincoln):
    """Three families at Lincoln: English, Spanish and Vietnamese."""
    contacts = [make_contact(session, lincoln, name=name, language=lang,
                             phone=f"+161755503{i:02d}", student=f"Kid {i}")
                for i, (name, lang) in enumerate([("Mary", "en"), ("Rosa", "es"),
                                                  ("Mai", "vi")])]
    session.commit()
    return contacts


def issue_token(runner, email: str, name: str = "SIS sync") -> str:
    result = runner.invoke(args=["users", "token", email, "--name", name])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def token(runner, staff) -> str:
    return issue_token(runner, staff.email)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client, token: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/broadcasts", json=body, headers=bearer(token))


def from_bodies(**extra: Any) -> dict[str, Any]:
    return {"title": "Snow day", "audience": {"schools": ["Lincoln Elementary"]},
            "bodies": {"en": SNOW, "es": "Mañana no hay clases por la nieve."}, **extra}


def from_template(**extra: Any) -> dict[str, Any]:
    return {"audience": {}, "template": "school-closed",
            "variables": {"school": "Lincoln", "date": "2026-12-04"}, **extra}


def broadcasts_stored(session) -> int:  # type: ignore[no-untyped-def]
    fresh(session)
    return session.scalar(select(func.count()).select_from(Broadcast))


# Tokens -----------------------------------------------------------------------------------

def test_token_command_prints_the_token_once_and_stores_only_its_hash(
        runner, session, staff) -> None:
    result = runner.invoke(args=["users", "token", "SAM@lincoln.example", "--name", "SIS sync"])

    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("pt_") and len(token) > 40
    assert "cannot be shown again" in result.output
    row = session.scalars(select(ApiToken)).one()
    assert (row.name, row.user_id) == ("SIS sync", staff.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_token_command_refuses_an_unknown_email(runner, lincoln) -> None:
    result = runner.invoke(args=["users", "token", "nobody@example.org", "--name", "x"])

    assert result.exit_code != 0
    assert "no user with email" in result.output


def test_last_used_is_recorded_at_most_once_a_minute(session, staff) -> None:
    token = create_token(session, staff, "sync", DAYTIME)
    row = session.scalars(select(ApiToken)).one()

    assert authenticate_token(session, token, DAYTIME) is staff
    assert authenticate_token(session, token, DAYTIME + timedelta(seconds=30)) is staff
    assert row.last_used_at == DAYTIME
    authenticate_token(session, token, DAYTIME + timedelta(minutes=2))
    assert row.last_used_at == DAYTIME + timedelta(minutes=2)


def test_a_request_without_a_token_is_401_with_a_bearer_challenge(client, staff) -> None:
    for response in (client.get("/api/v1/broadcasts/1"),
                     client.post("/api/v1/broadcasts", json=from_bodies()),
                     client.get("/api/v1/broadcasts/1", headers={"Authorization": "Basic eDp5"})):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["code"] == "unauthorized"


def test_a_wrong_token_is_401(client, token) -> None:
    response = client.get("/api/v1/broadcasts/1", headers=bearer(token[:-2] + "xx"))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.json["error"]["code"] == "invalid_token"


def test_a_revoked_token_is_401(client, session, token) -> None:
    revoke_token(session, session.scalars(select(ApiToken.id)).one(), utcnow())
    session.commit()

    assert post(client, token, from_bodies()).status_code == 401


def test_an_inactive_users_token_is_401(client, session, staff, token) -> None:
    staff.active = False
    session.commit()

    assert post(client, token, from_bodies()).status_code == 401


def test_a_liaisons_token_may_not_create_broadcasts(client, runner, session, lincoln,
                                                    families) -> None:
    liaison = make_user(session, "María López", languages=["es"], schools=[lincoln])
    session.commit()

    response = post(client, issue_token(runner, liaison.email), from_bodies())

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert broadcasts_stored(session) == 0


# Creating broadcasts ------------------------------------------------------------------------

def test_broadcast_from_bodies_is_scheduled_now_and_translations_await_approval(
        client, session, token, families) -> None:
    response = post(client, token, from_bodies())

    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == body["links"]["self"] == \
        f"/api/v1/broadcasts/{body['id']}"
    assert (body["status"], body["urgent"], body["send_at"]) == \
        ("scheduled", False, DAYTIME.isoformat())
    assert body["audience"]["size"] == 3
    assert body["audience"]["languages"] == {"en": 1, "es": 1, "vi": 1}
    variants = {v["language"]: (v["origin"], v["original"], v["approved"], bool(v["text"]))
                for v in body["variants"]}
    assert variants == {"en": ("staff", True, True, True), "es": ("staff", False, False, True),
                        "vi": ("task", False, False, False)}
    assert "Set-Cookie" not in response.headers
    fresh(session)
    stored = session.get(Broadcast, body["id"])
    assert stored.status == "scheduled" and not stored.variant("es").approved


def test_the_first_body_is_the_original_whatever_its_language(client, token, families) -> None:
    body = from_bodies(bodies={"es": "Mañana no hay clases.", "en": SNOW})
    # The test client's JSON encoder sorts keys; send the key order as a client would.
    response = client.post("/api/v1/broadcasts", data=json.dumps(body),
                           content_type="application/json", headers=bearer(token))

    created = response.json
    assert created["source_language"] == "es"
    assert [(v["language"], v["approved"]) for v in created["variants"]][:2] == \
        [("es", True), ("en", False)]


def test_source_language_names_the_original_body(client, token, families) -> None:
    response = post(client, token, from_bodies(source_language="es"))

    assert response.json["source_language"] == "es"
    assert response.json["variants"][0] == {**response.json["variants"][0], "language": "es",
                                            "original": True, "approved": True}


def test_broadcast_from_a_template_lists_each_languages_segments(client, token,
                                                                 families) -> None:
    send_at = "2026-12-03T18:00:00-05:00"
    response = post(client, token, from_template(send_at=send_at))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["template"] == "school-closed" and body["urgent"] is True  # the template's
    assert body["variables"] == {"school": "Lincoln", "date": "2026-12-04"}
    assert body["send_at"] == datetime.fromisoformat(send_at).astimezone(UTC).isoformat()
    variants = {v["language"]: v for v in body["variants"]}
    assert {"en", "es", "vi", "ar", "zh-Hans"} <= set(variants)
    assert (variants["en"]["segments"], variants["en"]["encoding"]) == (1, "GSM-7")
    assert variants["vi"]["encoding"] == "UCS-2" and variants["vi"]["segments"] >= 1
    assert all(v["origin"] == "template" for v in body["variants"])


def test_a_recurring_broadcast_is_scheduled_for_its_next_firing(client, token,
                                                               families) -> None:
    response = post(client, token, from_bodies(recurrence={"weekdays": [0], "time": "07:30"}))

    body = response.json
    assert body["recurrence"] == {"weekdays": [0], "time": "07:30"}
    # The next Monday after Tuesday 2026-12-01, 07:30 in New York (EST).
    assert body["send_at"] == "2026-12-07T12:30:00+00:00"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"template": "no-such-notice"}, "template", "unknown_template"),
    ({"variables": {"school": "Lincoln"}}, "variables.date", "missing_variable"),
    ({"variables": {"school": "Lincoln", "date": "next Friday"}}, "variables.date",
     "invalid_value"),
    ({"variables": {"school": "Lincoln", "date": "2026-12-04", "students": ["A"]}},
     "variables.students", "unknown_variable"),
    ({"audience": {"schools": ["Hogwarts"]}}, "audience.schools", "unknown_school"),
    ({"audience": {"schools": [999]}}, "audience.schools", "unknown_school"),
    ({"audience": {"grades": ["12"]}}, "audience", "empty_audience"),
    ({"audience": {"classes": ["3B"]}}, "audience.classes", "unknown_field"),
    ({"audience": {"grades": []}}, "audience.grades", "invalid_value"),
    ({"audience": {"languages": ["xx"]}}, "audience.languages", "unknown_language"),
    ({"send_at": "2026-11-30T09:00:00-05:00"}, "send_at", "invalid_schedule"),
    ({"send_at": "tomorrow at nine"}, "send_at", "invalid_time"),
    ({"send_at": "2026-12-04T09:00:00"}, "send_at", "invalid_time"),
    ({"recurrence": {"weekdays": [7], "time": "07:30"}}, "recurrence", "invalid_schedule"),
    ({"timezone": "Mars/Olympus"}, "timezone", "invalid_value"),
    ({"urgent": "yes"}, "urgent", "invalid_value"),
    ({"missing_translations": "guess"}, "missing_translations", "invalid_value"),
    ({"colour": "red"}, "colour", "unknown_field"),
    ({"source_language": "es"}, "source_language", "unknown_field"),
])
def test_bad_template_requests_are_422_naming_the_field(client, session, token, families,
                                                        change, field, code) -> None:
    response = post(client, token, from_template(**change))

    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"].startswith(f"{field}: ")
    assert broadcasts_stored(session) == 0


@pytest.mark.parametrize(("body", "field", "code"), [
    (from_bodies(bodies={"en": SNOW, "es": "  "}), "bodies.es", "empty_body"),
    (from_bodies(bodies={}), "bodies", "invalid_value"),
    (from_bodies(bodies={"xx": SNOW}), "bodies.xx", "unknown_language"),
    (from_bodies(template="school-closed"), "bodies", "invalid_value"),
    ({"audience": {}}, "bodies", "missing_field"),
    ({"bodies": {"en": SNOW}}, "audience", "missing_field"),
    (from_bodies(variables={"date": "2026-12-04"}), "variables", "unknown_field"),
    (from_bodies(source_language="vi"), "source_language", "invalid_value"),
])
def test_bad_body_requests_are_422_naming_the_field(client, token, families, body, field,
                                                    code) -> None:
    response = post(client, token, body)

    assert response.status_code == 422, response.json
    assert (response.json["error"]["field"], response.json["error"]["code"]) == (field, code)


def test_the_empty_audience_message_says_so(client, token, families) -> None:
    response = post(client, token, from_bodies(audience={"grades": ["12"]}))

    assert response.json["error"]["message"] == "audience: the audience matches no family"


def test_a_body_that_is_not_a_json_object_is_400(client, token) -> None:
    for data, kind in (("{not json", "application/json"), ("[1, 2]", "application/json"),
                       ("title=x", "application/x-www-form-urlencoded")):
        response = client.post("/api/v1/broadcasts", data=data, content_type=kind,
                               headers=bearer(token))
        assert response.status_code == 400
        assert response.json["error"]["code"] == "invalid_json"


# Reading broadcasts -------------------------------------------------------------------------

def test_progress_counts_queued_and_held_messages_once_started(app, client, session, lincoln,
                                                               token, families) -> None:
    evening = make_contact(session, lincoln, name="Ed", language="en", phone="+16175550399")
    evening.preferred_start, evening.preferred_end = time(18), time(20)
    session.commit()
    created = post(client, token, from_bodies()).json

    started = dispatch_due(session, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    response = client.get(created["links"]["self"], headers=bearer(token))

    assert started == [created["id"]]
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "sending"
    progress = body["progress"]
    # Mary now, Ed at 18:00 his time; Rosa and Mai wait for a liaison's translation.
    assert (progress["total"], progress["states"]["queued"], progress["states"]["held"]) == \
        (2, 1, 1)
    assert progress["by_language"]["en"]["held"] == 1
    assert progress["held_until"] == "2026-12-01T23:00:00+00:00"


def test_an_unknown_broadcast_is_404_json(client, token) -> None:
    response = client.get("/api/v1/broadcasts/4040", headers=bearer(token))

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_unknown_paths_and_methods_answer_in_json(client, token) -> None:
    missing = client.get("/api/v1/students", headers=bearer(token))
    wrong_method = client.delete("/api/v1/broadcasts/1", headers=bearer(token))

    assert (missing.status_code, missing.json["error"]["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.headers["Allow"]) == (405, "GET")
    assert wrong_method.json["error"]["code"] == "method_not_allowed"


# The OpenAPI document -----------------------------------------------------------------------

def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [r for k, v in node.items() for r in ([v] if k == "$ref" else _refs(v))]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_openapi_document_describes_the_endpoints_security_and_errors(client) -> None:
    response = client.get("/api/v1/openapi.json")  # public: no token needed

    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/broadcasts", "/api/v1/broadcasts/{id}"} <= set(doc["paths"])
    assert set(doc["paths"]["/api/v1/broadcasts"]["post"]["responses"]) == \
        {"201", "400", "401", "403", "422"}
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert doc["security"] == [{"bearerAuth": []}]
    schemas = doc["components"]["schemas"]
    assert set(schemas["BroadcastCreate"]["properties"]) == set(api_broadcasts.FIELDS)
    assert set(schemas["Audience"]["properties"]) == set(api_broadcasts.AUDIENCE_FIELDS)
    assert schemas["Error"]["required"] == ["error"]
    for ref in _refs(doc):  # every reference points at something that exists
        section, _, rest = ref.removeprefix("#/").partition("/")
        kind, _, key = rest.partition("/")
        assert key in doc[section][kind], ref


def test_the_resource_has_every_field_the_document_requires(client, token, families) -> None:
    doc = client.get("/api/v1/openapi.json").json
    created = post(client, token, from_bodies()).json
    fetched = client.get(created["links"]["self"], headers=bearer(token)).json
    schemas = doc["components"]["schemas"]

    assert set(schemas["Broadcast"]["required"]) <= set(created)
    assert set(schemas["Broadcast"]["properties"]) == set(created)
    assert set(schemas["Variant"]["properties"]) == set(created["variants"][0])
    assert set(schemas["Progress"]["properties"]) == set(fetched["progress"])


def test_openapi_document_is_valid(client) -> None:
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").json)


def test_a_second_school_sets_the_default_timezone(client, session, token, families) -> None:
    denver = make_school(session, name="Denver Prep", sms_number="+17205550100",
                         office_phone=None)
    denver.timezone = "America/Denver"
    make_contact(session, denver, name="Ana", language="es", phone="+17205550111")
    session.commit()

    body = post(client, token, from_bodies(audience={"schools": ["denver prep"]})).json

    assert body["timezone"] == "America/Denver"
    assert body["audience"]["filter"] == {"schools": [denver.id]}
