"""BCP 47 tags: canonical spelling, validation, who speaks what, and language names."""

from __future__ import annotations

import pytest
from babel import localedata

from bot.languages import (
    SPOKEN_ONLY,
    autonym,
    english_name,
    gettext_locale,
    has_locale_data,
    normalize_tag,
    speaks,
)


@pytest.mark.parametrize(("raw", "canonical"), [
    ("ES", "es"),
    ("pt_br", "pt-BR"),
    ("zh-hans", "zh-Hans"),
    ("zh_Hans", "zh-Hans"),
    (" es-mx ", "es-MX"),
    ("es-419", "es-419"),
    ("sr-latn-rs", "sr-Latn-RS"),
    ("mix", "mix"),
    ("MIX-mx", "mix-MX"),
    ("quc", "quc"),
    ("ht", "ht"),
    ("und", "und"),
])
def test_tags_are_written_canonically(raw: str, canonical: str) -> None:
    assert normalize_tag(raw) == canonical


@pytest.mark.parametrize("raw", ["xx", "qqq", "zh-Hanx", "es-QQ"])
def test_unknown_language_script_or_region_is_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match=f"unknown language tag '{raw}'"):
        normalize_tag(raw)


@pytest.mark.parametrize("raw", ["", "e", "english", "es--MX", "es_MX_", "1234", "e$"])
def test_malformed_tag_is_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="invalid language tag"):
        normalize_tag(raw)


@pytest.mark.parametrize("code", sorted(SPOKEN_ONLY))
def test_declared_spoken_only_languages_really_lack_babel_data(code: str) -> None:
    # If Babel gains data for one of them, its entry should go: Babel's names win then.
    assert not localedata.exists(code)
    assert has_locale_data(code) is False
    assert normalize_tag(code) == code


@pytest.mark.parametrize(("tag", "expected"), [
    ("es", True), ("es-MX", True), ("ht", True), ("quc", True), ("zh-Hans", True),
    ("pt-BR", True), ("mix", False), ("mam", False), ("kjb", False), ("hmn", False),
    ("und", False),
])
def test_has_locale_data_follows_babel(tag: str, expected: bool) -> None:
    assert has_locale_data(tag) is expected


@pytest.mark.parametrize(("tag", "locale"), [
    ("zh-Hans", "zh_Hans"), ("pt-BR", "pt_BR"), ("es", "es"), ("pt_br", "pt_BR"),
])
def test_gettext_locale_uses_underscores(tag: str, locale: str) -> None:
    assert gettext_locale(tag) == locale


@pytest.mark.parametrize(("spoken", "tag", "expected"), [
    (["es"], "es-MX", True),
    (["es-MX"], "es", True),
    (["pt-BR"], "pt", True),
    (["pt-PT"], "pt-BR", True),
    (["zh"], "zh-Hans", True),
    (["zh"], "zh-Hant", True),
    (["zh-Hans"], "zh", True),
    (["zh-Hans"], "zh-Hant", False),
    (["zh-TW"], "zh-Hans", False),  # Taiwan writes Traditional characters
    (["zh-TW"], "zh-Hant", True),
    (["zh-SG"], "zh-Hans", True),
    (["en", "es"], "fr", False),
    (["mix", "es"], "mix", True),
    ([], "es", False),
    (["prs"], "fa", True),  # Dari is Persian as written in Afghanistan (CLDR fa_AF)
    (["fa"], "prs", True),
    (["prs"], "ps", False),  # Pashto is another language, in the same script
])
def test_speaking_a_language_ignores_region_but_not_script(spoken: list[str], tag: str,
                                                          expected: bool) -> None:
    assert speaks(spoken, tag) is expected


@pytest.mark.parametrize(("tag", "english", "own"), [
    ("es", "Spanish", "español"),
    ("ht", "Haitian Creole", "Kreyòl ayisyen"),
    ("pt", "Portuguese", "português"),
    ("pt-BR", "Portuguese (Brazil)", "português (Brasil)"),
    ("vi", "Vietnamese", "Tiếng Việt"),
    ("ar", "Arabic", "العربية"),
    ("zh-Hans", "Chinese (Simplified)", "中文（简体）"),
    ("zh-Hant", "Chinese (Traditional)", "中文（繁體）"),
    ("so", "Somali", "Soomaali"),
    ("fr", "French", "français"),
    ("en", "English", "English"),
    ("mix", "Mixtec", "Mixtec"),
    ("mix-MX", "Mixtec (Mexico)", "Mixtec (Mexico)"),
    ("hmn", "Hmong", "Hmoob"),
    ("kjb", "Qʼanjobʼal", "Qʼanjobʼal"),
])
def test_languages_are_named_in_english_and_in_themselves(tag: str, english: str,
                                                          own: str) -> None:
    assert english_name(tag) == english
    assert autonym(tag) == own
