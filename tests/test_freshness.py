"""Number checks through the public surfaces: the CLI selects and prompts, families answer
through the signed webhook, codes move numbers, the status callback reports dead ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.conversations.intake import process_pending
from bot.db import utcnow
from bot.freshness.checks import run_checks
from bot.models import (
    AuditEvent,
    ContactNumber,
    FollowUp,
    Message,
    NumberCheck,
    NumberVerification,
    OutboxItem,
    Student,
)
from tests.factories import (
    auto_replies_after,
    fresh,
    inbound_form,
    last_message_id,
    make_contact,
    post_signed,
    text,
)

# 03:00 in New York on a Tuesday: outside the default 08:00–20:00 sending hours.
NIGHT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CODE = "482913"


@pytest.fixture(autouse=True)
def fixed_code(monkeypatch):
    monkeypatch.setattr("bot.freshness.verify.secrets.randbelow", lambda n: int(CODE))


def family(session, school, *, phone: str, language: str = "es", confirmed_days: int | None = 400,
           prepaid: bool = False, failures: int = 0, student: str = "Juan Pérez", now=NIGHT):
    contact = make_contact(session, school, phone=phone, language=language, student=student)
    contact.prepaid = prepaid
    number = contact.numbers[0]
    number.created_at = now - timedelta(days=500)
    number.last_confirmed_at = None if confirmed_days is None else now - timedelta(
        days=confirmed_days)
    number.consecutive_failures = failures
    return contact


def pending_check(session, contact, now=None) -> NumberCheck:
    now = now or utcnow()
    number = contact.numbers[0]
    check = NumberCheck(contact_id=contact.id, number_id=number.id,
                        school_id=contact.household.school_id, reason="interval",
                        state="pending", prompts_sent=1, last_prompt_at=now,
                        next_prompt_at=now + timedelta(days=7), created_at=now)
    session.add(check)
    session.commit()
    return check


def config(app, **freshness):
    from dataclasses import replace

    base = app.config["PUENTE"]
    return replace(base, freshness=replace(base.freshness, **freshness))


# Selection ---------------------------------------------------------------------------------

def test_selection_follows_intervals_prepaid_failures_opt_outs_and_the_week(
        app, session, lincoln) -> None:
    due_interval = family(session, lincoln, phone="+16175550201", confirmed_days=200)
    due_prepaid = family(session, lincoln, phone="+16175550202", confirmed_days=70, prepaid=True)
    family(session, lincoln, phone="+16175550203", confirmed_days=100)  # not yet
    family(session, lincoln, phone="+16175550204", confirmed_days=30, prepaid=True)  # not yet
    due_failing = family(session, lincoln, phone="+16175550205", confirmed_days=1, failures=1)
    opted = family(session, lincoln, phone="+16175550206")
    opted.numbers[0].opted_out_at = NIGHT - timedelta(days=3)
    asked = family(session, lincoln, phone="+16175550207")
    session.flush()
    pending_check(session, asked, NIGHT - timedelta(days=3))  # asked this week
    never = family(session, lincoln, phone="+16175550208", confirmed_days=None)
    session.commit()

    report = run_checks(session, config=app.config["PUENTE"], now=NIGHT)
    session.commit()
    chosen = [(d.contact_id, d.reason) for d in report.due]
    # Failures first, then the longest unconfirmed (never confirmed counts from creation).
    assert chosen == [(due_failing.id, "failures"), (never.id, "interval"),
                      (due_interval.id, "interval"), (due_prepaid.id, "prepaid")]
    # A second run the same day asks nobody again.
    assert run_checks(session, config=app.config["PUENTE"], now=NIGHT + timedelta(hours=1)).due \
        == []


def test_daily_cap_per_school_spreads_the_prompts_over_days(app, session, lincoln) -> None:
    contacts = [family(session, lincoln, phone=f"+161755503{i:02d}", confirmed_days=300 + i)
                for i in range(5)]
    session.commit()
    capped = config(app, daily_cap_per_school=2)
    first = run_checks(session, config=capped, now=NIGHT)
    second_same_day = run_checks(session, config=capped, now=NIGHT + timedelta(hours=5))
    next_day = run_checks(session, config=capped, now=NIGHT + timedelta(days=1))
    session.commit()
    assert [d.contact_id for d in first.due] == [contacts[4].id, contacts[3].id]
    assert second_same_day.due == []
    assert [d.contact_id for d in next_day.due] == [contacts[2].id, contacts[1].id]


def test_prompts_wait_for_the_familys_hours_and_speak_its_language(app, session,
                                                                   lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550211")
    session.add(Student(household_id=rosa.household_id, school_id=lincoln.id,
                        name="Ana Pérez", grade="1"))
    session.commit()
    run_checks(session, config=app.config["PUENTE"], now=NIGHT)
    session.commit()
    message = session.scalars(select(Message).where(Message.to_address == "+16175550211")).one()
    item = session.scalars(select(OutboxItem).where(OutboxItem.message_id == message.id)).one()
    assert message.body == ("Lincoln Elementary: ¿este sigue siendo el número correcto de la "
                            "familia de Ana y Juan? Responda SÍ para confirmar o envíe el "
                            "número nuevo. ¿No es de esta familia? Responda NO.")
    # 08:00 in New York, the school's opening of sending hours.
    assert item.not_before == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_the_cli_dry_run_changes_nothing(app, runner, session, lincoln) -> None:
    family(session, lincoln, phone="+16175550221")
    session.commit()
    result = runner.invoke(args=["freshness", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: 1 new check(s) (Lincoln Elementary 1)" in result.output
    fresh(session)
    assert session.scalars(select(NumberCheck)).all() == []
    result = runner.invoke(args=["freshness", "run"])
    assert "1 new check(s) (Lincoln Elementary 1)" in result.output
    fresh(session)
    assert len(session.scalars(select(NumberCheck)).all()) == 1


def test_reminders_then_stale_and_the_follow_up_list(app, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550231")
    session.commit()
    settings = app.config["PUENTE"]
    run_checks(session, config=settings, now=NIGHT)
    for week in (1, 2):
        report = run_checks(session, config=settings, now=NIGHT + timedelta(days=7 * week))
        assert report.reminded == 1 and report.went_stale == 0
    report = run_checks(session, config=settings, now=NIGHT + timedelta(days=21))
    session.commit()
    assert report.went_stale == 1
    check = session.scalars(select(NumberCheck)).one()
    assert (check.prompts_sent, check.state) == (3, "stale")
    fresh(session)
    assert session.get(type(rosa), rosa.id).status == "stale"
    follow_up = session.scalars(select(FollowUp)).one()
    assert (follow_up.household_id, follow_up.reason) == (rosa.household_id, "no_answer")
    assert len(session.scalars(select(Message).where(
        Message.to_address == "+16175550231")).all()) == 3


# Answers through the webhook ---------------------------------------------------------------

def test_a_confirmation_with_extra_words_confirms_and_thanks(client, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550241")
    session.commit()
    pending_check(session, rosa)
    replies = text(client, "+16175550241", "Sí, es mi número 👍")
    assert replies == ["¡Gracias! Lincoln Elementary seguirá usando este número."]
    fresh(session)
    number = session.get(ContactNumber, rosa.numbers[0].id)
    assert number.last_confirmed_at is not None
    assert session.scalars(select(NumberCheck.state)).one() == "confirmed"


def test_yes_opts_in_an_opted_out_number_and_confirms_an_opted_in_one(
        client, session, lincoln) -> None:
    out = family(session, lincoln, phone="+16175550251")
    out.numbers[0].opted_out_at = utcnow()
    inside = family(session, lincoln, phone="+16175550252")
    session.commit()
    pending_check(session, out)
    pending_check(session, inside)
    text(client, "+16175550251", "YES")
    text(client, "+16175550252", "YES")
    fresh(session)
    assert session.get(ContactNumber, out.numbers[0].id).opted_out_at is None  # opted in
    states = dict(session.execute(select(NumberCheck.contact_id, NumberCheck.state)).all())
    assert states == {out.id: "pending", inside.id: "confirmed"}


def test_a_new_number_is_moved_to_only_with_the_code_from_that_phone(
        client, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550261")
    session.commit()
    pending_check(session, rosa)
    old_id = rosa.numbers[0].id

    replies = text(client, "+16175550261", "Cambié de número, ahora es 617-555-0177 gracias")
    assert replies[0].startswith("Lincoln Elementary: para recibir los mensajes")  # to the new
    assert CODE in replies[0]
    assert "+1 617-555-0177" in replies[1]  # the old phone is told where the code went
    code_message = client.application.extensions["puente.db"]
    with code_message.sessions() as s:
        assert s.scalars(select(Message.to_address).where(
            Message.body.contains(CODE))).one() == "+16175550177"

    # The code from the old phone does not count.
    assert text(client, "+16175550261", CODE) == [
        "Por favor, envíe este código desde el teléfono nuevo, +1 617-555-0177, no desde este."]
    # A wrong code from the new phone counts an attempt.
    assert text(client, "+16175550177", "111111") == [
        "Ese código no es correcto. Puede intentarlo 4 veces más."]
    fresh(session)
    assert [n.address for n in session.get(type(rosa), rosa.id).active_numbers] == \
        ["+16175550261"]

    assert text(client, "+16175550177", f"mi código {CODE}") == [
        "¡Gracias! Desde ahora Lincoln Elementary enviará sus mensajes a este número."]
    fresh(session)
    contact = session.get(type(rosa), rosa.id)
    assert [n.address for n in contact.active_numbers] == ["+16175550177"]
    old = session.get(ContactNumber, old_id)
    assert old.detached_at is not None and "verified" not in (old.detached_reason or "")
    assert "+1 617-555-0177" in old.detached_reason
    new = contact.active_numbers[0]
    assert new.last_confirmed_at is not None and new.priority == 0
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "number.changed")).one()
    assert event.actor == "family" and "came back from it" in event.details["verified"]
    assert session.scalars(select(NumberCheck.state)).one() == "changed"
    # The conversation follows: the next text from the new phone lands in the same one.
    before = last_message_id(client.application)
    text(client, "+16175550177", "Gracias")
    with client.application.extensions["puente.db"].sessions() as s:
        incoming = s.scalars(select(Message).where(Message.id > before,
                                                   Message.direction == "in")).one()
        assert incoming.contact_id == rosa.id


@pytest.mark.parametrize(("language", "typed"), [
    ("prs", "۴۸۲۹۱۳"),  # Persian digits, as a Dari keyboard types them
    ("ar", "٤٨٢٩١٣"),  # Arabic-Indic digits
])
def test_a_code_typed_in_another_scripts_digits_counts(client, session, lincoln, language,
                                                       typed) -> None:
    family_ = family(session, lincoln, phone="+16175550262", language=language)
    session.commit()
    pending_check(session, family_)
    text(client, "+16175550262", "617-555-0178")

    text(client, "+16175550178", typed)

    fresh(session)
    assert [n.address for n in session.get(type(family_), family_.id).active_numbers] == \
        ["+16175550178"]


def test_an_expired_code_and_too_many_attempts_change_nothing(client, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550271")
    session.commit()
    pending_check(session, rosa)
    text(client, "+16175550271", "nuevo: 617 555 0178")
    app = client.application
    before = last_message_id(app)
    post_signed(client, "/twilio/messages", inbound_form("+16175550178", CODE))
    with app.extensions["puente.db"].unit_of_work() as s:
        process_pending(s, config=app.config["PUENTE"], now=utcnow() + timedelta(hours=25))
    assert auto_replies_after(app, before)[0].startswith("Este código venció")

    text(client, "+16175550271", "nuevo: 617 555 0179")
    for attempt in range(4):
        assert "más" in text(client, "+16175550179", f"00000{attempt}")[0]
    assert text(client, "+16175550179", "000009")[0].startswith("Demasiados códigos")
    text(client, "+16175550179", CODE)  # too late: an ordinary text now
    fresh(session)
    assert [n.address for n in session.get(type(rosa), rosa.id).active_numbers] == \
        ["+16175550271"]
    assert sorted(session.scalars(select(NumberVerification.state))) == ["expired", "failed"]


@pytest.mark.parametrize(("reply", "start"), [
    ("617-555-0181 o 617-555-0182", "Su mensaje tiene más de un número"),
    ("+52 55 1234 5678", "Lincoln Elementary solo puede enviar mensajes a números de "
                         "Estados Unidos"),
    ("617-555-0100", "Ese es el número de la escuela"),
    ("1-800-555-0199", "1-800-555-0199 no puede recibir mensajes de texto"),
    ("mi número es 555-0123-99999", "555-0123-99999 no es un número"),
])
def test_unusable_numbers_get_a_clear_answer_and_change_nothing(
        client, session, lincoln, reply, start) -> None:
    rosa = family(session, lincoln, phone="+16175550291")
    session.commit()
    pending_check(session, rosa)
    replies = text(client, "+16175550291", reply)
    assert len(replies) == 1 and replies[0].startswith(start), replies
    fresh(session)
    assert session.scalars(select(NumberVerification)).all() == []
    assert session.scalars(select(NumberCheck.state)).one() == "pending"
    assert [n.address for n in session.get(type(rosa), rosa.id).active_numbers] == \
        ["+16175550291"]


def test_wrong_person_detaches_the_number_and_lists_the_household(client, session,
                                                                  lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550301")
    session.commit()
    pending_check(session, rosa)
    assert text(client, "+16175550301", "Número equivocado, no conozco a Juan") == [
        "Gracias por avisarnos. Lincoln Elementary no volverá a escribir a este número sobre "
        "esta familia."]
    fresh(session)
    number = session.get(ContactNumber, rosa.numbers[0].id)
    assert number.detached_at is not None  # kept in history, never deleted
    follow_up = session.scalars(select(FollowUp)).one()
    assert (follow_up.household_id, follow_up.reason) == (rosa.household_id, "wrong_person")
    assert run_checks(session, config=client.application.config["PUENTE"],
                      now=utcnow() + timedelta(days=30)).due == []


def test_an_ordinary_text_during_a_check_goes_to_the_liaison(client, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550311")
    session.commit()
    pending_check(session, rosa)
    text(client, "+16175550311", "No entiendo, ¿quién es?")
    fresh(session)
    assert session.scalars(select(NumberCheck.state)).one() == "pending"
    assert session.get(ContactNumber, rosa.numbers[0].id).detached_at is None


# Dead numbers from the provider --------------------------------------------------------------

def _status(client, message_id: int, code: int) -> None:
    form = {"MessageSid": f"SM{message_id:032d}", "MessageStatus": "undelivered",
            "ErrorCode": str(code), "AccountSid": "AC" + "0" * 32}
    response = post_signed(client, f"/twilio/status?m={message_id}", form)
    assert response.status_code in (200, 204), response.text


def _sent(session, contact) -> int:
    message = Message(contact_id=contact.id, school_id=contact.household.school_id,
                      direction="out", kind="chat", channel="sms", from_address="+16175550100",
                      to_address=contact.numbers[0].address, body="x", status="sent")
    session.add(message)
    session.commit()
    return message.id


def test_a_dead_number_puts_the_household_on_the_follow_up_list(client, session,
                                                                lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550321")
    session.commit()
    _status(client, _sent(session, rosa), 30005)
    fresh(session)
    assert session.get(type(rosa), rosa.id).status == "stale"
    assert session.scalars(select(FollowUp.reason)).one() == "dead_number"


def test_unreachable_counts_only_after_the_threshold(client, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550331")
    session.commit()
    for _ in range(2):
        _status(client, _sent(session, rosa), 30003)
    fresh(session)
    assert session.get(type(rosa), rosa.id).status == "active"
    _status(client, _sent(session, rosa), 30003)
    fresh(session)
    assert session.get(type(rosa), rosa.id).status == "stale"


def test_a_code_that_cannot_reach_a_landline_is_answered_on_the_old_phone(
        client, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550341")
    session.commit()
    pending_check(session, rosa)
    text(client, "+16175550341", "617 555 0342")
    fresh(session)
    verification = session.scalars(select(NumberVerification)).one()
    before = last_message_id(client.application)
    _status(client, verification.code_message_id, 30006)
    replies = auto_replies_after(client.application, before)
    assert replies == ["+1 617-555-0342 no puede recibir mensajes de texto. Por favor, envíe un "
                       "número de celular."]
    fresh(session)
    assert session.scalars(select(NumberVerification.state)).one() == "failed"
    assert session.get(type(rosa), rosa.id).status == "active"  # its own number still works


def test_a_check_whose_number_opted_out_is_canceled_not_reminded(app, session, lincoln) -> None:
    rosa = family(session, lincoln, phone="+16175550351")
    session.commit()
    pending_check(session, rosa, NIGHT)
    rosa.numbers[0].opted_out_at = NIGHT + timedelta(days=1)
    session.commit()
    report = run_checks(session, config=app.config["PUENTE"], now=NIGHT + timedelta(days=7))
    session.commit()
    assert (report.reminded, report.went_stale) == (0, 0)
    assert session.scalars(select(NumberCheck.state)).one() == "canceled"
    assert session.scalars(select(Message)).all() == []
