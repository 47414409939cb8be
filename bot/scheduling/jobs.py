"""The one APScheduler of a bot process and the one way jobs are added to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger


class JobScheduler:
    """Owns the AsyncIOScheduler; the database, not its memory store, is the source of truth."""

    def __init__(self, scheduler: AsyncIOScheduler | None = None) -> None:
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")

    def add(
        self,
        job_id: str,
        func: Callable[..., Any],
        trigger: BaseTrigger,
        *,
        args: tuple[Any, ...] = (),
        misfire_grace_s: int | None = None,
        run_now: bool = False,
    ) -> None:
        """Add or replace a job under a stable id: one run at a time, late runs coalesced."""
        options: dict[str, Any] = {}
        if run_now:
            options["next_run_time"] = datetime.now(UTC)
        self.scheduler.add_job(
            func,
            trigger=trigger,
            args=args,
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            # APScheduler's default is one second; a job late by more would be dropped.
            misfire_grace_time=misfire_grace_s,
            **options,
        )

    def every(
        self,
        job_id: str,
        func: Callable[..., Any],
        seconds: float,
        *,
        args: tuple[Any, ...] = (),
        jitter_s: int | None = None,
        run_now: bool = False,
    ) -> None:
        """Add or replace an interval job."""
        self.add(
            job_id,
            func,
            IntervalTrigger(seconds=seconds, jitter=jitter_s, timezone=UTC),
            args=args,
            misfire_grace_s=max(1, int(seconds)),
            run_now=run_now,
        )

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if scheduled."""
        return self.scheduler.get_job(job_id)

    def remove(self, job_id: str) -> None:
        """Drop a job (nothing happens when it is not there)."""
        if self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    def jobs(self, prefix: str = "") -> list[Job]:
        """The scheduled jobs whose id starts with prefix."""
        return [j for j in self.scheduler.get_jobs() if j.id.startswith(prefix)]

    def start(self) -> None:
        """Start (once per process; from setup_hook, never on_ready)."""
        if not self.scheduler.running:
            self.scheduler.start()

    def shutdown(self) -> None:
        """Stop without waiting for running jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
