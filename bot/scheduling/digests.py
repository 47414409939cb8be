"""Digest jobs: one per server with a channel and a schedule, rebuilt from the database.

Jobs live in APScheduler's memory store and are rebuilt from guild_settings at start and every
minute (stable ids `digest:{guild_id}`), so restarts, several processes and configuration
changes made by another process (the CLI) never depend on a shared job store (RELIABILITY F9).
Every firing and the start-up catch-up run the same path, `DigestService.run_due`, whose
database claim makes repeats harmless.

Sharded (`byline run --shard-count N --shard-ids ...`, several processes on one database), a
process schedules only the servers of its own shards: the gateway delivers those servers'
events to it, and during a rolling restart, when two processes briefly own the same shard,
the slot claim still lets only one of them post.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.domain import GuildConfig, SlotOutcome
from bot.errors import BylineError
from bot.scheduling.jobs import JobScheduler
from bot.scheduling.schedules import parse_schedule
from bot.scheduling.triggers import SlotTrigger
from bot.services.digests import DigestService, Poster
from bot.services.guilds import GuildService

logger = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
REBUILD_JOB_ID = "digests:rebuild"
REBUILD_EVERY_S = 60


# Digests that fall in the same minute are posted at most this many at a time. discord.py
# waits out each 429 itself (RELIABILITY F12), but thousands of sends started at once all
# queue on its global lock and, past the 50 requests/s global limit, each retry costs another
# 429; a few in flight keep the bot at the limit with almost no 429s (bench/fanout.py).
MAX_POSTING = 8


@dataclass(frozen=True, slots=True)
class ShardSet:
    """The Discord shards one bot process runs (count None: unsharded, every server)."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, count: int | None, ids: list[int] | None) -> ShardSet:
        """The shard set of settings: count None means all; ids None means 0..count-1."""
        if count is None:
            return cls()
        return cls(count, tuple(ids) if ids is not None else tuple(range(count)))

    def owns(self, guild_id: int) -> bool:
        """Whether this process's shards carry the server (Discord's formula)."""
        if self.count is None or len(self.ids) == self.count:
            return True
        return (guild_id >> 22) % self.count in self.ids

    @property
    def has_first(self) -> bool:
        """Whether shard 0 is here (its process runs what only one process should)."""
        return self.count is None or 0 in self.ids


def digest_job_id(guild_id: int) -> str:
    """The stable scheduler id of a server's digest job."""
    return f"{JOB_PREFIX}{guild_id}"


class DigestJobs:
    """Keeps one digest job per scheduled server and runs due slots through the service."""

    def __init__(
        self,
        jobs: JobScheduler,
        digests: DigestService,
        guilds: GuildService,
        poster: Poster,
        *,
        shards: ShardSet | None = None,
        max_posting: int | None = None,
    ) -> None:
        self.jobs = jobs
        self.digests = digests
        self.guilds = guilds
        self.poster = poster
        self.shards = shards or ShardSet()
        self.grace: timedelta = digests.grace
        self._posting = asyncio.Semaphore(max_posting or MAX_POSTING)
        guilds.listeners.append(self.sync)

    async def rebuild(self) -> int:
        """Make the digest jobs match the database; return how many are scheduled."""
        configs = [c for c in await self.guilds.all_configs() if self.shards.owns(c.guild_id)]
        wanted = {digest_job_id(c.guild_id) for c in configs if self.sync(c)}
        for job in self.jobs.jobs(JOB_PREFIX):
            if job.id not in wanted:
                job.remove()
        logger.debug("digest jobs rebuilt: %d scheduled of %d servers", len(wanted), len(configs))
        return len(wanted)

    def keep_rebuilt(self) -> None:
        """Re-read the configurations every minute (the CLI may change them meanwhile)."""
        self.jobs.every(REBUILD_JOB_ID, self._rebuild_job, REBUILD_EVERY_S)

    async def _rebuild_job(self) -> None:
        try:
            await self.rebuild()
        except Exception:  # logged; the next run tries again
            logger.exception("rebuilding digest jobs failed")

    def sync(self, config: GuildConfig) -> bool:
        """Add, replace or remove one server's digest job; return whether it is scheduled."""
        job_id = digest_job_id(config.guild_id)
        if config.channel_id is None or config.paused or not self.shards.owns(config.guild_id):
            self.jobs.remove(job_id)
            return False
        try:
            schedule = parse_schedule(config.schedule)
        except BylineError as exc:
            logger.warning(
                "guild %s has an unusable schedule %r: %s", config.guild_id, config.schedule, exc
            )
            return False
        trigger = SlotTrigger(schedule, config.timezone)
        job = self.jobs.get(job_id)
        if job is not None and str(job.trigger) == str(trigger):
            return True  # replacing it would recompute its next run for nothing
        self.jobs.add(
            job_id,
            self.fire,
            trigger,
            args=(config.guild_id,),
            misfire_grace_s=max(1, int(self.grace.total_seconds())),
        )
        return True

    def remove(self, guild_id: int) -> None:
        """Drop a server's digest job (the bot left it)."""
        self.jobs.remove(digest_job_id(guild_id))

    async def fire(self, guild_id: int) -> SlotOutcome:
        """Run a server's latest due slot."""
        async with self._posting:
            return await self.digests.run_due(guild_id, self.poster)

    async def catch_up(self) -> list[SlotOutcome]:
        """Post each own server's missed slot once if within grace (skip and log it otherwise)."""
        configs = [
            c
            for c in await self.guilds.all_configs()
            if c.channel_id is not None and not c.paused and self.shards.owns(c.guild_id)
        ]

        async def one(guild_id: int) -> SlotOutcome | None:
            try:
                return await self.fire(guild_id)
            except Exception:
                logger.exception("catch-up of guild %s failed", guild_id)
                return None

        outcomes = await asyncio.gather(*(one(c.guild_id) for c in configs))
        return [o for o in outcomes if o is not None]
