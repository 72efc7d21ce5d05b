"""Each family-facing string of one language: its current text and review state."""

from __future__ import annotations

import gettext
from dataclasses import dataclass

from babel.messages.catalog import Catalog

from bot.i18n import ReviewState, read_catalog, review_state
from bot.translations import overlay
from bot.translations.strings import FamilyString, family_strings

EXAMPLES = 4  # numbers shown for each plural form


@dataclass(frozen=True)
class Entry:
    string: FamilyString
    forms: tuple[str, ...]  # the text a family gets, one per plural form ('' where missing)
    form_labels: tuple[str, ...]  # which numbers each form is for ("n = 2, 3, 4, …")
    state: ReviewState


def language_entries(tag: str) -> list[Entry]:
    """Every family-facing string in a catalog's language: the reviewed text, else the draft."""
    catalog = read_catalog(tag)
    return [_entry(catalog, tag, s) for s in family_strings()]


def language_entry(tag: str, name: str) -> Entry | None:
    """The entry of the string bot/texts.py names `name`, or None."""
    return next((e for e in language_entries(tag) if e.string.name == name), None)


def _entry(catalog: Catalog, tag: str, string: FamilyString) -> Entry:
    count = 1 if string.plural is None else catalog.num_plurals
    forms = overlay.reviewed(tag, string.msgid, string.plural)
    if forms is None:
        message = catalog.get(string.msgid)
        drafted = message.string if message is not None else ""
        forms = tuple(drafted) if isinstance(drafted, tuple) else (drafted or "",)
    forms = (tuple(forms) + ("",) * count)[:count]
    labels = ("",) if string.plural is None else form_labels(catalog)
    return Entry(string, forms, labels, review_state(string.key, tag))


def form_labels(catalog: Catalog) -> tuple[str, ...]:
    """Say which numbers each of the catalog's plural forms is for, by its Plural-Forms."""
    if catalog.num_plurals == 1:
        return ("every number",)
    rule = gettext.c2py(catalog.plural_expr)
    examples: list[list[int]] = [[] for _ in range(catalog.num_plurals)]
    for n in range(1000):
        form = rule(n)
        if form < len(examples) and len(examples[form]) <= EXAMPLES:
            examples[form].append(n)
    return tuple("n = " + ", ".join(map(str, found[:EXAMPLES]))
                 + (", …" if len(found) > EXAMPLES else "") for found in examples)
