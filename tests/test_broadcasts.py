"""Broadcasts: compose, translate and approve, expand to one message per phone, hold for
hours, schedule and recur — through the service functions the dashboard and API call."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.broadcasts.jobs import dispatch_due
from bot.broadcasts.send import start_broadcast
from bot.broadcasts.service import (
    BroadcastError,
    cancel_broadcast,
    create_broadcast,
    save_variant,
    schedule_broadcast,
    send_unreviewed,
)
from bot.broadcasts.templates import load_templates
from bot.models import AuditEvent, Broadcast, ContactNumber, Message, OutboxItem, Student
from tests.factories import make_contact, make_user

# 15:00 UTC on a Tuesday = 10:00 in New York: inside the default 08:00–20:00 hours.
DAYTIME = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
NIGHT = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 02:00 in New York


@pytest.fixture
def people(session, lincoln):
    staff = make_user(session, "Sam Staff", languages=["en"], role="staff")
    maria = make_user(session, "María López", languages=["es"], schools=[lincoln])
    linh = make_user(session, "Linh Tran", languages=["vi"], schools=[lincoln])
    session.commit()
    return {"staff": staff, "maria": maria, "linh": linh}


def families(session, school, spec: list[tuple[str, str]]) -> list:
    contacts = [make_contact(session, school, name=name, language=lang,
                             phone=f"+161755502{i:02d}", student=f"Kid {i}")
                for i, (name, lang) in enumerate(spec)]
    session.commit()
    return contacts


def compose(session, staff, text="School is closed tomorrow because of snow.", **kw):
    broadcast = create_broadcast(session, author=staff, title="Snow day", audience={},
                                 timezone="America/New_York", now=DAYTIME, text=text, **kw)
    session.commit()
    return broadcast


def queued(session, broadcast) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.broadcast_id == broadcast.id)
                                .order_by(Message.to_address)))


def test_only_staff_compose(session, people) -> None:
    with pytest.raises(PermissionError):
        compose(session, people["maria"])


def test_each_audience_language_becomes_a_translation_task(session, lincoln, people) -> None:
    families(session, lincoln, [("Rosa", "es"), ("Mai", "vi"), ("Mary", "en")])
    broadcast = compose(session, people["staff"])
    states = {v.language: (v.origin, v.approved) for v in broadcast.variants}
    assert states == {"en": ("staff", True), "es": ("task", False), "vi": ("task", False)}


def test_a_liaison_approves_only_the_languages_they_speak(session, lincoln, people) -> None:
    families(session, lincoln, [("Rosa", "es")])
    broadcast = compose(session, people["staff"])
    with pytest.raises(PermissionError):
        save_variant(session, broadcast, "es", "Mañana no hay clases.", people["linh"],
                     DAYTIME, approve=True)
    with pytest.raises(PermissionError):  # staff may edit, never approve a translation
        save_variant(session, broadcast, "es", "Mañana no hay clases.", people["staff"],
                     DAYTIME, approve=True)
    variant = save_variant(session, broadcast, "es", "Mañana no hay clases por la nieve.",
                           people["maria"], DAYTIME, approve=True)
    assert variant.approved and variant.approved_by.name == "María López"


def test_editing_an_approved_text_needs_a_new_approval(session, lincoln, people) -> None:
    families(session, lincoln, [("Rosa", "es")])
    broadcast = compose(session, people["staff"])
    save_variant(session, broadcast, "es", "Mañana no hay clases.", people["maria"], DAYTIME,
                 approve=True)
    variant = save_variant(session, broadcast, "es", "Mañana no hay clase.", people["staff"],
                           DAYTIME, approve=False)
    assert not variant.approved


def test_each_family_gets_its_language_and_unapproved_languages_are_held(
        session, app, lincoln, people) -> None:
    families(session, lincoln, [("Rosa", "es"), ("Mai", "vi"), ("Mary", "en")])
    broadcast = compose(session, people["staff"])
    save_variant(session, broadcast, "es", "Mañana no hay clases por la nieve.",
                 people["maria"], DAYTIME, approve=True)
    report = start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    assert (report.queued, dict(report.held_for_translation)) == (2, {"vi": 1})
    bodies = {m.language: m.body for m in queued(session, broadcast)}
    assert bodies == {"es": "Mañana no hay clases por la nieve.",
                      "en": "School is closed tomorrow because of snow."}


@pytest.mark.parametrize(("policy", "expected"), [("fallback", "en"), ("original", "en"),
                                                  ("hold", None)])
def test_missing_translation_policy_is_followed(session, app, lincoln, people, policy,
                                                expected) -> None:
    families(session, lincoln, [("Mai", "vi")])
    broadcast = compose(session, people["staff"], missing_policy=policy)
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    languages = [m.language for m in queued(session, broadcast)]
    assert languages == ([expected] if expected else [])


def test_sending_a_language_unreviewed_is_an_explicit_recorded_decision(
        session, app, lincoln, people) -> None:
    families(session, lincoln, [("Mai", "vi")])
    broadcast = compose(session, people["staff"])
    save_variant(session, broadcast, "vi", "Ngày mai trường đóng cửa vì tuyết.",
                 people["staff"], DAYTIME, approve=False)
    with pytest.raises(BroadcastError):
        send_unreviewed(session, broadcast, "vi", people["staff"], "  ", DAYTIME)
    send_unreviewed(session, broadcast, "vi", people["staff"], "snow emergency", DAYTIME)
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    assert [m.language for m in queued(session, broadcast)] == ["vi"]
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "broadcast.variant_sent_unreviewed")).one()
    assert event.details == {"language": "vi", "reason": "snow emergency"}


def test_one_message_per_phone_naming_every_student(session, app, lincoln, people) -> None:
    [rosa] = families(session, lincoln, [("Rosa", "es")])
    for name in ("Ana", "Luis"):
        session.add(Student(household_id=rosa.household_id, school_id=lincoln.id, name=name,
                            grade="2"))
    # The father shares the mother's phone: one message between them.
    make_contact(session, lincoln, name="Pedro", language="es", household=rosa.household,
                 phone=rosa.numbers[0].address)
    session.commit()
    template = load_templates()["picture-day"]
    broadcast = create_broadcast(
        session, author=people["staff"], title="Picture day", audience={},
        timezone="America/New_York", now=DAYTIME, template=template,
        variables={"school": "Lincoln Elementary", "date": date(2026, 12, 4)})
    send_unreviewed(session, broadcast, "es", people["staff"], "test of the template", DAYTIME)
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    [message] = queued(session, broadcast)
    assert "Ana, Kid 0 y Luis" in message.body  # one text names every student, in Spanish
    assert "viernes, 4 de diciembre" in message.body  # the date in Spanish, by Babel


def test_opted_out_numbers_are_never_queued(session, app, lincoln, people) -> None:
    rosa, mary = families(session, lincoln, [("Rosa", "en"), ("Mary", "en")])
    session.get(ContactNumber, rosa.numbers[0].id).opted_out_at = DAYTIME
    session.commit()
    broadcast = compose(session, people["staff"])
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    assert [m.to_address for m in queued(session, broadcast)] == [mary.numbers[0].address]


def test_audience_by_grade_and_language(session, app, lincoln, people) -> None:
    rosa, _, _ = families(session, lincoln, [("Rosa", "es"), ("Mary", "en"), ("Mai", "vi")])
    session.execute(Student.__table__.update().where(Student.name == "Kid 1").values(grade="5"))
    session.commit()
    broadcast = create_broadcast(session, author=people["staff"], title="Grade 3",
                                 audience={"grades": ["3"], "languages": ["en", "es"]},
                                 timezone="America/New_York", now=DAYTIME, text="Field trip",
                                 missing_policy="original")
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=DAYTIME)
    session.commit()
    # Mary's child is in grade 5 and Mai reads Vietnamese: only Rosa is in the audience.
    assert [m.contact_id for m in queued(session, broadcast)] == [rosa.id]


def test_non_urgent_messages_wait_for_the_families_hours(session, app, lincoln, people) -> None:
    rosa, mary = families(session, lincoln, [("Rosa", "en"), ("Mary", "en")])
    rosa.preferred_start, rosa.preferred_end = time(17), time(20)
    session.commit()
    broadcast = compose(session, people["staff"])
    report = start_broadcast(session, broadcast, config=app.config["PUENTE"], now=NIGHT)
    session.commit()
    held = dict(session.execute(
        select(Message.to_address, OutboxItem.not_before).join(OutboxItem)).all())
    # 02:00 in New York: the school's hours open at 08:00 (13:00 UTC); Rosa's at 17:00.
    assert held[mary.numbers[0].address] == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert held[rosa.numbers[0].address] == datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    assert report.held_for_hours == 2


def test_urgent_messages_go_at_once_and_the_audit_says_so(session, app, lincoln, people) -> None:
    families(session, lincoln, [("Mary", "en")])
    broadcast = compose(session, people["staff"], urgent=True)
    start_broadcast(session, broadcast, config=app.config["PUENTE"], now=NIGHT)
    session.commit()
    assert session.scalars(select(OutboxItem.not_before)).one() == NIGHT
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "broadcast.started")).one()
    assert event.details["quiet_hours"] == "skipped: urgent"


def test_schedule_in_the_past_is_refused(session, lincoln, people) -> None:
    broadcast = compose(session, people["staff"])
    with pytest.raises(BroadcastError, match="past"):
        schedule_broadcast(session, broadcast, people["staff"], DAYTIME,
                           send_at=DAYTIME - timedelta(minutes=1))


def test_scheduled_broadcast_starts_when_due_and_can_be_canceled_before(
        session, app, lincoln, people) -> None:
    families(session, lincoln, [("Mary", "en")])
    config = app.config["PUENTE"]
    first, second = compose(session, people["staff"]), compose(session, people["staff"])
    for b in (first, second):
        schedule_broadcast(session, b, people["staff"], DAYTIME,
                           send_at=DAYTIME + timedelta(hours=1))
    cancel_broadcast(session, second, people["staff"], DAYTIME)
    session.commit()
    assert dispatch_due(session, config=config, now=DAYTIME + timedelta(minutes=59)) == []
    assert dispatch_due(session, config=config, now=DAYTIME + timedelta(hours=1)) == [first.id]
    session.commit()
    with pytest.raises(BroadcastError):
        cancel_broadcast(session, first, people["staff"], DAYTIME)
    assert len(queued(session, first)) == 1 and queued(session, second) == []


def test_a_weekly_recurrence_survives_a_restart_and_fires_each_week(
        session, database_url, lincoln, people) -> None:
    from tests.conftest import make_test_app

    families(session, lincoln, [("Mary", "en")])
    broadcast = compose(session, people["staff"], text="Reminder: library books are due.")
    schedule_broadcast(session, broadcast, people["staff"], DAYTIME,
                       recurrence={"weekdays": [0], "time": "07:30"})
    session.commit()
    monday = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)  # Monday 07:30 in New York
    assert broadcast.send_at == monday

    restarted = make_test_app(database_url)  # a new process: only the database remembers
    with restarted.extensions["puente.db"].unit_of_work() as s:
        [child] = dispatch_due(s, config=restarted.config["PUENTE"], now=monday)
    with restarted.extensions["puente.db"].unit_of_work() as s:
        assert dispatch_due(s, config=restarted.config["PUENTE"], now=monday) == []
        schedule = s.get(Broadcast, broadcast.id)
        assert schedule.status == "scheduled"
        assert schedule.send_at == monday + timedelta(days=7)
        assert s.get(Broadcast, child).parent_id == broadcast.id
        assert s.scalar(select(func.count()).select_from(Message)
                        .where(Message.broadcast_id == child)) == 1
    restarted.extensions["puente.db"].engine.dispose()
