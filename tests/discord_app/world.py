"""The in-process tier: the real BylineBot and App in the test's loop, one world per test.

Each test gets its own FakeDiscord, its own copy of the template store and its own bot, so no
test depends on another having run. Logs are captured: a test fails if anything logged a
traceback or the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App
from bot.discord_app.api_base import use_api_base
from bot.discord_app.bot import BylineBot
from bot.settings import Settings
from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord, FakeInteraction, RateLimits, StandardGuild


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    """One fake Discord, one store, one bot."""

    fake: FakeDiscord
    std: StandardGuild
    bot: BylineBot
    app: App
    logs: list[logging.LogRecord] = field(default_factory=list)

    @property
    def guild_id(self) -> int:
        return self.std.guild.id

    async def command(
        self, name: str, options: dict[str, Any] | None = None, *, user: int | None = None
    ) -> tuple[FakeInteraction, dict[str, Any]]:
        """Send a slash command from #general and wait for its first callback."""
        interaction = await self.fake.send_slash_command(
            name, options, guild_id=self.guild_id, channel_id=self.std.general.id, user_id=user
        )
        callback = await self.fake.wait_for_callback(interaction)
        return interaction, callback

    async def answer(
        self, interaction: FakeInteraction, callback: dict[str, Any]
    ) -> dict[str, Any]:
        """The visible answer: the response data, or the edited original after a defer."""
        if callback["type"] == 5:
            original = await self.fake.wait_for_original(interaction, edited=True, timeout_s=30)
            return {**original.data, "flags": original.data.get("flags", 0)}
        data: dict[str, Any] = callback["data"]
        return data

    async def autocomplete(
        self, name: str, options: dict[str, Any], focused: str
    ) -> list[dict[str, Any]]:
        """Ask for choices of one option; checks Discord's limits on the answer."""
        interaction = await self.fake.send_autocomplete(
            name, options, focused, guild_id=self.guild_id
        )
        callback = await self.fake.wait_for_callback(interaction)
        assert callback["type"] == 8
        choices: list[dict[str, Any]] = callback["data"]["choices"]
        assert len(choices) <= 25 and all(1 <= len(c["name"]) <= 100 for c in choices)
        return choices

    async def gateway_caught_up(self) -> None:
        """Wait until the bot received every gateway event the fake has sent."""
        session = self.fake.session
        await self.fake.wait_until(
            lambda: session is not None and session.sent_seq >= session.seq, 5, "gateway events"
        )
        await asyncio.sleep(0)


@contextlib.asynccontextmanager
async def running_world(
    template_db: Path, workdir: Path, **fake_options: Any
) -> AsyncIterator[World]:
    """A fake Discord with the standard guild, a private store copy and the bot, all running."""
    fake_options.setdefault("rate_limits", RateLimits.off())
    fake = await FakeDiscord(token=FAKE_TOKEN, **fake_options).start()
    std = fake.seed_standard_guild()
    db = workdir / "byline.db"
    await asyncio.to_thread(shutil.copy, template_db, db)
    settings = Settings(
        database={"url": f"sqlite+aiosqlite:///{db}"},
        discord={"api_base": fake.api_base, "dev_guild_id": std.guild.id},
        analysis={"pending_poll_s": 3600},
    )
    capture = _Capture()
    root = logging.getLogger()
    root.addHandler(capture)
    level = root.level
    root.setLevel(logging.INFO)
    app = await App.open(settings, processes=False)
    use_api_base(fake.api_base)
    bot = BylineBot(settings, app, guild_ready_timeout=0.1)
    task = asyncio.create_task(bot.start(FAKE_TOKEN))
    synced = rf"/applications/\d+/guilds/{std.guild.id}/commands"

    def ready() -> bool:
        if task.done():
            task.result()
            raise AssertionError("the bot stopped before it was ready")
        return bot.is_ready() and bool(fake.requests_to("PUT", synced))

    world = World(fake, std, bot, app, capture.records)
    try:
        await fake.wait_until(ready, 20.0, "the bot to connect and sync its commands")
        yield world
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app.close()
        await fake.stop()
        root.removeHandler(capture)
        root.setLevel(level)
    fake.assert_no_errors()
    tracebacks = [r.getMessage() for r in capture.records if r.exc_info]
    assert tracebacks == [], "something logged a traceback"
    assert all(FAKE_TOKEN not in r.getMessage() for r in capture.records), "the token was logged"
