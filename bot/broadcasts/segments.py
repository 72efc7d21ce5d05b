"""Count SMS segments exactly as Twilio's calculator does; estimate sending time and cost.

The oracle is npm `sms-segments-calculator@1.3.0` (TwilioDevEd/message-segment-calculator);
`tests/data/segments_oracle.json` records its answers and `tests/test_segments.py` holds us to
them. The calculator's unit is the grapheme cluster (npm `grapheme-splitter`, UAX #29 rules of
Unicode 10): a cluster (a flag, a skin-toned emoji, a letter plus combining marks) is never
split across segments, and any cluster longer than one UTF-16 unit makes the message UCS-2.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType

# GSM 03.38 basic set and extension table, exactly the calculator's UnicodeToGSM.ts.
GSM_BASIC = frozenset(
    "\n\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
    "¡£¤¥§¿ÄÅÆÉÑÖØÜßàäåæÇèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ"
)
GSM_EXTENSION = frozenset("\f[\\]^{|}~€")  # sent as ESC + code: 2 septets, never split

# Twilio's Smart Encoding map (calculator SmartEncodingMap.ts) minus its letters and combining
# marks, which we never touch: fullwidth A-Z, small capitals, modifier letters such as the
# Hawaiian ʻokina, ǃ, and U+0302/0303/0313/0314/0326/0330/0332/0334/0337/0338/0347/1DCD/
# 20D2/20D3/20E5 (a decomposed ñ must not become "n~").
_SMART_GROUPS = (
    ('"', "\u00ab\u00bb\u201c\u201d\u201f\u201e\u275d\u275e\u301d\u301e\uff02"),
    ("'", "\u2018\u2019\u201b\uff07\u00b4\u0060\u275b\u275c\ufe10\ufe11"),
    ("/", "\u00f7\u29f8\u2044\u2215\uff0f"),
    ("\\", "\u29f9\u29f5\ufe68\uff3c"),
    ("_", "\uff3f\u2017"),
    ("|", "\u2223\uff5c\u23b8\u23b9\u23d0\u239c\u239f"),
    ("-", "\u23bc\u23bd\u2015\ufe63\uff0d\u2010\u2043\u2014\u2013\u2022"),
    ("@", "\ufe6b\uff20"),
    ("$", "\ufe69\uff04"),
    ("!", "\ufe15\ufe57\uff01"),
    ("#", "\ufe5f\uff03"),
    ("%", "\ufe6a\uff05"),
    ("&", "\ufe60\uff06"),
    (",", "\u201a\ufe50\ufe51\uff0c\uff64\u3001"),
    ("(", "\u2768\u276a\ufe59\uff08\u27ee\u2985"),
    (")", "\u2769\u276b\ufe5a\uff09\u27ef\u2986"),
    ("*", "\u204e\u2217\u229b\u2722\u2723\u2724\u2725\u2731\u2732\u2733\u273a\u273b\u273c"
          "\u273d\u2743\u2749\u274a\u274b\u29c6\ufe61\uff0a"),
    ("+", "\u02d6\ufe62\uff0b"),
    (".", "\u3002\ufe52\uff0e\uff61"),
    (":", "\u02f8\u2982\ua789\ufe13\uff1a"),
    (";", "\u204f\ufe14\ufe54\uff1b"),
    ("<", "\ufe64\uff1c\u2039"),
    ("=", "\ua78a\ufe66\uff1d"),
    (">", "\ufe65\uff1e\u203a"),
    ("?", "\ufe16\ufe56\uff1f"),
    ("^", "\uff3e"),
    ("{", "\u2774\ufe5b\uff5b"),
    ("}", "\u2775\ufe5c\uff5d"),
    ("[", "\uff3b"),
    ("]", "\uff3d"),
    ("~", "\u02dc\u02f7\u223c\uff5e"),
    # Twilio's map really does turn most odd spaces into two spaces, but U+2001 into one.
    ("  ", "\u00a0\u2000\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
           "\u3000\u008d\u009f\u0080\u0090\u009b"),
    (" ", "\u2028\u2029\u2001"),
    ("", "\u0010\u0000\u0003\u0004\u0017\u0019\u0011\u0012\u0013\u0014\u2060\u200b\u200c\ufeff"),
    ("       ", "\t"),
    ("!!", "\u203c"),
    ("...", "\u2026"),
    ("1/4", "\u00bc"),
    ("1/2", "\u00bd"),
    ("3/4", "\u00be"),
)
SMART_ENCODING = MappingProxyType(
    {char: gsm for gsm, chars in _SMART_GROUPS for char in chars}
    | {chr(0xFF10 + digit): str(digit) for digit in range(10)}
)

_GSM7_BITS, _UCS2_BITS, _SEGMENT_BITS, _HEADER_BITS = 7, 16, 1120, 48


@dataclass(frozen=True)
class SegmentInfo:
    """How Twilio splits one SMS body."""

    encoding: str  # "GSM-7" or "UCS-2"
    segments: int  # an empty body counts as 1, as in Twilio's calculator
    characters: int  # GSM-7 septets (extension characters 2) or UTF-16 code units
    non_gsm: tuple[str, ...]  # distinct grapheme clusters that forced UCS-2, first seen first
    per_segment: int  # 160 or 153 (GSM-7), 70 or 67 (UCS-2)


def smart_encode(text: str) -> str:
    """Replace look-alike punctuation and spaces with GSM-7 as Twilio does, keeping letters."""
    return "".join(SMART_ENCODING.get(char, char) for char in text)


def count_segments(text: str) -> SegmentInfo:
    """Count the encoding, segments and characters of an SMS body as Twilio's calculator does."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        septets = [2 if char in GSM_EXTENSION else 1 for char in text]
        segments = _pack([n * _GSM7_BITS for n in septets])
        per = 160 if segments == 1 else 153
        return SegmentInfo("GSM-7", segments, sum(septets), (), per)
    clusters = split_graphemes(text)
    units = [len(cluster.encode("utf-16-le", "surrogatepass")) // 2 for cluster in clusters]
    segments = _pack([n * _UCS2_BITS for n in units])
    non_gsm = (c for c in clusters if len(c) > 1 or (c not in GSM_BASIC and c not in GSM_EXTENSION))
    return SegmentInfo("UCS-2", segments, sum(units), tuple(dict.fromkeys(non_gsm)),
                       70 if segments == 1 else 67)


def _pack(sizes: Iterable[int]) -> int:
    """Count segments as the calculator packs them, given each cluster's size in bits."""
    # The first segment gets its 6-byte header only once the message overflows it; the
    # calculator then moves whatever no longer fits into the second segment.
    totals = [0]  # bits used per segment, headers included
    first: list[int] = []  # sizes in the first segment, which gets its header late
    for size in sizes:
        if _SEGMENT_BITS - totals[-1] < size:
            carried: list[int] = []
            if len(totals) == 1:
                totals[0] += _HEADER_BITS
                while totals[0] > _SEGMENT_BITS:
                    carried.insert(0, first.pop())
                    totals[0] -= carried[0]
            totals.append(_HEADER_BITS + sum(carried))
        totals[-1] += size
        if len(totals) == 1:
            first.append(size)
    return len(totals)


# Grapheme cluster break properties, numbered as in grapheme-splitter.
(_CR, _LF, _CONTROL, _EXTEND, _RI, _SPACING_MARK, _L, _V, _T, _LV, _LVT, _OTHER, _PREPEND, _E_BASE,
 _E_MODIFIER, _ZWJ, _GLUE_AFTER_ZWJ, _E_BASE_GAZ) = range(18)


def _code_points(spec: str) -> frozenset[int]:
    """Expand space-separated hex code points and FIRST-LAST ranges."""
    points: set[int] = set()
    for item in spec.split():
        first, _, last = item.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


# Code points whose property the general category does not give. The emoji properties are
# Unicode 10's (later versions folded them into Extend and Other), copied from grapheme-splitter
# so that newer emoji behave as the calculator's older table says.
_LISTED = {point: prop for spec, prop in (
    ("000D", _CR), ("000A", _LF), ("200D", _ZWJ), ("0E33 0EB3", _SPACING_MARK),
    ("1F1E6-1F1FF", _RI), ("1F3FB-1F3FF", _E_MODIFIER), ("1F466-1F469", _E_BASE_GAZ),
    ("261D 26F9 270A-270D 1F385 1F3C2-1F3C4 1F3C7 1F3CA-1F3CC 1F442-1F443 1F446-1F450 1F46E "
     "1F470-1F478 1F47C 1F481-1F483 1F485-1F487 1F4AA 1F574-1F575 1F57A 1F590 1F595-1F596 "
     "1F645-1F647 1F64B-1F64F 1F6A3 1F6B4-1F6B6 1F6C0 1F6CC 1F918-1F91C 1F91E-1F91F 1F926 "
     "1F930-1F939 1F93D-1F93E 1F9D1-1F9DD", _E_BASE),
    ("2640 2642 2695-2696 2708 2764 1F308 1F33E 1F373 1F393 1F3A4 1F3A8 1F3EB 1F3ED 1F48B "
     "1F4BB-1F4BC 1F527 1F52C 1F5E8 1F680 1F692", _GLUE_AFTER_ZWJ),
    ("0600-0605 06DD 070F 08E2 0D4E 110BD 111C2-111C3 11A3A 11A86-11A89 11D46", _PREPEND),
    ("09BE 09D7 0B3E 0B57 0BBE 0BD7 0CC2 0CD5-0CD6 0D3E 0D57 0DCF 0DDF 200C 302E-302F "
     "FF9E-FF9F 1133E 11357 114B0 114BD 115AF 1D165 1D16E-1D172 E0020-E007F", _EXTEND),
    ("102B-102C 1038 1062-1064 1067-106D 1083 1087-108C 108F 109A-109C 1A61 1A63-1A64 AA7B "
     "AA7D", _OTHER),  # spacing marks that UAX #29 excludes from SpacingMark
    ("1100-115F A960-A97C", _L), ("1160-11A7 D7B0-D7C6", _V), ("11A8-11FF D7CB-D7FB", _T),
) for point in _code_points(spec)}


@cache
def _property(point: int) -> int:
    """Return a code point's grapheme break property as grapheme-splitter (Unicode 10) does."""
    if point in _LISTED:
        return _LISTED[point]
    if 0xAC00 <= point <= 0xD7A3:
        return _LV if (point - 0xAC00) % 28 == 0 else _LVT
    category = unicodedata.category(chr(point))
    if category in ("Mn", "Me"):
        return _EXTEND
    if category == "Mc":
        return _SPACING_MARK
    # Unicode 10 reserved these unassigned code points as controls.
    reserved = point == 0x2065 or 0xFFF0 <= point <= 0xFFF8 or 0xE0000 <= point <= 0xE0FFF
    if category in ("Cc", "Zl", "Zp", "Cf") or (category == "Cn" and reserved):
        return _CONTROL
    return _OTHER


def split_graphemes(text: str) -> list[str]:
    """Split text into the calculator's grapheme clusters (CR LF counts as two)."""
    props = [_property(ord(char)) for char in text]
    if all(prop in (_OTHER, _CONTROL, _CR, _LF) for prop in props):
        return list(text)  # nothing here can join, and the calculator splits CR LF anyway
    clusters: list[str] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or _breaks(props[start], props[start + 1:index], props[index]):
            cluster = text[start:index]
            clusters.extend(cluster if cluster == "\r\n" else [cluster])
            start = index
    return clusters


def _breaks(start: int, mid: list[int], end: int) -> bool:
    """Decide a break before `end` exactly as grapheme-splitter's shouldBreak, quirks included."""
    seq = [start, *mid, end]
    previous = seq[-2]
    # grapheme-splitter's own look-ahead terminators for GB10 and GB12/GB13.
    last_modifier = _last_index(seq, _E_MODIFIER)
    if (last_modifier > 1 and all(p == _EXTEND for p in seq[1:last_modifier])
            and start not in (_EXTEND, _E_BASE, _E_BASE_GAZ)):
        return True
    last_ri = _last_index(seq, _RI)
    if last_ri > 0 and all(p == _RI for p in seq[1:last_ri]) and previous not in (_PREPEND, _RI):
        return True
    if previous == _CR and end == _LF:
        return False
    if previous in (_CONTROL, _CR, _LF) or end in (_CONTROL, _CR, _LF):
        return True
    if ((previous == _L and end in (_L, _V, _LV, _LVT))
            or (previous in (_LV, _V) and end in (_V, _T)) or (previous in (_LVT, _T) and end == _T)
            or end in (_EXTEND, _ZWJ, _SPACING_MARK) or previous == _PREPEND):
        return False
    last_extend = _last_index(seq, _EXTEND)
    base = last_extend - 1 if last_extend >= 0 else len(seq) - 2
    if (base >= 0 and seq[base] in (_E_BASE, _E_BASE_GAZ) and end == _E_MODIFIER
            and all(p == _EXTEND for p in seq[base + 1:-1])):
        return False
    if previous == _ZWJ and end in (_GLUE_AFTER_ZWJ, _E_BASE_GAZ):
        return False
    if _RI in mid:
        return True
    return not (previous == _RI and end == _RI)


def _last_index(seq: list[int], value: int) -> int:
    """Return the last index of value in seq, or -1, like JavaScript's lastIndexOf."""
    for index in range(len(seq) - 1, -1, -1):
        if seq[index] == value:
            return index
    return -1


# Default throughput per sender in segments per second (WhatsApp: messages per second), from
# help.twilio.com "Understanding Twilio Rate Limits and Message Queues" (short code: older FAQs
# say 30) and twilio.com/docs/whatsapp/best-practices-and-faqs (text; media is 1.5).
RATE_DEFAULTS = MappingProxyType({
    "long_code": 1.0,
    "toll_free": 3.0,
    "short_code": 100.0,
    "whatsapp": 10.0,
})
# Twilio queues at most 10 hours of SMS per sender; beyond it sends fail (21611, or 30001 in a
# Messaging Service). Its WhatsApp FAQ says 4 hours, so pace WhatsApp well inside that.
PROVIDER_QUEUE_LIMIT = timedelta(hours=10)


def sending_time(segments: int, segments_per_second: float) -> timedelta:
    """Return how long a sender needs to push this many segments at this rate."""
    if segments < 0 or segments_per_second <= 0:
        raise ValueError("segments must be >= 0 and the rate > 0")
    return timedelta(seconds=segments / segments_per_second)


def estimate_cost(segments: int, price_per_segment: Decimal) -> Decimal:
    """Return what this many segments cost at this price, unrounded."""
    if segments < 0:
        raise ValueError("segments must be >= 0")
    return segments * price_per_segment
