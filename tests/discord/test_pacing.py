"""The REST pacer that keeps a bot (or its share of a sharded bot) under Discord's global limit."""

from __future__ import annotations

from bot.discord_app.pacing import PACED_PER_S, RequestPacer, process_limit


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_more_than_the_limit_go_in_any_window() -> None:
    clock = Ticks()
    pacer = RequestPacer(3, window_s=8.0, clock=clock)
    for step in (0.0, 4.0, 1.0):
        clock.now += step
        assert pacer.try_take() == 0.0
    clock.now += 1.0  # at 106, three were sent since 100
    assert pacer.try_take() == 2.0  # until the first one leaves the window
    clock.now += 2.0
    assert pacer.try_take() == 0.0
    assert pacer.try_take() == 4.0  # the next one leaves at 112


def test_each_process_of_a_sharded_bot_gets_its_share_of_the_limit() -> None:
    assert process_limit(None, ()) == PACED_PER_S
    assert process_limit(4, (0, 1)) == PACED_PER_S // 2
    assert process_limit(64, (5,)) >= 1
