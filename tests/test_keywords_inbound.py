"""Keywords of every language on inbound texts: Puente honours its own opt-outs and opt-ins."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import ContactNumber
from tests.factories import fresh, make_contact, text

PHONE = "+16175550143"


def opted_out_at(session):
    fresh(session)
    return session.scalars(select(ContactNumber.opted_out_at)
                           .where(ContactNumber.address == PHONE)).one()


@pytest.mark.parametrize(("language", "stop", "start", "name"), [
    ("ru", "СТОП", "старт", "Ivan Petrov"),
    ("uk", "Відписатися", "СТАРТ", "Olena Kovalenko"),
    ("ko", "수신거부", "수신 동의", "Kim Minji"),
    ("sw", "Sitisha", "Anza", "Amina Juma"),
    ("hmn", "Nres", "Pib", "Mai Vang"),
    ("prs", "لغو اشتراک", "شروع", "Ahmad Rahimi"),
    ("tl", "Itigil", "Simulan", "Maria Santos"),
])
def test_a_familys_own_opt_out_and_opt_in_words_are_honoured(client, session, lincoln,
                                                            language, stop, start,
                                                            name) -> None:
    make_contact(session, lincoln, name=name, language=language, phone=PHONE)
    session.commit()

    [confirmation] = text(client, PHONE, stop)
    assert "Lincoln Elementary" in confirmation
    assert opted_out_at(session) is not None

    [welcome_back] = text(client, PHONE, start)
    assert "Lincoln Elementary" in welcome_back
    assert opted_out_at(session) is None


@pytest.mark.parametrize(("language", "body"), [
    ("ru", "не могу остановиться"),
    ("ru", "Стоп, я перепутала день собрания"),
    ("tl", "Hindi tumigil ang bus sa kanto namin kanina"),
    ("ko", "수신거부 어떻게 하나요?"),
    ("hmn", "Lub tsheb npav tsis nres ntawm peb lub tsev"),
    ("sw", "Mwalimu, naomba msaada wa kujaza fomu"),
])
def test_a_sentence_containing_an_opt_out_word_does_not_opt_out(client, session, lincoln,
                                                                language, body) -> None:
    make_contact(session, lincoln, language=language, phone=PHONE)
    session.commit()
    text(client, PHONE, body)
    assert opted_out_at(session) is None
