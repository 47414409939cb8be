"""APScheduler wiring: one interval job per enabled source, rebuilt from the sources table."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.db.models import Source
from bot.errors import BylineError, NotFound
from bot.ingest.urls import canonical_url
from bot.sources import store
from bot.sources.intervals import parse_every
from bot.sources.polling import poll_source

if TYPE_CHECKING:
    from bot.services import Byline

logger = logging.getLogger(__name__)

SYNC_JOB_ID = "sources:sync"
SYNC_EVERY_S = 60
JOB_PREFIX = "source:"
# Spread polls so many sources on the same interval do not fire in the same second.
MAX_JITTER_S = 120
REMOVED_FROM_CONFIG = "removed from config.toml"


def _jitter_s(every_s: int) -> int:
    return min(MAX_JITTER_S, every_s // 10)


def job_id(source_id: int) -> str:
    """The stable scheduler id of a source's poll job."""
    return f"{JOB_PREFIX}{source_id}"


def register_source_jobs(scheduler: Any, services: Byline) -> None:
    """Sync config sources into the table, then keep one poll job per enabled source."""
    # The sync job runs now and then every minute, so sources added or removed through
    # commands get (or lose) their job without a restart.
    scheduler.add_job(
        _sync_job,
        "interval",
        seconds=SYNC_EVERY_S,
        args=(scheduler, services),
        id=SYNC_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=SYNC_EVERY_S,
        next_run_time=datetime.now(UTC),
    )


async def _sync_job(scheduler: Any, services: Byline) -> None:
    try:
        await sync_global_sources(services)
        await sync_source_jobs(scheduler, services)
    except Exception:  # logged; the next run tries again
        logger.exception("syncing source jobs failed")


async def sync_global_sources(services: Byline, *, now: datetime | None = None) -> None:
    """Make the global rows match settings.sources.feeds (new rows, intervals, removals)."""
    now = now or datetime.now(UTC)
    wanted: dict[str, tuple[str, int]] = {}
    for entry in services.settings.sources.feeds:
        try:
            every_s = parse_every(entry.every)
            wanted[canonical_url(entry.url)] = (entry.url.strip(), every_s)
        except BylineError as exc:
            logger.warning("config source %s skipped: %s", entry.url[:200], exc.message)
    async with services.db.writer() as session:
        rows = {
            r.canonical_url: r
            for r in await session.scalars(
                select(Source).where(Source.guild_id == store.GLOBAL_GUILD)
            )
        }
        for canonical, (url, every_s) in wanted.items():
            row = rows.get(canonical)
            if row is None:
                session.add(
                    Source(
                        guild_id=store.GLOBAL_GUILD,
                        url=url,
                        canonical_url=canonical,
                        kind="unknown",  # classified by its first poll
                        every_s=every_s,
                        next_poll_at=now,
                        failures=0,
                        created_at=now,
                    )
                )
                continue
            row.every_s = every_s
            if row.disabled_reason == REMOVED_FROM_CONFIG:
                row.disabled_reason = None
                row.next_poll_at = now
        for canonical, row in rows.items():
            if canonical not in wanted and row.disabled_reason is None:
                row.disabled_reason = REMOVED_FROM_CONFIG


async def sync_source_jobs(scheduler: Any, services: Byline) -> None:
    """Add, update or remove poll jobs so they match the enabled sources."""
    async with services.db.reader() as session:
        rows = list(
            await session.execute(
                select(Source.id, Source.every_s).where(Source.disabled_reason.is_(None))
            )
        )
    wanted = {job_id(int(sid)): int(every_s) for sid, every_s in rows}
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id)
    for jid, every_s in wanted.items():
        job = scheduler.get_job(jid)
        interval = getattr(getattr(job, "trigger", None), "interval", None)
        if job is not None and interval is not None and interval.total_seconds() == every_s:
            continue  # re-adding would reset its next run time
        source_id = int(jid.removeprefix(JOB_PREFIX))
        scheduler.add_job(
            poll_if_due,
            "interval",
            seconds=every_s,
            jitter=_jitter_s(every_s),
            args=(services, source_id),
            id=jid,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=every_s,
            # First run soon (spread over the jitter) so new and overdue sources get polled.
            next_run_time=datetime.now(UTC),
        )


async def poll_if_due(services: Byline, source_id: int) -> None:
    """The job body: poll when next_poll_at has come (backoff pushes it later)."""
    now = datetime.now(UTC)
    async with services.db.reader() as session:
        row = await session.get(Source, source_id)
        if row is None or row.disabled_reason is not None:
            return
        next_at = store.aware(row.next_poll_at)
        # A jittered run can come a little before next_poll_at; skipping it would wait a
        # whole extra interval.
        slack = timedelta(seconds=_jitter_s(row.every_s) + 5)
    if next_at is not None and next_at > now + slack:
        return
    try:
        await poll_source(services, source_id, now=now)
    except NotFound:
        return
    except Exception:
        logger.exception("poll job of source #%d failed", source_id)
