"""The language menu through the signed webhook: LANGUAGE / IDIOMA / LANGUE / LANG lists the
languages, each written in itself; a number sent back changes the preferred language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import ConfigError, load_config
from bot.conversations.intake import process_pending
from bot.language.menu import DEFAULT_MENU, menu_languages
from bot.models import AuditEvent, Contact, Conversation, NumberCheck
from tests.factories import (
    auto_replies_after,
    fresh,
    inbound_form,
    last_message_id,
    make_contact,
    make_user,
    post_signed,
)

# 15:00 in New York: inside sending hours.
NOON = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
PHONE = "+16175550301"


def send(client, body: str, *, now: datetime = NOON, phone: str = PHONE) -> list[str]:
    """A family texts the school at `now`; return the automatic replies it got."""
    app = client.application
    before = last_message_id(app)
    response = post_signed(client, "/twilio/messages", inbound_form(phone, body))
    assert response.status_code == 200, response.text
    with app.extensions["puente.db"].unit_of_work() as session:
        process_pending(session, config=app.config["PUENTE"], now=now)
    return auto_replies_after(app, before)


def contact_of(session, phone: str = PHONE) -> Contact:
    fresh(session)
    return session.scalars(select(Contact).where(
        Contact.numbers.any(address=phone))).one()


@pytest.fixture
def rosa(session, lincoln) -> Contact:
    contact = make_contact(session, lincoln, phone=PHONE, language="es")
    session.commit()
    return contact


def test_idioma_lists_every_language_in_itself(client, session, rosa) -> None:
    [menu] = send(client, "Idioma")

    header, *lines = menu.split("\n")
    assert header == "Responda con el número de su idioma:"
    assert len(lines) == len(DEFAULT_MENU) == 25
    assert lines[:4] == ["1 English", "2 Español", "3 Kreyòl ayisyen", "4 Português (Brasil)"]
    assert lines[6] == "7 中文（简体）" and lines[8] == "9 العربية" and lines[13] == "14 دری"
    assert contact_of(session).language_menu == list(DEFAULT_MENU)


def test_a_number_from_the_menu_changes_the_language_and_answers_in_it(
        client, session, rosa) -> None:
    send(client, "IDIOMA")

    [answer] = send(client, "3", now=NOON + timedelta(minutes=5))

    assert answer == "Apati kounye a, Lincoln Elementary ap ekri w an Kreyòl ayisyen."
    contact = contact_of(session)
    assert (contact.language, contact.language_menu, contact.language_menu_sent_at) == (
        "ht", None, None)
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.language == "ht"
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "contact.language_changed")).one()
    assert (event.actor, event.subject_id, event.details) == (
        "family", contact.id, {"from": "es", "to": "ht", "how": "language menu"})


@pytest.mark.parametrize("reply", ["٩", "#9", "9.", " 9 ", "９"])
def test_choice_in_other_digits_and_with_punctuation(client, session, rosa, reply) -> None:
    send(client, "LANGUAGE")
    send(client, reply, now=NOON + timedelta(minutes=1))
    assert contact_of(session).language == "ar"


@pytest.mark.parametrize("reply", ["99", "0", "3 por favor", "tres"])
def test_anything_else_changes_nothing(client, session, rosa, reply) -> None:
    send(client, "LANGUE")
    send(client, reply, now=NOON + timedelta(minutes=1))
    contact = contact_of(session)
    assert contact.language == "es"
    assert contact.language_menu == list(DEFAULT_MENU)  # still open for a real choice


def test_a_choice_a_day_later_is_not_read_as_one(client, session, rosa) -> None:
    send(client, "LANG")
    send(client, "3", now=NOON + timedelta(hours=24, minutes=1))
    assert contact_of(session).language == "es"


def test_choice_routes_the_conversation_to_a_liaison_of_the_new_language(
        client, session, lincoln, rosa) -> None:
    make_user(session, "Elena Ruiz", languages=["es", "en"], schools=[lincoln])
    thu = make_user(session, "Thu Tran", languages=["vi", "en"], schools=[lincoln])
    session.commit()
    send(client, "Idioma")

    send(client, "6", now=NOON + timedelta(minutes=2))

    fresh(session)
    conversation = session.scalars(select(Conversation)).one()
    assert (conversation.language, conversation.assigned_user_id) == ("vi", thu.id)


def test_while_a_menu_is_open_a_bare_1_is_a_choice_not_a_confirmation(
        client, session, rosa) -> None:
    number = rosa.numbers[0]
    session.add(NumberCheck(contact_id=rosa.id, number_id=number.id,
                            school_id=rosa.household.school_id, reason="interval",
                            state="pending", prompts_sent=1, last_prompt_at=NOON,
                            next_prompt_at=NOON + timedelta(days=7), created_at=NOON))
    session.commit()
    send(client, "IDIOMA", now=NOON + timedelta(minutes=1))

    [answer] = send(client, "1", now=NOON + timedelta(minutes=2))

    assert answer == "Lincoln Elementary will write to you in English from now on."
    assert contact_of(session).language == "en"
    assert session.scalars(select(NumberCheck.state)).one() == "pending"


def test_an_opted_out_family_gets_no_menu(client, session, rosa) -> None:
    send(client, "ALTO")
    assert send(client, "IDIOMA", now=NOON + timedelta(minutes=1)) == []
    assert contact_of(session).language_menu is None


def test_a_sentence_about_languages_is_not_the_menu(client, session, rosa) -> None:
    make_user(session, "Elena Ruiz", languages=["es"], schools=[rosa.household.school])
    session.commit()
    assert send(client, "¿En qué idioma es la reunión?") == []
    assert contact_of(session).language_menu is None


def test_an_unknown_sender_can_choose_a_language(client, session, lincoln) -> None:
    send(client, "LANGUAGE", phone="+16175550399")
    send(client, "8", phone="+16175550399", now=NOON + timedelta(minutes=1))
    assert contact_of(session, "+16175550399").language == "zh-Hant"


def test_a_district_can_offer_its_own_short_menu(app, client, session, rosa) -> None:
    base = app.config["PUENTE"]
    app.config["PUENTE"] = replace(base, languages=replace(base.languages,
                                                           menu=("en", "es", "vi", "es-MX")))
    [menu] = send(client, "IDIOMA")
    assert menu.split("\n")[1:] == ["1 English", "2 Español", "3 Tiếng Việt", "4 Español (México)"]


def test_menu_setting_is_checked_when_the_config_loads() -> None:
    config = load_config(environ={"BOT_LANGUAGES_MENU": "en, es,pt-BR"})
    assert menu_languages(config) == ("en", "es", "pt-BR")
    with pytest.raises(ConfigError, match="no texts in 'mix'"):
        load_config(environ={"BOT_LANGUAGES_MENU": "en,mix"})
    with pytest.raises(ConfigError, match="languages.menu: .*'xx-bad'"):
        load_config(environ={"BOT_LANGUAGES_MENU": "xx-bad"})
    with pytest.raises(ConfigError, match="must be a list of strings"):
        load_config(overrides={"languages": {"menu": [1, 2]}})
