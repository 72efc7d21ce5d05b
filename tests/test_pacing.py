"""The pacer keeps each sender at its rate in segments per second, with no sleeping here."""

from __future__ import annotations

from bot.sending.pacing import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_sender_averages_its_rate_after_a_one_second_burst() -> None:
    t = FakeTime()
    pacer = Pacer(rate=1.0, clock=t.clock, sleep=t.sleep)
    for _ in range(101):
        pacer.wait("+16175550100", 1)
    assert 99.0 <= t.now - 1000.0 <= 100.0  # 101 segments: 1 burst + 100 s at 1/s


def test_multi_segment_messages_count_every_segment() -> None:
    t = FakeTime()
    pacer = Pacer(rate=10.0, clock=t.clock, sleep=t.sleep)
    for _ in range(50):
        pacer.wait("MG1", 3)  # 150 segments at 10/s
    assert 13.6 <= t.now - 1000.0 <= 14.0  # the last starts 15 s of debt minus the burst


def test_senders_are_paced_independently() -> None:
    t = FakeTime()
    pacer = Pacer(rate=1.0, clock=t.clock, sleep=t.sleep)
    pacer.wait("+16175550100", 1)
    pacer.wait("+16175550100", 1)
    assert pacer.wait("+16175550110", 1) == 0.0


def test_rate_zero_never_waits() -> None:
    t = FakeTime()
    pacer = Pacer(rate=0, clock=t.clock, sleep=t.sleep)
    assert sum(pacer.wait("x", 5) for _ in range(100)) == 0.0


def test_after_a_queue_overflow_the_sender_goes_at_half_speed_for_a_minute() -> None:
    t = FakeTime()
    pacer = Pacer(rate=10.0, clock=t.clock, sleep=t.sleep)
    pacer.slow_down("+16175550100")
    for _ in range(51):
        pacer.wait("+16175550100", 1)
    assert 9.0 <= t.now - 1000.0 <= 10.0  # 50 segments after the burst at 5/s
    t.now += 120  # a minute later the slow-down is over
    start = t.now
    for _ in range(51):
        pacer.wait("+16175550100", 1)
    assert 3.9 <= t.now - start <= 4.1  # back to 10/s: 50 segments after the burst
