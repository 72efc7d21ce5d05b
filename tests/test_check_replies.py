"""Replies to a number check, read across the household's languages: 60+ real-looking
answers, with and without accents, any case, extra words and mixed languages."""

from __future__ import annotations

import pytest

from bot.freshness.parse import parse_check_reply

CURRENT = "+16175550143"
SCHOOL = ["+16175550100"]

# (reply, household languages, outcome, new number if any)
REPLIES = [
    # English
    ("YES", ["en"], "confirm", None),
    ("yes", ["en"], "confirm", None),
    ("Yes!", ["en"], "confirm", None),
    ("yes thank you", ["en"], "confirm", None),
    ("Yep that's right", ["en"], "confirm", None),
    ("ok", ["en"], "confirm", None),
    ("1", ["en"], "confirm", None),
    ("still my number", ["en"], "confirm", None),
    ("WRONG", ["en"], "wrong_number", None),
    ("wrong number sorry", ["en"], "wrong_number", None),
    ("not my family", ["en"], "wrong_number", None),
    ("No", ["en"], "wrong_number", None),
    ("no, same number", ["en"], "none", None),
    ("who is this?", ["en"], "none", None),
    ("I have 1 kid there", ["en"], "none", None),
    ("new number 857-555-0123", ["en"], "new_number", "+18575550123"),
    ("(857) 555-0123", ["en"], "new_number", "+18575550123"),
    ("+1 857 555 0123", ["en"], "new_number", "+18575550123"),
    # Spanish
    ("Sí", ["es"], "confirm", None),
    ("si", ["es"], "confirm", None),
    ("SI GRACIAS", ["es"], "confirm", None),
    ("sí, es mi número", ["es"], "confirm", None),
    ("Correcto 👍", ["es"], "confirm", None),
    ("claro que si", ["es"], "confirm", None),
    ("no", ["es"], "wrong_number", None),
    ("No es mi número", ["es"], "wrong_number", None),
    ("numero equivocado", ["es"], "wrong_number", None),
    ("no es mi familia, no conozco a Juan", ["es"], "wrong_number", None),
    ("no entiendo", ["es"], "none", None),
    ("mi nuevo numero es 857 555 0123", ["es"], "new_number", "+18575550123"),
    ("cambie de cel, ahora es el 8575550123", ["es"], "new_number", "+18575550123"),
    ("ya no uso este, el nuevo es 857-555-0123 y el de mi esposo 857-555-0124", ["es"],
     "two_numbers", None),
    ("mi número en México es +52 55 1234 5678", ["es"], "foreign_number", "+525512345678"),
    ("llamen a la escuela al 617-555-0100", ["es"], "school_number", "+16175550100"),
    ("es el 617 555 0143", ["es"], "same_number", "+16175550143"),
    # Spanglish and mixed households
    ("yes es mi numero", ["es"], "confirm", None),
    ("Si yes", ["es", "en"], "confirm", None),
    ("ok gracias", ["es"], "confirm", None),
    ("sí pero wrong number para Juan", ["es"], "none", None),
    # Haitian Creole
    ("WI", ["ht"], "confirm", None),
    ("wi mèsi", ["ht"], "confirm", None),
    ("Wi se menm nimewo a", ["ht"], "confirm", None),
    ("move nimewo", ["ht"], "wrong_number", None),
    ("se pa fanmi mwen", ["ht"], "wrong_number", None),
    ("oui c'est correct", ["ht", "fr"], "confirm", None),
    ("nouvo nimewo m se 857 555 0123", ["ht"], "new_number", "+18575550123"),
    # Portuguese (Brazil)
    ("SIM", ["pt-BR"], "confirm", None),
    ("sim, obrigada", ["pt-BR"], "confirm", None),
    ("Não", ["pt-BR"], "wrong_number", None),
    ("nao", ["pt-BR"], "wrong_number", None),
    ("número errado", ["pt-BR"], "wrong_number", None),
    ("meu novo número é 857-555-0123", ["pt-BR"], "new_number", "+18575550123"),
    # Vietnamese
    ("Có", ["vi"], "confirm", None),
    ("co a", ["vi"], "confirm", None),
    ("Đúng rồi", ["vi"], "confirm", None),
    ("sai số", ["vi"], "wrong_number", None),
    ("số mới của tôi là 857 555 0123", ["vi"], "new_number", "+18575550123"),
    # Arabic
    ("نعم", ["ar"], "confirm", None),
    ("نعم شكرا", ["ar"], "confirm", None),
    ("رقم خطأ", ["ar"], "wrong_number", None),
    ("رقمي الجديد 857-555-0123", ["ar"], "new_number", "+18575550123"),
    # Chinese
    ("是的", ["zh-Hans"], "confirm", None),
    ("对", ["zh-Hans"], "confirm", None),
    ("不是", ["zh-Hans"], "wrong_number", None),
    ("打错了", ["zh-Hans"], "wrong_number", None),
    ("新号码 857-555-0123", ["zh-Hans"], "new_number", "+18575550123"),
    # Somali
    ("HAA", ["so"], "confirm", None),
    ("haa waa sax", ["so"], "confirm", None),
    ("lambar qalad", ["so"], "wrong_number", None),
    # French
    ("OUI", ["fr"], "confirm", None),
    ("oui merci", ["fr"], "confirm", None),
    ("Non", ["fr"], "wrong_number", None),
    ("mauvais numéro", ["fr"], "wrong_number", None),
    ("mon nouveau numéro: 857.555.0123", ["fr"], "new_number", "+18575550123"),
    # Only the household's languages (and English) count: SIM is Portuguese, not Spanish.
    ("sim", ["es"], "none", None),
    # Numbers that are not usable
    ("1-800-555-0199", ["en"], "not_mobile", "+18005550199"),
    ("123456789", ["en"], "not_a_number", None),
]


def test_the_table_is_big_enough() -> None:
    assert len(REPLIES) >= 60
    assert len({langs[0] for _, langs, _, _ in REPLIES}) >= 9


@pytest.mark.parametrize(("reply", "languages", "outcome", "number"), REPLIES,
                         ids=[r[0] for r in REPLIES])
def test_reply_is_read(reply: str, languages: list[str], outcome: str,
                       number: str | None) -> None:
    parsed = parse_check_reply(reply, languages=languages, country="US", current=CURRENT,
                               school_numbers=SCHOOL)
    assert (parsed.outcome, parsed.number) == (outcome, number), parsed.reason
