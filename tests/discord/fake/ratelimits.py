"""Discord's rate limits: a global limit per bot and per-route buckets, with Discord's headers.

Defaults (``RateLimits.discord()``), from Discord's documentation and well-known behaviour:

- global: 50 requests per second per bot token; a global 429 has ``"global": true``,
  ``X-RateLimit-Global: true`` and ``X-RateLimit-Scope: global``;
- interaction callbacks and the interaction webhook (followups, ``@original`` edits) are not
  bound by the global limit;
- per route, per major parameter (channel, guild or interaction token): message create and
  edit 5 per 5 s per channel, message delete 5 per 1 s per channel, thread create 5 per 5 s per
  channel, interaction followups 5 per 2 s per token (as for webhooks). Discord does not publish
  every bucket, so the last two are the fake's choice; routes without a bucket only count
  toward the global limit.

Windows are fixed, as Discord's are: the first request opens a window of ``per_s`` seconds.
A 429 always carries ``Via`` (discord.py treats a 429 without it as a Cloudflare ban).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from tests.discord.fake.common import JSONObject

VIA = "1.1 google"
INTERACTION_CALLBACK = "/interactions/{interaction_id}/{token}/callback"


@dataclass(frozen=True)
class Bucket:
    """A per-route limit: `limit` requests per `per_s` seconds for each major parameter value."""

    name: str
    method: str
    route: str
    limit: int
    per_s: float

    @property
    def hash(self) -> str:
        """An opaque id like Discord's X-RateLimit-Bucket."""
        return hashlib.sha1(self.name.encode()).hexdigest()[:32]


DISCORD_BUCKETS: tuple[Bucket, ...] = (
    Bucket("message-create", "POST", "/channels/{channel_id}/messages", 5, 5.0),
    Bucket("message-edit", "PATCH", "/channels/{channel_id}/messages/{message_id}", 5, 5.0),
    Bucket("message-delete", "DELETE", "/channels/{channel_id}/messages/{message_id}", 5, 1.0),
    Bucket("thread-create", "POST", "/channels/{channel_id}/threads", 5, 5.0),
    Bucket("interaction-followup", "POST", "/webhooks/{application_id}/{token}", 5, 2.0),
)


def _exempt_from_global(route: str) -> bool:
    """Interaction endpoints are not bound to the bot's global rate limit (Discord docs)."""
    return route == INTERACTION_CALLBACK or route.startswith("/webhooks/{application_id}/{token}")


@dataclass(frozen=True)
class RateLimits:
    """A world's rate limits; ``RateLimits.off()`` turns them off, ``discord()`` is the default."""

    enabled: bool = True
    global_limit: int = 50
    global_per_s: float = 1.0
    buckets: tuple[Bucket, ...] = DISCORD_BUCKETS

    @classmethod
    def discord(cls) -> RateLimits:
        """Discord's defaults (see the module docstring)."""
        return cls()

    @classmethod
    def off(cls) -> RateLimits:
        """No limits and no rate-limit headers at all."""
        return cls(enabled=False)

    def with_bucket(self, name: str, *, limit: int, per_s: float) -> RateLimits:
        """Return a copy with one bucket's limit changed (e.g. to make a test fast)."""
        if name not in {b.name for b in self.buckets}:
            raise KeyError(name)
        buckets = tuple(
            replace(b, limit=limit, per_s=per_s) if b.name == name else b for b in self.buckets
        )
        return replace(self, buckets=buckets)

    def with_global(self, *, limit: int, per_s: float = 1.0) -> RateLimits:
        """Return a copy with another global limit."""
        return replace(self, global_limit=limit, global_per_s=per_s)


@dataclass
class RateLimitHit:
    """One 429 the fake served."""

    route: str
    scope: str
    retry_after_s: float


@dataclass
class Verdict:
    """The limiter's answer: headers for any response, and the 429 body when refused."""

    headers: dict[str, str] = field(default_factory=dict)
    refusal: JSONObject | None = None


@dataclass
class _Window:
    start: float
    count: int = 0


def _round_up(seconds: float) -> float:
    # Rounded up so that a client waiting exactly this long is never early.
    return max(0.001, math.ceil(seconds * 1000) / 1000)


class RateLimiter:
    """Count requests per window and decide which ones get a 429."""

    def __init__(
        self,
        config: RateLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._clock = clock
        self._wall_clock = wall_clock
        self._windows: dict[tuple[str, str], _Window] = {}
        self.served: Counter[str] = Counter()
        self.hits: list[RateLimitHit] = []

    def count(self, route: str | None = None, *, scope: str | None = None) -> int:
        """429s served, for one route ("POST /channels/{channel_id}/messages") or all."""
        return sum(
            1
            for h in self.hits
            if (route is None or h.route == route) and (scope is None or h.scope == scope)
        )

    def record(self, route: str, scope: str, retry_after_s: float) -> None:
        """Count a 429 (also an injected one)."""
        self.served[route] += 1
        self.hits.append(RateLimitHit(route, scope, retry_after_s))

    def _window(self, key: tuple[str, str], per_s: float, now: float) -> _Window:
        window = self._windows.get(key)
        if window is None or now >= window.start + per_s:
            window = self._windows[key] = _Window(start=now)
        return window

    def check(self, method: str, route: str, params: Mapping[str, str]) -> Verdict:
        """Account for one request to `route` (a template) and say whether it may go on."""
        if not self.config.enabled:
            return Verdict()
        now = self._clock()
        key = f"{method} {route}"
        if not _exempt_from_global(route):
            window = self._window(("global", ""), self.config.global_per_s, now)
            if window.count >= self.config.global_limit:
                retry = _round_up(window.start + self.config.global_per_s - now)
                self.record(key, "global", retry)
                return Verdict(
                    headers={
                        "Via": VIA,
                        "Retry-After": str(math.ceil(retry)),
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                    },
                    refusal=_body(retry, is_global=True),
                )
            window.count += 1
        bucket = next(
            (b for b in self.config.buckets if b.method == method and b.route == route), None
        )
        if bucket is None:
            return Verdict()
        major = next((params[p] for p in ("channel_id", "guild_id", "token") if p in params), "")
        window = self._window((bucket.name, major), bucket.per_s, now)
        reset_after = _round_up(window.start + bucket.per_s - now)
        headers = {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Reset": f"{self._wall_clock() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.hash,
        }
        if window.count >= bucket.limit:
            self.record(key, "user", reset_after)
            headers.update(
                {
                    "Via": VIA,
                    "X-RateLimit-Remaining": "0",
                    "Retry-After": str(math.ceil(reset_after)),
                    "X-RateLimit-Scope": "user",
                }
            )
            return Verdict(headers=headers, refusal=_body(reset_after, is_global=False))
        window.count += 1
        headers["X-RateLimit-Remaining"] = str(bucket.limit - window.count)
        return Verdict(headers=headers)


def _body(retry_after_s: float, *, is_global: bool) -> JSONObject:
    return {
        "message": "You are being rate limited.",
        "retry_after": retry_after_s,
        "global": is_global,
    }
