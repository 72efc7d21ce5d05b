"""Pace sends in segments per second per sender, as carriers count them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

BURST_SECONDS = 1.0  # a sender idle for a while may send one second's worth at once
SLOW_SECONDS = 60.0  # after a queue-overflow or rate-limit error, half speed this long


@dataclass
class Pacer:
    """At most `rate` segments a second on average per sender (a number or messaging
    service), after a burst of up to one second's worth. A rate of 0 does not pace."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _free_at: dict[str, float] = field(default_factory=dict)  # when the sender's debt is paid
    _slow_until: dict[str, float] = field(default_factory=dict)

    def slow_down(self, sender: str) -> None:
        """Halve this sender's rate for a while: the provider said its queue is full
        (21611, 30001) or we are over its rate (63018, 30022, …)."""
        self._slow_until[sender] = self.clock() + SLOW_SECONDS

    def wait(self, sender: str, segments: int) -> float:
        """Block until `sender` may send `segments` more; return the seconds waited."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        rate = self.rate / 2 if now < self._slow_until.get(sender, 0.0) else self.rate
        free_at = self._free_at.get(sender, now)
        start = max(now, free_at - BURST_SECONDS)
        self._free_at[sender] = max(free_at, start) + segments / rate
        if start > now:
            self.sleep(start - now)
        return start - now
