"""Announcement templates from messages/: load and check them, render one for a family."""

from __future__ import annotations

import logging
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from bot import bidi
from bot.broadcasts.formats import FormatError, babel_locale, format_value
from bot.languages import normalize_tag, speaks

log = logging.getLogger(__name__)

MESSAGES_DIR = Path(__file__).resolve().parent.parent.parent / "messages"
SOURCE_LANGUAGE = "en"  # the text staff wrote; every other language translates it

PLACEHOLDER_TYPES = ("text", "date", "time", "datetime", "student_names")
_TOP_KEYS = {"title", "description", "urgent", "placeholders", "whatsapp_variables",
             "languages"}
_VARIANT_KEYS = {"text", "reviewed_by", "whatsapp_content_sid"}
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CONTENT_SID = re.compile(r"HX[0-9a-f]{32}")

class TemplateError(ValueError):
    """A template file that cannot be used, or values that cannot fill a template."""


@dataclass(frozen=True)
class Variant:
    text: str
    reviewed_by: str  # "" = machine-drafted, nobody has checked it yet
    # The approved WhatsApp template in this language (Content SID HX…), "" if none: Meta
    # approves one language per template, and WhatsApp takes only approved templates
    # outside the 24 hours after the family's last message.
    whatsapp_content_sid: str = ""


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    urgent: bool
    placeholders: dict[str, str]  # name -> one of PLACEHOLDER_TYPES
    # The placeholders the WhatsApp templates number {{1}}, {{2}}, … in that order.
    whatsapp_variables: tuple[str, ...]
    variants: dict[str, Variant]  # BCP 47 tag -> text

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.variants)

    @property
    def whatsapp_languages(self) -> frozenset[str]:
        """The languages with an approved WhatsApp template."""
        return frozenset(tag for tag, v in self.variants.items() if v.whatsapp_content_sid)

    def reviewed(self, language: str) -> bool:
        """Tell whether a person reviewed the language's text (English is the source)."""
        tag = normalize_tag(language)
        if tag == SOURCE_LANGUAGE:
            return True
        variant = self.variants.get(tag)
        return variant is not None and bool(variant.reviewed_by)


class Rendered(NamedTuple):
    text: str
    language: str  # the variant used, after fallback
    reviewed: bool


def load_templates(directory: Path = MESSAGES_DIR) -> dict[str, Template]:
    """Load every messages/*.toml by name; raise TemplateError for the first bad file."""
    return dict(_load_directory(Path(directory).resolve()))


@lru_cache(maxsize=8)
def _load_directory(directory: Path) -> dict[str, Template]:
    if not directory.is_dir():
        raise TemplateError(f"{directory}: no such template directory")
    return {t.name: t for t in map(load_template_file, sorted(directory.glob("*.toml")))}


def load_template_file(path: Path) -> Template:
    """Read and check one template file."""
    path = Path(path)
    where = path.name
    if not _NAME.fullmatch(path.stem):
        raise TemplateError(f"{where}: a template's file name is lowercase words joined by '-'")
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise TemplateError(f"{where}: invalid TOML: {e}") from e

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise TemplateError(f"{where}: unknown key(s) {', '.join(unknown)}")
    title = _get(data, "title", str, where, required=True)
    description = _get(data, "description", str, where, default="")
    urgent = _get(data, "urgent", bool, where, default=False)
    placeholders = _placeholders(_get(data, "placeholders", dict, where, default={}), where)
    whatsapp_variables = _whatsapp_variables(data, placeholders, where)
    languages = _get(data, "languages", dict, where, required=True)

    variants: dict[str, Variant] = {}
    for tag, table in languages.items():
        canonical = _canonical_tag(tag, where)
        variants[canonical] = _variant(table, canonical, where)
    if SOURCE_LANGUAGE not in variants:
        raise TemplateError(f"{where}: no English text ([languages.en]); English is the source")

    # English first: every declared placeholder must appear in it, and only those; then
    # every other language must use exactly English's placeholders.
    for tag in sorted(variants, key=lambda t: t != SOURCE_LANGUAGE):
        _check_placeholders(variants[tag].text, placeholders, tag, where)
    if any(v.whatsapp_content_sid for v in variants.values()) and not whatsapp_variables:
        raise TemplateError(f"{where}: a whatsapp_content_sid needs whatsapp_variables, the "
                            "placeholders in the order the WhatsApp template numbers them")
    return Template(path.stem, title, description, urgent, placeholders,
                    whatsapp_variables, variants)


def render(template: Template, language: str, values: Mapping[str, object], *,
           locale_fallbacks: Sequence[str] = ()) -> Rendered:
    """Fill the template in the first of language, fallbacks, English that it has."""
    tag = _pick_language(template, [language, *locale_fallbacks, SOURCE_LANGUAGE])
    formatted = bidi.isolate_values(_format_all(template, tag, values), tag)
    # One pass of format_map: a value that contains "{x}" stays literal text.
    text = bidi.clean(template.variants[tag].text.format_map(formatted))
    return Rendered(text, tag, template.reviewed(tag))


def content_variables(template: Template, language: str,
                      values: Mapping[str, object]) -> dict[str, str]:
    """The WhatsApp template's numbered variables ("1", "2", …), formatted for language."""
    formatted = _format_all(template, normalize_tag(language), values)
    return {str(i): formatted[name] for i, name in enumerate(template.whatsapp_variables, 1)}


def _format_all(template: Template, tag: str, values: Mapping[str, object]) -> dict[str, str]:
    missing = sorted(n for n in template.placeholders if values.get(n) is None)
    if missing:
        names = ", ".join(f"{{{m}}}" for m in missing)
        raise TemplateError(f"{template.name}: no value for {names}")
    locale = babel_locale(tag)
    try:
        return {name: format_value(kind, values[name], locale, f"{template.name}: {{{name}}}")
                for name, kind in template.placeholders.items()}
    except FormatError as exc:
        raise TemplateError(str(exc)) from None


def _get(data: Mapping[str, Any], key: str, kind: type, where: str, *,
         required: bool = False, default: Any = None) -> Any:
    if key not in data:
        if required:
            raise TemplateError(f"{where}: missing required key {key!r}")
        return default
    value = data[key]
    if not isinstance(value, kind):
        raise TemplateError(f"{where}: {key!r} must be a {_TOML_NAMES[kind]}")
    return value


_TOML_NAMES = {str: "string", bool: "boolean (true or false)", dict: "table",
               list: "list"}


def _whatsapp_variables(data: Mapping[str, Any], placeholders: Mapping[str, str],
                        where: str) -> tuple[str, ...]:
    names = _get(data, "whatsapp_variables", list, where, default=[])
    for name in names:
        if name not in placeholders:
            raise TemplateError(f"{where}: whatsapp_variables names {name!r}, not declared in "
                                "[placeholders]")
    if len(set(names)) != len(names):
        raise TemplateError(f"{where}: whatsapp_variables names a placeholder twice")
    return tuple(names)


def _placeholders(table: Mapping[str, Any], where: str) -> dict[str, str]:
    for name, kind in table.items():
        if not name.isidentifier():
            raise TemplateError(f"{where}: placeholder name {name!r} is not an identifier")
        if kind not in PLACEHOLDER_TYPES:
            raise TemplateError(f"{where}: placeholder {{{name}}} has unknown type {kind!r} "
                                f"(one of {', '.join(PLACEHOLDER_TYPES)})")
    return dict(table)


def _canonical_tag(tag: str, where: str) -> str:
    try:
        canonical = normalize_tag(tag)
    except ValueError as e:
        raise TemplateError(f"{where}: language {tag!r}: unknown language tag") from e
    if canonical != tag:
        raise TemplateError(f"{where}: language {tag!r}: write the tag as {canonical!r}")
    return canonical


def _variant(table: Any, tag: str, where: str) -> Variant:
    at = f"{where}: language {tag!r}"
    if not isinstance(table, dict):
        raise TemplateError(f"{at}: must be a table with text and reviewed_by")
    unknown = sorted(set(table) - _VARIANT_KEYS)
    if unknown:
        raise TemplateError(f"{at}: unknown key(s) {', '.join(unknown)}")
    text = table.get("text")
    if not isinstance(text, str) or not text.strip():
        raise TemplateError(f"{at}: 'text' must be a non-empty string")
    if "reviewed_by" not in table and tag != SOURCE_LANGUAGE:
        raise TemplateError(f'{at}: missing reviewed_by (write reviewed_by = "" if unreviewed)')
    reviewed_by = table.get("reviewed_by", "")
    if not isinstance(reviewed_by, str):
        raise TemplateError(f"{at}: 'reviewed_by' must be a string")
    sid = table.get("whatsapp_content_sid", "")
    if not isinstance(sid, str) or (sid and not _CONTENT_SID.fullmatch(sid)):
        raise TemplateError(f"{at}: whatsapp_content_sid {sid!r} is not a Content SID (HX…)")
    return Variant(text, reviewed_by.strip(), sid)


def _check_placeholders(text: str, declared: Mapping[str, str], tag: str, where: str) -> None:
    at = f"{where}: language {tag!r}"
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as e:  # "Single '}' encountered", "unmatched '{'"
        raise TemplateError(f"{at}: {e} (write a literal brace as {{{{ or }}}})") from e
    used = set()
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise TemplateError(f"{at}: {{{shown}}} is not a plain named placeholder like {{date}}")
        used.add(name)
    undeclared = used - set(declared)
    if undeclared:
        raise TemplateError(f"{at}: uses {_braced(undeclared)}, not declared in [placeholders]")
    missing = set(declared) - used
    if missing and tag == SOURCE_LANGUAGE:
        raise TemplateError(f"{at}: does not use declared placeholder(s) {_braced(missing)}")
    if missing:
        raise TemplateError(f"{at}: placeholders differ from English: missing {_braced(missing)}")


def _braced(names: set[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in sorted(names))


def _pick_language(template: Template, chain: Sequence[str]) -> str:
    for wanted in chain:
        try:
            tag = normalize_tag(wanted)
        except ValueError:
            # A bad tag in a contact row must not cost the family its announcement.
            log.warning("skipping unknown language tag %r for template %s", wanted, template.name)
            continue
        if tag in template.variants:
            return tag
        # es-MX reads the es text and pt the pt-BR one; zh-TW does not read zh-Hans.
        for have in template.variants:
            if speaks([tag], have):
                return have
    return SOURCE_LANGUAGE
