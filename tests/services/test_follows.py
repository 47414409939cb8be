"""Follow a person: alerts once per (follow, article), grouped, filtered, paused, DMs refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import follows as follow_store
from bot.domain import AlertStatus, FollowKind
from bot.errors import DeliveryRefused, NotFound
from tests.services.conftest import CHANNEL, EARLY, GUILD, OpenPeopleApp, RecordingSender


async def test_a_followed_person_alerts_once_with_their_quote_and_link(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    follow, created = await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    assert created and follow.person == "Matthew Pottinger"
    sender = RecordingSender()
    outcome = await app.follows.run_alerts(sender)
    assert outcome.sent == 1 and len(sender.alerts) == 1
    alert = sender.alerts[0]
    assert alert.kind == FollowKind.CHANNEL and alert.target_id == CHANNEL
    assert alert.article.title.startswith("Trump offered North Korea")
    [match] = alert.matches
    assert match.quote is not None and "Air Force One" in match.quote
    again = RecordingSender()
    assert (await app.follows.run_alerts(again)).sent == 0 and again.attempts == 0
    assert await app.follows.claims(follow.id) == [(alert.article.id, AlertStatus.SENT)]


async def test_an_alias_finds_the_merged_person_and_the_naming_sentence(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    follow, _ = await app.follows.follow_in_channel(GUILD, "Kim", CHANNEL)
    assert follow.person == "Kim Jong Un"
    sender = RecordingSender()
    await app.follows.run_alerts(sender)
    [alert] = sender.alerts
    [match] = alert.matches
    assert match.quote is None and match.sentence is not None and "Kim" in match.sentence


async def test_several_follows_of_one_channel_matching_one_article_are_one_message(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    await app.follows.follow_in_channel(GUILD, "Kim Jong Un", CHANNEL)
    await app.follows.follow_in_channel(GUILD, "Kim Jong Un", CHANNEL + 1)
    sender = RecordingSender()
    outcome = await app.follows.run_alerts(sender)
    assert outcome.sent == 2
    by_channel = {a.target_id: a for a in sender.alerts}
    assert sorted(m.person for m in by_channel[CHANNEL].matches) == [
        "Kim Jong Un",
        "Matthew Pottinger",
    ]
    assert [m.person for m in by_channel[CHANNEL + 1].matches] == ["Kim Jong Un"]


async def test_two_processes_on_one_database_send_each_alert_once(
    open_people_app: OpenPeopleApp,
) -> None:
    one, two = await open_people_app(), await open_people_app()
    await one.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    await one.follows.follow_in_channel(GUILD, "Kim Jong Un", CHANNEL + 1)
    first, second = RecordingSender(), RecordingSender()
    for _ in range(3):
        await asyncio.gather(one.follows.run_alerts(first), two.follows.run_alerts(second))
    sent = [(a.target_id, a.article.id) for a in first.alerts + second.alerts]
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 2


async def test_a_restart_sends_nothing_again(open_people_app: OpenPeopleApp) -> None:
    app = await open_people_app()
    await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    assert (await app.follows.run_alerts(RecordingSender())).sent == 1
    await app.close()
    restarted = await open_people_app()
    sender = RecordingSender()
    assert (await restarted.follows.run_alerts(sender)).sent == 0 and sender.attempts == 0


async def test_articles_analysed_before_the_follow_do_not_alert(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app(datetime.now(UTC) + timedelta(days=1))
    await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    sender = RecordingSender()
    assert (await app.follows.run_alerts(sender)).sent == 0 and sender.attempts == 0


async def test_a_closed_dm_disables_that_follow_with_a_note_and_is_not_retried(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    follow, _ = await app.follows.follow_by_dm(GUILD, "Matthew Pottinger", 555)
    await app.follows.follow_by_dm(GUILD, "Kim Jong Un", 556)
    sender = RecordingSender(
        refuse=DeliveryRefused("Cannot send messages to this user", permanent=True)
    )
    outcome = await app.follows.run_alerts(sender)
    assert outcome.failed == 2 and sorted(outcome.disabled) == sorted(
        f.id for f in await app.follows.of_guild(GUILD)
    )
    [mine] = await app.follows.of_guild(GUILD, user_id=555)
    assert not mine.enabled and "DMs" in (mine.disabled_reason or "")
    sender.refuse = None
    assert (await app.follows.run_alerts(sender)).sent == 0 and sender.attempts == 2
    # Opting in again re-enables it from now on (the missed article is not sent late).
    again, created = await app.follows.follow_by_dm(GUILD, "Matthew Pottinger", 555)
    assert not created and again.enabled and again.id == follow.id
    await app.follows.unfollow_by_dm(GUILD, "Matthew Pottinger", 555)
    with pytest.raises(NotFound):
        await app.follows.unfollow_by_dm(GUILD, "Matthew Pottinger", 555)


async def test_a_paused_server_gets_no_alerts_and_none_late_after_resuming(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    await app.guilds.pause(GUILD)
    follow, _ = await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    sender = RecordingSender()
    outcome = await app.follows.run_alerts(sender)
    assert outcome.paused == 1 and sender.attempts == 0
    await app.guilds.resume(GUILD)
    assert (await app.follows.run_alerts(sender)).sent == 0
    assert [s for _, s in await app.follows.claims(follow.id)] == [AlertStatus.PAUSED]


async def test_alerts_respect_the_servers_filters(open_people_app: OpenPeopleApp) -> None:
    app = await open_people_app()
    await app.filters.add(GUILD, "exclude", "keyword", "air force one")
    follow, _ = await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    sender = RecordingSender()
    outcome = await app.follows.run_alerts(sender)
    assert outcome.filtered == 1 and sender.attempts == 0
    assert [s for _, s in await app.follows.claims(follow.id)] == [AlertStatus.FILTERED]


async def test_removing_a_follow_and_unknown_people(open_people_app: OpenPeopleApp) -> None:
    app = await open_people_app()
    follow, _ = await app.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    with pytest.raises(NotFound):
        await app.follows.remove(GUILD + 1, follow.id)  # another server's follow
    removed = await app.follows.remove(GUILD, follow.id)
    assert removed.id == follow.id and await app.follows.of_guild(GUILD) == []
    with pytest.raises(NotFound, match="no person matching"):
        await app.follows.follow_in_channel(GUILD, "Nobody Atall", CHANNEL)


async def test_a_claim_left_by_a_crashed_process_is_sent_after_its_lease(
    open_people_app: OpenPeopleApp,
) -> None:
    crashed = await open_people_app()
    follow, _ = await crashed.follows.follow_in_channel(GUILD, "Matthew Pottinger", CHANNEL)
    async with crashed.db.reader() as session:
        [pair] = await follow_store.pending_pairs(session, 10)
    async with crashed.db.writer() as session:  # claimed, then the process died before sending
        await follow_store.claim(session, [pair], "crashed:1", now=EARLY)
    soon = await open_people_app(EARLY + timedelta(seconds=30))
    sender = RecordingSender()
    assert (await soon.follows.run_alerts(sender)).sent == 0  # it may still be sending
    later = await open_people_app(EARLY + timedelta(minutes=5))
    outcome = await later.follows.run_alerts(sender)
    assert outcome.sent == 1 and sender.alerts[0].nonce.startswith("f")
    assert await later.follows.claims(follow.id) == [(pair[1], AlertStatus.SENT)]
    assert (await later.follows.run_alerts(sender)).sent == 0
