"""The optional HTTP listener: /healthz runs the health checks, /metrics serves Prometheus text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from aiohttp import web
from sqlalchemy import text

from bot.db.engine import Database
from bot.observability.metrics import Metrics

logger = logging.getLogger(__name__)

# A check returns None when healthy, else a reason in plain words; raising counts as failing.
HealthCheck = Callable[[], Awaitable[str | None]]
ScrapeHook = Callable[[], Awaitable[None]]

DEFAULT_CHECK_TIMEOUT_S = 5.0


class HealthServer:
    """Serve /healthz and /metrics on host:port until stopped (port 0 picks a free port)."""

    def __init__(
        self,
        metrics: Metrics,
        checks: Mapping[str, HealthCheck],
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        check_timeout_s: float = DEFAULT_CHECK_TIMEOUT_S,
        before_scrape: Sequence[ScrapeHook] = (),
    ) -> None:
        self.metrics = metrics
        self.checks = dict(checks)
        self.host = host
        self.port = port
        self.check_timeout_s = check_timeout_s
        self.before_scrape = tuple(before_scrape)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The listener's base URL (after start, with the real port)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Bind and start serving; a busy port raises OSError naming it."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        # Probes every few seconds would drown the log; failures are logged by _healthz.
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise OSError(
                exc.errno, f"cannot listen on {self.host}:{self.port} for health: {exc.strerror}"
            ) from None
        self._runner = runner
        addresses = runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        logger.info("health and metrics listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving and release the port."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def run_checks(self) -> dict[str, str]:
        """Run every check concurrently; return name → "ok" or the reason it fails."""
        names = list(self.checks)
        results = await asyncio.gather(*(self._run_check(n) for n in names))
        return dict(zip(names, results, strict=True))

    async def _run_check(self, name: str) -> str:
        try:
            async with asyncio.timeout(self.check_timeout_s):
                reason = await self.checks[name]()
        except TimeoutError:
            reason = f"no answer within {self.check_timeout_s:g} s"
        except Exception as exc:  # a failing check is a result, not a crash of the listener
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return "ok" if reason is None else reason

    async def _healthz(self, _request: web.Request) -> web.Response:
        results = await self.run_checks()
        failing = {name: reason for name, reason in results.items() if reason != "ok"}
        if failing:
            logger.warning(
                "health check failing: %s", "; ".join(f"{n}: {r}" for n, r in failing.items())
            )
        body = {
            "status": "failing" if failing else "ok",
            "checks": results,
            "failing": [f"{name}: {reason}" for name, reason in failing.items()],
        }
        return web.json_response(body, status=503 if failing else 200)

    async def _metrics(self, _request: web.Request) -> web.Response:
        for hook in self.before_scrape:
            try:
                await hook()
            except Exception:  # a stale gauge is better than a failed scrape
                logger.exception("a metrics refresh failed; serving the last values")
        return web.Response(
            body=self.metrics.render(), headers={"Content-Type": self.metrics.content_type}
        )


# ---- ready-made checks ---------------------------------------------------------------------


def database_check(db: Database) -> HealthCheck:
    """Healthy when the store answers a trivial query."""

    async def check() -> str | None:
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            return f"the database does not answer ({type(exc).__name__})"
        return None

    return check


def flag_check(is_ok: Callable[[], bool], reason: str) -> HealthCheck:
    """Healthy while is_ok() is true, e.g. lambda: bot.is_ready() and not bot.is_closed()."""

    async def check() -> str | None:
        return None if is_ok() else reason

    return check


class _Running(Protocol):
    @property
    def running(self) -> bool: ...


def scheduler_check(scheduler: _Running) -> HealthCheck:
    """Healthy while the APScheduler scheduler is running."""
    return flag_check(lambda: bool(scheduler.running), "the scheduler is not running")


def gateway_check(is_connected: Callable[[], bool]) -> HealthCheck:
    """Healthy while the Discord gateway is connected (the caller knows how to ask discord.py)."""
    return flag_check(is_connected, "the Discord gateway is not connected")


def queue_depth_refresher(db: Database, metrics: Metrics) -> ScrapeHook:
    """A before-scrape hook that sets the analysis queue depth from the pending articles."""

    async def refresh() -> None:
        async with db.engine.connect() as conn:
            waiting = await conn.scalar(
                text("SELECT count(*) FROM articles WHERE status = 'pending'")
            )
        metrics.set_analysis_queue_depth(int(waiting or 0))

    return refresh
