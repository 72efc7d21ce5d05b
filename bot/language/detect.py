"""Guess the language of a family's text offline: script rules, word lists, then lingua."""

from __future__ import annotations

import bisect
import re
import threading
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bot.languages import normalize_tag, speaks

# At or above this confidence a detection is "certain" and callers may act on it (route,
# set a new contact's language); below it they should not guess. On the 540 texts of
# tests/data/language_eval.tsv (right / wrong certain): 0.7: 507/7, 0.8: 502/4, 0.9: 486/2;
# 0.5: 518/12. Low-accuracy lingua is overconfident on short texts, so the config's older
# default of 0.5 is too low for it.
CERTAIN_AT = 0.8

# Lingua's languages among those Puente supports. Swahili and Tagalog once claimed Kreyòl
# texts (0.99); since lingua's confidences are scaled down by the word lists (_latin), they
# no longer do. Korean, Chinese and Arabic are recognised by their scripts before lingua.
_LINGUA_LANGUAGES = (
    Language.ENGLISH, Language.SPANISH, Language.PORTUGUESE, Language.VIETNAMESE,
    Language.SOMALI, Language.FRENCH, Language.RUSSIAN, Language.UKRAINIAN,
    Language.SWAHILI, Language.TAGALOG,
)

# (first code point, last code point, script); letters outside these ranges count as Latin.
_RANGES = sorted([
    (0x0400, 0x052F, "Cyrillic"), (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"),
    (0x08A0, 0x08FF, "Arabic"), (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"),
    (0x1000, 0x109F, "Myanmar"), (0xA9E0, 0xA9FF, "Myanmar"), (0xAA60, 0xAA7F, "Myanmar"),
    (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
    (0x1200, 0x139F, "Ethiopic"), (0x2D80, 0x2DDF, "Ethiopic"), (0x1780, 0x17FF, "Khmer"),
    (0x3040, 0x30FF, "Kana"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
    (0xF900, 0xFAFF, "Han"), (0x20000, 0x3134F, "Han"),
])
_STARTS = [r[0] for r in _RANGES]
# Scripts that name their language, or a short list of candidates when several languages
# share them (the first is the usual one among US school families).
_SCRIPT_LANGUAGES = {
    "Hangul": ("ko",), "Kana": ("ja",), "Thai": ("th",), "Lao": ("lo",), "Khmer": ("km",),
    "Ethiopic": ("am", "ti"), "Devanagari": ("ne", "hi"), "Myanmar": ("my", "ksw"),
}
_KAREN_LETTERS = set("\u1061\u1062\u1063\u1064")  # S'gaw Karen letters of the Myanmar block

# Characters that exist only in simplified, or only in traditional, Chinese.
_SIMPLIFIED = set("这们个来时说会学么对发过还问间见车开关长书觉钱电话请谢师让给习儿医级号读写课网"
                  "语亲爱带办务边节两饭馆买卖经无东马门风飞乐岁难题谁应该认识样业听现实头药钟点"
                  "饿坏动运远进选种孙妈议几讯")
_TRADITIONAL = set("這們個來時說會學麼對發過還問間見車開關長書覺錢電話請謝師讓給習兒醫級號讀寫課網"
                   "語親愛帶辦務邊節兩飯館買賣經無東馬門風飛樂歲難題誰應該認識樣業聽現實頭藥鐘點"
                   "餓壞動運遠進選種孫媽議幾訊")

# Arabic-script letters particular to one language (Persian keyboards type ی ک, Arabic ي ك),
# in the order they are tried.
_ARABIC_SCRIPT = {
    "ps": set("ټډړښږځڅۍېګڼ"), "ur": set("ٹڈڑںےھہ"), "fa": set("پچژگکی"), "ar": set("ةىكي"),
}
# Tigrinya letters: the qh series (ቐ …), and ኣ where Amharic writes አ.
_TIGRINYA_LETTERS = {chr(c) for c in range(0x1250, 0x125E)} | {"ኣ"}

# Vietnamese letters no other supported Latin-script language uses.
_VIETNAMESE = set("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịĩọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ")

WORDS_FILE = Path(__file__).resolve().parent / "words.toml"
_WORD = re.compile(r"[^\W\d_]+")
# Words in Ge'ez and Devanagari text: split on spaces and the scripts' own punctuation.
_SCRIPT_WORD = re.compile(r"[^\s\u1361-\u1368\u0964\u0965,.?!]+")

_detector: LanguageDetector | None = None
_detector_lock = threading.Lock()


@dataclass(frozen=True)
class Detection:
    language: str | None  # BCP 47 tag, or None when nothing could be guessed
    confidence: float
    certain: bool


def detect_language(text: str, candidates: Sequence[str] | None = None, *,
                    threshold: float = CERTAIN_AT) -> Detection:
    """Guess the BCP 47 language of a text; with candidates, answer only one of them."""
    letters = [c for c in unicodedata.normalize("NFC", text) if c.isalpha()]
    if not letters:
        return Detection(None, 0.0, False)  # empty, digits, emoji, punctuation
    allowed = [normalize_tag(c) for c in candidates or ()]
    by_script = _by_script(text, letters)
    hypotheses = by_script if by_script is not None else _latin(text)
    if allowed and by_script is not None:
        # The script proves the text is in one of these; if the household speaks only one
        # of them (Tigrinya, not Amharic), that one is certain.
        fitting = [tag for tag, _ in by_script if speaks(allowed, tag)]
        if len(fitting) == 1:
            hypotheses = [(fitting[0], 1.0)]
    for tag, confidence in hypotheses:
        confidence = round(confidence, 3)
        if confidence <= 0.0:
            break  # sorted: nothing left that the text supports
        answer = tag if not allowed else next((c for c in allowed if speaks([c], tag)), None)
        if answer is not None:
            return Detection(answer, confidence, confidence >= threshold)
    return Detection(None, 0.0, False)


def _by_script(text: str, letters: list[str]) -> list[tuple[str, float]] | None:
    """List every language the writing system allows, or None for Latin and Cyrillic."""
    scripts = Counter(_script(c) for c in letters)
    if scripts["Kana"]:
        return [("ja", 1.0)]  # Japanese mixes kana with Han
    script, count = max(((s, n) for s, n in scripts.items() if s != "Latin"),
                        key=lambda item: item[1], default=("Latin", 0))
    if script in ("Latin", "Cyrillic") or count * 3 < len(letters):
        return None
    if script == "Han":
        simplified = sum(c in _SIMPLIFIED for c in letters)
        traditional = sum(c in _TRADITIONAL for c in letters)
        if simplified == traditional:
            return [("zh", 1.0)]  # nothing tells the scripts apart: any Chinese reader
        return [("zh-Hans" if simplified > traditional else "zh-Hant", 1.0)]
    if script == "Arabic":
        return _arabic_script(letters, _WORD.findall(text))
    if script == "Myanmar" and any(c in _KAREN_LETTERS for c in text):
        return [("ksw", 1.0)]
    if script == "Myanmar" and all("\u1000" <= c <= "\u104f" for c in letters):
        return [("my", 0.95), ("ksw", 0.05)]  # Burmese letters only: no Karen, Shan or Mon
    if script in ("Ethiopic", "Devanagari"):
        decided = _by_words(script, letters, _SCRIPT_WORD.findall(text))
        if decided is not None:
            return decided
    tags = _SCRIPT_LANGUAGES[script]
    return [(tag, 1.0 / len(tags)) for tag in tags]


def _arabic_script(letters: list[str], words: list[str]) -> list[tuple[str, float]]:
    """Tell Pashto, Urdu, Persian and Arabic apart by their own letters and common words."""
    lists = _word_lists().script
    persian_keyboard = (any(c in _ARABIC_SCRIPT["fa"] for c in letters)
                        and not any(c in _ARABIC_SCRIPT["ar"] for c in letters))
    if persian_keyboard and (_count(words, lists["ps"]) > _count(words, lists["fa"])):
        return [("ps", 1.0)]  # Pashto typed on a Persian keyboard, without ټ ړ ښ ځ
    for tag, marks in _ARABIC_SCRIPT.items():
        if any(c in marks for c in letters):
            return [(tag, 1.0)]
    return [(tag, 0.25) for tag in reversed(_ARABIC_SCRIPT)]


def _by_words(script: str, letters: list[str],
              words: list[str]) -> list[tuple[str, float]] | None:
    """Weigh Tigrinya against Amharic, or Nepali against Hindi; None when even."""
    lists = _word_lists().script
    if script == "Ethiopic":
        pair = ("ti", "am")
        first = _count(words, lists["ti"]) + sum(c in _TIGRINYA_LETTERS for c in letters)
        second = _count(words, lists["am"]) + letters.count("አ")
    else:
        pair = ("ne", "hi")
        hindi = lists["hi"]
        # The Nepali genitive is fused (मेरो छोराको); Hindi writes को apart, but for आपको …
        first = sum(w in lists["ne"] or (len(w) > 3 and w.endswith("को") and w not in hindi)
                    for w in words)
        second = _count(words, hindi)
    if first == second:
        return None
    share = max(first, second) / (first + second)  # 1.0 when only one language has evidence
    winner, loser = pair if first > second else pair[::-1]
    return [(winner, share), (loser, 1.0 - share)]


def _count(words: list[str], vocabulary: frozenset[str]) -> int:
    return sum(w in vocabulary for w in words)


def _script(char: str) -> str:
    index = bisect.bisect_right(_STARTS, ord(char)) - 1
    if index >= 0 and ord(char) <= _RANGES[index][1]:
        return _RANGES[index][2]
    return "Latin"


def _latin(text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    vietnamese = [w for w in words if any(c in _VIETNAMESE for c in w)]
    if words and len(vietnamese) / len(words) >= 0.3:
        return [("vi", 1.0)]  # Vietnamese: nearly every word carries its own diacritics
    if vietnamese:
        # A few such words in other text are names ("this is Nguyễn's mom"): judge the rest.
        text = " ".join(w for w in words if w not in vietnamese)
    # Each word as written and without accents ("lekòl", "lekol").
    forms = [(w, "".join(c for c in unicodedata.normalize("NFD", w)
                         if unicodedata.category(c) != "Mn")) for w in words]
    listed = [(tag, _word_list_confidence(forms, lists))
              for tag, lists in _word_lists().latin.items()]
    # lingua's confidences only compare the languages it knows, so a Kreyòl text could be
    # 0.99 French: they hold only as far as the text is none of the listed languages.
    rest = 1.0 - max(confidence for _, confidence in listed)
    values = _lingua().compute_language_confidence_values(text)
    found = [(_tag(v.language), v.value * rest) for v in values]
    return sorted([*listed, *found], key=lambda item: -item[1])


def _word_list_confidence(forms: list[tuple[str, str]], lists: _WordList) -> float:
    """Score how much a text looks like a language: its strong words, and their share."""
    strong = weak = 0
    for word, plain in forms:
        if word in lists.strong or plain in lists.strong or not lists.letters.isdisjoint(word):
            strong += 1
        elif word in lists.weak or plain in lists.weak:
            weak += 1
    if not strong:
        return 0.0
    return min(1.0, 0.35 * strong + 0.5 * (strong + weak) / len(forms))


@dataclass(frozen=True)
class _WordList:
    strong: frozenset[str]
    weak: frozenset[str]
    letters: frozenset[str]  # a word with one of these is a strong word (Kreyòl ò)


@dataclass(frozen=True)
class _WordLists:
    latin: dict[str, _WordList]  # languages lingua lacks, by their words in Latin script
    script: dict[str, frozenset[str]]  # words telling apart languages that share a script


@lru_cache(maxsize=1)
def _word_lists() -> _WordLists:
    """Read words.toml once per process, on first use."""
    with open(WORDS_FILE, "rb") as f:
        data = tomllib.load(f)
    if set(data) != {"latin", "script"}:
        raise ValueError(f"{WORDS_FILE.name}: expected [latin.*] and [script.*] tables")
    latin, script = {}, {}
    for tag, table in data["latin"].items():
        _check(f"latin.{tag}", table, required={"source", "strong", "weak"}, optional={"letters"})
        latin[tag] = _WordList(frozenset(table["strong"].split()),
                               frozenset(table["weak"].split()),
                               frozenset(table.get("letters", "")))
    for tag, table in data["script"].items():
        _check(f"script.{tag}", table, required={"source", "words"}, optional=set())
        script[tag] = frozenset(table["words"].split())
    return _WordLists(latin, script)


def _check(name: str, table: dict, *, required: set[str], optional: set[str]) -> None:
    if not required <= set(table) <= required | optional:
        raise ValueError(f"{WORDS_FILE.name}: [{name}] must have {sorted(required)}, "
                         f"may have {sorted(optional)}; has {sorted(table)}")


def _lingua() -> LanguageDetector:
    """Build the lingua detector once per process, on first use (never at import)."""
    global _detector
    with _detector_lock:
        if _detector is None:
            # Low-accuracy mode: 15-20 MB instead of over 200 MB for high accuracy, which
            # also leaves twice as many short texts uncertain (docs/language-detection.md).
            _detector = (LanguageDetectorBuilder.from_languages(*_LINGUA_LANGUAGES)
                         .with_low_accuracy_mode().with_preloaded_language_models().build())
        return _detector


def _tag(language: Language) -> str:
    return language.iso_code_639_1.name.lower()
