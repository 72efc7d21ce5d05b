"""Liaisons who asked for them get a text copy of each announcement in their languages."""

from __future__ import annotations

from sqlalchemy import select

from bot.broadcasts.send import start_broadcast
from bot.broadcasts.service import create_broadcast, save_variant
from bot.models import AuditEvent, Message, OutboxItem, User
from tests.factories import make_contact, make_user
from tests.test_broadcasts import DAYTIME


def copies(session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.broadcast_id.is_(None),
                                                      Message.direction == "out")
                                .order_by(Message.to_address)))


def test_the_copy_command_sets_and_clears_a_liaisons_phone(runner, session, lincoln) -> None:
    make_user(session, "María López", languages=["es"], email="maria@lincoln.example")
    session.commit()
    result = runner.invoke(args=["users", "copies", "maria@lincoln.example",
                                 "--phone", "(617) 555-0177"])
    assert result.exit_code == 0, result.output
    assert "by text to +1 617-555-0177" in result.output
    assert session.scalar(select(User.copy_phone)) == "+16175550177"
    session.commit()
    result = runner.invoke(args=["users", "copies", "maria@lincoln.example", "--off"])
    assert result.exit_code == 0 and "off" in result.output
    session.commit()
    assert session.scalar(select(User.copy_phone)) is None


def test_a_bad_phone_or_a_staff_user_is_refused(runner, session, lincoln) -> None:
    make_user(session, "María López", languages=["es"], email="maria@lincoln.example")
    make_user(session, "Sam Staff", languages=["en"], role="staff", email="sam@lincoln.example")
    session.commit()
    bad = runner.invoke(args=["users", "copies", "maria@lincoln.example", "--phone", "12"])
    assert bad.exit_code != 0 and "not a valid phone number" in bad.output
    staff = runner.invoke(args=["users", "copies", "sam@lincoln.example", "--phone",
                                "+16175550177"])
    assert staff.exit_code != 0 and "copies go to liaisons" in staff.output
    neither = runner.invoke(args=["users", "copies", "maria@lincoln.example"])
    assert neither.exit_code != 0 and "--phone NUMBER or --off" in neither.output
    session.commit()
    assert session.scalars(select(User.copy_phone)).all() == [None, None]


def test_each_liaison_with_a_phone_gets_one_copy_in_a_language_they_speak(
        session, app, lincoln) -> None:
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    maria = make_user(session, "María López", languages=["es", "pt"], schools=[lincoln])
    maria.copy_phone = "+16175550177"
    linh = make_user(session, "Linh Tran", languages=["vi"], schools=[lincoln])
    linh.copy_phone = "+16175550178"  # no Vietnamese family in the audience: no copy
    make_user(session, "Jean Pierre", languages=["es"], schools=[lincoln])  # no phone: none
    for i, language in enumerate(("es", "es", "en")):
        make_contact(session, lincoln, language=language, phone=f"+1617555021{i}")
    broadcast = create_broadcast(session, author=staff, title="Snow day", audience={},
                                 timezone="America/New_York", now=DAYTIME, urgent=True,
                                 text="School is closed tomorrow because of snow.")
    save_variant(session, broadcast, "es", "Mañana no hay clases por la nieve.", maria,
                 DAYTIME, approve=True)
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()

    [copy] = copies(session)
    assert copy.to_address == "+16175550177" and copy.channel == "sms"
    assert copy.body.endswith("Mañana no hay clases por la nieve.")
    assert "Spanish" in copy.body and "Snow day" in copy.body
    assert session.scalar(select(OutboxItem.state).where(OutboxItem.message_id == copy.id)) \
        == "pending"
    assert broadcast.recipients == 3  # the copy is not one of the families
    started = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "broadcast.started")).one()
    assert started.details["liaison_copies"] == 1
