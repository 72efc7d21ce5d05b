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


# The demo's languages, then the other written languages of families (Cape Verdean Creole,
# Traditional Chinese, Russian, Ukrainian, Korean, Tagalog/Filipino, Nepali, Swahili).
DEMO_LANGUAGES = ["ar", "es", "fr", "ht", "pt_BR", "so", "vi", "zh_Hans"]
MORE_LANGUAGES = ["kea", "ko", "ne", "ru", "sw", "tl", "uk", "zh_Hant"]


def test_the_demo_languages_all_have_a_catalog() -> None:
    assert set(DEMO_LANGUAGES) <= set(CATALOGS)


def test_the_other_family_languages_have_a_catalog() -> None:
    assert set(MORE_LANGUAGES) <= set(CATALOGS)


def test_messages_pot_is_up_to_date_with_bot_texts() -> None:
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = read_po(f)
    in_pot = {m.id for m in template if m.id}
    assert {t if isinstance(t, str) else tuple(t) for t in named_texts()} <= in_pot


def test_every_family_text_tells_translators_its_context() -> None:
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = read_po(f)
    comments = {m.id: " ".join(m.auto_comments) for m in template if m.id}
    for text in named_texts():
        key = text if isinstance(text, str) else tuple(text)
        assert comments[key].startswith("TRANSLATORS:") and len(comments[key]) > 40, key


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
    ("kea", "nplurals=1; plural=0;"),  # CLDR: one form; Babel's table lacks kea
    ("ko", "nplurals=1; plural=0;"),
    ("ne", "nplurals=2; plural=(n != 1);"),
    ("ru", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
           "(n%100<10 || n%100>=20) ? 1 : 2);"),
    ("sw", "nplurals=2; plural=(n != 1);"),
    # CLDR's rule for fil (tl is its alias); Babel's table lacks both
    ("tl", "nplurals=2; plural=(n != 1 && n != 2 && n != 3 && (n%10 == 4 || n%10 == 6 || "
           "n%10 == 9));"),
    ("uk", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
           "(n%100<10 || n%100>=20) ? 1 : 2);"),
    ("zh_Hant", "nplurals=1; plural=0;"),
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
        words = re.split(r"[\s,.:;!?،。，：“”「」\"]+", text)
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
    (["zh-TW", "en"], "zh-Hant", "此號碼"),  # Traditional readers get Traditional, not Simplified
    (["zh-HK", "en"], "zh-Hant", "此號碼"),
    (["zh-Hant", "en"], "zh-Hant", "此號碼"),
    (["tl", "en"], "tl", "Hindi na po kayo"),
    (["kea", "en"], "kea", "Nhos ka ta rasebe"),
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
    (1, "خلال ساعة واحدة."), (2, "خلال ساعتين."), (3, "خلال 3 ساعات."), (10, "خلال 10 ساعات."),
    (11, "خلال 11 ساعة."), (99, "خلال 99 ساعة."), (100, "خلال 100 ساعة."), (103, "خلال 103 ساعات."),
])
def test_family_ntext_follows_arabic_plural_forms(n: int, expected: str) -> None:
    text, language = family_ntext(*texts.VERIFY_CODE, n, ["ar"], code="4821", hours=n, **SCHOOL)
    assert language == "ar" and text.endswith(expected) and "4821" in text


@pytest.mark.parametrize(("languages", "n", "expected"), [
    (["fr"], 0, "0 heure."), (["fr"], 1, "1 heure."), (["fr"], 2, "2 heures."),
    (["en"], 1, "1 hour."), (["en"], 0, "0 hours."), (["vi"], 10, "10 giờ."),
    (["mix", "en"], 10, "10 hours."),
    (["ru"], 1, "1 час."), (["ru"], 3, "3 часа."), (["ru"], 11, "11 часов."),
    (["ru"], 21, "21 час."), (["ru"], 24, "24 часа."), (["uk"], 5, "5 годин."),
])
def test_family_ntext_picks_the_form_for_n(languages: list[str], n: int, expected: str) -> None:
    text, _ = family_ntext(*texts.VERIFY_CODE, n, languages, code="4821", hours=n, **SCHOOL)
    assert text.endswith(expected)


@pytest.mark.parametrize(("tag", "state"), [
    ("es", "drafted"), ("ht", "drafted"), ("zh-Hans", "drafted"), ("es-MX", "drafted"),
    ("zh-TW", "drafted"), ("tl", "drafted"),
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


# -- Dari, Pashto, Kinyarwanda, Tigrinya, Amharic, Burmese, S'gaw Karen, Hmong ------------

REFUGEE_LANGUAGES = ["am", "fa_AF", "hmn", "ksw", "my", "ps", "rw", "ti"]


def test_the_refugee_family_languages_have_a_catalog() -> None:
    assert set(REFUGEE_LANGUAGES) <= set(CATALOGS)


@pytest.mark.parametrize(("locale", "plural_forms"), [
    ("am", "nplurals=2; plural=(n > 1);"),  # CLDR; Babel's table lacks am (n != 1)
    ("fa_AF", "nplurals=2; plural=(n > 1);"),  # CLDR's fa rule; Babel's table says nplurals=1
    ("hmn", "nplurals=1; plural=0;"),  # no Babel data: written by hand, one form
    ("ksw", "nplurals=1; plural=0;"),  # no Babel data: written by hand, one form
    ("my", "nplurals=1; plural=0;"),  # CLDR; Babel's table lacks my (nplurals=2)
    ("ps", "nplurals=2; plural=(n != 1);"),
    ("rw", "nplurals=2; plural=(n != 1);"),  # CLDR has no rw rules; nouns do change (amasaha)
    ("ti", "nplurals=2; plural=(n > 1);"),  # CLDR; Babel's table lacks ti (n != 1)
])
def test_refugee_language_catalogs_declare_their_plural_forms(
        locale: str, plural_forms: str) -> None:
    assert read_catalog(locale).plural_forms == plural_forms


@pytest.mark.parametrize(("languages", "expected_language", "expected_start"), [
    (["hmn", "en"], "hmn", "Koj yuav tsis tau txais lus los ntawm Lincoln Elementary"),
    (["hmn-US", "en"], "hmn", "Koj yuav tsis tau txais lus los ntawm Lincoln Elementary"),
    (["ksw", "en"], "ksw", "နကတဒိးန့ၢ်လံာ်ပရၢလၢ Lincoln Elementary"),
    (["ksw-MM", "my", "en"], "ksw", "နကတဒိးန့ၢ်လံာ်ပရၢလၢ Lincoln Elementary"),
])
def test_hmong_and_karen_contacts_get_their_language_though_babel_has_no_data(
        languages: list[str], expected_language: str, expected_start: str) -> None:
    text, language = family_text(texts.OPTED_OUT, languages, **SCHOOL)
    assert language == expected_language
    assert text.startswith(expected_start) and "START" in text
    assert review_state(texts.OPTED_OUT, languages[0]) == "drafted"


@pytest.mark.parametrize("tag", ["hmn", "ksw", "my"])
@pytest.mark.parametrize("n", [0, 1, 2, 24])
def test_family_ntext_uses_the_single_form_of_a_one_form_catalog(tag: str, n: int) -> None:
    # Babel drops Plural-Forms when it compiles a catalog of a locale it has no data for
    # (hmn, ksw); gettext's default rule would then ask for msgstr[1] and answer in English.
    (form,) = read_catalog(tag).get(texts.VERIFY_CODE[0]).string
    text, language = family_ntext(*texts.VERIFY_CODE, n, [tag, "en"], code="482193", hours=n,
                                  **SCHOOL)
    assert language == tag
    assert text == form.format(code="482193", hours=n, **SCHOOL)
    assert "expires" not in text


def test_plural_forms_come_from_the_catalogs_own_header(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "ksw" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "messages.po").write_text("\n".join([
        'msgid ""', 'msgstr ""', '"Language: ksw\\n"',
        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"',
        '"Content-Type: text/plain; charset=utf-8\\n"', "",
        "#, fuzzy", 'msgid "{count} try"', 'msgid_plural "{count} tries"',
        'msgstr[0] "one {count}"', 'msgstr[1] "two {count}"', 'msgstr[2] "many {count}"', "",
    ]), encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    forms = [family_ntext("{count} try", "{count} tries", n, ["ksw"], count=n) for n in (1, 2, 3)]
    assert forms == [("one 1", "ksw"), ("two 2", "ksw"), ("many 3", "ksw")]


@pytest.mark.parametrize("tag", ["prs", "prs-AF", "fa-AF", "fa", "fa-IR"])
def test_dari_and_persian_contacts_read_the_dari_catalog(tag: str) -> None:
    # Dari is Persian as written in Afghanistan (CLDR: prs = fa_AF); with no Iranian fa
    # catalog, fa readers get the Dari text too rather than English.
    text, language = family_text(texts.NUMBER_CONFIRMED, [tag, "en"], **SCHOOL)
    assert language == "fa-AF"
    # The Latin school name is isolated (FSI … PDI) so it cannot reorder the Dari around it.
    assert text == "تشکر! \u2068Lincoln Elementary\u2069 به استفاده از همین شماره ادامه می‌دهد."


def letters(text: str) -> list[str]:
    return [c for c in text.replace(SCHOOL["school"], "") if c.isalpha()]


@pytest.mark.parametrize("tag", ["am", "ti"])
def test_amharic_and_tigrinya_texts_are_in_geez_script(tag: str) -> None:
    for msgid in (texts.ACK_NOBODY_ON_DUTY, texts.NUMBER_CHANGED, texts.LANGUAGE_MENU):
        text, language = family_text(msgid, [tag], **SCHOOL)
        assert language == tag
        assert letters(text) and all("\u1200" <= c <= "\u139f" for c in letters(text)), text
    # Two languages, not one text twice.
    assert family_text(texts.ACK_NOBODY_ON_DUTY, ["am"], **SCHOOL)[0] != \
        family_text(texts.ACK_NOBODY_ON_DUTY, ["ti"], **SCHOOL)[0]


def test_karen_is_written_with_the_karen_letters_of_the_myanmar_script() -> None:
    text, _ = family_text(texts.ACK_NOBODY_ON_DUTY, ["ksw"], **SCHOOL)
    assert all("\u1000" <= c <= "\u109f" for c in letters(text))
    # ၢ ၣ ၤ are S'gaw Karen's own vowel and tone signs: this is not Burmese.
    assert set(text) & {"\u1062", "\u1063", "\u1064"}
    burmese, _ = family_text(texts.ACK_NOBODY_ON_DUTY, ["my"], **SCHOOL)
    assert not set(burmese) & {"\u1062", "\u1063", "\u1064"}


@pytest.mark.parametrize("locale", ["hmn", "rw"])
def test_hmong_and_kinyarwanda_texts_stay_gsm7(locale: str) -> None:
    # Hmong RPA marks tones with final consonants and Kinyarwanda needs no accents: their
    # texts cost 160 characters a segment, so no stray typographic character may creep in.
    allowed = set(string.ascii_letters + string.digits + " .,:;!?'()-{}_")
    for message in read_catalog(locale):
        if message.id:
            for form in (message.string if isinstance(message.string, tuple)
                         else [message.string]):
                assert set(form) <= allowed, (locale, form)
