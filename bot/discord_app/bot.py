"""The Discord bot: cogs, the one scheduler, command sync to the development server."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord.ext import commands

from bot.discord_app.poster import ChannelPoster
from bot.discord_app.replies import NO_MENTIONS
from bot.discord_app.tree import BylineTree
from bot.scheduling.digests import DigestScheduler
from bot.services import Byline
from bot.settings import Settings

logger = logging.getLogger(__name__)

COGS = (
    "cogs.people",
    "cogs.events",
    "cogs.articles",
    "cogs.digest",
    "cogs.config",
    "cogs.status",
)


class BylineBot(commands.Bot):
    """Byline on Discord: application commands only, guilds intent only."""

    def __init__(
        self,
        settings: Settings,
        services: Byline | None,
        *,
        sync_only: bool = False,
        cogs: tuple[str, ...] = COGS,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            allowed_mentions=NO_MENTIONS,
            tree_cls=BylineTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self._services = services
        self.sync_only = sync_only
        self.cog_names = cogs
        self.failed_cogs: list[str] = []
        self.digests: DigestScheduler | None = None
        self._catch_up_task: asyncio.Task[None] | None = None
        if services is not None:
            self.digests = DigestScheduler(services, ChannelPoster(self))

    @property
    def services(self) -> Byline:
        """The Discord-free services (created outside the bot and handed in)."""
        if self._services is None:
            raise RuntimeError("this bot was started without services (sync only)")
        return self._services

    @property
    def scheduler(self) -> DigestScheduler:
        """The digest scheduler."""
        if self.digests is None:
            raise RuntimeError("this bot was started without services (sync only)")
        return self.digests

    async def load_cogs(self) -> None:
        """Load every cog; a broken one is logged and start-up goes on."""
        for name in self.cog_names:
            try:
                await self.load_extension(name)
            except Exception:
                self.failed_cogs.append(name)
                logger.exception("cog %s failed to load; the bot starts without it", name)

    async def setup_hook(self) -> None:
        """Runs once per process before connecting: cogs, the scheduler, command sync."""
        await self.load_cogs()
        if self.sync_only:
            return
        digests = self.scheduler
        await self.services.reset_stale_analyzing()
        await digests.rebuild()
        digests.add_pending_analysis(self.settings.analysis.pending_poll_s)
        self._register_source_jobs()
        digests.watch_test_clock()
        # Started here, never in on_ready: on_ready fires again after a failed RESUME.
        digests.start()
        self._catch_up_task = asyncio.create_task(self._catch_up_when_ready())
        guild_id = self.settings.discord.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            logger.info("synced %d commands to development server %s", len(synced), guild_id)

    def _register_source_jobs(self) -> None:
        from bot.sources.jobs import register_source_jobs

        try:
            register_source_jobs(self.scheduler.scheduler, self.services)
        except Exception:
            logger.exception("registering source jobs failed; the bot goes on without them")

    async def _catch_up_when_ready(self) -> None:
        await self.wait_until_ready()
        outcomes = await self.scheduler.catch_up()
        logger.info("start-up catch-up: %s", [o.status for o in outcomes] or "nothing scheduled")

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Stop posting to a server that removed the bot (its settings stay in the database)."""
        if self.digests is not None:
            self.digests.remove(guild.id)

    async def close(self) -> None:
        """Stop the scheduler, then disconnect."""
        if self.digests is not None:
            self.digests.shutdown()
        if self._catch_up_task is not None:
            self._catch_up_task.cancel()
        from bot.sources import close_fetcher

        await close_fetcher()  # the one HTTP session the source jobs opened
        await super().close()
