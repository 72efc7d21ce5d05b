"""Weekly recurrences ("every Monday at 7:30"), in the school's timezone, DST included."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_recurrence(recurrence: dict[str, Any]) -> None:
    """Raise ValueError unless recurrence is {"weekdays": [0-6, …], "time": "HH:MM"}."""
    from bot.broadcasts.service import BroadcastError

    weekdays = recurrence.get("weekdays")
    if (not isinstance(weekdays, list) or not weekdays
            or not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays)):
        raise BroadcastError("a recurrence needs weekdays, 0 (Monday) to 6 (Sunday)")
    try:
        time.fromisoformat(str(recurrence.get("time")))
    except ValueError:
        raise BroadcastError("a recurrence needs a time like 07:30") from None
    if set(recurrence) - {"weekdays", "time"}:
        raise BroadcastError("a recurrence has only weekdays and time")


def next_occurrence(recurrence: dict[str, Any], timezone: str, after: datetime) -> datetime:
    """Return the first firing strictly after `after`, in UTC."""
    at = time.fromisoformat(recurrence["time"])
    trigger = CronTrigger(day_of_week=",".join(DAYS[d] for d in sorted(recurrence["weekdays"])),
                          hour=at.hour, minute=at.minute, timezone=timezone)
    fire = trigger.get_next_fire_time(None, after.astimezone(UTC))
    if fire is not None and fire <= after:  # the trigger counts `after` itself; we do not
        fire = trigger.get_next_fire_time(None, after.astimezone(UTC) + timedelta(seconds=1))
    assert fire is not None  # a weekly cron always has a next time
    return fire.astimezone(UTC)
