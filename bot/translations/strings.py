"""The family-facing strings: the texts bot/texts.py names, with their notes for translators.

One definition: a string is family-facing when bot/texts.py holds it in an upper-case
module constant (an `N_` string or an `N_plural` pair). The catalogs also hold whatever
else `pybabel extract` finds (dashboard strings, one day); those are not counted, reviewed
or sent to families. The constant is what the bot sends; a catalog entry's location
(`#: bot/texts.py:14`) says the same only until the next extraction.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import texts
from bot.i18n import TRANSLATIONS_DIR

COMMENT_TAG = "TRANSLATORS:"


@dataclass(frozen=True)
class FamilyString:
    name: str  # the constant in bot/texts.py: CODE_SENT
    msgid: str  # the English text (the singular of a plural pair)
    plural: str | None  # the English plural, for a text that depends on a number
    comment: str  # the TRANSLATORS: note, from translations/messages.pot

    @property
    def key(self) -> str | tuple[str, str]:
        """The text as bot/texts.py holds it, as bot.i18n.review_state takes it."""
        return self.msgid if self.plural is None else (self.msgid, self.plural)

    @property
    def placeholders(self) -> set[str]:
        return placeholders(self.msgid) | placeholders(self.plural or "")


def family_strings() -> tuple[FamilyString, ...]:
    """Every family-facing string, in the order bot/texts.py defines them."""
    found = []
    for name, value in vars(texts).items():
        if not name.isupper():
            continue
        if isinstance(value, str):
            found.append(FamilyString(name, value, None, _comment(value)))
        elif isinstance(value, tuple) and len(value) == 2:
            found.append(FamilyString(name, value[0], value[1], _comment(value[0])))
    return tuple(found)


def placeholders(text: str) -> set[str]:
    """Return the names of a python-brace-format text's placeholders; ValueError if broken."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def template() -> Catalog:
    """Return translations/messages.pot, the catalogs' template (read once)."""
    return _template()


@lru_cache(maxsize=1)
def _template() -> Catalog:
    with open(TRANSLATIONS_DIR / "messages.pot", "rb") as f:
        return read_po(f)


def _comment(msgid: str) -> str:
    message = _template().get(msgid)
    if message is None:  # defined in bot/texts.py but not extracted yet
        return ""
    return " ".join(message.auto_comments).removeprefix(COMMENT_TAG).strip()
