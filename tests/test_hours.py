"""Non-urgent messages wait for the contact's local sending hours, across timezones and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.broadcasts.hours import SendingWindow, next_allowed, window_for

NEW_YORK, CHICAGO, LOS_ANGELES, HONOLULU = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu",
)
DAY = SendingWindow(time(8), time(20))
EVENING = SendingWindow(time(17), time(1))  # crosses midnight


def utc(text: str) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM[:SS]' as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CASES = [
    # (name, timezone, window, now in UTC, expected in UTC); January in New York is UTC-5.
    ("inside", NEW_YORK, DAY, "2026-01-15 15:00", "2026-01-15 15:00"),
    ("before opening", NEW_YORK, DAY, "2026-01-15 12:00", "2026-01-15 13:00"),
    ("after closing", NEW_YORK, DAY, "2026-01-16 02:00", "2026-01-16 13:00"),
    ("exactly at start is open", NEW_YORK, DAY, "2026-01-15 13:00", "2026-01-15 13:00"),
    ("exactly at end is closed", NEW_YORK, DAY, "2026-01-16 01:00", "2026-01-16 13:00"),
    ("a second before end is open", NEW_YORK, DAY, "2026-01-16 00:59:59", "2026-01-16 00:59:59"),
    ("night window, evening", NEW_YORK, EVENING, "2026-01-16 04:30", "2026-01-16 04:30"),
    ("night window, after midnight", NEW_YORK, EVENING, "2026-01-16 05:30", "2026-01-16 05:30"),
    ("night window, at its end", NEW_YORK, EVENING, "2026-01-16 06:00", "2026-01-16 22:00"),
    ("night window, midday", NEW_YORK, EVENING, "2026-01-16 17:00", "2026-01-16 22:00"),
    ("Chicago is open an hour later", CHICAGO, DAY, "2026-01-15 13:30", "2026-01-15 14:00"),
    ("Los Angeles", LOS_ANGELES, DAY, "2026-01-15 15:00", "2026-01-15 16:00"),
    ("Los Angeles in summer (UTC-7)", LOS_ANGELES, DAY, "2026-07-01 15:00", "2026-07-01 15:00"),
    ("Honolulu", HONOLULU, DAY, "2026-01-15 15:00", "2026-01-15 18:00"),
    ("Honolulu has no DST", HONOLULU, DAY, "2026-07-01 17:59", "2026-07-01 18:00"),
    ("Honolulu late evening", HONOLULU, DAY, "2026-01-16 06:00", "2026-01-16 18:00"),
    ("all day", NEW_YORK, SendingWindow(time(9), time(9)), "2026-01-15 08:00", "2026-01-15 08:00"),
    # 2026-03-08: New York springs forward at 02:00 EST to 03:00 EDT (07:00 UTC).
    ("spring forward: start in the gap opens at 03:00", NEW_YORK,
     SendingWindow(time(2, 30), time(8)), "2026-03-08 05:00", "2026-03-08 07:00"),
    ("spring forward: 08:00 is already EDT", NEW_YORK, DAY, "2026-03-08 06:00", "2026-03-08 12:00"),
    ("the day before is still EST", NEW_YORK, DAY, "2026-03-07 06:00", "2026-03-07 13:00"),
    ("spring forward: window wholly in the gap waits a day", NEW_YORK,
     SendingWindow(time(2, 15), time(2, 45)), "2026-03-08 05:00", "2026-03-09 06:15"),
    ("spring forward in Chicago at 02:00 CST", CHICAGO,
     SendingWindow(time(2, 30), time(8)), "2026-03-08 06:00", "2026-03-08 08:00"),
    # 2026-11-01: New York falls back at 02:00 EDT to 01:00 EST (06:00 UTC); 01:30 happens twice.
    ("fall back: 01:30 opens at its first occurrence (EDT)", NEW_YORK,
     SendingWindow(time(1, 30), time(8)), "2026-11-01 04:00", "2026-11-01 05:30"),
    ("fall back: the repeated hour is inside again", NEW_YORK,
     SendingWindow(time(1, 30), time(1, 45)), "2026-11-01 05:50", "2026-11-01 06:30"),
    ("fall back: clocks return into a night window", NEW_YORK,
     SendingWindow(time(17), time(1, 30)), "2026-11-01 05:45", "2026-11-01 06:00"),
    ("fall back: 08:00 is EST again", NEW_YORK, DAY, "2026-11-01 10:00", "2026-11-01 13:00"),
]


@pytest.mark.parametrize(
    ("timezone", "window", "now", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_next_allowed(timezone: str, window: SendingWindow, now: str, expected: str) -> None:
    assert next_allowed(utc(now), timezone, window) == utc(expected)


SCAN_CASES = [
    (zone, window, start)
    for zone in (NEW_YORK, CHICAGO, HONOLULU)
    for window in (DAY, EVENING, SendingWindow(time(1, 30), time(2, 30)),
                   SendingWindow(time(2, 30), time(1, 45)))
    for start in ("2026-03-07 22:10", "2026-03-08 06:20", "2026-10-31 23:40", "2026-11-01 05:50")
]


@pytest.mark.parametrize(("timezone", "window", "start"), SCAN_CASES)
def test_next_allowed_is_the_first_minute_the_local_clock_shows_open(
    timezone: str, window: SendingWindow, start: str
) -> None:
    zone, now = ZoneInfo(timezone), utc(start)
    moment = now
    while not window.contains(moment.astimezone(zone).time()):
        moment = moment.replace(second=0) + timedelta(minutes=1)
    assert next_allowed(now, timezone, window) == moment


def test_result_is_utc_whatever_zone_now_is_given_in() -> None:
    now = datetime(2026, 1, 15, 7, 0, tzinfo=ZoneInfo(NEW_YORK))
    result = next_allowed(now, NEW_YORK, DAY)
    assert result == utc("2026-01-15 13:00")
    assert result.tzinfo is UTC


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        next_allowed(datetime(2026, 1, 15, 12, 0), NEW_YORK, DAY)  # noqa: DTZ001


def test_window_hours_are_wall_clock_times() -> None:
    with pytest.raises(ValueError):
        SendingWindow(time(8, tzinfo=UTC), time(20))


@pytest.mark.parametrize(
    ("preferred", "school", "expected"),
    [
        ((time(18), time(21)), (time(7), time(19)), SendingWindow(time(18), time(21))),
        ((None, None), (time(7), time(19)), SendingWindow(time(7), time(19))),
        ((time(18), None), (time(7), time(19)), SendingWindow(time(7), time(19))),
        ((None, time(21)), (time(7), time(19)), SendingWindow(time(7), time(19))),
        ((time(22), time(6)), (time(7), time(19)), SendingWindow(time(22), time(6))),
    ],
    ids=["preferred wins", "no preference", "start only", "end only", "preferred overnight"],
)
def test_window_for(preferred: tuple, school: tuple, expected: SendingWindow) -> None:
    assert window_for(*preferred, *school) == expected


def test_window_for_defaults_to_eight_to_eight() -> None:
    assert window_for(None, None) == SendingWindow(time(8), time(20))


@pytest.mark.parametrize(
    ("window", "moment", "inside"),
    [
        (DAY, time(8), True),
        (DAY, time(19, 59, 59), True),
        (DAY, time(20), False),
        (DAY, time(7, 59), False),
        (EVENING, time(17), True),
        (EVENING, time(0, 59), True),
        (EVENING, time(1), False),
        (EVENING, time(12), False),
        (SendingWindow(time(0), time(0)), time(3), True),
    ],
)
def test_contains(window: SendingWindow, moment: time, inside: bool) -> None:
    assert window.contains(moment) is inside
