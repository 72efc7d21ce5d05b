"""Announcements on WhatsApp: free-form text inside the family's 24-hour window, the
language's approved content template outside it, SMS when there is no template — decided
when the message goes out, and recorded. Sent through the local Twilio server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.broadcasts import send as send_module
from bot.broadcasts.progress import broadcast_progress
from bot.broadcasts.send import start_broadcast
from bot.broadcasts.service import create_broadcast, save_variant, send_unreviewed
from bot.broadcasts.templates import TemplateError, load_template_file, load_templates
from bot.db import utcnow
from bot.models import Broadcast, ContactNumber, Message, MessageEvent
from bot.worker import Worker
from tests.factories import make_contact, make_school, make_user

ES_SID = "HX" + "1" * 32
FR_SID = "HX" + "2" * 32
TEMPLATE_VALUES = {"school": "Lincoln Elementary", "date": date(2026, 12, 4)}


@pytest.fixture
def picture_day(monkeypatch):
    """picture-day with approved WhatsApp templates in Spanish and French only."""
    template = load_templates()["picture-day"]
    variants = dict(template.variants)
    variants["es"] = replace(variants["es"], whatsapp_content_sid=ES_SID)
    variants["fr"] = replace(variants["fr"], whatsapp_content_sid=FR_SID)
    template = replace(template, variants=variants,
                       whatsapp_variables=("school", "date", "students"))
    monkeypatch.setattr(send_module, "load_templates", lambda: {template.name: template})
    return template


@pytest.fixture
def db(twilio_app):
    return twilio_app.extensions["puente.db"]


def family(session, school, language: str, *, whatsapp: str, sms: str | None,
           heard_ago: timedelta | None, now):
    """A contact whose WhatsApp number comes first, with an SMS number after it."""
    contact = make_contact(session, school, language=language, phone=whatsapp,
                           channel="whatsapp", student="Ana")
    if heard_ago is not None:
        contact.numbers[0].last_heard_at = now - heard_ago
    if sms:
        contact.numbers.append(ContactNumber(address=sms, channel="sms", priority=1))
    return contact


def broadcast_to_all(session, template, now, *, edit_es: str | None = None):
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    broadcast = create_broadcast(session, author=staff, title="Picture day", audience={},
                                 timezone="America/New_York", now=now, template=template,
                                 variables=TEMPLATE_VALUES, urgent=True)
    if edit_es is not None:
        maria = make_user(session, "María López", languages=["es"])
        save_variant(session, broadcast, "es", edit_es, maria, now, approve=True)
    for language in ("es", "fr", "vi"):
        if not broadcast.variant(language).approved:
            send_unreviewed(session, broadcast, language, staff, "test", now)
    return broadcast


def one_family(template, language: str, *, whatsapp: str, sms: str | None,
               heard_ago: timedelta | None, edit_es: str | None = None):
    """A setup for send_all: one family at a school with a WhatsApp number, sent template
    (its Spanish text edited to edit_es, if given)."""
    def setup(session, now):
        school = make_school(session, whatsapp_number="+16175550101")
        family(session, school, language, whatsapp=whatsapp, sms=sms, heard_ago=heard_ago,
               now=now)
        return broadcast_to_all(session, template, now, edit_es=edit_es)
    return setup


def send_all(app, db, broadcast_setup) -> dict[str, Message]:
    """Queue the broadcast, run the sender until the queue is empty; messages by contact name."""
    worker = Worker(app, name="test-sender")
    now = worker.sender.clock()
    with db.unit_of_work() as session:
        broadcast = broadcast_setup(session, now)
        start_broadcast(session, broadcast, config=app.config["PUENTE"], now=now)
    while worker.sender.run_once():
        pass
    with db.sessions() as session:
        messages = session.scalars(select(Message).where(Message.broadcast_id.is_not(None))
                                   .order_by(Message.id)).all()
        for message in messages:
            message.events  # noqa: B018 (load them before the session closes)
        session.expunge_all()
    return {m.language + ":" + m.to_address[-4:]: m for m in messages}


def test_inside_the_window_the_announcement_is_free_form_text(
        twilio_app, db, twilio_server, picture_day) -> None:
    setup = one_family(picture_day, "es", whatsapp="+16175550150", sms="+16175550151",
                       heard_ago=timedelta(hours=2))

    [message] = send_all(twilio_app, db, setup).values()
    [request] = twilio_server.requests
    assert request.form["To"] == "whatsapp:+16175550150"
    assert "Ana" in request.form["Body"] and "ContentSid" not in request.form
    assert (message.channel, message.sent_as_template) == ("whatsapp", False)


def test_outside_the_window_the_languages_approved_template_is_sent(
        twilio_app, db, twilio_server, picture_day) -> None:
    setup = one_family(picture_day, "es", whatsapp="+16175550150", sms="+16175550151",
                       heard_ago=timedelta(hours=30))

    [message] = send_all(twilio_app, db, setup).values()
    [request] = twilio_server.requests
    assert request.form["To"] == "whatsapp:+16175550150"
    assert request.form["From"] == "whatsapp:+16175550101"
    assert request.form["ContentSid"] == ES_SID and "Body" not in request.form
    # Numbered as the approved template numbers them, formatted for Spanish by Babel.
    assert json.loads(request.form["ContentVariables"]) == {
        "1": "Lincoln Elementary", "2": "viernes, 4 de diciembre", "3": "Ana"}
    assert message.sent_as_template and message.content_sid == ES_SID
    assert any("sent as the approved WhatsApp template" in e.detail for e in message.events)


def test_a_window_closing_within_minutes_counts_as_closed(
        twilio_app, db, twilio_server, picture_day) -> None:
    setup = one_family(picture_day, "es", whatsapp="+16175550150", sms=None,
                       heard_ago=timedelta(hours=23, minutes=58))

    send_all(twilio_app, db, setup)
    [request] = twilio_server.requests
    assert request.form["ContentSid"] == ES_SID


def test_only_families_whose_language_has_a_template_are_reached_on_whatsapp(
        twilio_app, db, twilio_server, picture_day) -> None:
    def setup(session, now):
        school = make_school(session, whatsapp_number="+16175550101")
        family(session, school, "es", whatsapp="+16175550150", sms="+16175550151",
               heard_ago=None, now=now)
        family(session, school, "vi", whatsapp="+16175550160", sms="+16175550161",
               heard_ago=None, now=now)
        return broadcast_to_all(session, picture_day, now)

    messages = send_all(twilio_app, db, setup)
    # Spanish has an approved template: WhatsApp, the family's first number. Vietnamese has
    # none: its SMS number, since free-form WhatsApp would be refused outside the window.
    assert set(messages) == {"es:0150", "vi:0161"}
    assert messages["vi:0161"].channel == "sms"
    assert {r.form["To"] for r in twilio_server.requests} == {"whatsapp:+16175550150",
                                                             "+16175550161"}
    with db.sessions() as session:
        broadcast = session.get(Broadcast, messages["vi:0161"].broadcast_id)
        progress = broadcast_progress(session, broadcast, utcnow())
    assert progress.as_dict()["by_channel"] == {"whatsapp_template": 1, "sms": 1}


def test_a_liaisons_edit_means_the_template_no_longer_matches_and_sms_is_used(
        twilio_app, db, twilio_server, picture_day) -> None:
    setup = one_family(picture_day, "es", whatsapp="+16175550150", sms="+16175550151",
                       heard_ago=timedelta(days=3),
                       edit_es="{school}: el {date} es el día de fotos de {students}. "
                               "¡Sonrían!")

    [message] = send_all(twilio_app, db, setup).values()
    [request] = twilio_server.requests
    assert request.form["To"] == "+16175550151" and "día de fotos" in request.form["Body"]
    assert (message.channel, message.content_sid, message.sent_as_template) == ("sms", None,
                                                                               False)
    assert any("no approved template in this language" in e.detail for e in message.events)


def test_whatsapp_refusing_free_form_text_resends_the_template(
        twilio_app, db, twilio_server, picture_day) -> None:
    """Our clock says the window is open, WhatsApp says it is not (63016): the template."""
    setup = one_family(picture_day, "fr", whatsapp="+16175550150", sms="+16175550151",
                       heard_ago=timedelta(hours=1))

    twilio_server.fail_next(status=400, code=63016, message="Outside the allowed window")
    [message] = send_all(twilio_app, db, setup).values()
    first, second = twilio_server.requests
    assert "Body" in first.form and second.form["ContentSid"] == FR_SID
    assert second.form["To"] == "whatsapp:+16175550150"
    assert message.status == "queued" and message.sent_as_template


def test_without_a_template_or_sms_number_the_refusal_is_recorded(
        twilio_app, db, twilio_server, picture_day) -> None:
    setup = one_family(picture_day, "vi", whatsapp="+16175550160", sms=None,
                       heard_ago=timedelta(days=2))

    twilio_server.fail_next(status=400, code=63016, message="Outside the allowed window")
    [message] = send_all(twilio_app, db, setup).values()
    [request] = twilio_server.requests  # tried once as text, in case the family just wrote
    assert "Body" in request.form
    assert (message.status, message.error_code) == ("failed", 63016)


def _template_file(tmp_path: Path, extra_top: str = "", es_extra: str = "") -> Path:
    path = tmp_path / "snow-day.toml"
    path.write_text(f'''title = "Snow day"
{extra_top}
[placeholders]
school = "text"
date = "date"

[languages.en]
text = "{{school}} is closed on {{date}}."

[languages.es]
text = "{{school}} está cerrada el {{date}}."
reviewed_by = ""
{es_extra}
''', encoding="utf-8")
    return path


def test_template_files_declare_a_content_sid_per_language(tmp_path) -> None:
    path = _template_file(tmp_path, 'whatsapp_variables = ["school", "date"]',
                          f'whatsapp_content_sid = "{ES_SID}"')
    template = load_template_file(path)
    assert template.whatsapp_languages == {"es"}
    assert template.variants["es"].whatsapp_content_sid == ES_SID
    assert template.whatsapp_variables == ("school", "date")


@pytest.mark.parametrize(("top", "es", "error"), [
    ("", f'whatsapp_content_sid = "{ES_SID}"', "needs whatsapp_variables"),
    ('whatsapp_variables = ["school"]', 'whatsapp_content_sid = "HX123"',
     "is not a Content SID"),
    ('whatsapp_variables = ["school", "time"]', "", "names 'time', not declared"),
    ('whatsapp_variables = ["school", "school"]', "", "names a placeholder twice"),
    ('whatsapp_variables = "school"', "", "'whatsapp_variables' must be a list"),
])
def test_bad_whatsapp_template_settings_are_refused_at_load(tmp_path, top, es, error) -> None:
    with pytest.raises(TemplateError, match=error):
        load_template_file(_template_file(tmp_path, top, es))


def test_message_events_record_each_decision(twilio_app, db, twilio_server,
                                             picture_day) -> None:
    """The progress view's failure reasons and the conversation show what happened."""
    setup = one_family(picture_day, "es", whatsapp="+16175550150", sms="+16175550151",
                       heard_ago=timedelta(hours=30))

    send_all(twilio_app, db, setup)
    with db.sessions() as session:
        details = session.scalars(select(MessageEvent.detail)).all()
    assert details == ["outside WhatsApp's 24-hour window: sent as the approved WhatsApp "
                       f"template {ES_SID}", "accepted by provider"]
