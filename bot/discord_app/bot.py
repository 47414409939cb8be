"""The Discord bot: cogs, the one scheduler, command sync to the development server."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord.ext import commands

from bot.app import App
from bot.discord_app.alerts import AlertPoster
from bot.discord_app.pacing import RequestPacer, pace_requests, process_limit
from bot.discord_app.poster import ChannelPoster
from bot.discord_app.replies import NO_MENTIONS
from bot.discord_app.tree import BylineTree
from bot.scheduling.analysis_jobs import AnalysisJobs
from bot.scheduling.digests import DigestJobs, ShardSet
from bot.scheduling.follow_jobs import FollowJobs
from bot.scheduling.jobs import JobScheduler
from bot.scheduling.source_jobs import SourceJobs
from bot.settings import Settings
from bot.stories.preload import preload

logger = logging.getLogger(__name__)

COGS = (
    "cogs.people",
    "cogs.events",
    "cogs.articles",
    "cogs.digest",
    "cogs.config",
    "cogs.status",
    "cogs.follow",
)


class BylineBot(commands.AutoShardedBot):
    """Byline on Discord: application commands only, guilds intent only.

    Auto-sharded: with no shard settings one process runs as many shards as Discord
    recommends; with discord.shard_count and shard_ids (`byline run --shard-count N
    --shard-ids 0,1`) several processes on one database each run some shards.
    """

    def __init__(
        self,
        settings: Settings,
        app: App | None,
        *,
        sync_only: bool = False,
        cogs: tuple[str, ...] = COGS,
        **options: Any,
    ) -> None:
        shard_set = ShardSet.of(settings.discord.shard_count, settings.discord.shard_ids)
        if shard_set.count is not None:
            options.setdefault("shard_count", shard_set.count)
            options.setdefault("shard_ids", list(shard_set.ids))
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            allowed_mentions=NO_MENTIONS,
            tree_cls=BylineTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.shard_set = shard_set
        self.pacer = RequestPacer(process_limit(shard_set.count, shard_set.ids))
        pace_requests(self.http, self.pacer)
        self._app = app
        self.sync_only = sync_only
        self.cog_names = cogs
        self.failed_cogs: list[str] = []
        self.jobs = JobScheduler()
        self.poster = ChannelPoster(self, settings_of=app.posting.get if app is not None else None)
        self.alert_poster = AlertPoster(self)
        self._digest_jobs: DigestJobs | None = None
        self._catch_up_task: asyncio.Task[None] | None = None
        if app is not None:
            self._digest_jobs = DigestJobs(
                self.jobs, app.digests, app.guilds, self.poster, shards=shard_set
            )

    @property
    def app(self) -> App:
        """The Discord-free application (created in main() and handed in)."""
        if self._app is None:
            raise RuntimeError("this bot was started without the application (sync only)")
        return self._app

    @property
    def digest_jobs(self) -> DigestJobs:
        """The per-server digest jobs."""
        if self._digest_jobs is None:
            raise RuntimeError("this bot was started without the application (sync only)")
        return self._digest_jobs

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
        app = self.app
        # The libraries an ingest needs in this process load now, off the event loop.
        await asyncio.to_thread(preload)
        await app.articles.reset_stale_analyzing()
        scheduled = await self.digest_jobs.rebuild()
        logger.info(
            "digest jobs rebuilt: %d scheduled (shards %s of %s)",
            scheduled,
            ",".join(map(str, self.shard_set.ids)) or "all",
            self.shard_set.count or "auto",
        )
        self.digest_jobs.keep_rebuilt()
        # Every process may analyse: leased claims hand each pending article to one of them.
        AnalysisJobs(self.jobs, app.articles).register(app.settings.analysis.pending_poll_s)
        if self.shard_set.has_first:
            # Feeds are polled and follow alerts sent by one process of a sharded bot (the one
            # with shard 0), so no two processes fetch the same item or race for an alert.
            SourceJobs(self.jobs, app.sources).register()
            FollowJobs(self.jobs, app.follows, self.alert_poster).register(
                app.settings.follows.alerts_every_s
            )
        # Started here, never in on_ready: on_ready fires again after a failed RESUME.
        self.jobs.start()
        self._catch_up_task = asyncio.create_task(self._catch_up_when_ready())
        guild_id = self.settings.discord.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            logger.info("synced %d commands to development server %s", len(synced), guild_id)

    async def _catch_up_when_ready(self) -> None:
        await self.wait_until_ready()
        outcomes = await self.digest_jobs.catch_up()
        logger.info("start-up catch-up: %s", [o.status for o in outcomes] or "nothing scheduled")

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Stop posting to a server that removed the bot (its settings stay in the database)."""
        if self._digest_jobs is not None:
            self._digest_jobs.remove(guild.id)

    async def close(self) -> None:
        """Stop the scheduler, then disconnect (the App is closed by whoever opened it)."""
        self.jobs.shutdown()
        if self._catch_up_task is not None:
            self._catch_up_task.cancel()
        await super().close()
