"""Announcement templates (messages/): loading, checks, Babel formatting, fallback, snapshot."""

from __future__ import annotations

import json
import os
import string
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.broadcasts.templates import (
    MESSAGES_DIR,
    Template,
    TemplateError,
    load_template_file,
    load_templates,
    render,
)

SNAPSHOT = Path(__file__).resolve().parent / "data" / "templates_snapshot.json"
DEMO_LANGUAGES = ["en", "es", "ht", "pt-BR", "vi", "ar", "zh-Hans", "so", "fr"]
REQUIRED = ["school-closed", "delayed-opening", "early-dismissal", "picture-day",
            "conferences", "update-contact-number", "emergency-drill"]

THURSDAY = date(2025, 12, 4)
SAMPLE: dict[str, object] = {
    "school": "Lincoln Elementary",
    "date": THURSDAY,
    "time": time(13, 30),
    "students": ["Ana", "Luis"],
    "phone": "(617) 555-0100",
}
# Where the shared sample would read oddly (school opening at 1:30 PM).
SAMPLE_PER_TEMPLATE: dict[str, dict[str, object]] = {"delayed-opening": {"time": time(10, 0)}}

# GSM 03.38 basic character set (the extension table's characters cost two; none is needed).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def sample_for(name: str) -> dict[str, object]:
    return {**SAMPLE, **SAMPLE_PER_TEMPLATE.get(name, {})}


def placeholders_in(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def write(directory: Path, name: str, body: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


CLOSED = """\
title = "Closed"
urgent = true

[placeholders]
school = "text"
date = "date"

[languages.en]
text = "{school}: School is closed on {date}."
"""


def closed_with(extra: str) -> str:
    return CLOSED + "\n" + extra


# -- the library --------------------------------------------------------------------------


def test_every_file_in_messages_loads_by_its_name() -> None:
    templates = load_templates()
    assert sorted(templates) == sorted(p.stem for p in MESSAGES_DIR.glob("*.toml"))


def test_the_required_templates_exist_in_every_demo_language() -> None:
    templates = load_templates()
    for name in REQUIRED:
        assert list(templates[name].languages) == DEMO_LANGUAGES, name


def test_every_language_of_a_template_has_the_same_placeholders() -> None:
    for template in load_templates().values():
        for tag, variant in template.variants.items():
            assert placeholders_in(variant.text) == set(template.placeholders), (template.name, tag)


def test_machine_drafted_translations_are_marked_unreviewed() -> None:
    for template in load_templates().values():
        assert template.reviewed("en"), template.name  # the source text
        for tag in template.languages:
            if tag != "en":
                assert template.variants[tag].reviewed_by == "", (template.name, tag)
                assert not template.reviewed(tag), (template.name, tag)


def test_closures_and_safety_are_urgent_and_school_events_are_not() -> None:
    templates = load_templates()
    urgent = {name for name, t in templates.items() if t.urgent}
    assert {"school-closed", "delayed-opening", "early-dismissal", "emergency-drill"} <= urgent
    assert not {"picture-day", "conferences", "update-contact-number"} & urgent


@pytest.mark.parametrize("name", REQUIRED)
def test_english_fits_one_gsm_segment_with_the_sample_values(name: str) -> None:
    text = render(load_templates()[name], "en", sample_for(name)).text
    assert set(text) <= GSM7, set(text) - GSM7
    assert len(text) <= 160, (len(text), text)


def test_templates_are_loaded_once_per_directory() -> None:
    first, second = load_templates(), load_templates(MESSAGES_DIR / ".." / "messages")
    assert first == second and first is not second  # a copy: callers cannot edit the cache
    assert first["school-closed"] is second["school-closed"]


# -- rejected files -----------------------------------------------------------------------


REJECTED = [
    pytest.param(
        closed_with('[languages.es]\ntext = "{school}: cerrado."\nreviewed_by = ""\n'),
        ["bad.toml", "language 'es'", "differ from English", "{date}"], id="missing-placeholder"),
    pytest.param(
        closed_with('[languages.es]\ntext = "{school}: cerrado el {fecha}."\nreviewed_by = ""\n'),
        ["bad.toml", "language 'es'", "{fecha}", "not declared"], id="undeclared-placeholder"),
    pytest.param(
        CLOSED.replace("closed on {date}", "closed on {date} at {time}"),
        ["bad.toml", "language 'en'", "{time}", "not declared"], id="undeclared-in-english"),
    pytest.param(
        CLOSED.replace('date = "date"', 'date = "date"\ntime = "time"'),
        ["bad.toml", "language 'en'", "does not use", "{time}"], id="declared-but-unused"),
    pytest.param(
        closed_with('[languages.xq]\ntext = "{school} {date}"\nreviewed_by = ""\n'),
        ["bad.toml", "language 'xq'", "unknown language tag"], id="unknown-language"),
    pytest.param(
        closed_with('[languages.pt-br]\ntext = "{school} {date}"\nreviewed_by = ""\n'),
        ["bad.toml", "language 'pt-br'", "'pt-BR'"], id="non-canonical-tag"),
    pytest.param(
        CLOSED.replace("[languages.en]", "[languages.es]")
        .replace('."\n', '."\nreviewed_by = ""\n'),
        ["bad.toml", "no English"], id="missing-english"),
    pytest.param(
        closed_with('[languages.es]\ntext = "{school}: cerrado el {date}}."\nreviewed_by = ""\n'),
        ["bad.toml", "language 'es'", "Single '}'"], id="stray-closing-brace"),
    pytest.param(
        closed_with('[languages.es]\ntext = "{school}: cerrado el {date."\nreviewed_by = ""\n'),
        ["bad.toml", "language 'es'", "brace"], id="stray-opening-brace"),
    pytest.param(
        closed_with('[languages.es]\ntext = "{school}: {date.year}"\nreviewed_by = ""\n'),
        ["bad.toml", "language 'es'", "{date.year}", "plain named placeholder"],
        id="attribute-access"),
    pytest.param(
        CLOSED.replace('date = "date"', 'date = "day"'),
        ["bad.toml", "{date}", "unknown type 'day'"], id="unknown-placeholder-type"),
    pytest.param(
        closed_with('[languages.es]\ntext = "{school}: cerrado el {date}."\n'),
        ["bad.toml", "language 'es'", "reviewed_by"], id="reviewed-by-left-out"),
    pytest.param(
        closed_with('[languages.es]\ntext = "{school} {date}"\nreviewd_by = ""\n'),
        ["bad.toml", "language 'es'", "unknown key(s) reviewd_by"], id="typo-in-a-key"),
    pytest.param(
        CLOSED.replace("urgent = true", "urgent = yes"),
        ["bad.toml", "invalid TOML"], id="invalid-toml"),
    pytest.param(
        CLOSED.replace("urgent = true", 'urgent = "true"'),
        ["bad.toml", "'urgent' must be a boolean"], id="wrong-type"),
]


@pytest.mark.parametrize(("body", "expected"), REJECTED)
def test_a_broken_template_is_rejected_naming_file_language_and_problem(
        tmp_path: Path, body: str, expected: list[str]) -> None:
    path = write(tmp_path, "bad", body)
    with pytest.raises(TemplateError) as caught:
        load_template_file(path)
    for part in expected:
        assert part in str(caught.value)


def test_one_broken_file_fails_the_whole_directory(tmp_path: Path) -> None:
    write(tmp_path, "good", CLOSED)
    write(tmp_path, "mismatch", closed_with(
        '[languages.fr]\ntext = "{school} : fermé."\nreviewed_by = ""\n'))
    with pytest.raises(TemplateError, match=r"mismatch\.toml: language 'fr'.*\{date\}"):
        load_templates(tmp_path)


def test_a_missing_directory_is_an_error_not_an_empty_library(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such template directory"):
        load_templates(tmp_path / "nowhere")


def test_a_reviewed_language_says_who_reviewed_it(tmp_path: Path) -> None:
    template = load_template_file(write(tmp_path, "closed", closed_with(
        '[languages.es]\ntext = "{school}: cerrado el {date}."\n'
        'reviewed_by = "Marta Ruiz, 2026-01-15"\n')))
    assert template.reviewed("es")
    assert render(template, "es", SAMPLE).reviewed


# -- formatting ---------------------------------------------------------------------------


@pytest.fixture
def formats(tmp_path: Path) -> Template:
    """A template that shows each placeholder type alone, in several languages."""
    body = ['title = "Formats"\n',
            '[placeholders]\nday = "date"\nat = "time"\nwhen = "datetime"\n'
            'students = "student_names"\n']
    for tag in ["en", "es", "fr", "vi", "zh-Hans", "ar", "pt-BR", "ht", "so", "mix"]:
        body.append(f'[languages.{tag}]\ntext = "{{day}}|{{at}}|{{when}}|{{students}}"\n'
                    'reviewed_by = ""\n')
    return load_template_file(write(tmp_path, "formats", "\n".join(body)))


FORMAT_VALUES = {
    "day": THURSDAY,
    "at": time(14, 30),
    "when": datetime(2025, 12, 4, 7, 45, tzinfo=ZoneInfo("America/New_York")),
    "students": ["Ana", "Luis", "Sofía"],
}


@pytest.mark.parametrize(("tag", "expected"), [
    ("en", "Thursday, December 4|2:30 PM|Thursday, December 4, 7:45 AM|Ana, Luis, and Sofía"),
    ("es", "jueves, 4 de diciembre|14:30|jueves, 4 de diciembre, 7:45|Ana, Luis y Sofía"),
    ("fr", "jeudi 4 décembre|14:30|jeudi 4 décembre, 07:45|Ana, Luis et Sofía"),
    ("vi", "Thứ Năm, 4 tháng 12|14:30|07:45 Thứ Năm, 4 tháng 12|Ana, Luis và Sofía"),
    ("zh-Hans", "12月4日星期四|14:30|12月4日星期四 07:45|Ana、Luis和Sofía"),
    ("ar", "الخميس، 4 ديسمبر|2:30 م|الخميس، 4 ديسمبر، 7:45 ص|Ana وLuis وSofía"),
    ("pt-BR", "quinta-feira, 4 de dezembro|14:30|quinta-feira, 4 de dezembro 07:45|"
              "Ana, Luis e Sofía"),
    ("so", "Khamiis, Diseembar 4|2:30 GD|Khamiis, Diseembar 4 7:45 GH|Ana, Luis iyo Sofía"),
    # Babel's ht data is French ("jeudi", "et"); Kreyòl words are used instead.
    ("ht", "jedi 4 desanm|14:30|jedi 4 desanm, 07:45|Ana, Luis ak Sofía"),
    # No locale data for Mixtec: English rules.
    ("mix", "Thursday, December 4|2:30 PM|Thursday, December 4, 7:45 AM|Ana, Luis, and Sofía"),
])
def test_values_are_formatted_for_the_language_of_the_text(
        formats: Template, tag: str, expected: str) -> None:
    rendered = render(formats, tag, FORMAT_VALUES)
    assert rendered.language == tag
    if tag == "ar":  # each value holds Latin letters or digits: isolated in RTL text
        expected = "|".join(f"\u2068{value}\u2069" for value in expected.split("|"))
    assert rendered.text == expected


def test_formatted_values_use_plain_spaces_so_english_stays_gsm7(formats: Template) -> None:
    # CLDR's "2:30 PM" has a narrow no-break space, which would make the SMS UCS-2.
    assert "\u202f" not in render(formats, "en", FORMAT_VALUES).text


def test_a_datetime_is_shown_in_its_own_timezone(formats: Template) -> None:
    late = datetime(2025, 12, 4, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    text = render(formats, "es", {**FORMAT_VALUES, "when": late}).text
    assert text.split("|")[2] == "jueves, 4 de diciembre, 23:30"  # not Friday in UTC


def test_one_student_is_named_alone(formats: Template) -> None:
    for students in (["Ana"], "Ana"):
        text = render(formats, "es", {**FORMAT_VALUES, "students": students}).text
        assert text.endswith("|Ana")


def test_a_missing_value_is_named(formats: Template) -> None:
    values = {k: v for k, v in FORMAT_VALUES.items() if k != "at"}
    with pytest.raises(TemplateError, match=r"formats: no value for \{at\}"):
        render(formats, "es", values)


@pytest.mark.parametrize(("name", "value"), [
    ("day", "2025-12-04"), ("at", THURSDAY), ("when", THURSDAY), ("students", []),
])
def test_a_value_of_the_wrong_type_is_rejected(formats: Template, name: str, value: Any) -> None:
    with pytest.raises(TemplateError, match=rf"\{{{name}\}}"):
        render(formats, "es", {**FORMAT_VALUES, name: value})


def test_a_value_cannot_inject_placeholders() -> None:
    template = load_templates()["school-closed"]
    text = render(template, "en", {**SAMPLE, "school": "{date} {0} {{x}}"}).text
    assert text.startswith("{date} {0} {{x}}: School is closed on Thursday, December 4.")


# -- language fallback --------------------------------------------------------------------


@pytest.mark.parametrize(("language", "fallbacks", "chosen"), [
    ("mix", ["es"], "es"),           # Mixtec has no written template: the contact's fallback
    ("mix", [], "en"),
    ("es-MX", [], "es"),             # a regional tag reads its language's text
    ("pt", [], "pt-BR"),
    ("zh-TW", [], "en"),             # Traditional Chinese readers do not get zh-Hans
    ("xx-nonsense", ["es"], "es"),   # a bad tag in a contact row is skipped
    ("tlh", [], "en"),
])
def test_the_first_language_the_template_has_is_used(
        language: str, fallbacks: list[str], chosen: str) -> None:
    template = load_templates()["early-dismissal"]
    rendered = render(template, language, sample_for("early-dismissal"),
                      locale_fallbacks=fallbacks)
    assert rendered.language == chosen
    assert rendered.text == render(template, chosen, sample_for("early-dismissal")).text


def test_a_fallback_is_formatted_for_the_fallback_language() -> None:
    rendered = render(load_templates()["school-closed"], "mix", SAMPLE, locale_fallbacks=["es"])
    assert rendered.text == ("Lincoln Elementary: La escuela estará cerrada el jueves, "
                             "4 de diciembre. No habrá clases ni actividades. Le avisaremos "
                             "por mensaje si hay cambios.")
    assert not rendered.reviewed


# -- snapshot -----------------------------------------------------------------------------


def render_all() -> dict[str, dict[str, dict[str, object]]]:
    """Render every template in every language with the sample values."""
    return {
        name: {tag: {"text": (r := render(t, tag, sample_for(name))).text, "reviewed": r.reviewed}
               for tag in t.languages}
        for name, t in sorted(load_templates().items())
    }


def test_every_template_renders_as_in_the_snapshot() -> None:
    """Set UPDATE_SNAPSHOTS=1 to rewrite tests/data/templates_snapshot.json after a change."""
    rendered = render_all()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(rendered, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    assert rendered == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


# -- languages without Babel locale data ---------------------------------------------------


@pytest.mark.parametrize("tag", ["hmn", "ksw"])
def test_a_text_in_a_language_without_locale_data_gets_english_formats(
        tmp_path: Path, tag: str) -> None:
    # Babel 2.18 has no data for Hmong or S'gaw Karen. Formatting must not raise, and dates,
    # times and lists follow English rules, as on the school's English paperwork, whatever
    # the contact's fallback language (Burmese month names do not belong in a Karen text).
    body = ('title = "Formats"\n[placeholders]\nday = "date"\nat = "time"\nwhen = "datetime"\n'
            'students = "student_names"\n[languages.en]\ntext = "{day}|{at}|{when}|{students}"\n'
            f'[languages.{tag}]\ntext = "{{day}}|{{at}}|{{when}}|{{students}}"\n'
            'reviewed_by = ""\n')
    template = load_template_file(write(tmp_path, "formats", body))
    for fallbacks in ([], ["my"], ["es"]):
        rendered = render(template, tag, FORMAT_VALUES, locale_fallbacks=fallbacks)
        assert rendered.language == tag
        assert rendered.text == ("Thursday, December 4|2:30 PM|Thursday, December 4, 7:45 AM|"
                                 "Ana, Luis, and Sofía")


@pytest.mark.parametrize("tag", ["hmn", "ksw"])
def test_without_a_text_in_their_language_hmong_and_karen_get_the_fallback_formatted_for_it(
        tag: str) -> None:
    rendered = render(load_templates()["school-closed"], tag, SAMPLE, locale_fallbacks=["es"])
    assert rendered.language == "es"
    assert "jueves, 4 de diciembre" in rendered.text
