"""Source jobs: one poll job per enabled source, rebuilt from the sources table every minute."""

from __future__ import annotations

import logging

from bot.scheduling.jobs import JobScheduler
from bot.services.sources import SourceService, poll_jitter_s

logger = logging.getLogger(__name__)

SYNC_JOB_ID = "sources:sync"
SYNC_EVERY_S = 60
JOB_PREFIX = "source:"


def job_id(source_id: int) -> str:
    """The stable scheduler id of a source's poll job."""
    return f"{JOB_PREFIX}{source_id}"


class SourceJobs:
    """Keeps the poll jobs in step with config.toml and the sources table."""

    def __init__(self, jobs: JobScheduler, sources: SourceService) -> None:
        self.jobs = jobs
        self.sources = sources

    def register(self) -> None:
        """Sync now and then every minute, so added or removed sources get (or lose) their job."""
        self.jobs.every(SYNC_JOB_ID, self._sync_job, SYNC_EVERY_S, run_now=True)

    async def _sync_job(self) -> None:
        try:
            await self.sources.sync_global()
            await self.sync()
        except Exception:  # logged; the next run tries again
            logger.exception("syncing source jobs failed")

    async def sync(self) -> None:
        """Add, update or remove poll jobs so they match the enabled sources."""
        wanted = {
            job_id(sid): every_s for sid, every_s in (await self.sources.poll_intervals()).items()
        }
        for job in self.jobs.jobs(JOB_PREFIX):
            if job.id not in wanted:
                job.remove()
        for jid, every_s in wanted.items():
            job = self.jobs.get(jid)
            interval = getattr(getattr(job, "trigger", None), "interval", None)
            if job is not None and interval is not None and interval.total_seconds() == every_s:
                continue  # re-adding would reset its next run time
            source_id = int(jid.removeprefix(JOB_PREFIX))
            # First run soon (spread over the jitter) so new and overdue sources get polled.
            self.jobs.every(
                jid,
                self._poll,
                every_s,
                args=(source_id,),
                jitter_s=poll_jitter_s(every_s),
                run_now=True,
            )

    async def _poll(self, source_id: int) -> None:
        try:
            await self.sources.poll_if_due(source_id)
        except Exception:
            logger.exception("poll job of source #%d failed", source_id)
