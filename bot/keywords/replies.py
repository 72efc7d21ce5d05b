"""Answers to a number check ("is this still the right number?"), from keywords.toml.

Unlike carrier keywords, a check answer may carry other words ("sí, es mi número"), so
words are found anywhere in the reply, as whole words, longest first: "número equivocado"
is read before "no", and "不是" before "是". The rules that keep a family from being cut
off by a misread reply:

- a one-word wrong-number entry ("no", "non", "لا") counts only as the whole reply;
- a confirm word right after such a negation ("no es mi número") does not confirm;
- a reply with both kinds, or a negated confirm, is nobody's answer: a liaison reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from bot.keywords.match import KEYWORDS_FILE, REPLY_KINDS, normalize_text, read_keyword_file
from bot.languages import english_name, normalize_tag, speaks

ReplyKind = Literal["confirm", "wrong_number"]


@dataclass(frozen=True)
class CheckAnswer:
    kind: ReplyKind | None  # None: not an answer the bot acts on
    word: str | None
    language: str | None
    reason: str


@dataclass(frozen=True)
class _Word:
    kind: ReplyKind
    word: str  # as written in keywords.toml
    language: str
    form: str  # folded
    alone_only: bool  # counts only as the whole reply


def prompt_words(languages: Sequence[str]) -> tuple[str, str]:
    """The confirm and wrong-number words a prompt in the first listed language asks for."""
    tables = _tables()
    for language in [*languages, "en"]:
        for tag in tables:
            if _reads(language, tag):
                confirm = [w for w in tables[tag] if w.kind == "confirm"]
                wrong = [w for w in tables[tag] if w.kind == "wrong_number"]
                if confirm and wrong:
                    return confirm[0].word, wrong[0].word
    raise LookupError("keywords.toml has no confirm and wrong_number words for English")


def match_check_answer(text: str, languages: Iterable[str]) -> CheckAnswer:
    """Read a reply to a number check in the household's languages (and English)."""
    words = _words_for([*languages, "en"])
    folded = normalize_text(text)
    if not folded:
        return CheckAnswer(None, None, None, "empty reply")
    exact = next((w for w in words if w.form == folded), None)
    if exact is not None:  # the whole reply is one listed answer: nothing else to weigh
        return _answer(exact)
    found: list[tuple[int, _Word]] = []
    negated: _Word | None = None
    remaining = f" {folded} "
    negations = {w.form for w in words if w.kind == "wrong_number" and w.alone_only}
    for word in words:  # longest first
        if word.alone_only:  # and not the whole reply (read above)
            continue
        position = _find(remaining, word.form)
        while position >= 0:
            before = remaining[:position].split()
            if word.kind == "confirm" and before and before[-1] in negations:
                negated = word
            else:
                found.append((position, word))
            # Consume the match, so a shorter word is not found inside it.
            remaining = (remaining[:position] + " " * len(word.form)
                         + remaining[position + len(word.form):])
            position = _find(remaining, word.form)
    kinds = {w.kind for _, w in found}
    if negated is not None:
        return CheckAnswer(None, negated.word, negated.language,
                           f"'{negated.word}' comes after a negation: left to a liaison")
    if len(kinds) > 1:
        shown = ", ".join(f"'{w.word}'" for _, w in sorted(found, key=lambda f: f[0]))
        return CheckAnswer(None, None, None,
                           f"holds both a confirmation and a wrong-number answer ({shown}): "
                           "left to a liaison")
    if not found:
        return CheckAnswer(None, None, None, "no confirm or wrong-number word")
    _, first = min(found, key=lambda f: f[0])
    return _answer(first)


def _answer(word: _Word) -> CheckAnswer:
    what = "a confirmation" if word.kind == "confirm" else "a wrong-number answer"
    return CheckAnswer(word.kind, word.word, word.language,
                       f"contains the {english_name(word.language)} word '{word.word}', "
                       f"{what}")


def _find(haystack: str, form: str) -> int:
    if _unspaced(form):
        return haystack.find(form)  # Chinese has no spaces between words
    return haystack.find(f" {form} ") + 1 if f" {form} " in haystack else -1


def _unspaced(text: str) -> bool:
    return any("\u3040" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _reads(language: str, tag: str) -> bool:
    try:
        return speaks([normalize_tag(language)], tag)
    except ValueError:
        return False


def _words_for(languages: Sequence[str]) -> list[_Word]:
    tables = _tables()
    tags = [tag for tag in tables if any(_reads(language, tag) for language in languages)]
    return sorted((w for tag in tags for w in tables[tag]), key=lambda w: -len(w.form))


@lru_cache(maxsize=4)
def _tables(path: Path = KEYWORDS_FILE) -> dict[str, tuple[_Word, ...]]:
    tables = {}
    for language, table in read_keyword_file(path).items():
        words = []
        alone_forms = {normalize_text(w) for w in table.get("alone", [])}
        for kind in REPLY_KINDS:
            for word in table.get(kind, []):
                form = normalize_text(word)
                one_token = " " not in form and not _unspaced(form)
                # "1", "Y", and a wrong-number "NO" mean something only on their own; so
                # does a single Chinese character (是 is in 你是谁, 对 in 对不起).
                alone = len(form) < 2 or form in alone_forms or (
                    one_token and (form.isdigit() or kind == "wrong_number"))
                words.append(_Word(kind, word, language, form, alone))
        tables[language] = tuple(words)
    return tables
