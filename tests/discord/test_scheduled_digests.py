"""Scheduled digests end to end: the test clock, restarts, two processes, broken channels.

The bots run as `python -m tests.discord_app.run_bot` subprocesses: the production App with a
clock read from a file the test rewrites; moving the clock runs the same "latest due slot" path
as a real firing, without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import App
from bot.settings import Settings
from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import SEND_MESSAGES, FakeDiscord, StandardGuild
from tests.discord.fake.common import MIN_WAIT_S
from tests.discord_app.harness import (
    BotProcess,
    all_text,
    build_template,
    copy_db,
    set_clock,
    start_bot,
    template_article_count,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# 09:00 Europe/Berlin on 2026-06-01 (CEST) is 07:00 UTC.
BEFORE = datetime(2026, 6, 1, 6, 59, 50, tzinfo=UTC)
AT_NINE = datetime(2026, 6, 1, 7, 0, 3, tzinfo=UTC)
NEXT_DAY = datetime(2026, 6, 2, 7, 0, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("template"))


@pytest_asyncio.fixture(loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=FAKE_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    server.assert_no_errors()


async def configure(work: Path, guild_id: int, channel_id: int, **changes: object) -> None:
    """Store a server's digest settings the way /config would, before the bot starts."""
    settings = Settings(database={"url": f"sqlite+aiosqlite:///{work / 'byline.db'}"})
    app = await App.open(settings, processes=False)
    try:
        await app.guilds.update(
            guild_id,
            channel_id=channel_id,
            schedule="daily 09:00",
            timezone="Europe/Berlin",
            max_articles=4,
            **changes,
        )
    finally:
        await app.close()


async def caught_up(bot: BotProcess) -> None:
    """Wait until the bot ran its start-up catch-up."""
    await settle(bot, "start-up catch-up")


async def settle(bot: BotProcess, marker: str, count: int = 1) -> None:
    """Wait until the bot logged marker count times (the deadline only bounds a hang)."""
    deadline = time.monotonic() + MIN_WAIT_S
    while time.monotonic() < deadline:
        if bot.output().count(marker) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never logged {marker!r}:\n" + bot.output()[-2000:])


async def status_text(fake: FakeDiscord, std: StandardGuild) -> str:
    interaction = await fake.send_slash_command("status", guild_id=std.guild.id)
    return all_text((await fake.wait_for_callback(interaction))["data"])


async def test_digest_posts_at_its_time_once_even_across_a_restart(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    copy_db(template, tmp_path)
    await configure(tmp_path, std.guild.id, std.news.id)
    clock = set_clock(tmp_path, BEFORE)
    bot = await start_bot(fake, tmp_path, std.guild.id, clock_file=str(clock))
    try:
        await caught_up(bot)
        assert fake.channel_messages(std.news.id) == []  # yesterday's slot is past grace
        set_clock(tmp_path, AT_NINE)
        posted = await fake.wait_for_message(std.news.id, timeout_s=20)
        await settle(bot, "posted 4 articles")
        assert "4 new articles" in posted[0].content
        assert all(m.allowed_mentions == {"parse": []} for m in posted)
    finally:
        await bot.stop()
    first = len(fake.channel_messages(std.news.id))
    again = await start_bot(fake, tmp_path, std.guild.id, name="restarted", clock_file=str(clock))
    try:
        await caught_up(again)
        assert "already claimed" in again.output()
        assert len(fake.channel_messages(std.news.id)) == first
        text = await status_text(fake, std)
        assert f"Articles waiting\n{template_article_count() - 4}" in text  # 4 were posted
        set_clock(tmp_path, NEXT_DAY)
        await settle(again, "posted 4 articles")
        assert len(fake.channel_messages(std.news.id)) > first  # the next day: the next 4
    finally:
        await again.stop()


async def test_two_bot_processes_on_one_database_post_once(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    copy_db(template, tmp_path)
    await configure(tmp_path, std.guild.id, std.news.id)
    clock = set_clock(tmp_path, AT_NINE)  # both start inside the slot and race for it
    one, two = [
        await start_bot(fake, tmp_path, std.guild.id, name=n, wait=False, clock_file=str(clock))
        for n in ("one", "two")
    ]
    try:
        await asyncio.gather(caught_up(one), caught_up(two))
        await asyncio.sleep(0.5)
        logs = one.output() + two.output()
        assert logs.count("posted 4 articles") == 1
        assert logs.count("already claimed") >= 1  # the loser (and any repeat) posts nothing
        messages = fake.channel_messages(std.news.id)
        assert sum(len(m.embeds) for m in messages) == 4
    finally:
        await asyncio.gather(one.stop(), two.stop())


async def test_missing_permission_and_deleted_channel_show_in_status_without_retries(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    fake.deny_bot(std.news.id, SEND_MESSAGES)
    copy_db(template, tmp_path)
    await configure(tmp_path, std.guild.id, std.news.id)
    clock = set_clock(tmp_path, BEFORE)
    bot = await start_bot(fake, tmp_path, std.guild.id, clock_file=str(clock))
    try:
        await caught_up(bot)
        set_clock(tmp_path, AT_NINE)
        await settle(bot, "not posted")
        assert fake.requests_to("POST", rf"/channels/{std.news.id}/messages") == []  # precheck
        text = await status_text(fake, std)
        assert "Missing permission in #news: Send Messages" in text
        assert f"Articles waiting\n{template_article_count()}" in text  # the digest waits
        fake.delete_channel(std.news.id)
        set_clock(tmp_path, NEXT_DAY)
        await settle(bot, "not posted", 2)
        text = await status_text(fake, std)
        assert "The digest channel was deleted" in text
        # A /status round trip later, still one attempt per slot (the bot only retries at a
        # new slot, never on a timer).
        await status_text(fake, std)
        assert bot.output().count("not posted") == 2  # one attempt per slot, no retry storm
    finally:
        await bot.stop()
