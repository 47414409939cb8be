"""Digest jobs: one per scheduled server, rebuilt from the database, DST-safe triggers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.scheduling.digests import DigestJobs, digest_job_id
from bot.scheduling.jobs import JobScheduler
from bot.scheduling.schedules import parse_schedule
from bot.scheduling.triggers import SlotTrigger
from tests.store_fixtures import RecordingPoster

GUILD = 4242
CHANNEL = 777


async def test_jobs_are_rebuilt_from_the_database_with_stable_ids(open_app: Any) -> None:
    app = await open_app()
    await app.guilds.update(
        GUILD, channel_id=CHANNEL, schedule="weekdays 18:30", timezone="America/New_York"
    )
    await app.guilds.update(5151, channel_id=1, paused=True)
    await app.guilds.update(6161, schedule="daily 07:00")  # no channel
    scheduler = JobScheduler()
    digests = DigestJobs(scheduler, app.digests, app.guilds, RecordingPoster())
    scheduler.start()
    try:
        for _ in range(3):  # as if on_ready fired again: nothing multiplies
            assert await digests.rebuild() == 1
        jobs = scheduler.jobs("digest:")
        assert [j.id for j in jobs] == [digest_job_id(GUILD)]
        job = jobs[0]
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 7200
        assert isinstance(job.trigger, SlotTrigger)
        local = job.next_run_time.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
        assert (local.hour, local.minute, local.weekday() < 5) == (18, 30, True)
        await app.guilds.pause(GUILD)  # the service tells the jobs (a listener)
        assert scheduler.jobs("digest:") == []
    finally:
        scheduler.shutdown()


def test_slot_trigger_walks_dst_days_once_each() -> None:
    trigger = SlotTrigger(parse_schedule("daily 02:30"), "Europe/Berlin")
    now = datetime(2026, 10, 23, 12, tzinfo=UTC)
    fire: datetime | None = None
    fires: list[datetime] = []
    for _ in range(5):
        fire = trigger.get_next_fire_time(fire, now)
        assert fire is not None
        fires.append(fire)
    assert [f.isoformat() for f in fires] == [
        "2026-10-24T00:30:00+00:00",
        "2026-10-25T00:30:00+00:00",  # fall-back day: the first 02:30 only
        "2026-10-26T01:30:00+00:00",
        "2026-10-27T01:30:00+00:00",
        "2026-10-28T01:30:00+00:00",
    ]
