"""Routing by language: sticky, least-loaded at the school, district pool, unrouted."""

from __future__ import annotations

import itertools
import random

from sqlalchemy import select

from bot.languages import speaks
from bot.models import Assignment, Conversation, User
from tests.factories import fresh, make_contact, make_school, make_user, text


def conversation_of(session, contact) -> Conversation:
    fresh(session)
    return session.scalars(select(Conversation).where(Conversation.contact_id == contact.id)).one()


def test_school_liaison_who_speaks_the_language_gets_it_and_the_reason_says_why(
        client, session, lincoln) -> None:
    family = make_contact(session, lincoln, language="es", phone="+16175550143")
    maria = make_user(session, "María López", languages=["es", "pt"], schools=[lincoln])
    make_user(session, "Jean Pierre", languages=["ht", "fr"], schools=[lincoln])
    session.commit()
    replies = text(client, "+16175550143", "Hola, una pregunta")
    conversation = conversation_of(session, family)
    assert conversation.assigned_user_id == maria.id
    assert "María López speaks Spanish" in conversation.route_reason
    assert "Lincoln Elementary" in conversation.route_reason
    assert [a.rule for a in conversation.assignments] == ["school"]
    assert replies == []  # someone is on duty: no automatic reply


def test_least_loaded_liaison_gets_the_new_conversation(client, session, lincoln) -> None:
    busy = make_user(session, "Busy Liaison", languages=["es"], schools=[lincoln])
    free = make_user(session, "Free Liaison", languages=["es"], schools=[lincoln])
    first = make_contact(session, lincoln, phone="+16175550143")
    second = make_contact(session, lincoln, phone="+16175550144")
    session.commit()
    text(client, "+16175550143", "Hola, una pregunta")
    assert conversation_of(session, first).assigned_user_id == busy.id  # tie: lowest id
    text(client, "+16175550144", "Hola, una pregunta")
    assert conversation_of(session, second).assigned_user_id == free.id


def test_conversation_sticks_to_its_liaison(client, session, lincoln) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    family = make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    text(client, "+16175550143", "Hola, una pregunta")
    make_user(session, "New Liaison", languages=["es"], schools=[lincoln])  # now less loaded
    session.commit()
    text(client, "+16175550143", "Otra pregunta")
    conversation = conversation_of(session, family)
    assert conversation.assigned_user_id == maria.id
    assert conversation.route_reason.startswith("stays with María López")
    assert len(conversation.assignments) == 2


def test_off_duty_liaison_loses_sticky_assignment_to_an_on_duty_colleague(
        client, session, lincoln) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    family = make_contact(session, lincoln, phone="+16175550143")
    session.commit()
    text(client, "+16175550143", "Hola, una pregunta")
    maria.on_duty = False
    colleague = make_user(session, "Carmen Ruiz", languages=["es"], schools=[lincoln])
    session.commit()
    text(client, "+16175550143", "¿Hola?")
    assert conversation_of(session, family).assigned_user_id == colleague.id


def test_district_pool_covers_a_language_nobody_at_the_school_speaks(client, session,
                                                                     lincoln) -> None:
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    amina = make_user(session, "Amina Hassan", languages=["ar", "so"], schools=[])
    family = make_contact(session, lincoln, name="Fatima Ali", language="so",
                          phone="+16175550160")
    session.commit()
    text(client, "+16175550160", "Subax wanaagsan, wiilkayga maanta wuu jiran yahay")
    conversation = conversation_of(session, family)
    assert conversation.assigned_user_id == amina.id
    assert conversation.assignments[-1].rule == "district"
    assert "district-wide" in conversation.route_reason


def test_liaison_at_another_school_is_not_the_district_pool(client, session, lincoln) -> None:
    roosevelt = make_school(session, "Roosevelt Middle School", sms_number="+16175550110")
    make_user(session, "Linh Tran", languages=["vi"], schools=[roosevelt])
    family = make_contact(session, lincoln, name="Nguyen Thi Mai", language="vi",
                          phone="+16175550170")
    session.commit()
    text(client, "+16175550170", "Chào cô")
    assert conversation_of(session, family).assigned_user_id is None


def test_nobody_on_duty_means_unrouted_queue_and_an_acknowledgement_in_their_language(
        client, session, lincoln) -> None:
    make_user(session, "María López", languages=["es"], schools=[lincoln], on_duty=False)
    family = make_contact(session, lincoln, language="es", phone="+16175550143")
    session.commit()
    [ack] = text(client, "+16175550143", "Hola, una pregunta")
    conversation = conversation_of(session, family)
    assert conversation.assigned_user_id is None
    assert conversation.assignments[-1].rule == "unrouted"
    assert "unrouted queue" in conversation.route_reason
    assert ack.startswith("Lincoln Elementary ")
    auto = [m for m in conversation.messages if m.kind == "auto"]
    assert len(auto) == 1 and auto[0].language == "es"


def test_acknowledgement_is_not_repeated_for_every_text(client, session, lincoln) -> None:
    make_contact(session, lincoln, language="es", phone="+16175550143")
    session.commit()
    assert len(text(client, "+16175550143", "Hola, una pregunta")) == 1
    assert text(client, "+16175550143", "¿Hola?") == []


def test_mixtec_family_reaches_a_mixtec_speaker_first(client, session, lincoln) -> None:
    make_user(session, "María López", languages=["es"], schools=[lincoln])
    rosa = make_user(session, "Rosa Cruz", languages=["mix", "es"], schools=[])
    family = make_contact(session, lincoln, name="Catalina Santiago", language="mix",
                          other_languages=["es"], fallback="es", phone="+16175550180")
    session.commit()
    text(client, "+16175550180", "Buenos días maestra")
    assert conversation_of(session, family).assigned_user_id == rosa.id


def test_mixtec_family_falls_back_to_spanish_when_no_mixtec_speaker_is_on_duty(
        client, session, lincoln) -> None:
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    make_user(session, "Rosa Cruz", languages=["mix"], schools=[], on_duty=False)
    family = make_contact(session, lincoln, name="Catalina Santiago", language="mix",
                          other_languages=["es"], fallback="es", phone="+16175550180")
    session.commit()
    text(client, "+16175550180", "Buenos días maestra")
    conversation = conversation_of(session, family)
    assert conversation.assigned_user_id == maria.id
    assert "nobody on duty speaks Mixtec" in conversation.route_reason


def test_a_liaison_who_does_not_speak_the_language_never_receives_it(client, session,
                                                                     lincoln) -> None:
    roosevelt = make_school(session, "Roosevelt Middle School", sms_number="+16175550110")
    schools = [lincoln, roosevelt]
    rng = random.Random(7)
    languages = ["es", "ht", "pt-BR", "vi", "ar", "zh-Hans", "so", "en", "mix"]
    for i, spoken in enumerate([["es"], ["ht", "fr"], ["pt"], ["vi"], ["ar", "so"], ["zh-Hans"],
                                ["en", "es"], ["zh-Hant"], ["es", "pt"]]):
        make_user(session, f"Liaison {i}", languages=spoken,
                  schools=[] if i % 3 == 0 else [schools[i % 2]], on_duty=rng.random() > 0.3)
    phones = itertools.count(200)
    families = [make_contact(session, schools[i % 2], language=lang,
                             phone=f"+16175550{next(phones):03d}")
                for i, lang in enumerate(languages * 3)]
    session.commit()
    for family in families:
        text(client, family.numbers[0].address, "Hello",
             to=family.household.school.sms_number)
    fresh(session)
    assignments = session.scalars(select(Assignment).where(Assignment.user_id.is_not(None))).all()
    assert assignments, "some conversations must have been routed"
    for assignment in assignments:
        conversation = session.get(Conversation, assignment.conversation_id)
        user = session.get(User, assignment.user_id)
        assert speaks(user.languages, assignment.language)
        assert assignment.language in conversation.contact.languages
