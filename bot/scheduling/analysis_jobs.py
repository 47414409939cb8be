"""The pending-analysis job: rows other programs inserted are analysed in the worker pool."""

from __future__ import annotations

import logging
import time

from bot.domain import IngestStatus
from bot.scheduling.jobs import JobScheduler
from bot.services.articles import ArticleService

logger = logging.getLogger(__name__)

PENDING_JOB_ID = "analysis:pending"


class AnalysisJobs:
    """Looks for pending articles every few seconds."""

    def __init__(self, jobs: JobScheduler, articles: ArticleService) -> None:
        self.jobs = jobs
        self.articles = articles

    def register(self, every_s: float) -> None:
        """Analyse pending rows now and then every every_s."""
        self.jobs.every(PENDING_JOB_ID, self.run_once, every_s, run_now=True)

    async def run_once(self) -> int:
        """One pending-analysis pass; return how many articles it handled."""
        started = time.perf_counter()
        outcomes = await self.articles.analyze_pending()
        if outcomes:
            failed = sum(o.status == IngestStatus.FAILED for o in outcomes)
            logger.info(
                "analysed %d pending articles (%d failed) in %.2fs",
                len(outcomes),
                failed,
                time.perf_counter() - started,
            )
        return len(outcomes)
