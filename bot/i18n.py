"""Family-facing text from the gettext catalogs in translations/, with language fallback.

A text a person reviewed in the dashboard (bot.translations.overlay) wins over its catalog
entry, and counts as reviewed.
"""

from __future__ import annotations

import gettext
import io
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import bidi
from bot.languages import normalize_tag, speaks
from bot.translations import overlay

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
SOURCE_LANGUAGE = "en"  # msgids are English, so English needs no catalog

ReviewState = Literal["reviewed", "drafted", "missing"]


def N_(message: str) -> str:
    """Mark a module-level string for extraction without translating it."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (babel.cfg declares `N_plural:1,2`)."""
    return singular, plural


@dataclass(frozen=True)
class _Compiled:
    language: str  # BCP 47 tag of the catalog
    translations: gettext.GNUTranslations
    # msgid -> fuzzy flag, for every entry with a translation (plural entries by singular)
    translated: Mapping[str, bool]


def family_text(msgid: str, languages: Sequence[str], **params: Any) -> tuple[str, str]:
    """Render msgid in the first of `languages` that translates it; return (text, language)."""
    for compiled in _chain(languages):
        if compiled is None:
            return msgid.format(**params), SOURCE_LANGUAGE
        for template in _templates(compiled, msgid, None, 1):
            text = _format(template, params, compiled.language)
            if text is not None:
                return text, compiled.language
    return msgid.format(**params), SOURCE_LANGUAGE


def family_ntext(singular: str, plural: str, n: int, languages: Sequence[str],
                 **params: Any) -> tuple[str, str]:
    """Render the form for n (by the catalog's Plural-Forms) in the first language with it."""
    english = singular if n == 1 else plural
    for compiled in _chain(languages):
        if compiled is None:
            return english.format(**params), SOURCE_LANGUAGE
        for template in _templates(compiled, singular, plural, n):
            text = _format(template, params, compiled.language)
            if text is not None:
                return text, compiled.language
    return english.format(**params), SOURCE_LANGUAGE


def review_state(msgid: str | tuple[str, str], tag: str) -> ReviewState:
    """Say whether a person reviewed msgid's translation into tag, or it is only drafted.

    msgid is a text of bot/texts.py: a string, or a (singular, plural) pair.
    """
    singular, plural = (msgid, None) if isinstance(msgid, str) else msgid
    tag = normalize_tag(tag)
    if speaks([tag], SOURCE_LANGUAGE):
        return "reviewed"
    compiled = _compiled_for(TRANSLATIONS_DIR, tag)
    if compiled is None:
        return "missing"
    if overlay.reviewed(compiled.language, singular, plural) is not None:
        return "reviewed"
    if singular not in compiled.translated:
        return "missing"
    return "drafted" if compiled.translated[singular] else "reviewed"


def catalog_tags() -> list[str]:
    """Return the tags of the languages with a catalog (es, fa-AF, zh-Hans, …)."""
    return list(_catalog_dirs(TRANSLATIONS_DIR))


def catalog_tag(tag: str) -> str | None:
    """Return the catalog tag that tag spells (pt_br -> pt-BR), or None if none is."""
    try:
        tag = normalize_tag(tag)
    except ValueError:
        return None
    return tag if tag in _catalog_dirs(TRANSLATIONS_DIR) else None


def catalog_file(tag: str) -> Path:
    """Return the .po file of a catalog's tag (one of catalog_tags())."""
    return _catalog_dirs(TRANSLATIONS_DIR)[tag] / "LC_MESSAGES" / "messages.po"


def read_catalog(tag: str) -> Catalog:
    """Read a catalog's .po afresh (a copy the caller may change)."""
    return _read(_catalog_dirs(TRANSLATIONS_DIR)[tag])


def has_catalog(tag: str) -> bool:
    """Tell whether Puente can write to someone who reads tag (English needs no catalog)."""
    tag = normalize_tag(tag)
    return speaks([tag], SOURCE_LANGUAGE) or _compiled_for(TRANSLATIONS_DIR, tag) is not None


def _chain(languages: Sequence[str]) -> Iterator[_Compiled | None]:
    """Yield the catalogs to try in order; None stands for English (the msgids themselves)."""
    for tag in languages:
        try:
            tag = normalize_tag(tag)
        except ValueError:
            # A bad tag in a contact row must not cost the family its answer.
            log.warning("skipping unknown language tag %r in a text's language chain", tag)
            continue
        if speaks([tag], SOURCE_LANGUAGE):
            yield None
            return
        compiled = _compiled_for(TRANSLATIONS_DIR, tag)
        if compiled is not None:
            yield compiled


def _templates(compiled: _Compiled, msgid: str, plural: str | None, n: int) -> list[str]:
    """The texts to try in one language: the reviewed one first, then the catalog's."""
    found = []
    strings = overlay.reviewed(compiled.language, msgid, plural)
    if strings is not None:
        index = 0 if plural is None else compiled.translations.plural(n)
        found += strings[index:index + 1]
    if msgid in compiled.translated:
        found.append(compiled.translations.gettext(msgid) if plural is None
                     else compiled.translations.ngettext(msgid, plural, n))
    return found


def _format(template: str, params: Mapping[str, Any], language: str) -> str | None:
    try:
        return bidi.clean(template.format(**bidi.isolate_values(params, language)))
    except (KeyError, IndexError, ValueError):
        # A broken translation falls back to the next language instead of failing the send.
        log.error("translation into %s does not format; falling back", language, exc_info=True)
        return None


@lru_cache(maxsize=8)
def _catalog_dirs(translations_dir: Path) -> dict[str, Path]:
    found = {}
    for po in sorted(translations_dir.glob("*/LC_MESSAGES/messages.po")):
        locale_dir = po.parent.parent
        found[normalize_tag(locale_dir.name)] = locale_dir
    return found


def _compiled_for(translations_dir: Path, tag: str) -> _Compiled | None:
    catalogs = _catalog_dirs(translations_dir)
    if tag in catalogs:
        return _load(catalogs[tag])
    # es-MX reads the es catalog, pt reads pt-BR; zh-TW does not read zh-Hans.
    for candidate, locale_dir in catalogs.items():
        if speaks([tag], candidate):
            return _load(locale_dir)
    return None


@lru_cache(maxsize=64)
def _load(locale_dir: Path) -> _Compiled:
    """Read a .po and compile it in memory, drafted (fuzzy) entries included."""
    catalog = _read(locale_dir)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=True)
    buffer.seek(0)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m.fuzzy
        for m in catalog
        if m.id and _has_string(m.string)
    }
    translations = gettext.GNUTranslations(buffer)
    # write_mo keeps Plural-Forms only for a locale Babel has data for: without this, a hmn
    # or ksw catalog (one form) would get gettext's default n != 1 and answer n=2 in English.
    translations.plural = gettext.c2py(catalog.plural_expr)  # the .po header's own rule
    return _Compiled(normalize_tag(locale_dir.name), translations, translated)


def _read(locale_dir: Path) -> Catalog:
    with open(locale_dir / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale_dir.name)


def _has_string(string: str | tuple[str, ...] | None) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)
