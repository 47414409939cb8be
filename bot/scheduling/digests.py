"""The one scheduler of a bot process: digest jobs rebuilt from the database, pending analysis.

The database is the source of truth: jobs live in APScheduler's memory store and are rebuilt
from guild_settings at start (stable ids `digest:{guild_id}`, replace_existing), so restarts and
several processes never depend on a shared job store (RELIABILITY F9). Every firing, the start-up
catch-up and each test-clock change run the same path, `run_due`, whose database claim makes
repeats harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.digest.posting import Poster, SlotOutcome, process_name, run_due
from bot.domain import GuildConfig
from bot.errors import BylineError
from bot.schedules import next_slot, parse_schedule
from bot.scheduling import clock
from bot.scheduling.triggers import SlotTrigger
from bot.services import Byline

logger = logging.getLogger(__name__)

PENDING_JOB_ID = "analysis:pending"
CLOCK_JOB_ID = "test:clock"


def digest_job_id(guild_id: int) -> str:
    """The stable scheduler id of a server's digest job."""
    return f"digest:{guild_id}"


def next_digest_at(config: GuildConfig, now: datetime) -> datetime | None:
    """When a server's next digest is due (None when unscheduled or paused)."""
    if config.channel_id is None or config.paused:
        return None
    try:
        return next_slot(parse_schedule(config.schedule), config.timezone, now)
    except (BylineError, ValueError, KeyError):
        return None


class DigestScheduler:
    """Owns the AsyncIOScheduler: digest jobs per server and the pending-analysis job."""

    def __init__(
        self,
        services: Byline,
        poster: Poster,
        *,
        now: Callable[[], datetime] = clock.now,
        scheduler: AsyncIOScheduler | None = None,
    ) -> None:
        self.services = services
        self.poster = poster
        self.now = now
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self.claimed_by = process_name()
        digest = services.settings.digest
        self.grace = timedelta(minutes=digest.grace_minutes)
        self.nothing_new_message = digest.nothing_new_message
        self._clock_seen: datetime | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler (once per process; call from setup_hook, never on_ready)."""
        if not self.scheduler.running:
            self.scheduler.start()

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for running jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def jobs(self) -> list[Any]:
        """The scheduled jobs (for /status and tests)."""
        return list(self.scheduler.get_jobs())

    # ---- digest jobs --------------------------------------------------------------------

    async def rebuild(self) -> int:
        """Make the digest jobs match the database; return how many are scheduled."""
        configs = await self.services.all_guild_configs()
        wanted = set()
        for config in configs:
            if self.sync(config):
                wanted.add(digest_job_id(config.guild_id))
        for job in self.jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                job.remove()
        logger.info("digest jobs rebuilt: %d scheduled of %d servers", len(wanted), len(configs))
        return len(wanted)

    def sync(self, config: GuildConfig) -> bool:
        """Add, replace or remove one server's digest job; return whether it is scheduled."""
        job_id = digest_job_id(config.guild_id)
        if config.channel_id is None or config.paused:
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.remove_job(job_id)
            return False
        try:
            schedule = parse_schedule(config.schedule)
        except BylineError as exc:
            logger.warning(
                "guild %s has an unusable schedule %r: %s", config.guild_id, config.schedule, exc
            )
            return False
        self.scheduler.add_job(
            self.fire,
            trigger=SlotTrigger(schedule, config.timezone),
            args=[config.guild_id],
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(self.grace.total_seconds())),
        )
        return True

    def remove(self, guild_id: int) -> None:
        """Drop a server's digest job (the bot left it)."""
        if self.scheduler.get_job(digest_job_id(guild_id)) is not None:
            self.scheduler.remove_job(digest_job_id(guild_id))

    async def fire(self, guild_id: int) -> SlotOutcome:
        """Run a server's latest due slot (a job firing, a catch-up, or a test-clock step)."""
        return await run_due(
            self.services,
            guild_id,
            now=self.now(),
            poster=self.poster,
            grace=self.grace,
            claimed_by=self.claimed_by,
            nothing_new_message=self.nothing_new_message,
        )

    async def catch_up(self) -> list[SlotOutcome]:
        """Post each server's missed slot once if within grace (skip and log it otherwise)."""
        outcomes = []
        for config in await self.services.all_guild_configs():
            if config.channel_id is None or config.paused:
                continue
            try:
                outcomes.append(await self.fire(config.guild_id))
            except Exception:
                logger.exception("catch-up of guild %s failed", config.guild_id)
        return outcomes

    # ---- other jobs ---------------------------------------------------------------------

    def add_pending_analysis(self, every_s: float) -> None:
        """Analyse articles other programs left pending, in the worker pool, every every_s."""
        self.scheduler.add_job(
            self.analyze_pending,
            "interval",
            seconds=every_s,
            id=PENDING_JOB_ID,
            name=PENDING_JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(self.scheduler.timezone),
        )

    async def analyze_pending(self) -> int:
        """One pending-analysis pass; return how many articles it handled."""
        started = time.perf_counter()
        outcomes = await self.services.analyze_pending()
        if outcomes:
            failed = sum(o.status == "failed" for o in outcomes)
            logger.info(
                "analysed %d pending articles (%d failed) in %.2fs",
                len(outcomes),
                failed,
                time.perf_counter() - started,
            )
        return len(outcomes)

    def watch_test_clock(self, every_s: float = 0.2) -> bool:
        """With BYLINE_TEST_CLOCK_FILE set, run due slots whenever the test moves the clock."""
        if clock.clock_file() is None:
            return False
        self.scheduler.add_job(
            self._clock_step,
            "interval",
            seconds=every_s,
            id=CLOCK_JOB_ID,
            name=CLOCK_JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        return True

    async def _clock_step(self) -> None:
        path = clock.clock_file()
        current = clock.read_clock_file(path) if path is not None else None
        if current is None or current == self._clock_seen:
            return
        self._clock_seen = current
        logger.info("test clock moved to %s", current.isoformat())
        await self.catch_up()
