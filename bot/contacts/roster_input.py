"""Read roster input: the CSV file and its header, then each row checked and typed."""

from __future__ import annotations

import csv
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from typing import Any, TextIO

from bot.languages import has_locale_data, normalize_tag
from bot.models import School
from bot.phones import WHATSAPP_PREFIX, PhoneError, parse_phone

COLUMNS = ("household_id", "student_name", "grade", "school", "guardian_name", "relationship",
           "phone", "channel", "language", "other_languages", "prepaid", "preferred_hours")
REQUIRED_COLUMNS = ("household_id", "student_name", "school", "guardian_name", "phone",
                    "language")
CHANNELS = ("sms", "whatsapp")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})")
_MAX_LENGTHS = {"household_id": 64, "student_name": 200, "grade": 16, "guardian_name": 200,
                "relationship": 64}


class RosterFormatError(ValueError):
    """The file as a whole cannot be read (header, encoding); no row was imported."""


class RowError(ValueError):
    """A row that cannot be imported; the message is the reason shown with its line."""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    household_id: str
    school: School
    student_name: str
    grade: str
    guardian_name: str
    relationship: str
    channel: str
    address: str  # E.164
    language: str
    other_languages: tuple[str, ...]
    fallback_language: str | None
    prepaid: bool
    preferred_start: time | None
    preferred_end: time | None


def parse_row(line: int, raw: Mapping[str, str | None], schools: Mapping[str, School]
              ) -> ParsedRow:
    """Return the row's values checked and normalised; raise RowError with the reason."""
    cell = {key: " ".join((value or "").split()) for key, value in raw.items() if key}
    for column, limit in _MAX_LENGTHS.items():
        if len(cell.get(column, "")) > limit:
            raise RowError(f"{column} is longer than {limit} characters")
    household_id = cell.get("household_id", "")
    if not household_id:
        raise RowError("missing household_id")
    school_name = cell.get("school", "")
    if not school_name:
        raise RowError("missing school")
    school = schools.get(school_key(school_name))
    if school is None:
        raise RowError(f"unknown school {school_name!r}")
    guardian = cell.get("guardian_name", "")
    if not guardian:
        raise RowError("missing guardian_name")
    channel, address = _channel_and_address(cell, school.country)
    language, others = _languages(cell)
    start, end = _hours(cell.get("preferred_hours", ""))
    return ParsedRow(
        line=line, household_id=household_id, school=school,
        student_name=cell.get("student_name", ""), grade=cell.get("grade", ""),
        guardian_name=guardian, relationship=cell.get("relationship", ""),
        channel=channel, address=address, language=language, other_languages=others,
        fallback_language=fallback_for(language, others),
        prepaid=_yes_no("prepaid", cell.get("prepaid", "")),
        preferred_start=start, preferred_end=end)


def fallback_for(language: str, others: tuple[str, ...]) -> str | None:
    """Return the language for automated texts when language has no locale data."""
    if has_locale_data(language):
        return None
    return next((tag for tag in others if has_locale_data(tag)), "en")


def school_key(name: str) -> str:
    """Return a school name as roster rows are matched to it: any case, spaces collapsed."""
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=8192)
def fold_name(name: str) -> str:
    """Return name without case, accents or extra spaces, for matching people."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _channel_and_address(cell: Mapping[str, str], country: str) -> tuple[str, str]:
    phone = cell.get("phone", "")
    channel = cell.get("channel", "").lower()
    if not channel:
        channel = "whatsapp" if phone.lower().startswith(WHATSAPP_PREFIX) else "sms"
    if channel not in CHANNELS:
        raise RowError(f"channel must be sms or whatsapp, not {cell['channel']!r}")
    try:
        return channel, _e164(phone, country)
    except PhoneError as exc:
        raise RowError(f"phone: {exc}") from None


@lru_cache(maxsize=4096)
def _e164(phone: str, country: str) -> str:
    # A guardian's number repeats on each of their students' rows; parse it once.
    return parse_phone(phone, country)


def _languages(cell: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    raw = cell.get("language", "")
    if not raw:
        raise RowError("missing language")
    try:
        language = normalize_tag(raw)
        others = [normalize_tag(tag) for tag in re.split(r"[;,]", cell.get("other_languages", ""))
                  if tag.strip()]
    except ValueError as exc:
        raise RowError(str(exc)) from None
    return language, tuple(tag for tag in dict.fromkeys(others) if tag != language)


def _hours(text: str) -> tuple[time | None, time | None]:
    if not text:
        return None, None
    match = _HOURS.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        raise RowError(f"preferred_hours must look like 17:00-20:00, not {text!r}") from None
    if start == end:
        raise RowError(f"preferred_hours {text!r} is an empty window")
    return start, end  # start after end is a window across midnight


def _yes_no(column: str, text: str) -> bool:
    value = text.lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise RowError(f"{column} must be yes or no, not {text!r}")


def read_roster_csv(path: str | os.PathLike[str], mapping: Mapping[str, str] | None = None
                    ) -> Iterator[tuple[int, dict[str, str]]]:
    """Check the header now, then yield (line number, row) for every non-blank line.

    mapping renames the file's own headers to COLUMNS ({"Family ID": "household_id"});
    headers that are neither mapped nor known are ignored.
    """
    handle = open(path, encoding="utf-8-sig", newline="")  # _rows closes it
    try:
        reader = csv.reader(handle)
        header = _read(reader, 1)
        if header is None:
            raise RosterFormatError(f"{os.fspath(path)} is empty: the first line must be a "
                                    f"header naming the columns ({', '.join(COLUMNS)})")
        columns = map_header(header, mapping or {})
    except BaseException:
        handle.close()
        raise
    return _rows(handle, reader, columns)


def map_header(header: list[str], mapping: Mapping[str, str]) -> list[str | None]:
    """Return the column each header cell feeds (None: ignored); raise RosterFormatError."""
    by_source = {source.strip().casefold(): target.strip() for source, target in mapping.items()}
    unknown = sorted(t for t in by_source.values() if t not in COLUMNS)
    if unknown:
        raise RosterFormatError(f"the mapping names unknown column(s) {', '.join(unknown)}; "
                                f"the columns are {', '.join(COLUMNS)}")
    cells = [cell.strip() for cell in header]
    missing_sources = sorted(set(by_source) - {cell.casefold() for cell in cells})
    if missing_sources:
        raise RosterFormatError(f"mapped header(s) {', '.join(missing_sources)} not in the "
                                f"file's header ({', '.join(cells)})")
    columns: list[str | None] = []
    for cell in cells:
        target = by_source.get(cell.casefold(), cell.lower())
        columns.append(target if target in COLUMNS else None)
    doubled = sorted({c for c in columns if c and columns.count(c) > 1})
    if doubled:
        raise RosterFormatError(f"column(s) {', '.join(doubled)} given more than once")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RosterFormatError(f"the header lacks required column(s) {', '.join(missing)} "
                                f"(found: {', '.join(cells)}); use --map to name them")
    return columns


def load_mapping(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a column mapping from the [columns] table of a TOML file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RosterFormatError(f"cannot read mapping {os.fspath(path)}: {exc}") from None
    columns = data.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise RosterFormatError(f"{os.fspath(path)} needs a [columns] table of "
                                f'"SIS header" = "our_column" lines')
    return dict(columns)


def _rows(handle: TextIO, reader: Any, columns: list[str | None]
          ) -> Iterator[tuple[int, dict[str, str]]]:
    with handle:
        while True:
            line = reader.line_num + 1
            cells = _read(reader, line)
            if cells is None:
                return
            if any(cell.strip() for cell in cells):
                # A short row (trailing empty cells cut off by some exporters) is fine.
                yield line, {col: cell for col, cell in zip(columns, cells, strict=False) if col}


def _read(reader: Any, line: int) -> list[str] | None:
    try:
        return next(reader, None)
    except UnicodeDecodeError:
        raise RosterFormatError(f"line {line}: the file is not UTF-8 text; "
                                "save it as CSV UTF-8 and import it again") from None
    except csv.Error as exc:
        raise RosterFormatError(f"line {line}: {exc}") from None
