"""Machine translation, optional and pluggable: it only ever drafts a variant, which a
liaison who speaks the language must still approve. None is configured by default.

Drafting runs in the scheduler (never in a web request, since it calls the network).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.models import Broadcast, BroadcastVariant

log = logging.getLogger(__name__)


class Translator(Protocol):
    def translate(self, text: str, source: str, target: str) -> str:
        """Return text translated from source to target; raise TranslationError if not."""
        ...


class TranslationError(Exception):
    """The translator could not translate (unreachable, unsupported language, …)."""


class LibreTranslate:
    """A self-hosted LibreTranslate server (https://github.com/LibreTranslate/LibreTranslate):
    family texts never leave the district's own machines."""

    def __init__(self, url: str, api_key: str = "", timeout: float = 10.0) -> None:
        self.url = url.rstrip("/") + "/translate"
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, text: str, source: str, target: str) -> str:
        payload = {"q": text, "source": _code(source), "target": _code(target),
                   "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            response = requests.post(self.url, json=payload, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TranslationError(f"translator unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise TranslationError(f"translator answered HTTP {response.status_code}")
        translated = response.json().get("translatedText")
        if not isinstance(translated, str) or not translated.strip():
            raise TranslationError("translator answered without a translation")
        return translated.strip()


def _code(tag: str) -> str:
    # LibreTranslate names languages by ISO 639-1 code, with zh-Hans / zh-Hant spelled out.
    return {"zh-Hans": "zh", "zh-Hant": "zt", "pt-BR": "pt"}.get(tag, tag.split("-")[0])


TRANSLATORS: dict[str, Callable[[Config], Translator]] = {
    "libretranslate": lambda config: LibreTranslate(config.translation.url,
                                                    config.translation.api_key),
}


def make_translator(config: Config) -> Translator | None:
    """The configured translator, or None (the default: people translate)."""
    name = config.translation.provider
    return TRANSLATORS[name](config) if name else None


def draft_translations(session: Session, translator: Translator, now: datetime,
                       limit: int = 20) -> int:
    """Fill empty translation tasks of broadcasts not yet started with machine drafts."""
    tasks = session.scalars(
        select(BroadcastVariant)
        .join(Broadcast)
        .where(BroadcastVariant.origin == "task", BroadcastVariant.text == "",
               Broadcast.status.in_(("draft", "scheduled")), Broadcast.template_name.is_(None))
        .limit(limit)
    ).all()
    drafted = 0
    for task in tasks:
        broadcast = task.broadcast
        original = broadcast.variant(broadcast.source_language)
        if original is None or not original.text:
            continue
        try:
            task.text = translator.translate(original.text, broadcast.source_language,
                                             task.language)
        except TranslationError as exc:
            log.warning("no machine draft for broadcast %s in %s: %s", broadcast.id,
                        task.language, exc)
            task.origin = "task-failed"  # do not retry every tick; a person translates it
            continue
        task.origin, task.approved_at = "machine", None  # a draft: a liaison must approve it
        drafted += 1
    return drafted
