"""Announcements in the dashboard: compose, approve per language, schedule, watch progress."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from bot.broadcasts.jobs import dispatch_due
from bot.db import utcnow
from bot.models import Broadcast, Household, Message
from tests.factories import csrf_token, fresh, login, make_contact, make_user


@pytest.fixture
def people(session, lincoln):
    for i, lang in enumerate(["es", "es", "vi", "en"]):
        make_contact(session, lincoln, name=f"Family {i}", language=lang,
                     phone=f"+161755503{i:02d}", student=f"Kid {i}")
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    linh = make_user(session, "Linh Tran", languages=["vi"], schools=[lincoln])
    jean = make_user(session, "Jean Pierre", languages=["ht"], schools=[lincoln])
    session.commit()
    return {"staff": staff, "maria": maria, "linh": linh, "jean": jean}


def post(client, url: str, page: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def compose(client, text="School is closed tomorrow because of snow.") -> int:
    response = post(client, "/broadcasts/new", "/broadcasts/new", title="Snow day", text=text,
                    source_language="en", missing="hold")
    assert response.status_code == 302, response.text
    return int(re.search(r"/broadcasts/(\d+)", response.location).group(1))


def test_staff_compose_and_see_each_language_with_its_audience(client, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    page = client.get(f"/broadcasts/{broadcast_id}").text
    assert "Audience: 4 phones" in page
    assert "Spanish" in page and "2 families" in page and "needs a translation" in page
    assert "Vietnamese" in page


def test_liaisons_cannot_compose(client, people) -> None:
    login(client, people["maria"])
    assert client.get("/broadcasts/new").status_code == 403


def test_a_liaison_approves_their_language_and_sees_the_encoding(client, session,
                                                                 people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, people["maria"])
    assert "Snow day" in client.get("/broadcasts").text
    page = f"/broadcasts/{broadcast_id}"
    response = post(client, f"{page}/variants/es", page,
                    text="Mañana no habrá clases por la nieve.", action="approve")
    assert response.status_code == 302
    shown = client.get(page).text
    assert "approved by María López" in shown
    # á is not in GSM-7, so the whole text is UCS-2 (70 characters a segment); ñ is GSM-7.
    assert "UCS-2" in shown and "<mark>á</mark>" in shown and "<mark>ñ</mark>" not in shown
    fresh(session)
    assert session.get(Broadcast, broadcast_id).variant("es").approved


def test_a_liaison_cannot_approve_a_language_they_do_not_speak(client, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, people["linh"])
    page = f"/broadcasts/{broadcast_id}"
    response = post(client, f"{page}/variants/es", page, text="Hola", action="approve")
    assert response.status_code == 403


def test_a_liaison_sees_only_announcements_in_their_languages(client, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    login(client, people["jean"])  # Haitian Creole: no family in this audience speaks it
    assert "Snow day" not in client.get("/broadcasts").text
    assert client.get(f"/broadcasts/{broadcast_id}").status_code == 404


def test_send_now_then_progress_shows_held_languages_and_queued_messages(
        app, client, session, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    page = f"/broadcasts/{broadcast_id}"
    response = post(client, f"{page}/unreviewed/es", page, reason="")
    assert "say why" in client.get(page).text  # the reason is required
    response = post(client, f"{page}/schedule", page, when="now")
    assert response.status_code == 302
    with app.extensions["puente.db"].unit_of_work() as s:
        assert dispatch_due(s, config=app.config["PUENTE"], now=utcnow()) == [broadcast_id]
    progress = client.get(f"{page}/progress.json").json
    assert progress["status"] == "sending"
    assert progress["total"] == 1  # only English is approved; Spanish and Vietnamese wait
    fresh(session)
    assert session.scalars(select(Message.language)
                           .where(Message.broadcast_id == broadcast_id)).all() == ["en"]
    assert "Progress" in client.get(page).text


def test_a_template_announcement_asks_for_its_variables(client, session, people) -> None:
    login(client, people["staff"])
    form = client.get("/broadcasts/new?template=picture-day").text
    assert 'name="var_date"' in form and 'name="var_school"' in form
    response = post(client, "/broadcasts/new", "/broadcasts/new?template=picture-day",
                    template="picture-day", title="Picture day", var_school="Lincoln",
                    var_date="2026-12-04", missing="hold")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Picture day is Friday, December 4 for Ana and Luis." in page


def test_a_missing_variable_is_a_clear_error_that_keeps_the_form(client, people) -> None:
    login(client, people["staff"])
    response = post(client, "/broadcasts/new", "/broadcasts/new?template=picture-day",
                    template="picture-day", title="Picture day", var_school="Lincoln",
                    var_date="", missing="hold")
    assert response.status_code == 422
    assert "fill in “date”" in response.text and 'value="Lincoln"' in response.text


def test_cancel_before_sending(client, session, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    page = f"/broadcasts/{broadcast_id}"
    post(client, f"{page}/cancel", page)
    fresh(session)
    assert session.get(Broadcast, broadcast_id).status == "canceled"


def test_replacing_look_alike_punctuation_keeps_the_letters(client, session, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client, text="Tomorrow’s closure — no buses…")
    page = f"/broadcasts/{broadcast_id}"
    post(client, f"{page}/variants/en", page, text="Tomorrow’s closure — no buses…",
         action="gsm")
    fresh(session)
    assert session.get(Broadcast, broadcast_id).variant("en").text == \
        "Tomorrow's closure - no buses..."


def test_a_family_answering_an_announcement_shows_it_as_context(app, client, session,
                                                                people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    page = f"/broadcasts/{broadcast_id}"
    post(client, f"{page}/schedule", page, when="now")
    with app.extensions["puente.db"].unit_of_work() as s:
        dispatch_due(s, config=app.config["PUENTE"], now=utcnow())
    from tests.factories import text

    text(client, "+16175550303", "Is the bus running too?")  # the English family answers
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    staff = people["staff"]
    login(client, staff)
    conversation = client.get("/conversations/1").text
    assert "Recent announcements to this family" in conversation
    assert "School is closed tomorrow because of snow." in conversation


def test_progress_streams_as_server_sent_events(app, client, people) -> None:
    login(client, people["staff"])
    broadcast_id = compose(client)
    page = f"/broadcasts/{broadcast_id}"
    post(client, f"{page}/schedule", page, when="now")
    with app.extensions["puente.db"].unit_of_work() as s:
        dispatch_due(s, config=app.config["PUENTE"], now=utcnow())
    response = client.get(f"{page}/progress/stream", buffered=False)
    assert response.mimetype == "text/event-stream"
    first = next(iter(response.response)).decode()
    response.close()
    assert first.startswith("data: ")
    event = json.loads(first.removeprefix("data: "))
    assert event["status"] == "sending" and event["total"] == 1


def test_the_audience_can_be_a_class_list_and_languages(client, session, people) -> None:
    login(client, people["staff"])
    ids = session.scalars(select(Household.external_id).order_by(Household.id)).all()
    response = post(client, "/broadcasts/new", "/broadcasts/new", title="Class trip",
                    text="Field trip on Friday.", source_language="en", missing="original",
                    households="\n".join(ids[:3]), languages="es")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Audience: 2 phones" in page  # of the first three households, two read Spanish
    bad = post(client, "/broadcasts/new", "/broadcasts/new", title="x", text="y",
               languages="klingon", missing="hold")
    assert bad.status_code == 422 and "klingon" in bad.text
