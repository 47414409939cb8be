"""Digest runs against a real SQLite store: exactly once, grace, DST repeats, problems."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db.models import DigestSlot
from bot.digest.posting import run_slot
from bot.schedules import parse_schedule
from bot.scheduling.digests import DigestScheduler, digest_job_id, next_digest_at
from bot.scheduling.triggers import SlotTrigger
from tests.scheduling.conftest import RecordingPoster

GUILD = 4242
CHANNEL = 777


async def _configured(services: Any, schedule: str = "daily 09:00", zone: str = "UTC") -> None:
    await services.update_guild_config(GUILD, channel_id=CHANNEL, schedule=schedule, timezone=zone)


def _scheduler(services: Any, poster: RecordingPoster, now: datetime) -> DigestScheduler:
    return DigestScheduler(services, poster, now=lambda: now)


async def _slots(services: Any) -> list[DigestSlot]:
    async with services.db.reader() as session:
        return list(await session.scalars(select(DigestSlot).order_by(DigestSlot.id)))


async def test_a_due_slot_posts_new_articles_once_and_marks_them(open_services: Any) -> None:
    services = await open_services()
    await _configured(services)
    poster = RecordingPoster()
    now = datetime(2026, 6, 1, 9, 0, 2, tzinfo=UTC)
    outcome = await _scheduler(services, poster, now).fire(GUILD)
    assert outcome.status == "posted" and outcome.articles == 3
    assert len(poster.posts) == 1 and len(poster.posts[0][1].items) == 3  # type: ignore[union-attr]
    again = await _scheduler(services, poster, now + timedelta(minutes=1)).fire(GUILD)
    assert again.status == "claimed-elsewhere" and len(poster.posts) == 1
    assert await services.waiting_count(GUILD) == 0
    config = await services.guild_config(GUILD)
    assert config.last_digest_at is not None and config.problem is None
    # the next day's slot has nothing new: no post without a nothing-new line
    tomorrow = await _scheduler(services, poster, now + timedelta(days=1)).fire(GUILD)
    assert tomorrow.status == "nothing" and len(poster.posts) == 1


async def test_nothing_new_line_is_posted_when_configured(open_services: Any) -> None:
    services = await open_services(nothing_new_message="Nothing new today.")
    await _configured(services)
    poster = RecordingPoster()
    first = DigestScheduler(services, poster, now=lambda: datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    await first.fire(GUILD)
    second = DigestScheduler(services, poster, now=lambda: datetime(2026, 6, 2, 9, 1, tzinfo=UTC))
    outcome = await second.fire(GUILD)
    assert outcome.status == "nothing" and outcome.messages == 1
    assert poster.posts[-1] == (GUILD, None, "Nothing new today.")


async def test_two_processes_on_one_database_post_once(open_services: Any) -> None:
    one, two = await open_services(), await open_services()
    await _configured(one)
    poster_one, poster_two = RecordingPoster(), RecordingPoster()
    now = datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)
    outcomes = await asyncio.gather(
        _scheduler(one, poster_one, now).fire(GUILD), _scheduler(two, poster_two, now).fire(GUILD)
    )
    assert sorted(o.status for o in outcomes) == ["claimed-elsewhere", "posted"]
    assert len(poster_one.posts) + len(poster_two.posts) == 1


async def test_restart_inside_a_slot_does_not_post_again(open_services: Any) -> None:
    before = await open_services()
    await _configured(before)
    poster = RecordingPoster()
    await _scheduler(before, poster, datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)).catch_up()
    await before.close()
    after = await open_services()  # a new process over the same database
    outcomes = await _scheduler(after, poster, datetime(2026, 6, 1, 9, 4, tzinfo=UTC)).catch_up()
    assert [o.status for o in outcomes] == ["claimed-elsewhere"]
    assert len(poster.posts) == 1


async def test_missed_slot_within_grace_is_posted_once_at_start(open_services: Any) -> None:
    services = await open_services()
    await _configured(services)
    poster = RecordingPoster()
    start = datetime(2026, 6, 1, 9, 40, tzinfo=UTC)  # down from 08:50 to 09:40
    assert [o.status for o in await _scheduler(services, poster, start).catch_up()] == ["posted"]
    assert [o.status for o in await _scheduler(services, poster, start).catch_up()] == [
        "claimed-elsewhere"
    ]
    assert len(poster.posts) == 1


async def test_missed_slot_past_grace_is_skipped_and_recorded(open_services: Any) -> None:
    services = await open_services()
    await _configured(services)
    poster = RecordingPoster()
    start = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)  # three days down; 3 h after today's slot
    outcomes = await _scheduler(services, poster, start).catch_up()
    assert [o.status for o in outcomes] == ["skipped"]
    assert poster.posts == []
    slots = await _slots(services)
    assert [(s.status, s.slot_at.replace(tzinfo=UTC)) for s in slots] == [
        ("skipped", datetime(2026, 6, 4, 9, tzinfo=UTC))
    ]
    assert await services.waiting_count(GUILD) == 3  # the articles wait for the next digest


async def test_fall_back_double_fire_gives_one_digest(open_services: Any) -> None:
    services = await open_services()
    await _configured(services, "daily 02:30", "Europe/Berlin")
    poster = RecordingPoster()
    # CronTrigger fires 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC) on 2026-10-25 (F8).
    first = await _scheduler(services, poster, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)).fire(
        GUILD
    )
    second = await _scheduler(services, poster, datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).fire(
        GUILD
    )
    assert (first.status, second.status) == ("posted", "claimed-elsewhere")
    assert first.slot_at == second.slot_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert len(poster.posts) == 1


async def test_spring_forward_day_posts_once_at_the_shifted_time(open_services: Any) -> None:
    services = await open_services()
    await _configured(services, "daily 02:30", "Europe/Berlin")
    poster = RecordingPoster()
    too_early = await _scheduler(services, poster, datetime(2026, 3, 29, 1, 29, tzinfo=UTC)).fire(
        GUILD
    )
    assert too_early.slot_at == datetime(2026, 3, 28, 1, 30, tzinfo=UTC)  # yesterday's slot
    on_time = await _scheduler(services, poster, datetime(2026, 3, 29, 1, 30, 5, tzinfo=UTC)).fire(
        GUILD
    )
    assert on_time.status == "posted" and on_time.slot_at == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    later = await _scheduler(services, poster, datetime(2026, 3, 29, 2, 30, tzinfo=UTC)).fire(GUILD)
    assert later.status == "claimed-elsewhere"


async def test_a_broken_channel_is_recorded_once_and_the_articles_wait(open_services: Any) -> None:
    services = await open_services()
    await _configured(services)
    poster = RecordingPoster(problem="Missing permission in #news: Send Messages.")
    now = datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)
    outcome = await _scheduler(services, poster, now).fire(GUILD)
    assert outcome.status == "problem"
    retry = await _scheduler(services, poster, now + timedelta(minutes=5)).fire(GUILD)
    assert retry.status == "claimed-elsewhere"  # no retry storm: one attempt per slot
    config = await services.guild_config(GUILD)
    assert config.problem == "Missing permission in #news: Send Messages."
    assert await services.waiting_count(GUILD) == 3
    poster.problem = None
    fixed = await _scheduler(services, poster, now + timedelta(days=1)).fire(GUILD)
    assert fixed.status == "posted" and fixed.articles == 3
    assert (await services.guild_config(GUILD)).problem is None


async def test_manual_run_uses_the_same_claim(open_services: Any) -> None:
    services = await open_services()
    await _configured(services)
    poster = RecordingPoster()
    config = await services.guild_config(GUILD)
    at = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    first = await run_slot(services, config, at, now=at, poster=poster, grace=None)
    second = await run_slot(services, config, at, now=at, poster=poster, grace=None)
    assert (first.status, second.status) == ("posted", "claimed-elsewhere")


async def test_jobs_are_rebuilt_from_the_database_with_stable_ids(open_services: Any) -> None:
    services = await open_services()
    await _configured(services, "weekdays 18:30", "America/New_York")
    await services.update_guild_config(5151, channel_id=1, paused=True)
    await services.update_guild_config(6161, schedule="daily 07:00")  # no channel
    digests = DigestScheduler(services, RecordingPoster())
    digests.start()
    try:
        for _ in range(3):  # as if on_ready fired again: nothing multiplies
            assert await digests.rebuild() == 1
        jobs = digests.jobs()
        assert [j.id for j in jobs] == [digest_job_id(GUILD)]
        job = jobs[0]
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 7200
        assert isinstance(job.trigger, SlotTrigger)
        local = job.next_run_time.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
        assert (local.hour, local.minute, local.weekday() < 5) == (18, 30, True)
        await services.update_guild_config(GUILD, paused=True)
        digests.sync(await services.guild_config(GUILD))
        assert digests.jobs() == []
    finally:
        digests.shutdown()


def test_slot_trigger_walks_dst_days_once_each() -> None:
    trigger = SlotTrigger(parse_schedule("daily 02:30"), "Europe/Berlin")
    now = datetime(2026, 10, 23, 12, tzinfo=UTC)
    fire, fires = None, []
    for _ in range(5):
        fire = trigger.get_next_fire_time(fire, now)
        fires.append(fire)
    assert [f.isoformat() for f in fires] == [
        "2026-10-24T00:30:00+00:00",
        "2026-10-25T00:30:00+00:00",  # fall-back day: the first 02:30 only
        "2026-10-26T01:30:00+00:00",
        "2026-10-27T01:30:00+00:00",
        "2026-10-28T01:30:00+00:00",
    ]


def test_next_digest_is_none_when_paused_or_without_channel(open_services: Any) -> None:
    from bot.domain import GuildConfig

    base = dict(
        guild_id=1,
        schedule="daily 09:00",
        timezone="UTC",
        max_articles=5,
        max_quotes=2,
        last_digest_at=None,
        problem=None,
    )
    now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert next_digest_at(GuildConfig(channel_id=None, paused=False, **base), now) is None  # type: ignore[arg-type]
    assert next_digest_at(GuildConfig(channel_id=2, paused=True, **base), now) is None  # type: ignore[arg-type]
    assert next_digest_at(GuildConfig(channel_id=2, paused=False, **base), now) == datetime(
        2026, 6, 1, 9, tzinfo=UTC
    )  # type: ignore[arg-type]
