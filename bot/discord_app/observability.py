"""The bot's health listener, event-loop lag monitor and command metrics, started with the bot."""

from __future__ import annotations

import logging

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.observability.health import (
    HealthServer,
    database_check,
    gateway_check,
    queue_depth_refresher,
    scheduler_check,
)
from bot.observability.metrics import EventLoopLagMonitor

logger = logging.getLogger(__name__)


def gateway_connected(client: discord.Client) -> bool:
    """Whether the bot holds an open gateway connection (every shard's, when sharded)."""
    if client.is_closed():
        return False
    if isinstance(client, discord.AutoShardedClient):
        return bool(client.shards) and all(not s.is_closed() for s in client.shards.values())
    return client.ws is not None and client.ws.open


class BotObservability:
    """Starts /healthz and /metrics (when [health] enabled) and the lag monitor; stops them."""

    def __init__(self, app: App, client: discord.Client, scheduler: AsyncIOScheduler) -> None:
        self.app = app
        self.lag = EventLoopLagMonitor(app.metrics)
        self.server: HealthServer | None = None
        health = app.settings.health
        if health.enabled:
            self.server = HealthServer(
                app.metrics,
                {
                    "gateway": gateway_check(lambda: gateway_connected(client)),
                    "database": database_check(app.db),
                    "scheduler": scheduler_check(scheduler),
                },
                host=health.host,
                port=health.port,
                before_scrape=[queue_depth_refresher(app.db, app.metrics)],
            )

    async def start(self) -> None:
        """Start measuring and, when enabled, listening (a busy port stops start-up)."""
        self.lag.start()
        if self.server is not None:
            await self.server.start()

    async def stop(self) -> None:
        """Stop the listener and the monitor."""
        if self.server is not None:
            await self.server.stop()
        await self.lag.stop()
