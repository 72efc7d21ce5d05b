"""Finding people by name in what a family wrote: folded words, and an accent-blind filter
the database runs, so a search over 50,000 students only fetches the plausible rows.

Names are stored as the roster wrote them ("María Pérez") while families type "maria
perez" or "MARIA PEREZ". The filter turns each folded word into a regular expression in
which every letter also accepts its accented and upper-case forms (and a decomposed
accent after it), between the edges of a name part; PostgreSQL runs it with `~`, SQLite
through the function SQLAlchemy registers for REGEXP. It is a prefilter: `match_name`
then decides in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from bot.keywords.match import normalize_text

MIN_PART = 3  # shorter name parts ("de", "Li") would match half the roster
MAX_WORDS = 40  # a long conversation still makes one bounded query
# Latin-1, Latin Extended-A/B and the Vietnamese block: where names' accented letters live.
_ACCENTED = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
_COMBINING = "[\u0300-\u036f]*"  # a name stored decomposed (NFD) carries its accents apart
# A part shorter than MIN_PART before the first name ("Li" in "Li Wei"), generously: a
# decomposed accent counts as a character here. Spelled out rather than \m or \b, whose
# idea of a letter depends on the database's locale.
_SHORT_PART = r"\S{1,4}[\s,.'’()/-]+"


@dataclass(frozen=True)
class NameMatch:
    name: str  # as the roster spells it
    full: bool  # the whole name (or first and last); else a part of it
    first: str | None = None  # the folded first name, when that alone was named

    @property
    def said(self) -> str:
        """What the text named, as the roster spells it: 'Juan Pérez', or 'Juan'."""
        return _as_written(self.name, self.first) if self.first else self.name


def words_of(text: str) -> list[str]:
    """Return the distinct folded words of a text long enough to be a name, in order."""
    words = [w for w in normalize_text(text).split() if len(w) >= MIN_PART]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def match_name(name: str, text: str, *, any_part: bool = False) -> NameMatch | None:
    """Tell whether a folded text names this person: full name, or first name alone (or,
    for a search, any part of the name: a liaison typing "Pérez" means the surname)."""
    phrases, long_parts = _name_parts(name)
    if not long_parts:
        return None
    padded = f" {text} "
    if len(long_parts) > 1 and any(f" {p} " in padded for p in phrases):
        return NameMatch(name, True)
    if f" {long_parts[0]} " in padded:
        return NameMatch(name, False, long_parts[0])
    if any_part and any(f" {p} " in padded for p in long_parts):
        return NameMatch(name, False)
    return None


@lru_cache(maxsize=16384)  # first names repeat across thousands of rows
def _name_parts(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The phrases that are the full name (all of it; first and last), and its long parts."""
    parts = normalize_text(name).split()
    long_parts = tuple(p for p in parts if len(p) >= MIN_PART)
    if not long_parts:
        return (), ()
    return (" ".join(parts), f"{long_parts[0]} {long_parts[-1]}"), long_parts


def names_any_of(column: InstrumentedAttribute[str], words: list[str], *,
                 anywhere: bool = False) -> ColumnElement[bool]:
    """A filter for rows whose first name (after any short parts) starts with one of the
    folded words, or, anywhere, whose name contains one; accents and case ignored."""
    alternatives = "|".join(_word_pattern(w) for w in words)
    if anywhere:
        return column.regexp_match(alternatives)
    # Anchored, the database rejects most names at their first letter (about 3 times fewer
    # rows than a substring match). Edges between parts are left to match_name: spelled
    # out in the expression they made PostgreSQL's engine 8 times slower.
    return column.regexp_match(f"^(?:{_SHORT_PART})*(?:{alternatives})")


def _word_pattern(word: str) -> str:
    return "".join(_letter_class(c) + _COMBINING for c in word)


def _letter_class(char: str) -> str:
    # normalize_text turned punctuation and symbols into spaces, so no character of a
    # word is special inside a bracket expression, in Python's re or PostgreSQL's.
    forms = {char, *_variants().get(char, "")}
    upper = char.upper()
    if len(upper) == 1:
        forms.add(upper)
    return "[" + "".join(sorted(forms)) + "]"


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Map each folded letter to every accented letter that folds to it, both cases."""
    found: dict[str, list[str]] = {}
    for code in _ACCENTED:
        char = chr(code)
        folded = normalize_text(char)
        if len(folded) == 1 and folded != char and re.fullmatch(r"\w", folded):
            found.setdefault(folded, []).append(char)
    return {base: "".join(chars) for base, chars in found.items()}


def _as_written(name: str, folded_part: str) -> str:
    """The word of name, as written, that folds to folded_part ('María' for 'maria')."""
    words = re.split(r"[^\w\u0300-\u036f]+", name)
    return next((w for w in words if normalize_text(w) == folded_part), folded_part)
