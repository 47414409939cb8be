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
from collections import deque
from collections.abc import Callable
from typing import Any

from discord.http import HTTPClient, Route

# Discord's global limit, per bot token (every process and shard of the bot together).
DISCORD_GLOBAL_PER_S = 50
# Below the limit: Discord counts requests as they arrive, and the event loop and the network
# can bunch requests sent at an even pace; the margin absorbs that (bench/fanout.py).
PACED_PER_S = 42


class RequestPacer:
    """At most `limit` requests in any `window_s` (a sliding log of the requests sent)."""

    def __init__(
        self, limit: int, *, window_s: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = max(1, limit)
        self.window_s = window_s
        self._clock = clock
        self._sent: deque[float] = deque()

    def try_take(self) -> float:
        """Take a place now (return 0) or say how long to wait before trying again."""
        now = self._clock()
        while self._sent and self._sent[0] <= now - self.window_s:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            self._sent.append(now)
            return 0.0
        return self._sent[0] + self.window_s - now

    async def wait(self) -> None:
        """Wait for this request's turn."""
        delay = self.try_take()
        while delay > 0:
            await asyncio.sleep(delay)  # until the oldest request leaves the window
            delay = self.try_take()


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


def process_limit(shard_count: int | None, shard_ids: tuple[int, ...]) -> int:
    """This process's part of the bot's global limit: its share of the shards (at least 1/s)."""
    if shard_count is None or not shard_ids:
        return PACED_PER_S
    return max(1, PACED_PER_S * len(shard_ids) // shard_count)
