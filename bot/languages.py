"""BCP 47 language tags: normalise them, name them, and decide who speaks what."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.core import get_global

# Languages families speak that Babel 2.18 has no locale data for: (English name, autonym).
# They must still be valid tags, so a household can be routed to a liaison who speaks them;
# their automated texts use the contact's declared fallback language (Dari reads Persian's,
# see _WRITTEN_AS). An autonym is given only where one spelling is widely used; otherwise the
# English name stands in.
SPOKEN_ONLY: dict[str, tuple[str, str]] = {
    "mix": ("Mixtec", "Mixtec"),
    "mam": ("Mam", "Mam"),
    "kjb": ("Qʼanjobʼal", "Qʼanjobʼal"),
    "cac": ("Chuj", "Chuj"),
    "kek": ("Qʼeqchiʼ", "Qʼeqchiʼ"),
    "yua": ("Yucatec Maya", "Yucatec Maya"),
    "zap": ("Zapotec", "Zapotec"),
    "kar": ("Karen", "Karen"),
    "ksw": ("S'gaw Karen", "S'gaw Karen"),
    "hmn": ("Hmong", "Hmoob"),
    "prs": ("Dari", "دری"),
}

# Languages written as another one, whose readers read each other's texts: CLDR aliases Dari
# (prs) to fa_AF, Persian as written in Afghanistan, and speaks() already lets fa-AF read fa.
# Without this, a Dari household's candidates (["prs"]) never match the detector's `fa`, and
# a Dari-speaking liaison is never offered a text detected as `fa`.
_WRITTEN_AS = {"prs": "fa", "tl": "fil"}  # CLDR calls Tagalog as written "fil"

# Where CLDR's autonym is not what speakers write: standard Kreyòl orthography does not
# capitalise "ayisyen" (CLDR has "Kreyòl Ayisyen").
_AUTONYM_OVERRIDES = {"ht": "Kreyòl ayisyen"}

# CLDR's zh/ja/yue display pattern uses full-width brackets ("中文（简体）"); Babel's
# get_display_name hard-codes ASCII ones, so names are composed here.
_FULL_WIDTH = {"zh", "ja", "yue"}

_TAG = re.compile(
    r"(?P<language>[a-z]{2,3})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)"
)


class Tag(NamedTuple):
    language: str
    script: str | None
    region: str | None
    variants: tuple[str, ...]

    def __str__(self) -> str:
        return "-".join(p for p in (self.language, self.script, self.region, *self.variants) if p)


@lru_cache(maxsize=1024)
def parse_tag(tag: str) -> Tag:
    """Split a language tag into its subtags, validated against Babel's data."""
    match = _TAG.fullmatch(tag.strip().replace("_", "-").lower())
    if match is None:
        raise ValueError(f"invalid language tag {tag!r}")
    language, script, region = match["language"], match["script"], match["region"]
    english = Locale("en")
    if not _babel_knows(language) and language not in SPOKEN_ONLY:
        raise ValueError(f"unknown language tag {tag!r}")
    if script is not None:
        script = script.title()
        if script not in english.scripts:
            raise ValueError(f"unknown language tag {tag!r}")
    if region is not None:
        region = region.upper()
        if region not in english.territories:
            raise ValueError(f"unknown language tag {tag!r}")
    variants = tuple(v for v in match["variants"].split("-") if v)
    return Tag(language, script, region, variants)


def normalize_tag(tag: str) -> str:
    """Return the canonical spelling of a BCP 47 tag (`pt_br` -> `pt-BR`)."""
    return str(parse_tag(tag))


def has_locale_data(tag: str) -> bool:
    """Tell whether Babel has locale data for the tag's language (and script)."""
    parsed = parse_tag(tag)
    return _native_locale(parsed.language, parsed.script) is not None


def gettext_locale(tag: str) -> str:
    """Return the gettext directory name for a tag (`zh-Hans` -> `zh_Hans`)."""
    return normalize_tag(tag).replace("-", "_")


def speaks(spoken: Iterable[str], tag: str) -> bool:
    """Tell whether someone who speaks the `spoken` tags can be addressed in `tag`."""
    wanted = parse_tag(tag)
    for other in spoken:
        have = parse_tag(other)
        if _written_as(have.language) != _written_as(wanted.language):
            continue
        # A region only matters for the script it implies (zh-TW is written in Hant).
        a, b = _script_of(have), _script_of(wanted)
        if a is None or b is None or a == b:
            return True
    return False


def english_name(tag: str) -> str:
    """Return the tag's name in English ("Chinese (Simplified)", "Mixtec")."""
    parsed = parse_tag(tag)
    english = Locale("en")
    return _compose(_english_language(parsed.language), _details(english, parsed), full_width=False)


def autonym(tag: str) -> str:
    """Return the language's name in itself ("español", "中文（简体）")."""
    parsed = parse_tag(tag)
    # The implied script picks the right data: zh-TW is named in Traditional characters.
    native = _native_locale(parsed.language, _script_of(parsed))
    own = None
    if native is not None:  # a deprecated code (iw) is named like its successor (he)
        own = native.languages.get(parsed.language) or native.languages.get(native.language)
    if parsed.language in _AUTONYM_OVERRIDES:
        name = _AUTONYM_OVERRIDES[parsed.language]
    elif own:
        name = own
    elif parsed.language in SPOKEN_ONLY:
        name = SPOKEN_ONLY[parsed.language][1]
    else:
        return english_name(tag)
    details = _details(native or Locale("en"), parsed)
    return _compose(name, details, full_width=parsed.language in _FULL_WIDTH)


def _english_language(language: str) -> str:
    if language in SPOKEN_ONLY:
        return SPOKEN_ONLY[language][0]
    english = Locale("en")
    # Deprecated codes (iw, in) have no English name of their own; use their successor's.
    return english.languages.get(language) or english.languages[Locale.parse(language).language]


def _babel_knows(language: str) -> bool:
    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@lru_cache(maxsize=256)
def _native_locale(language: str, script: str | None) -> Locale | None:
    if language == "und":
        return None  # "undetermined" parses as English (likely subtags); it has no data
    for identifier in (f"{language}_{script}" if script else None, language):
        if identifier is None:
            continue
        try:
            return Locale.parse(identifier)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def _written_as(language: str) -> str:
    return _WRITTEN_AS.get(language, language)


def _script_of(tag: Tag) -> str | None:
    if tag.script or not tag.region:
        return tag.script
    likely = get_global("likely_subtags")
    full = likely.get(f"{tag.language}_{tag.region}") or likely.get(tag.language)
    parts = full.split("_") if full else []
    return next((p for p in parts[1:] if len(p) == 4), None)


def _details(locale: Locale, tag: Tag) -> list[str]:
    details = []
    if tag.script:
        details.append(locale.scripts.get(tag.script) or tag.script)
    if tag.region:
        details.append(locale.territories.get(tag.region) or tag.region)
    return details


def _compose(name: str, details: list[str], *, full_width: bool) -> str:
    if not details:
        return name
    if full_width:
        return f"{name}（{'，'.join(details)}）"
    return f"{name} ({', '.join(details)})"
