"""Carrier keywords (STOP, ALTO, 退订, …) and plain-language opt-out phrases, as data."""

from bot.keywords.match import (
    KeywordDataError,
    KeywordMatch,
    PhraseMatch,
    find_opt_out_phrase,
    load_keywords,
    match_keyword,
    normalize_text,
)

__all__ = [
    "KeywordDataError",
    "KeywordMatch",
    "PhraseMatch",
    "find_opt_out_phrase",
    "load_keywords",
    "match_keyword",
    "normalize_text",
]
