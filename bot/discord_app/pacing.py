"""Keep a bot's REST requests under Discord's global rate limit instead of discovering it by 429s.

Discord allows a bot token 50 requests a second in all (interaction callbacks and the
interaction webhook excepted). discord.py learns per-route buckets from response headers but
knows the global limit only from a global 429, after which it stops every request, sleeps and
retries each up to five times (http.py): 2,000 digests due in one minute then turn into a
storm of 429s and, past five tries, lost messages, and Discord bans bots whose 429s are
frequent (RELIABILITY F12). Spacing requests a little under the limit costs nothing when the
bot is quiet and keeps it at the limit when it is not (bench/fanout.py).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Any

from discord.http import HTTPClient, Route

# Discord's global limit, per bot token (every process and shard of the bot together).
DISCORD_GLOBAL_PER_S = 50
# A little under the limit: the fake's and Discord's windows are measured on arrival, and
# network jitter must not push two requests into one window.
PACED_PER_S = 46.0
BURST = 2


class RequestPacer:
    """Spaces requests at per_s with bursts of at most `burst` (a generic cell rate algorithm)."""

    def __init__(
        self, per_s: float, *, burst: int = BURST, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval_s = 1.0 / per_s
        self.tolerance_s = (max(1, burst) - 1) * self.interval_s
        self._clock = clock
        self._theoretical_at = 0.0

    def reserve(self) -> float:
        """Book the next slot; return how long to wait for it (seconds, 0 to go now)."""
        now = self._clock()
        at = max(self._theoretical_at, now)
        self._theoretical_at = at + self.interval_s
        return max(0.0, at - self.tolerance_s - now)

    async def wait(self) -> None:
        """Wait for this request's turn."""
        delay = self.reserve()  # booked before awaiting, so concurrent callers queue in order
        if delay > 0:
            await asyncio.sleep(delay)


def _exempt(route: Route) -> bool:
    # Interaction responses and followups do not count toward the global limit, and must
    # never wait behind a digest fan-out (Discord drops an unanswered interaction after 3 s).
    return route.path.startswith(("/interactions/", "/webhooks/"))


def pace_requests(http: HTTPClient, pacer: RequestPacer) -> None:
    """Make every global-limited REST request of this client wait for the pacer."""
    request = http.request

    @functools.wraps(request)
    async def paced(route: Route, **kwargs: Any) -> Any:
        if not _exempt(route):
            await pacer.wait()
        return await request(route, **kwargs)

    http.request = paced  # type: ignore[method-assign]


def process_share(shard_count: int | None, shard_ids: tuple[int, ...]) -> float:
    """This process's part of the bot's global limit: its share of the shards."""
    if shard_count is None or not shard_ids:
        return 1.0
    return len(shard_ids) / shard_count
