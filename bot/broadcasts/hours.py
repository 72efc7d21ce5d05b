"""Decide when a non-urgent message may reach a contact: inside their local sending hours.

Hours are wall-clock times in the contact's (or school's) timezone, so they follow DST:
- a window may cross midnight (17:00-01:00); start == end means all day;
- the end is exclusive: a window 08:00-20:00 is closed at 20:00:00;
- on a spring-forward day a start inside the gap (02:30 in New York on 2026-03-08) opens the
  window when the clocks jump, at 03:00 local;
- on a fall-back day a start inside the repeated hour (01:30 on 2026-11-01) opens at its first
  occurrence. The repeated hour counts as inside the window both times it happens, since the
  wall clock says so: a window 17:00-01:30 closes at 01:30 EDT and reopens when the clocks
  fall back to 01:00 EST, until 01:30 EST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_START = time(8, 0)
DEFAULT_END = time(20, 0)


@dataclass(frozen=True)
class SendingWindow:
    """Daily local hours [start, end) in which non-urgent messages may be sent."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("sending hours are wall-clock times: pass naive times")

    @property
    def all_day(self) -> bool:
        """Say whether the window never closes."""
        return self.start == self.end

    def contains(self, moment: time) -> bool:
        """Say whether a local wall-clock time falls inside the window."""
        if self.all_day:
            return True
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def window_for(
    preferred_start: time | None,
    preferred_end: time | None,
    school_start: time = DEFAULT_START,
    school_end: time = DEFAULT_END,
) -> SendingWindow:
    """Return the contact's preferred hours when both are set, else the school's."""
    if preferred_start is not None and preferred_end is not None:
        return SendingWindow(preferred_start, preferred_end)
    # Half a preference is not a window: mixing it with the school's hours could invent one
    # nobody chose, so it counts as no preference.
    return SendingWindow(school_start, school_end)


def next_allowed(now: datetime, timezone: str, window: SendingWindow) -> datetime:
    """Return now if the window is open in that timezone, else the moment it next opens (UTC)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(timezone)
    now = now.astimezone(UTC)
    if window.contains(_wall_time(now, zone)):
        return now
    opening = _next_start(now, window, zone)
    # A clock change can carry the wall clock into the window without passing its start, as
    # falling back from 01:59 to 01:00 does for a window ending at 01:30.
    change = _transition(now, opening, zone)
    if change is not None and window.contains(_wall_time(change, zone)):
        return change
    return opening


def _next_start(now: datetime, window: SendingWindow, zone: ZoneInfo) -> datetime:
    """Return the first instant after now at which the local clock reaches the window's start."""
    today = now.astimezone(zone).date()
    # Today or tomorrow normally; later days only when a window lies wholly in a DST gap.
    for day in (today + timedelta(days=offset) for offset in range(4)):
        for opening in _instants(day, window.start, zone):
            if opening > now and window.contains(_wall_time(opening, zone)):
                return opening
    raise RuntimeError("no sending window opening within four days")  # pragma: no cover


def _wall_time(moment: datetime, zone: ZoneInfo) -> time:
    """Return the local wall-clock time of an instant."""
    return moment.astimezone(zone).time()


def _instants(day: date, wall: time, zone: ZoneInfo) -> list[datetime]:
    """Return the UTC instants at which a local day reaches a wall-clock time, earliest first."""
    first = datetime.combine(day, wall, zone).astimezone(UTC)
    second = datetime.combine(day, wall, zone).replace(fold=1).astimezone(UTC)
    if first == second:
        return [first]
    if first < second:  # falling back: the wall time happens twice
        return [first, second]
    # Springing forward: the wall time never happens, so the day reaches it when the clocks
    # jump. (fold=0 applies the offset from before the jump and so lands after it; fold=1
    # lands before it.)
    jump = _transition(second, first, zone)
    assert jump is not None
    return [jump]


def _transition(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """Return the first instant in (start, end] with another UTC offset than start, if any."""
    before = start.astimezone(zone).utcoffset()
    if end.astimezone(zone).utcoffset() == before:
        return None  # real zones change offset at most once in a few days
    base = start.replace(microsecond=0)  # transitions fall on whole seconds
    low, high = 1, int((end - base).total_seconds())
    while low < high:
        middle = (low + high) // 2
        if (base + timedelta(seconds=middle)).astimezone(zone).utcoffset() == before:
            low = middle + 1
        else:
            high = middle
    return base + timedelta(seconds=low)
