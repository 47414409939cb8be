"""Scheduler wiring: config sources synced into the table, one stable job per source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.db.models import Source
from bot.scheduling.jobs import JobScheduler
from bot.scheduling.source_jobs import SYNC_JOB_ID, SourceJobs
from bot.services.sources import REMOVED_FROM_CONFIG
from tests.site import MakeApp, Site


async def test_config_sources_get_one_job_each_and_removals_disable(
    site: Site, make_app: MakeApp
) -> None:
    feeds = [
        {"url": site.feed("/a.xml", "rss20", site.stories("/a", [1])), "every": "15m"},
        {"url": site.feed("/b.xml", "atom", []), "every": "bad"},
    ]
    app = await make_app(sources={"feeds": feeds})
    jobs = JobScheduler()
    scheduler = jobs.scheduler
    scheduler.start(paused=True)
    source_jobs = SourceJobs(jobs, app.sources)
    try:
        source_jobs.register()
        assert scheduler.get_job(SYNC_JOB_ID) is not None
        await app.sources.sync_global()
        await app.sources.sync_global()  # idempotent
        [glob] = await app.sources.for_guild(guild_id=None)  # the bad interval was skipped
        assert (glob.kind, glob.every_s, glob.guild_id) == ("unknown", 900, None)
        mine = await app.sources.add(site.feed("/c.xml", "rss20", []), guild_id=5, every="2h")
        await source_jobs.sync()
        polls = {j.id: j for j in scheduler.get_jobs() if j.id != SYNC_JOB_ID}
        assert set(polls) == {f"source:{glob.id}", f"source:{mine.id}"}
        job = polls[f"source:{mine.id}"]
        assert job.trigger.interval == timedelta(hours=2) and job.trigger.jitter == 120
        assert (job.coalesce, job.max_instances) == (True, 1)

        # The first poll classifies a config source; the job body polls only when due.
        await app.sources.poll_if_due(glob.id)
        polled = (await app.sources.for_guild(guild_id=None))[0]
        assert polled.kind == "feed" and polled.last_polled_at is not None
        await app.sources.poll_if_due(glob.id)  # not due: nothing changes
        assert (await app.sources.for_guild(guild_id=None))[
            0
        ].last_polled_at == polled.last_polled_at

        # Removed from config: disabled with a reason, its job goes away.
        app.sources.settings = app.settings.model_copy(
            update={"sources": app.settings.sources.model_copy(update={"feeds": []})}
        )
        await app.sources.sync_global()
        await source_jobs.sync()
        assert (await app.sources.for_guild(guild_id=None))[
            0
        ].disabled_reason == REMOVED_FROM_CONFIG
        assert {j.id for j in scheduler.get_jobs()} == {SYNC_JOB_ID, f"source:{mine.id}"}
    finally:
        scheduler.shutdown(wait=False)


async def test_job_ids_are_stable_and_unchanged_jobs_keep_their_next_run(
    site: Site, make_app: MakeApp
) -> None:
    app = await make_app()
    view = await app.sources.add(site.feed("/a.xml", "rss20", []), guild_id=1)
    jobs = JobScheduler()
    scheduler = jobs.scheduler
    scheduler.start(paused=True)
    source_jobs = SourceJobs(jobs, app.sources)
    try:
        await source_jobs.sync()
        job = scheduler.get_job(f"source:{view.id}")
        later = datetime.now(UTC) + timedelta(minutes=7)
        job.modify(next_run_time=later)
        await source_jobs.sync()
        assert scheduler.get_job(f"source:{view.id}").next_run_time == later
        async with app.db.writer() as session:
            await session.execute(update(Source).values(every_s=3600))
        await source_jobs.sync()
        assert scheduler.get_job(f"source:{view.id}").trigger.interval == timedelta(hours=1)
    finally:
        scheduler.shutdown(wait=False)
