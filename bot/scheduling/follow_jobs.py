"""The follow-alert job: one interval job per bot process; the database claims make it once."""

from __future__ import annotations

import logging

from bot.domain import AlertOutcome
from bot.scheduling.jobs import JobScheduler
from bot.services.follows import AlertSender, FollowService

logger = logging.getLogger(__name__)

JOB_ID = "follows:alerts"


class FollowJobs:
    """Runs FollowService.run_alerts every few seconds."""

    def __init__(self, jobs: JobScheduler, follows: FollowService, sender: AlertSender) -> None:
        self.jobs = jobs
        self.follows = follows
        self.sender = sender
        self.runs = 0

    def register(self, every_s: float) -> None:
        """Add the job (first run at once, so alerts due at start go out)."""
        self.jobs.every(JOB_ID, self.run, every_s, run_now=True)

    async def run(self) -> AlertOutcome | None:
        """One run; errors are logged and the next run tries again."""
        try:
            outcome = await self.follows.run_alerts(self.sender)
        except Exception:
            logger.exception("follow alerts run failed")
            return None
        self.runs += 1
        if self.runs == 1:
            # Runs with alerts log themselves; the first one says the job is alive.
            logger.info("follow alerts: first run done (%d sent)", outcome.sent)
        return outcome
