"""Prometheus metrics of one Byline process, in a registry of its own (never the global one)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

if TYPE_CHECKING:
    import aiohttp

logger = logging.getLogger(__name__)

# Label values are a closed set, so a typo or a user-controlled string cannot grow the series.
COMMAND_OUTCOMES = ("ok", "user_error", "forbidden", "cooldown", "error")
DIGEST_OUTCOMES = ("posted", "skipped", "failed")
POLL_OUTCOMES = ("new", "unchanged", "failed", "disabled")
RATE_LIMITED_SERVICES = ("discord", "fetch")
# Slash commands answer within Discord's 3 s or defer; ingest and digests may take half a minute.
COMMAND_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)


@dataclass
class CommandTiming:
    """The outcome a timed command ends with; set it before leaving the block."""

    outcome: str = "ok"


class Metrics:
    """Every metric Byline exports, with one method per thing that happens."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self._commands = Counter(
            "byline_commands",
            "Commands handled, by name and outcome.",
            ["command", "outcome"],
            registry=r,
        )
        self._command_seconds = Histogram(
            "byline_command_duration_seconds",
            "Time from receiving a command to its answer.",
            ["command"],
            buckets=COMMAND_BUCKETS_S,
            registry=r,
        )
        self._digests = Counter(
            "byline_digests", "Scheduled or manual digests, by outcome.", ["outcome"], registry=r
        )
        self._messages = Counter("byline_messages_sent", "Messages posted to Discord.", registry=r)
        self._rate_limited = Counter(
            "byline_rate_limited_responses",
            "HTTP 429 answers seen, by service.",
            ["service"],
            registry=r,
        )
        self._ingested = Counter(
            "byline_articles_ingested", "Articles stored (added or updated).", registry=r
        )
        self._analysed = Counter("byline_articles_analysed", "Articles analysed.", registry=r)
        self._failed = Counter(
            "byline_articles_failed", "Articles whose reading or analysis failed.", registry=r
        )
        self._queue_depth = Gauge(
            "byline_analysis_queue_depth", "Articles waiting for analysis.", registry=r
        )
        self._worker_restarts = Counter(
            "byline_analysis_worker_restarts",
            "Analysis worker pools rebuilt after a crash.",
            registry=r,
        )
        self._polls = Counter(
            "byline_source_polls", "Feed and page polls, by outcome.", ["outcome"], registry=r
        )
        self._loop_lag = Gauge(
            "byline_event_loop_lag_seconds",
            "How late the event loop woke up at the last measurement.",
            registry=r,
        )
        self._loop_lag_max = Gauge(
            "byline_event_loop_lag_max_seconds",
            "The worst event-loop lag measured since start.",
            registry=r,
        )
        self._max_lag_s = 0.0
        # Series that exist from the first scrape, so rates and alerts work before any event.
        for outcome in DIGEST_OUTCOMES:
            self._digests.labels(outcome=outcome)
        for outcome in POLL_OUTCOMES:
            self._polls.labels(outcome=outcome)
        for service in RATE_LIMITED_SERVICES:
            self._rate_limited.labels(service=service)

    # ---- commands ------------------------------------------------------------------------

    def command_finished(self, command: str, outcome: str, duration_s: float) -> None:
        """Count one command (e.g. "digest now") with its outcome and latency."""
        self._commands.labels(command=command, outcome=_checked(outcome, COMMAND_OUTCOMES)).inc()
        self._command_seconds.labels(command=command).observe(max(0.0, duration_s))

    @contextlib.contextmanager
    def time_command(self, command: str) -> Iterator[CommandTiming]:
        """Time a command; an exception escaping the block counts as "error"."""
        timing = CommandTiming()
        started = time.perf_counter()
        try:
            yield timing
        except BaseException:
            if timing.outcome == "ok":
                timing.outcome = "error"
            raise
        finally:
            self.command_finished(command, timing.outcome, time.perf_counter() - started)

    # ---- digests and Discord -------------------------------------------------------------

    def digest_posted(self) -> None:
        """A digest reached its channel."""
        self._digests.labels(outcome="posted").inc()

    def digest_skipped(self) -> None:
        """A digest slot passed without a post (nothing new, paused, too late)."""
        self._digests.labels(outcome="skipped").inc()

    def digest_failed(self) -> None:
        """A digest could not be posted (missing permission, deleted channel, error)."""
        self._digests.labels(outcome="failed").inc()

    def messages_sent(self, count: int = 1) -> None:
        """Messages posted to Discord."""
        self._messages.inc(count)

    def rate_limited(self, service: str = "discord") -> None:
        """An HTTP 429 answer from Discord or from a fetched site."""
        self._rate_limited.labels(service=_checked(service, RATE_LIMITED_SERVICES)).inc()

    # ---- articles and analysis -----------------------------------------------------------

    def articles_ingested(self, count: int = 1) -> None:
        """Articles stored (added or updated)."""
        self._ingested.inc(count)

    def articles_analysed(self, count: int = 1) -> None:
        """Articles analysed."""
        self._analysed.inc(count)

    def articles_failed(self, count: int = 1) -> None:
        """Articles that could not be read or analysed."""
        self._failed.inc(count)

    def set_analysis_queue_depth(self, waiting: int) -> None:
        """Articles waiting for analysis right now."""
        self._queue_depth.set(waiting)

    def worker_restarted(self) -> None:
        """The analysis worker pool was rebuilt after a worker died."""
        self._worker_restarts.inc()

    # ---- sources -------------------------------------------------------------------------

    def source_polled(self, outcome: str) -> None:
        """One poll of a source: "new", "unchanged", "failed" or "disabled"."""
        self._polls.labels(outcome=_checked(outcome, POLL_OUTCOMES)).inc()

    # ---- the event loop ------------------------------------------------------------------

    def event_loop_lag(self, lag_s: float) -> None:
        """Record one measurement of how late the loop woke up."""
        lag_s = max(0.0, lag_s)
        self._loop_lag.set(lag_s)
        if lag_s > self._max_lag_s:
            self._max_lag_s = lag_s
            self._loop_lag_max.set(lag_s)

    # ---- export --------------------------------------------------------------------------

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

    content_type = CONTENT_TYPE_LATEST


def _checked(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"unknown label value {value!r}; use one of {', '.join(allowed)}")
    return value


# POST /api/v10/channels/{id}/messages: a message posted (discord.py retries a 429 itself,
# so only the final 2xx counts).
_MESSAGE_POST = re.compile(r"/channels/\d+/messages/?$")


def http_trace_config(metrics: Metrics, service: str) -> aiohttp.TraceConfig:
    """An aiohttp trace that counts 429 answers (and, for Discord, messages posted).

    Pass it as discord.py's Client(http_trace=...) or in an aiohttp ClientSession's
    trace_configs: the counts then come from the wire, whatever the library logs.
    """
    import aiohttp  # only the processes that talk to Discord or fetch need it

    _checked(service, RATE_LIMITED_SERVICES)

    async def on_request_end(
        _session: object,  # the session (the guarded fetcher's or discord.py's)
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        status = params.response.status
        if status == 429:
            metrics.rate_limited(service)
        elif (
            service == "discord"
            and 200 <= status < 300
            and params.method == "POST"
            and _MESSAGE_POST.search(params.url.path)
        ):
            metrics.messages_sent()

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace


class EventLoopLagMonitor:
    """A small task that sleeps interval_s and records how much later than that it woke up."""

    def __init__(self, metrics: Metrics, interval_s: float = 0.5) -> None:
        self.metrics = metrics
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start measuring on the running loop (once)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="byline-event-loop-lag"
            )

    async def stop(self) -> None:
        """Stop measuring."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.interval_s)
            self.metrics.event_loop_lag(loop.time() - started - self.interval_s)
