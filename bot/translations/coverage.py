"""How much of each language's family-facing text is missing, drafted or reviewed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.i18n import ReviewState, review_state
from bot.translations.strings import family_strings


@dataclass(frozen=True)
class Coverage:
    tag: str
    total: int
    missing: int
    drafted: int
    reviewed: int

    def share(self, state: ReviewState) -> float | None:
        """The share of the strings in a state; None when there are none at all."""
        return getattr(self, state) / self.total if self.total else None


def coverage(tags: Iterable[str]) -> list[Coverage]:
    """Count every family-facing string's review state in each language, reviews included."""
    strings = family_strings()
    rows = []
    for tag in tags:
        counts = Counter(review_state(s.key, tag) for s in strings)
        rows.append(Coverage(tag, len(strings), counts["missing"], counts["drafted"],
                             counts["reviewed"]))
    return rows
