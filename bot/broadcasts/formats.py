"""Placeholder values formatted for a family's locale with Babel: dates, times, names.

Used by bot/broadcasts/templates.py; dates and lists follow CLDR, except where families
expect otherwise (Kreyòl words instead of fr_HT's French, plain spaces to stay GSM-7).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time

from babel import Locale
from babel.dates import format_date, format_time, match_skeleton
from babel.lists import format_list

from bot.languages import has_locale_data

# CLDR's Haitian Creole inherits its dates and lists from French (fr_HT): "jeudi 4 décembre",
# "Ana et Luis". Inside a Kreyòl sentence families expect Kreyòl words, so these come from here.
_KREYOL_DAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")
_KREYOL_MONTHS = ("janvye", "fevriye", "mas", "avril", "me", "jen", "jiyè", "out", "septanm",
                  "oktòb", "novanm", "desanm")


class FormatError(ValueError):
    """A value does not fit its placeholder's kind."""


def babel_locale(tag: str) -> Locale:
    """The Babel locale values are formatted in for a tag."""
    # A language Babel has no data for (a template written in Mixtec, say) gets English
    # month names and list words: a date the family may not read beats no text at all.
    if not has_locale_data(tag):
        return Locale("en")
    return Locale.parse(tag.replace("-", "_"))


# CLDR writes "2:30 PM" with a narrow no-break space (U+202F). One such character makes a
# whole SMS UCS-2 (70 characters a segment instead of 160), so Babel's spaces become plain.
_PLAIN_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def format_value(kind: str, value: object, locale: Locale, what: str) -> str:
    """Format one placeholder value of a declared kind; FormatError names what is wrong."""
    if kind == "text":
        return str(value)
    return _format_babel(kind, value, locale, what).translate(_PLAIN_SPACES)


def _format_babel(kind: str, value: object, locale: Locale, what: str) -> str:
    if kind == "student_names":
        return _format_names(value, locale, what)
    if kind == "date" and isinstance(value, date):
        return _format_day(value, locale)
    if kind == "time" and isinstance(value, time | datetime):
        return format_time(value, format="short", locale=locale)
    if kind == "datetime" and isinstance(value, datetime):
        # The locale's own glue between day and time ("{1}, {0}", "{1} {0}", "{0} {1}").
        glue = str(locale.datetime_formats["medium"]).replace("'", "")
        clock = format_time(value, format="short", locale=locale)
        return glue.replace("{0}", clock).replace("{1}", _format_day(value, locale))
    raise FormatError(f"{what} needs a {kind}, got {type(value).__name__} {value!r}")


def _format_names(value: object, locale: Locale, what: str) -> str:
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, Sequence) or not listed:
        raise FormatError(f"{what} needs one or more student names, got {value!r}")
    names = [str(n) for n in listed]
    if locale.language == "ht" and len(names) > 1:
        return f"{', '.join(names[:-1])} ak {names[-1]}"
    return format_list(names, locale=locale)


def _format_day(value: date, locale: Locale) -> str:
    """Spell out weekday, day and month with no year: 'jueves, 4 de diciembre', '12月4日星期四'.

    Announcements are about the coming days or weeks, where a year is noise in an SMS and
    the weekday is what families check. CLDR has no wide weekday-month-day pattern, so,
    as ICU does for a skeleton, take the locale's nearest one and widen its fields.
    """
    if isinstance(value, datetime):
        value = value.date()  # in the datetime's own timezone, not converted to UTC
    if locale.language == "ht":
        return f"{_KREYOL_DAYS[value.weekday()]} {value.day} {_KREYOL_MONTHS[value.month - 1]}"
    pattern = locale.datetime_skeletons[match_skeleton("MMMMEd", locale.datetime_skeletons)]
    return format_date(value, _widen(pattern.pattern), locale=locale)


def _widen(pattern: str) -> str:
    # Quoted literals ('de') stay as they are; E/EEE becomes EEEE, MMM becomes MMMM.
    parts = re.split(r"('(?:[^']|'')*')", pattern)
    for i in range(0, len(parts), 2):
        part = re.sub(r"E+", "EEEE", parts[i])
        parts[i] = re.sub(r"(?<![ML])(MMM|LLL)(?![ML])", lambda m: m[1] + m[1][0], part)
    return "".join(parts)
