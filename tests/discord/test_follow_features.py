"""Issue 12 end to end: follows, filters, role ping, forum posts, threads, styles, charts.

`python -m tests.discord_app.run_bot` subprocesses (the production App with a test clock)
against FakeDiscord. The clock starts before the template's articles were analysed, so those
articles count as new for follows made in these tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import App
from bot.settings import Settings
from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord, FakeInteraction, StandardGuild
from tests.discord_app.harness import (
    BotProcess,
    all_text,
    build_template,
    copy_db,
    set_clock,
    start_bot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

EARLY = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
EPHEMERAL = 64
FAST = {"BYLINE_FOLLOWS__ALERTS_EVERY_S": "0.3"}


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


async def launch(
    fake: FakeDiscord, work: Path, guild_id: int, name: str = "bot", *, wait: bool = True
) -> BotProcess:
    clock = set_clock(work, EARLY)
    return await start_bot(
        fake, work, guild_id, name=name, wait=wait, clock_file=str(clock), **FAST
    )


async def logged(bot: BotProcess, marker: str, count: int = 1) -> None:
    # A generous ceiling, not a speed requirement: two bots starting on a busy machine.
    for _ in range(2400):
        if bot.output().count(marker) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never logged {marker!r}:\n" + bot.output()[-3000:])


async def command(
    fake: FakeDiscord,
    std: StandardGuild,
    name: str,
    options: dict[str, Any] | None = None,
    *,
    user: int | None = None,
) -> tuple[FakeInteraction, dict[str, Any]]:
    interaction = await fake.send_slash_command(
        name, options, guild_id=std.guild.id, channel_id=std.general.id, user_id=user
    )
    callback = await fake.wait_for_callback(interaction)
    if callback["type"] == 5:
        original = await fake.wait_for_original(interaction, edited=True, timeout_s=120)
        return interaction, {**original.data, "flags": original.data.get("flags", 0)}
    return interaction, callback["data"]


async def follow_in_store(work: Path, guild_id: int, person: str, channel_id: int) -> None:
    """Follow a person the way /follow add would, before the bot starts, at the test clock."""
    settings = Settings.model_validate(
        {"database": {"url": f"sqlite+aiosqlite:///{work / 'byline.db'}"}}
    )
    from tests.clock import FrozenClock

    app = await App.open(settings, processes=False, clock=FrozenClock(EARLY))
    try:
        await app.follows.follow_in_channel(guild_id, person, channel_id)
    finally:
        await app.close()


def alert_messages(fake: FakeDiscord, channel_id: int) -> list[Any]:
    return [m for m in fake.channel_messages(channel_id) if m.content.startswith("**New on")]


# ---- follow alerts exactly once ---------------------------------------------------------


async def test_follow_alerts_are_sent_once_across_a_restart(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    copy_db(template, tmp_path)
    await follow_in_store(tmp_path, std.guild.id, "Matthew Pottinger", std.news.id)
    bot = await launch(fake, tmp_path, std.guild.id)
    try:
        await fake.wait_for_message(std.news.id, timeout_s=120)
        await logged(bot, "follow alerts: first run done")
    finally:
        await bot.stop()
    [alert] = alert_messages(fake, std.news.id)
    assert "Matthew Pottinger" in alert.content
    assert "Air Force One" in all_text(dict(alert.data))  # his quote
    assert alert.allowed_mentions == {"parse": []}
    assert alert.payload.get("nonce") and alert.payload.get("enforce_nonce") is True
    again = await launch(fake, tmp_path, std.guild.id, name="restarted")
    try:
        await logged(again, "follow alerts: first run done")
    finally:
        await again.stop()
    assert len(alert_messages(fake, std.news.id)) == 1


async def test_two_bot_processes_send_each_follow_alert_once(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    copy_db(template, tmp_path)
    await follow_in_store(tmp_path, std.guild.id, "Matthew Pottinger", std.news.id)
    await follow_in_store(tmp_path, std.guild.id, "Kim Jong Un", std.news.id)
    one = await launch(fake, tmp_path, std.guild.id, "one", wait=False)
    two = await launch(fake, tmp_path, std.guild.id, "two", wait=False)
    try:
        await asyncio.gather(
            logged(one, "follow alerts: first run done"),
            logged(two, "follow alerts: first run done"),
        )
        await fake.wait_for_message(std.news.id, timeout_s=120)
    finally:
        await asyncio.gather(one.stop(), two.stop())
    alerts = alert_messages(fake, std.news.id)
    # Both people are in the seed article: one message naming both, sent by one process.
    titles = [m.embeds[0]["title"] for m in alerts]
    assert len(titles) == len(set(titles)) and len(alerts) >= 1
    seed = [m for m in alerts if "Air Force One" in m.embeds[0]["title"]]
    assert (
        len(seed) == 1
        and "Kim Jong Un" in seed[0].content
        and "Matthew Pottinger" in seed[0].content
    )
