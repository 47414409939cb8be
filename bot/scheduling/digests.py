"""Digest jobs: one per server with a channel and a schedule, rebuilt from the database.

Jobs live in APScheduler's memory store and are rebuilt from guild_settings at start and every
minute (stable ids `digest:{guild_id}`), so restarts, several processes and configuration
changes made by another process (the CLI) never depend on a shared job store (RELIABILITY F9).
Every firing and the start-up catch-up run the same path, `DigestService.run_due`, whose
database claim makes repeats harmless.
"""

from __future__ import annotations

import logging
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
    ) -> None:
        self.jobs = jobs
        self.digests = digests
        self.guilds = guilds
        self.poster = poster
        self.grace: timedelta = digests.grace
        guilds.listeners.append(self.sync)

    async def rebuild(self) -> int:
        """Make the digest jobs match the database; return how many are scheduled."""
        configs = await self.guilds.all_configs()
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
        if config.channel_id is None or config.paused:
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
        return await self.digests.run_due(guild_id, self.poster)

    async def catch_up(self) -> list[SlotOutcome]:
        """Post each server's missed slot once if within grace (skip and log it otherwise)."""
        return await self.digests.catch_up(self.poster)
