"""Segment counts agree with Twilio's calculator; Smart Encoding never touches letters."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unicodedata
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.broadcasts.segments import (
    PROVIDER_QUEUE_LIMIT,
    RATE_DEFAULTS,
    SMART_ENCODING,
    SegmentInfo,
    count_segments,
    estimate_cost,
    sending_time,
    smart_encode,
    split_graphemes,
)

DATA = Path(__file__).parent / "data"
ORACLE = json.loads((DATA / "segments_oracle.json").read_text(encoding="utf-8"))
ROWS = ORACLE["rows"]
GROUPS = sorted({row["group"] for row in ROWS})
# Twilio's whole Smart Encoding map, read back from the calculator's answers for "x<char>y".
TWILIO_MAP = {
    row["text"][1:-1]: row["smart"].get("text", row["text"])[1:-1]
    for row in ROWS
    if row["group"] == "smart-map"
}


def is_letter(char: str) -> bool:
    """Say whether a character is a letter or a combining mark (part of a letter)."""
    return unicodedata.category(char)[0] in "LM"


LETTER_KEYS = frozenset(key for key in TWILIO_MAP if is_letter(key))


def letters(text: str) -> list[str]:
    """Return the letters and marks of a text, in order."""
    return [char for char in text if is_letter(char)]


def mismatch(text: str, answer: dict) -> str | None:
    """Describe how count_segments disagrees with one calculator answer, or return None."""
    info = count_segments(text)
    got = (info.encoding, info.segments, info.characters, info.non_gsm)
    want = (answer["encoding"], answer["segments"], answer["units"], tuple(answer["nonGsm"]))
    # The calculator's own character count is septets for GSM-7 but grapheme clusters for UCS-2.
    clusters = info.characters if info.encoding == "GSM-7" else len(split_graphemes(text))
    if got == want and clusters == answer["chars"]:
        return None
    return f"{text[:60]!r}: got {got} / {clusters} clusters, calculator {want} / {answer['chars']}"


@pytest.mark.parametrize("group", GROUPS)
def test_plain_texts_match_the_calculator(group: str) -> None:
    rows = [row for row in ROWS if row["group"] == group]
    failures = [m for row in rows if (m := mismatch(row["text"], row["plain"]))]
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("group", GROUPS)
def test_smart_encoded_texts_match_the_calculator(group: str) -> None:
    failures = []
    for row in (r for r in ROWS if r["group"] == group and not LETTER_KEYS & set(r["text"])):
        encoded = smart_encode(row["text"])
        if encoded != row["smart"].get("text", row["text"]):
            failures.append(f"{row['text'][:60]!r} encodes to {encoded[:60]!r}")
        elif m := mismatch(encoded, row["smart"]):
            failures.append(m)
    assert not failures, "\n".join(failures[:20])


def test_the_oracle_is_what_the_readme_promises() -> None:
    assert ORACLE["about"]["calculator"] == "sms-segments-calculator@1.3.0"
    assert len(ROWS) > 1000
    assert {"language", "boundary", "extension", "cluster", "smart", "random"} <= set(GROUPS)


A, EURO, N_TILDE, A_ACUTE, GRIN = "a", "€", "ñ", "á", "😀"


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "characters"),
    [
        (A * 160, "GSM-7", 1, 160),
        (A * 161, "GSM-7", 2, 161),
        (A * 306, "GSM-7", 2, 306),
        (A * 307, "GSM-7", 3, 307),
        (EURO * 80, "GSM-7", 1, 160),
        (EURO * 81, "GSM-7", 2, 162),
        (N_TILDE * 160, "GSM-7", 1, 160),
        (A_ACUTE * 70, "UCS-2", 1, 70),
        (A_ACUTE * 71, "UCS-2", 2, 71),
        (A_ACUTE * 134, "UCS-2", 2, 134),
        (A_ACUTE * 135, "UCS-2", 3, 135),
        (GRIN * 35, "UCS-2", 1, 70),
        (GRIN * 36, "UCS-2", 2, 72),
        ("“hi”", "UCS-2", 1, 4),
        (smart_encode("“hi”"), "GSM-7", 1, 4),
        # An escape pair is never split: the € opens segment 2, so 306 septets need 3.
        (A * 152 + EURO + A * 152, "GSM-7", 3, 306),
        # Nor is a surrogate pair: 134 units, yet the emoji opens segment 2.
        (A_ACUTE * 66 + GRIN + A_ACUTE * 66, "UCS-2", 3, 134),
        # Nor a whole flag (two regional indicators).
        (A_ACUTE * 65 + "🇲🇽" + A_ACUTE * 65, "UCS-2", 3, 134),
        ("", "GSM-7", 1, 0),  # the calculator counts an empty body as one segment
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 12 else None,
)
def test_reference_cases(text: str, encoding: str, segments: int, characters: int) -> None:
    info = count_segments(text)
    assert (info.encoding, info.segments, info.characters) == (encoding, segments, characters)


def test_non_gsm_characters_are_distinct_and_in_order() -> None:
    info = count_segments("Hola, ¿cómo está? ¿Cómo están?")
    assert info == SegmentInfo("UCS-2", 1, 30, ("ó", "á"), 70)


def test_per_segment_follows_encoding_and_concatenation() -> None:
    assert [count_segments(t).per_segment for t in (A, A * 161, A_ACUTE, A_ACUTE * 71)] == [
        160, 153, 70, 67,
    ]


def test_smart_encoding_is_twilios_map_without_its_letters() -> None:
    assert len(TWILIO_MAP) == 271
    assert set(SMART_ENCODING) == set(TWILIO_MAP) - LETTER_KEYS
    for key, replacement in TWILIO_MAP.items():
        assert smart_encode(key) == (key if key in LETTER_KEYS else replacement), hex(ord(key))


@pytest.mark.parametrize(
    ("text", "twilio"),
    [
        ("Se\u00f1ora Mu\u00f1oz", "Se\u00f1ora Mu\u00f1oz"),  # composed ñ is GSM anyway
        ("Sen\u0303ora", "Sen~ora"),  # decomposed ñ: Twilio's map breaks the letter
        ("Vie\u0302\u0323t", "Vie^\u0323t"),  # decomposed Vietnamese ệ
        ("Hawai\u02bbi", "Hawai'i"),  # the ʻokina is a letter
        ("\uff28\uff49", "H\uff49"),  # fullwidth letters stay fullwidth
    ],
)
def test_smart_encoding_keeps_letters_twilio_would_change(text: str, twilio: str) -> None:
    assert "".join(TWILIO_MAP.get(char, char) for char in text) == twilio
    assert smart_encode(text) == text


def test_smart_encoding_never_changes_letters() -> None:
    for row in ROWS:
        assert letters(smart_encode(row["text"])) == letters(row["text"]), row["text"][:60]


def test_smart_encoding_replaces_look_alike_punctuation() -> None:
    text = "“Field trip” forms — don’t forget… ¡Gracias, Señora!\u00a0Más info"
    assert smart_encode(text) == '"Field trip" forms - don\'t forget... ¡Gracias, Señora!  Más info'


@pytest.mark.parametrize(
    ("segments", "rate", "expected"),
    [
        (50_000, RATE_DEFAULTS["long_code"], timedelta(hours=13, minutes=53, seconds=20)),
        (50_000, RATE_DEFAULTS["toll_free"], timedelta(hours=4, minutes=37, seconds=46.666667)),
        (50_000, RATE_DEFAULTS["short_code"], timedelta(minutes=8, seconds=20)),
        (50_000, RATE_DEFAULTS["whatsapp"], timedelta(hours=1, minutes=23, seconds=20)),
        (0, 1.0, timedelta(0)),
    ],
)
def test_sending_time(segments: int, rate: float, expected: timedelta) -> None:
    assert sending_time(segments, rate) == expected


def test_a_long_code_queues_ten_hours_of_segments_at_most() -> None:
    assert RATE_DEFAULTS == {"long_code": 1, "toll_free": 3, "short_code": 100, "whatsapp": 10}
    assert sending_time(36_000, RATE_DEFAULTS["long_code"]) == PROVIDER_QUEUE_LIMIT
    assert sending_time(36_001, RATE_DEFAULTS["long_code"]) > PROVIDER_QUEUE_LIMIT


@pytest.mark.parametrize(("segments", "rate"), [(-1, 1.0), (10, 0.0), (10, -3.0)])
def test_sending_time_rejects_nonsense(segments: int, rate: float) -> None:
    with pytest.raises(ValueError):
        sending_time(segments, rate)


def test_estimate_cost_is_exact() -> None:
    assert estimate_cost(1_000, Decimal("0.0083")) == Decimal("8.3")
    assert estimate_cost(3, Decimal("0.0079")) == Decimal("0.0237")
    assert estimate_cost(0, Decimal("0.0083")) == 0
    with pytest.raises(ValueError):
        estimate_cost(-1, Decimal("0.0083"))


def random_texts(seed: int, count: int) -> list[str]:
    """Mix words, clusters and single characters the oracle covers into fresh texts."""
    rng = random.Random(seed)
    words = " ".join(r["text"] for r in ROWS if r["group"] == "language").split()
    pieces = [*words, *(r["text"] for r in ROWS if r["group"] in ("cluster", "charset")
                        and len(r["text"]) <= 8 and not LETTER_KEYS & set(r["text"]))]
    texts = []
    for _ in range(count):
        target = rng.randint(1, 400)
        text = ""
        while len(text) < target:
            text += rng.choice(pieces) + rng.choice(["", " ", " ", "\n"])
        texts.append(text)
    return texts


CALCULATOR = DATA / "node_modules" / "sms-segments-calculator"


@pytest.mark.skipif(
    shutil.which("node") is None or not CALCULATOR.is_dir(),
    reason="needs node and tests/data/node_modules/sms-segments-calculator: see tests/data/README",
)
def test_fresh_random_texts_match_the_live_calculator() -> None:
    seed = random.SystemRandom().randrange(2**32)
    texts = random_texts(seed, 50)
    answers = json.loads(subprocess.run(
        ["node", "make_segments_oracle.js", "--stdin"], cwd=DATA, input=json.dumps(texts),
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout)
    failures = []
    for text, answer in zip(texts, answers, strict=True):
        encoded = smart_encode(text)
        if encoded != answer["smart"].get("text", text):
            failures.append(f"{text[:60]!r} encodes to {encoded[:60]!r}")
        failures += filter(None, [mismatch(text, answer["plain"]),
                                  mismatch(encoded, answer["smart"])])
    assert not failures, f"seed {seed}:\n" + "\n".join(failures[:20])
