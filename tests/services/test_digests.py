"""DigestService against a real SQLite store: exactly once, grace, DST repeats, problems."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.db.models import DigestSlot
from bot.domain import SlotOutcome
from tests.clock import FrozenClock
from tests.store_fixtures import RecordingPoster

GUILD = 4242
CHANNEL = 777


async def _configured(app: Any, schedule: str = "daily 09:00", zone: str = "UTC") -> None:
    await app.guilds.update(GUILD, channel_id=CHANNEL, schedule=schedule, timezone=zone)


async def _fire(app: App, poster: RecordingPoster, now: datetime) -> SlotOutcome:
    """A digest job firing at `now`."""
    _clock(app).set(now)
    return await app.digests.run_due(GUILD, poster)


async def _catch_up(app: App, poster: RecordingPoster, now: datetime) -> list[SlotOutcome]:
    """The start-up catch-up at `now`."""
    _clock(app).set(now)
    return await app.digests.catch_up(poster)


def _clock(app: App) -> FrozenClock:
    assert isinstance(app.clock, FrozenClock)
    return app.clock


async def _slots(app: Any) -> list[DigestSlot]:
    async with app.db.reader() as session:
        return list(await session.scalars(select(DigestSlot).order_by(DigestSlot.id)))


async def test_a_due_slot_posts_new_articles_once_and_marks_them(open_app: Any) -> None:
    app = await open_app()
    await _configured(app)
    poster = RecordingPoster()
    now = datetime(2026, 6, 1, 9, 0, 2, tzinfo=UTC)
    outcome = await _fire(app, poster, now)
    assert outcome.status == "posted" and outcome.articles == 3
    assert len(poster.posts) == 1 and len(poster.posts[0][1].items) == 3  # type: ignore[union-attr]
    again = await _fire(app, poster, now + timedelta(minutes=1))
    assert again.status == "claimed-elsewhere" and len(poster.posts) == 1
    assert (await app.guilds.status(GUILD)).waiting == 0
    config = await app.guilds.config(GUILD)
    assert config.last_digest_at is not None and config.problem is None
    # the next day's slot has nothing new: no post without a nothing-new line
    tomorrow = await _fire(app, poster, now + timedelta(days=1))
    assert tomorrow.status == "nothing" and len(poster.posts) == 1


async def test_nothing_new_line_is_posted_when_configured(open_app: Any) -> None:
    app = await open_app(nothing_new_message="Nothing new today.")
    await _configured(app)
    poster = RecordingPoster()
    await _fire(app, poster, datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    outcome = await _fire(app, poster, datetime(2026, 6, 2, 9, 1, tzinfo=UTC))
    assert outcome.status == "nothing" and outcome.messages == 1
    assert poster.posts[-1] == (GUILD, None, "Nothing new today.")


async def test_two_processes_on_one_database_post_once(open_app: Any) -> None:
    one, two = await open_app(), await open_app()
    await _configured(one)
    poster_one, poster_two = RecordingPoster(), RecordingPoster()
    now = datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)
    outcomes = await asyncio.gather(_fire(one, poster_one, now), _fire(two, poster_two, now))
    assert sorted(o.status for o in outcomes) == ["claimed-elsewhere", "posted"]
    assert len(poster_one.posts) + len(poster_two.posts) == 1


async def test_restart_inside_a_slot_does_not_post_again(open_app: Any) -> None:
    before = await open_app()
    await _configured(before)
    poster = RecordingPoster()
    await _catch_up(before, poster, datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC))
    await before.close()
    after = await open_app()  # a new process over the same database
    outcomes = await _catch_up(after, poster, datetime(2026, 6, 1, 9, 4, tzinfo=UTC))
    assert [o.status for o in outcomes] == ["claimed-elsewhere"]
    assert len(poster.posts) == 1


async def test_missed_slot_within_grace_is_posted_once_at_start(open_app: Any) -> None:
    app = await open_app()
    await _configured(app)
    poster = RecordingPoster()
    start = datetime(2026, 6, 1, 9, 40, tzinfo=UTC)  # down from 08:50 to 09:40
    assert [o.status for o in await _catch_up(app, poster, start)] == ["posted"]
    assert [o.status for o in await _catch_up(app, poster, start)] == ["claimed-elsewhere"]
    assert len(poster.posts) == 1


async def test_missed_slot_past_grace_is_skipped_and_recorded(open_app: Any) -> None:
    app = await open_app()
    await _configured(app)
    poster = RecordingPoster()
    start = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)  # three days down; 3 h after today's slot
    outcomes = await _catch_up(app, poster, start)
    assert [o.status for o in outcomes] == ["skipped"]
    assert poster.posts == []
    slots = await _slots(app)
    assert [(s.status, s.slot_at.replace(tzinfo=UTC)) for s in slots] == [
        ("skipped", datetime(2026, 6, 4, 9, tzinfo=UTC))
    ]
    assert (await app.guilds.status(GUILD)).waiting == 3  # the articles wait for the next digest


async def test_fall_back_double_fire_gives_one_digest(open_app: Any) -> None:
    app = await open_app()
    await _configured(app, "daily 02:30", "Europe/Berlin")
    poster = RecordingPoster()
    # CronTrigger fires 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC) on 2026-10-25 (F8).
    first = await _fire(app, poster, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = await _fire(app, poster, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert (first.status, second.status) == ("posted", "claimed-elsewhere")
    assert first.slot_at == second.slot_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert len(poster.posts) == 1


async def test_spring_forward_day_posts_once_at_the_shifted_time(open_app: Any) -> None:
    app = await open_app()
    await _configured(app, "daily 02:30", "Europe/Berlin")
    poster = RecordingPoster()
    too_early = await _fire(app, poster, datetime(2026, 3, 29, 1, 29, tzinfo=UTC))
    assert too_early.slot_at == datetime(2026, 3, 28, 1, 30, tzinfo=UTC)  # yesterday's slot
    on_time = await _fire(app, poster, datetime(2026, 3, 29, 1, 30, 5, tzinfo=UTC))
    assert on_time.status == "posted" and on_time.slot_at == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    later = await _fire(app, poster, datetime(2026, 3, 29, 2, 30, tzinfo=UTC))
    assert later.status == "claimed-elsewhere"


async def test_a_broken_channel_is_recorded_once_and_the_articles_wait(open_app: Any) -> None:
    app = await open_app()
    await _configured(app)
    poster = RecordingPoster(problem="Missing permission in #news: Send Messages.")
    now = datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC)
    outcome = await _fire(app, poster, now)
    assert outcome.status == "problem"
    retry = await _fire(app, poster, now + timedelta(minutes=5))
    assert retry.status == "claimed-elsewhere"  # no retry storm: one attempt per slot
    config = await app.guilds.config(GUILD)
    assert config.problem == "Missing permission in #news: Send Messages."
    assert (await app.guilds.status(GUILD)).waiting == 3
    poster.problem = None
    fixed = await _fire(app, poster, now + timedelta(days=1))
    assert fixed.status == "posted" and fixed.articles == 3
    assert (await app.guilds.config(GUILD)).problem is None


async def test_two_presses_of_digest_now_in_the_same_second_post_once(open_app: Any) -> None:
    app = await open_app()
    await _configured(app)
    poster = RecordingPoster()
    _clock(app).set(datetime(2026, 6, 1, 15, 0, 0, 1000, tzinfo=UTC))
    first = await app.digests.post_now(GUILD, poster)
    second = await app.digests.post_now(GUILD, poster)
    assert (first.status, second.status) == ("posted", "nothing")
    assert len(poster.posts) == 1


async def test_digest_now_while_another_run_is_posting_says_so_and_posts_nothing(
    open_app: Any,
) -> None:
    app = await open_app()
    await _configured(app)
    release, posting = asyncio.Event(), asyncio.Event()
    posted: list[int] = []

    async def slow_poster(config: Any, _digest: Any, _note: Any, **_kw: Any) -> int:
        posted.append(config.guild_id)
        posting.set()
        await release.wait()
        return 1

    _clock(app).set(datetime(2026, 6, 1, 15, 0, tzinfo=UTC))
    first = asyncio.create_task(app.digests.post_now(GUILD, slow_poster))
    await posting.wait()
    second = await app.digests.post_now(GUILD, slow_poster)
    release.set()
    assert second.status == "claimed-elsewhere"
    assert (await first).status == "posted" and len(posted) == 1


async def test_a_scheduled_slot_during_digest_now_does_not_post_twice(open_app: Any) -> None:
    app = await open_app()
    await _configured(app)
    poster = RecordingPoster()
    _clock(app).set(datetime(2026, 6, 1, 9, 0, 0, 500, tzinfo=UTC))
    manual = await app.digests.post_now(GUILD, poster)
    scheduled = await _fire(app, poster, datetime(2026, 6, 1, 9, 0, 1, tzinfo=UTC))
    assert (manual.status, scheduled.status) == ("posted", "nothing")
    assert len(poster.posts) == 1
