"""Match texts against the carrier keywords and opt-out phrases in keywords.toml."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from bot.languages import english_name, normalize_tag

KEYWORDS_FILE = Path(__file__).resolve().parent / "keywords.toml"

Kind = Literal["opt_out", "opt_in", "help", "yes", "language_menu"]
KINDS: tuple[Kind, ...] = ("opt_out", "opt_in", "help", "yes", "language_menu")
_LABELS = {"opt_out": "opt-out", "opt_in": "opt-in", "help": "help", "yes": "yes",
           "language_menu": "language-menu"}
# Answers to a number check, matched by bot/keywords/replies.py.
REPLY_KINDS = ("confirm", "wrong_number")
_KEYS = {*KINDS, *REPLY_KINDS, "alone", "source", "exact_diacritics", "possible_opt_out",
         "phrases_source", "replies_source"}

# Letters that carry a diacritic but do not decompose under NFD.
_BASE_LETTERS = str.maketrans({"đ": "d", "ø": "o", "ł": "l"})
# Joiners and variation selectors glue emoji together; they are not text.
_INVISIBLE = {"\u200d", "\ufe0e", "\ufe0f", "\u0640"}  # ZWJ, VS15, VS16, Arabic tatweel
_SPACE = re.compile(r"\s+")


class KeywordDataError(ValueError):
    """keywords.toml has an entry the matcher cannot use."""


@dataclass(frozen=True)
class KeywordMatch:
    kind: Kind
    keyword: str
    language: str
    reason: str


@dataclass(frozen=True)
class PhraseMatch:
    phrase: str
    language: str
    reason: str


@dataclass(frozen=True)
class _Entry:
    kind: Kind
    keyword: str
    language: str


@dataclass(frozen=True)
class KeywordTables:
    by_form: dict[str, _Entry]  # accent-free normal form -> entry
    by_exact_form: dict[str, _Entry]  # normal form keeping diacritics (exact_diacritics)
    phrases: tuple[tuple[re.Pattern[str], str, str], ...]  # (pattern, phrase, language)


def normalize_text(text: str, *, keep_diacritics: bool = False) -> str:
    """Fold a text for matching: NFKC, casefold, no accents, punctuation and emoji as spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not keep_diacritics:
        decomposed = unicodedata.normalize("NFD", text.translate(_BASE_LETTERS))
        text = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        text = unicodedata.normalize("NFC", text)
    out = []
    for char in text:
        if char in _INVISIBLE:
            continue
        # Punctuation (Latin, CJK, Arabic), symbols and emoji, separators, controls.
        out.append(" " if unicodedata.category(char)[0] in "PSZC" else char)
    return _SPACE.sub(" ", "".join(out)).strip()


def match_keyword(text: str) -> KeywordMatch | None:
    """Return the keyword a text is exactly (ignoring case, accents, punctuation), if any."""
    tables = load_keywords()
    entry = tables.by_exact_form.get(normalize_text(text, keep_diacritics=True))
    entry = entry or tables.by_form.get(normalize_text(text))
    if entry is None:
        return None
    reason = (f"exactly the {english_name(entry.language)} {_LABELS[entry.kind]} keyword "
              f"'{entry.keyword}'")
    return KeywordMatch(entry.kind, entry.keyword, entry.language, reason)


def find_opt_out_phrase(text: str) -> PhraseMatch | None:
    """Return the first plain-language opt-out phrase found in a text, if any."""
    folded = normalize_text(text)
    for pattern, phrase, language in load_keywords().phrases:
        if pattern.search(folded):
            reason = (f"contains the {english_name(language)} phrase '{phrase}', "
                      "a possible opt-out for a liaison to confirm")
            return PhraseMatch(phrase, language, reason)
    return None


@lru_cache(maxsize=4)
def load_keywords(path: Path = KEYWORDS_FILE) -> KeywordTables:
    """Load and validate keywords.toml once per process."""
    data = read_keyword_file(path)
    by_form: dict[str, _Entry] = {}
    by_exact_form: dict[str, _Entry] = {}
    every_form: dict[str, _Entry] = {}  # accent-free forms of all words, to find conflicts
    phrases = []
    for language, table in data.items():
        exact = table.get("exact_diacritics", False)
        for kind in KINDS:
            for word in table.get(kind, []):
                entry = _Entry(kind, word, language)
                form = normalize_text(word)
                _check_conflict(path, entry, every_form.setdefault(form, entry))
                if exact:
                    by_exact_form[normalize_text(word, keep_diacritics=True)] = entry
                else:
                    by_form.setdefault(form, entry)  # the first language listed names it
        for phrase in table.get("possible_opt_out", []):
            phrases.append((_phrase_pattern(phrase), phrase, language))
    return KeywordTables(by_form, by_exact_form, tuple(phrases))


@lru_cache(maxsize=4)
def read_keyword_file(path: Path = KEYWORDS_FILE) -> dict[str, dict]:
    """Read keywords.toml and check every table; raise KeywordDataError naming the entry."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    for language, table in data.items():
        _check_table(path, language, table)
    return data


def _check_table(path: Path, language: str, table: object) -> None:
    where = f"{path.name}: [{language}]"
    if not isinstance(table, dict):
        raise KeywordDataError(f"{where} must be a table")
    try:
        canonical = normalize_tag(language)
    except ValueError as exc:
        raise KeywordDataError(f"{where}: {exc}") from None
    if canonical != language:
        raise KeywordDataError(f"{where}: write the tag as '{canonical}'")
    if unknown := set(table) - _KEYS:
        raise KeywordDataError(f"{where}: unknown keys {sorted(unknown)}")
    sources = ("source", *(("phrases_source",) if "possible_opt_out" in table else ()),
               *(("replies_source",) if any(k in table for k in REPLY_KINDS) else ()))
    for key in sources:
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise KeywordDataError(f"{where}: '{key}' must say where the words came from")
    if not isinstance(table.get("exact_diacritics", False), bool):
        raise KeywordDataError(f"{where}: 'exact_diacritics' must be true or false")
    answers = {normalize_text(w) for k in REPLY_KINDS for w in table.get(k, [])
               if isinstance(w, str)}
    for word in table.get("alone", []):
        if not isinstance(word, str) or normalize_text(word) not in answers:
            raise KeywordDataError(f"{where} alone: {word!r} is not one of its confirm or "
                                   "wrong_number words")
    for key in (*KINDS, *REPLY_KINDS, "possible_opt_out"):
        words = table.get(key, [])
        if not isinstance(words, list):
            raise KeywordDataError(f"{where} {key}: must be a list of strings")
        for word in words:
            if not isinstance(word, str) or not normalize_text(word):
                raise KeywordDataError(f"{where} {key}: {word!r} is not a word")
            if key in KINDS and normalize_text(word) != normalize_text(word.strip()):
                raise KeywordDataError(f"{where} {key}: {word!r} has surrounding spaces")


def _check_conflict(path: Path, entry: _Entry, other: _Entry) -> None:
    if other is entry:
        return
    if other.kind != entry.kind:
        raise KeywordDataError(
            f"{path.name}: '{entry.keyword}' is {entry.kind} in [{entry.language}] but "
            f"'{other.keyword}' is {other.kind} in [{other.language}]; a word can have one "
            "meaning only")
    if other.language == entry.language:
        raise KeywordDataError(
            f"{path.name}: [{entry.language}] lists '{entry.keyword}' twice "
            f"(as '{other.keyword}')")


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    folded = normalize_text(phrase)
    if _has_unspaced_script(folded):
        return re.compile(re.escape(folded))  # Chinese has no spaces between words
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")


def _has_unspaced_script(text: str) -> bool:
    return any("\u3040" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)
