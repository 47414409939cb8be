"""Fixtures for tests that talk to FakeDiscord with the real discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from bot.discord_app.api_base import use_api_base
from tests.discord.fake import FakeDiscord, StandardGuild

FAKE_TOKEN = "fake-bot-token.for-tests-only.0123456789"


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """Run FakeDiscord on a free port; fail the test if it saw anything it does not implement."""
    fake = FakeDiscord(token=FAKE_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_errors()


@pytest.fixture
async def make_fake() -> AsyncIterator[Callable[..., Awaitable[FakeDiscord]]]:
    """Start fakes with other options (rate limits, shards); stop and check them afterwards."""
    fakes: list[FakeDiscord] = []

    async def make(**options: Any) -> FakeDiscord:
        fake = await FakeDiscord(token=FAKE_TOKEN, **options).start()
        fakes.append(fake)
        return fake

    yield make
    for fake in fakes:
        await fake.stop()
    for fake in fakes:
        fake.assert_no_errors()


@pytest.fixture
def std(fake_discord: FakeDiscord) -> StandardGuild:
    return fake_discord.seed_standard_guild()


def guilds_bot(**options: object) -> commands.Bot:
    """A commands.Bot with the guilds intent only and mentions off, as Byline runs."""
    return commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents(guilds=True),
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=0.1,
        **options,  # type: ignore[arg-type]
    )


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord,
    setup: Callable[[commands.Bot], None] | None = None,
    *,
    bot: commands.Bot | None = None,
) -> AsyncIterator[commands.Bot]:
    """Start a real bot (by default guilds_bot()) against the fake and wait for on_ready."""
    use_api_base(fake.api_base)
    if bot is None:
        bot = guilds_bot()
    if setup is not None:
        setup(bot)
    task = asyncio.create_task(bot.start(FAKE_TOKEN))

    def ready_or_failed() -> bool:
        if task.done():
            task.result()  # re-raise why the bot stopped
            raise AssertionError("bot stopped before it was ready")
        return bot.is_ready()

    try:
        await fake.wait_until(ready_or_failed, 10.0, "the bot's on_ready")
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def raw_request(
    fake: FakeDiscord, method: str, path: str, body: object = None, *, token: str = FAKE_TOKEN
) -> tuple[int, dict[str, str], object]:
    """One request to the fake outside discord.py (as another process of the same bot would)."""
    headers = {"Authorization": f"Bot {token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, f"{fake.api_base}/api/v10{path}", json=body, headers=headers
        ) as response,
    ):
        data = await response.json() if response.content_type == "application/json" else None
        return response.status, dict(response.headers), data
