"""Right-to-left texts: left-to-right values isolated, no overrides, every isolate closed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bidi import FSI, PDI, clean, is_right_to_left, isolate
from bot.models import Message
from tests.factories import csrf_token, fresh, login, make_contact, make_user, text

RLO, LRE, PDF, LRI, RLM = "\u202e", "\u202a", "\u202c", "\u2066", "\u200f"


def balanced(body: str) -> bool:
    """Every line opens and closes its isolates in order and has no embeddings/overrides."""
    for line in body.split("\n"):
        depth = 0
        for char in line:
            if char in "\u202a\u202b\u202c\u202d\u202e":
                return False
            depth += char in "\u2066\u2067\u2068"
            depth -= char == PDI
            if depth < 0:
                return False
        if depth:
            return False
    return True


@pytest.mark.parametrize(("tag", "rtl"), [
    ("ar", True), ("fa-AF", True), ("prs", True), ("ps", True), ("fa", True),
    ("en", False), ("es", False), ("ksw", False), ("hmn", False), ("zh-Hant", False),
])
def test_right_to_left_languages(tag: str, rtl: bool) -> None:
    assert is_right_to_left(tag) is rtl


@pytest.mark.parametrize(("raw", "cleaned"), [
    (f"abc{RLO}gpj.exe", "abcgpj.exe"),  # an override that disguises a file name
    (f"{LRE}x{PDF} y", "x y"),
    (f"{FSI}open", f"{FSI}open{PDI}"),  # closed at the end of the line
    (f"a{FSI}b\nc", f"a{FSI}b{PDI}\nc"),
    (f"stray{PDI} close", "stray close"),
    (f"{LRI}a{FSI}b{PDI}", f"{LRI}a{FSI}b{PDI}{PDI}"),
    (f"مرحبا{RLM}!", f"مرحبا{RLM}!"),  # marks are kept
    ("plain text", "plain text"),
])
def test_clean_removes_overrides_and_balances_isolates(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned
    assert balanced(clean(raw))


def test_only_values_with_left_to_right_text_are_isolated() -> None:
    assert isolate("(617) 555-0100") == f"{FSI}(617) 555-0100{PDI}"
    assert isolate("مدرسة لينكولن") == "مدرسة لينكولن"
    assert isolate(f"x{RLO}y") == f"{FSI}xy{PDI}"


def test_arabic_help_reply_isolates_the_phone_number_and_school(client, session,
                                                               lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550401", language="ar")
    session.commit()

    [reply] = text(client, "+16175550401", "مساعدة")

    assert f"{FSI}+1 617-555-0199{PDI}" in reply
    assert f"{FSI}Lincoln Elementary{PDI}" in reply
    assert balanced(reply)


def test_english_help_reply_carries_no_marks(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550402", language="en")
    session.commit()
    [reply] = text(client, "+16175550402", "HELP")
    assert not set(reply) & {FSI, PDI, RLO}


def test_a_liaison_reply_is_sent_without_an_override(client, session, lincoln) -> None:
    make_contact(session, lincoln, phone="+16175550403", language="ar")
    liaison = make_user(session, "Amal Haddad", languages=["ar", "en"], schools=[lincoln])
    session.commit()
    text(client, "+16175550403", "السلام عليكم")
    login(client, liaison)
    url = "/conversations/1"
    hostile = f"الموعد {RLO}0010-555 (617){PDF} غدا {FSI}"
    response = client.post(url + "/reply", data={"body": hostile,
                                                 "csrf_token": csrf_token(client, url)})
    assert response.status_code in (200, 302)

    fresh(session)
    sent = session.scalars(select(Message).where(Message.direction == "out")
                           .order_by(Message.id.desc())).first()
    assert sent.body == f"الموعد 0010-555 (617) غدا {FSI}{PDI}"
    assert balanced(sent.body)
    # The liaison's page lets the browser set each message's direction from its own text.
    page = client.get(url).text
    assert '<div class="body" dir="auto" lang="ar">السلام عليكم</div>' in page
