"""Guess the language of a family's text offline: script rules, Kreyòl words, then lingua."""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bot.languages import normalize_tag, speaks

# At or above this confidence a detection is "certain" and callers may act on it (route,
# set a new contact's language); below it they should not guess. Chosen on 101 short family
# texts in 9 languages: at 0.8, 84 certain and none wrong; at 0.5, 89 certain and 2 wrong
# ("Oui merci" -> es, "Il est malade" -> so). Low-accuracy lingua is overconfident on short
# texts, so the config's older default of 0.5 is too low for it.
CERTAIN_AT = 0.8

# Lingua's languages among those Puente supports. Tagalog and Swahili are left out on
# purpose: in low-accuracy mode they claimed Haitian Creole (0.99) and short Spanish texts.
# Korean, Chinese and Arabic are recognised by their scripts before lingua runs.
_LINGUA_LANGUAGES = (
    Language.ENGLISH, Language.SPANISH, Language.PORTUGUESE, Language.VIETNAMESE,
    Language.SOMALI, Language.FRENCH, Language.RUSSIAN, Language.UKRAINIAN,
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

# Arabic-script letters particular to one language (Persian keyboards type ی ک, Arabic ي ك).
_ARABIC_SCRIPT = (
    ("ps", set("ټډړښږځڅۍېګڼ")), ("ur", set("ٹڈڑںےھہ")), ("fa", set("پچژگکی")),
    ("ar", set("ةىكي")),
)

# Vietnamese letters no other supported Latin-script language uses.
_VIETNAMESE = set("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịĩọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ")

# Haitian Creole (lingua lacks it). Strong words are not words of the other supported
# Latin-script languages; weak ones are (French "ou", Spanish "yo", "pa") and only support.
_KREYOL_STRONG = set(
    "mwen nou pitit lekol kounye kounya mesi bonjou bonswa jodi demen anpil poukisa kisa kijan "
    "koman paske tanpri pral pap konnen konprann vle kapab genyen avek malad lafyev reyinyon "
    "mesaj pwofese timoun manman zanmi lakay bagay gason yon oswa tounen rele vini byen bezwen "
    "travay lajan".split())
_KREYOL_WEAK = set("pa ou w m l li yo la a an ki ak ka ap se sa te ye al ale ti nan non wi fi "
                   "deja fe pi vin".split())
# Spelled with è where French has other letters; any word with ò is Kreyòl too.
_KREYOL_ACCENTED = set("chèche bonè lè fè kè frè sè pè tèt lèt fèt mèt pwofesè".split())
_WORD = re.compile(r"[^\W\d_]+")

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
        for tag, marks in _ARABIC_SCRIPT:
            if any(c in marks for c in letters):
                return [(tag, 1.0)]
        return [(tag, 0.25) for tag, _ in _ARABIC_SCRIPT[::-1]]
    if script == "Myanmar" and any(c in _KAREN_LETTERS for c in text):
        return [("ksw", 1.0)]
    tags = _SCRIPT_LANGUAGES[script]
    return [(tag, 1.0 / len(tags)) for tag in tags]


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
    kreyol = _kreyol_confidence(words)
    values = _lingua().compute_language_confidence_values(text)
    found = [(_tag(v.language), v.value) for v in values]
    return sorted([("ht", kreyol), *found], key=lambda item: -item[1])


def _kreyol_confidence(words: list[str]) -> float:
    """Score how Kreyòl a text looks: distinctive words, and the share of Kreyòl words."""
    strong = weak = 0
    for word in words:
        plain = "".join(c for c in unicodedata.normalize("NFD", word)
                        if unicodedata.category(c) != "Mn")
        if plain in _KREYOL_STRONG or word in _KREYOL_ACCENTED or "ò" in word:
            strong += 1
        elif plain in _KREYOL_WEAK:
            weak += 1
    if not strong:
        return 0.0
    return min(1.0, 0.35 * strong + 0.5 * (strong + weak) / len(words))


def _lingua() -> LanguageDetector:
    """Build the lingua detector once per process, on first use (never at import)."""
    global _detector
    with _detector_lock:
        if _detector is None:
            # Low-accuracy mode: about 20 MB instead of 150-270 MB, and no wrong answer above
            # CERTAIN_AT on short texts once Kreyòl and Vietnamese are handled by the rules.
            _detector = (LanguageDetectorBuilder.from_languages(*_LINGUA_LANGUAGES)
                         .with_low_accuracy_mode().with_preloaded_language_models().build())
        return _detector


def _tag(language: Language) -> str:
    return language.iso_code_639_1.name.lower()
