"""The language menu: a family texts LANGUAGE (IDIOMA, LANGUE, …) and picks by number.

The menu lists `[languages] menu` (default: every language Puente has texts in), one line
each, written in itself ("2 Español", "9 العربية"). The options sent are stored on the
contact with the time, so a reply is read against the menu that family actually got even if
the configuration changes in between. A reply that is only a number from the menu (Western,
Arabic-Indic or full-width digits, with punctuation around it: "3", "#3", "٣.") within
MENU_VALID of the menu changes the contact's preferred language; the answer comes in the
new language. While a menu is pending, a bare number means a menu choice, not "1 = yes" to
a number check: the menu is what the family asked for last.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import texts
from bot.config import Config
from bot.i18n import family_text, has_catalog
from bot.keywords.match import normalize_text
from bot.languages import autonym, normalize_tag
from bot.models import AuditEvent, Contact, School

log = logging.getLogger(__name__)

MENU_VALID = timedelta(hours=24)
# The order: the languages US districts with many newcomer families serve most.
# Dari is offered as `prs`: Dari households are routed to Dari-speaking liaisons, and its
# texts come from the fa_AF catalog (Persian as written in Afghanistan).
DEFAULT_MENU = ("en", "es", "ht", "pt-BR", "kea", "vi", "zh-Hans", "zh-Hant", "ar", "so", "fr",
                "ru", "uk", "prs", "ps", "ne", "sw", "rw", "ti", "am", "my", "ksw", "ko", "tl",
                "hmn")
_CHOICE = re.compile(r"\d{1,2}")


@dataclass(frozen=True)
class MenuChoice:
    language: str
    reply: tuple[str, str]  # (text, language) for the family


def menu_languages(config: Config) -> tuple[str, ...]:
    """The languages the menu offers, as canonical tags; ValueError names a bad entry."""
    menu = config.languages.menu or DEFAULT_MENU
    tags = []
    for tag in menu:
        canonical = normalize_tag(tag)
        if not has_catalog(canonical):
            raise ValueError(f"languages.menu: Puente has no texts in {tag!r}, so a family "
                             "who chose it would get English")
        if canonical not in tags:
            tags.append(canonical)
    return tuple(tags)


def menu_label(tag: str) -> str:
    """A language as the menu names it: in itself, capitalised like a list item."""
    name = autonym(tag)
    return name[:1].upper() + name[1:]


def send_menu(session: Session, contact: Contact, config: Config,
              now: datetime) -> tuple[str, str]:
    """Remember that the menu went to this contact; return its text in their language."""
    options = menu_languages(config)
    contact.language_menu = list(options)
    contact.language_menu_sent_at = now
    header, language = family_text(texts.LANGUAGE_MENU, contact.text_languages)
    lines = [f"{n} {menu_label(tag)}" for n, tag in enumerate(options, start=1)]
    return "\n".join([header, *lines]), language


def answer_menu(session: Session, contact: Contact, body: str, *, school: School,
                now: datetime) -> MenuChoice | None:
    """Read body as a choice from a pending menu and apply it; None when it is not one."""
    options = contact.language_menu
    sent_at = contact.language_menu_sent_at
    if not options or sent_at is None or now - sent_at > MENU_VALID:
        return None
    folded = normalize_text(body)
    if not _CHOICE.fullmatch(folded):
        return None
    number = int(folded)  # int() reads every Unicode decimal digit: "٣" is 3
    if not 1 <= number <= len(options):
        return None
    chosen = options[number - 1]
    before = contact.language
    contact.language = chosen
    contact.other_languages = [t for t in contact.other_languages or [] if t != chosen]
    contact.language_menu = None
    contact.language_menu_sent_at = None
    session.add(AuditEvent(at=now, actor="family", action="contact.language_changed",
                           subject_type="contact", subject_id=contact.id,
                           details={"from": before, "to": chosen, "how": "language menu"}))
    log.info("contact %s chose a language from the menu", contact.id)
    reply = family_text(texts.LANGUAGE_CHANGED, _chain(chosen, contact.text_languages),
                        school=school.name, language=menu_label(chosen))
    return MenuChoice(chosen, reply)


def _chain(first: str, rest: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([first, *rest]))
