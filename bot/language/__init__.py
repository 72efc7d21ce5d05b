"""Offline language detection for families' texts."""

from bot.language.detect import CERTAIN_AT, Detection, detect_language

__all__ = ["CERTAIN_AT", "Detection", "detect_language"]
