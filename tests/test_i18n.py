"""Family-facing texts: catalogs, placeholders, language fallback, plurals, review state."""

from __future__ import annotations

import gettext
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import i18n, texts
from bot.i18n import family_ntext, family_text, review_state
from bot.keywords import match_keyword

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CATALOGS = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
SCHOOL = {"school": "Lincoln Elementary"}


def read_catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def named_texts() -> list[str | tuple[str, str]]:
    return [v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str | tuple)]


def test_the_demo_languages_all_have_a_catalog() -> None:
    assert CATALOGS == ["ar", "es", "fr", "ht", "pt_BR", "so", "vi", "zh_Hans"]


def test_messages_pot_is_up_to_date_with_bot_texts() -> None:
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = read_po(f)
    in_pot = {m.id for m in template if m.id}
    assert {t if isinstance(t, str) else tuple(t) for t in named_texts()} <= in_pot


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_catalog_parses_compiles_and_translates_every_text(locale: str) -> None:
    catalog = read_catalog(locale)
    assert not list(catalog.check())
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=True)
    buffer.seek(0)
    gettext.GNUTranslations(buffer)
    for text in named_texts():
        message = catalog.get(text if isinstance(text, str) else text[0])
        assert message is not None and message.string, (locale, text)


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_translation_has_exactly_the_placeholders_of_its_msgid(locale: str) -> None:
    for message in read_catalog(locale):
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert placeholders(message.string) == placeholders(message.id), message.id
            continue
        # A plural form may leave the number out ("دقيقة واحدة"), but no form adds one and
        # together they use them all.
        wanted = placeholders(message.id[1])
        forms = [placeholders(form) for form in message.string]
        assert all(form <= wanted for form in forms), message.id
        assert set().union(*forms) == wanted, message.id


@pytest.mark.parametrize(("locale", "plural_forms"), [
    ("ar", "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
           "n%100>=0 && n%100<=2 ? 4 : 5);"),
    ("es", "nplurals=2; plural=(n != 1);"),
    ("fr", "nplurals=2; plural=(n > 1);"),
    ("ht", "nplurals=2; plural=(n > 1);"),  # CLDR's rule; Babel's table lacks ht
    ("pt_BR", "nplurals=2; plural=(n > 1);"),
    ("so", "nplurals=2; plural=(n != 1);"),
    ("vi", "nplurals=1; plural=0;"),
    ("zh_Hans", "nplurals=1; plural=0;"),
])
def test_catalogs_declare_the_cldr_plural_forms(locale: str, plural_forms: str) -> None:
    assert read_catalog(locale).plural_forms == plural_forms


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_drafted_translation_is_marked_fuzzy(locale: str) -> None:
    for message in read_catalog(locale):
        if message.id:
            assert message.fuzzy, (locale, message.id)


@pytest.mark.parametrize("locale", CATALOGS)
def test_translated_help_names_an_opt_out_keyword_the_bot_understands(locale: str) -> None:
    language = locale.replace("_", "-")
    for msgid in (texts.HELP, texts.HELP_WITH_PHONE, texts.OPTED_IN):
        text, used = family_text(msgid, [language], phone="+1 617-555-0199", **SCHOOL)
        assert used == language
        words = re.split(r"[\s,.:;!?،。，：“”\"]+", text)
        kinds = {m.kind for m in map(match_keyword, words) if m is not None}
        assert "opt_out" in kinds, (locale, text)
    text, _ = family_text(texts.OPTED_OUT, [language], **SCHOOL)
    assert "START" in text and match_keyword("START").kind == "opt_in"


@pytest.mark.parametrize(("languages", "expected_language", "expected_start"), [
    (["es", "en"], "es", "Ya no recibirá"),
    (["mix", "es", "en"], "es", "Ya no recibirá"),  # Mixtec has no catalog: its fallback
    (["mix", "en"], "en", "You will no longer"),
    (["es-MX", "en"], "es", "Ya no recibirá"),  # a regional tag reads the language's catalog
    (["pt", "en"], "pt-BR", "Você não vai mais"),
    (["zh", "en"], "zh-Hans", "此号码"),
    (["zh-TW", "en"], "en", "You will no longer"),  # Traditional readers do not get Simplified
    (["en"], "en", "You will no longer"),
    (["und", "en"], "en", "You will no longer"),
    ([], "en", "You will no longer"),
])
def test_family_text_uses_the_first_language_that_translates_it(
        languages: list[str], expected_language: str, expected_start: str) -> None:
    text, language = family_text(texts.OPTED_OUT, languages, **SCHOOL)
    assert language == expected_language
    assert text.startswith(expected_start) and "Lincoln Elementary" in text


@pytest.mark.parametrize(("n", "expected"), [
    (1, "خلال دقيقة واحدة."), (2, "خلال دقيقتين."), (5, "خلال 5 دقائق."), (11, "خلال 11 دقيقة."),
])
def test_family_ntext_follows_arabic_plural_forms(n: int, expected: str) -> None:
    text, language = family_ntext(*texts.VERIFY_CODE, n, ["ar"], code="4821", minutes=n,
                                  **SCHOOL)
    assert language == "ar" and text.endswith(expected) and "4821" in text


@pytest.mark.parametrize(("languages", "n", "expected"), [
    (["fr"], 0, "0 minute."), (["fr"], 1, "1 minute."), (["fr"], 2, "2 minutes."),
    (["en"], 1, "1 minute."), (["en"], 0, "0 minutes."), (["vi"], 10, "10 phút."),
    (["mix", "en"], 10, "10 minutes."),
])
def test_family_ntext_picks_the_form_for_n(languages: list[str], n: int, expected: str) -> None:
    text, _ = family_ntext(*texts.VERIFY_CODE, n, languages, code="4821", minutes=n, **SCHOOL)
    assert text.endswith(expected)


@pytest.mark.parametrize(("tag", "state"), [
    ("es", "drafted"), ("ht", "drafted"), ("zh-Hans", "drafted"), ("es-MX", "drafted"),
    ("mix", "missing"), ("en", "reviewed"),
])
def test_review_state_reports_fuzzy_entries_as_drafted(tag: str, state: str) -> None:
    assert review_state(texts.ACK_NOBODY_ON_DUTY, tag) == state


def write_po(root: Path, locale: str, entries: list[tuple[str, str, bool]]) -> None:
    body = ['msgid ""', 'msgstr ""', f'"Language: {locale}\\n"',
            '"Content-Type: text/plain; charset=utf-8\\n"', ""]
    for msgid, msgstr, fuzzy in entries:
        body += (["#, fuzzy"] if fuzzy else []) + [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    directory = root / locale / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "messages.po").write_text("\n".join(body), encoding="utf-8")


@pytest.fixture
def small_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_po(tmp_path, "es", [("Hello {school}", "Hola {school}", False),
                              ("Broken {school}", "Roto {escuela}", True)])
    write_po(tmp_path, "fr", [("Hello {school}", "Bonjour {school}", True),
                              ("Bye {school}", "Au revoir {school}", True),
                              ("Broken {school}", "Cassé {school}", True)])
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    return tmp_path


def test_a_msgid_missing_in_one_language_falls_back_to_the_next(small_catalogs: Path) -> None:
    assert family_text("Bye {school}", ["es", "fr", "en"], school="X") == ("Au revoir X", "fr")
    assert family_text("Hello {school}", ["es", "fr", "en"], school="X") == ("Hola X", "es")
    assert family_text("Unknown {school}", ["es", "fr"], school="X") == ("Unknown X", "en")


def test_a_translation_that_does_not_format_falls_back(small_catalogs: Path) -> None:
    assert family_text("Broken {school}", ["es", "fr"], school="X") == ("Cassé X", "fr")


def test_review_state_tells_reviewed_drafted_and_missing_apart(small_catalogs: Path) -> None:
    assert review_state("Hello {school}", "es") == "reviewed"
    assert review_state("Hello {school}", "fr") == "drafted"
    assert review_state("Bye {school}", "es") == "missing"
