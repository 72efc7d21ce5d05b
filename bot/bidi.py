"""Right-to-left text that phones display correctly: isolated insertions, balanced marks.

Two things break Arabic, Dari and Pashto texts on a phone:

- **A left-to-right value inside right-to-left text.** A school name, a phone number or a
  time dropped into an Arabic sentence takes the sentence's punctuation with it: "(617)
  555-0100." can come out as ".0100-555 (617)". The Unicode Bidirectional Algorithm's fix
  (UAX #9, section 6.3) is to wrap each inserted value in FIRST STRONG ISOLATE … POP
  DIRECTIONAL ISOLATE (U+2068 … U+2069), which keeps the value's own direction and stops
  it from reordering its neighbours. Only values with left-to-right letters or European
  digits are wrapped: an Arabic name needs nothing, and every mark costs a character.
- **Unbalanced or hostile marks.** A text pasted from elsewhere, or a name in a roster, can
  carry embeddings and overrides (U+202A–U+202E): an unclosed RIGHT-TO-LEFT OVERRIDE
  reverses everything after it, and overrides are how text is made to display as
  something it is not. `clean` removes embeddings and overrides (modern text needs
  neither), drops a stray POP DIRECTIONAL ISOLATE, and closes isolates left open at the
  end of each line (UAX #9 ends them at a paragraph break anyway; closing them keeps every
  message balanced when it is shown inside another app's text). LRM, RLM and ALM marks
  are kept: they are invisible, harmless and sometimes written on purpose.

Every text a family is sent passes through `clean` when it is queued (bot/sending/outbox.py);
`isolate_values` is applied where values are filled into a right-to-left template
(bot/i18n.py, bot/broadcasts/templates.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from babel import Locale

from bot.languages import has_locale_data, normalize_tag, speaks

FSI, PDI = "\u2068", "\u2069"
_OPEN_ISOLATES = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI
_EMBEDDINGS_AND_OVERRIDES = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}
_LEFT_TO_RIGHT = {"L", "EN"}  # bidi classes: strong left-to-right, European digits
# Written right to left but without Babel data of their own (Dari reads Persian's).
_RTL_WITHOUT_DATA = ("prs",)


@lru_cache(maxsize=256)
def is_right_to_left(tag: str) -> bool:
    """Tell whether texts in this language are written right to left (CLDR's data)."""
    tag = normalize_tag(tag)
    if any(speaks([tag], other) for other in _RTL_WITHOUT_DATA):
        return True
    if not has_locale_data(tag):
        return False
    return Locale.parse(tag.replace("-", "_")).character_order == "right-to-left"


def isolate(value: str) -> str:
    """Wrap a value in FSI … PDI when it holds left-to-right letters or European digits."""
    if any(unicodedata.bidirectional(c) in _LEFT_TO_RIGHT for c in value):
        return f"{FSI}{clean(value)}{PDI}"
    return value


def isolate_values(values: Mapping[str, object], tag: str) -> dict[str, object]:
    """Isolate the string values to be filled into a template in language tag, if RTL."""
    if not is_right_to_left(tag):
        return dict(values)
    return {k: isolate(v) if isinstance(v, str) else v for k, v in values.items()}


def clean(text: str) -> str:
    """Remove embeddings and overrides; balance isolates line by line."""
    return "\n".join(_clean_line(line) for line in text.split("\n"))


def _clean_line(line: str) -> str:
    out = []
    depth = 0
    for char in line:
        if char in _EMBEDDINGS_AND_OVERRIDES:
            continue
        if char in _OPEN_ISOLATES:
            depth += 1
        elif char == PDI:
            if depth == 0:
                continue  # closes nothing
            depth -= 1
        out.append(char)
    return "".join(out) + PDI * depth
