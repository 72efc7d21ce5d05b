"""Offline language detection of short family texts."""

from __future__ import annotations

import pytest

from bot.language import CERTAIN_AT, detect_language


@pytest.mark.parametrize(("text", "language"), [
    ("Con tôi bị ốm hôm nay", "vi"),
    ("cám ơn cô", "vi"),
    ("Mấy giờ họp phụ huynh?", "vi"),
    ("Hola, mi hijo está enfermo hoy", "es"),
    ("¿Cuándo es la junta de padres?", "es"),
    ("mi niño tiene fiebre", "es"),
    ("Bom dia, meu filho não vai à escola hoje", "pt"),
    ("minha filha está doente", "pt"),
    ("Mwen pa ka vini jodi a", "ht"),
    ("Pitit mwen malad jodi a", "ht"),
    ("Mèsi anpil", "ht"),
    ("M ap vin chèche l pi bonè", "ht"),
    ("مرحبا ابني مريض اليوم", "ar"),
    ("متى الاجتماع؟", "ar"),
    ("谢谢老师", "zh-Hans"),
    ("这个星期五学校开门吗？", "zh-Hans"),
    ("謝謝老師", "zh-Hant"),
    ("會議幾點開始？", "zh-Hant"),
    ("我的孩子今天生病了", "zh"),  # no character tells the two scripts apart
    ("Wiilkayga maanta waa jiran yahay", "so"),
    ("Mahadsanid", "so"),
    ("My son is sick today", "en"),
    ("What time is the meeting?", "en"),
    ("Mon fils est malade aujourd'hui", "fr"),
    ("안녕하세요", "ko"),
    ("Здравствуйте, мой сын болеет", "ru"),
])
def test_short_family_texts_are_detected_with_certainty(text: str, language: str) -> None:
    detection = detect_language(text)
    assert detection.language == language
    assert detection.certain and detection.confidence >= CERTAIN_AT


@pytest.mark.parametrize("text", ["", "   ", "👍", "🙏🙏", "123", "?!", "ok"])
def test_empty_emoji_or_letterless_text_has_no_language(text: str) -> None:
    detection = detect_language(text)
    assert detection.language is None and detection.certain is False


@pytest.mark.parametrize("text", [
    "Hola",  # Spanish, but also a greeting anyone types
    "yes",
    "Oui merci",
    "Hi, this is Nguyễn's mom",  # a Vietnamese name in English text is not Vietnamese
])
def test_ambiguous_short_texts_are_not_certain(text: str) -> None:
    assert detect_language(text).certain is False


@pytest.mark.parametrize(("text", "language"), [
    ("ሰላም", "am"),  # Ge'ez script: Amharic or Tigrinya
    ("नमस्ते", "ne"),  # Devanagari: Nepali or Hindi
    ("سلام", "ar"),  # Arabic script without a letter particular to one language
])
def test_a_script_shared_by_several_languages_gives_a_guess_not_a_certainty(
        text: str, language: str) -> None:
    detection = detect_language(text)
    assert detection.language == language and detection.certain is False


@pytest.mark.parametrize(("text", "candidates", "language"), [
    ("ሰላም", ["ti", "en"], "ti"),  # the household speaks one of the script's languages
    ("سلام", ["fa", "en"], "fa"),
    ("Hola, mi hijo está enfermo hoy", ["mix", "es-MX"], "es-MX"),
])
def test_candidates_settle_the_answer_among_the_household_languages(
        text: str, candidates: list[str], language: str) -> None:
    detection = detect_language(text, candidates)
    assert detection.language == language and detection.certain


def test_a_text_in_none_of_the_candidates_has_no_language() -> None:
    detection = detect_language("Hola, mi hijo está enfermo hoy", ["mix", "vi"])
    assert detection.language is None and detection.certain is False


@pytest.mark.parametrize(("text", "language"), [
    ("سلام، پسرم امروز مریض است", "fa"),
    ("آپ کا شکریہ", "ur"),
    ("ສະບາຍດີ", "lo"),
    ("ありがとう", "ja"),
])
def test_letters_particular_to_one_language_decide_it(text: str, language: str) -> None:
    assert detect_language(text).language == language
