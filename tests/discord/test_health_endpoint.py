"""`byline run` with [health] enabled: /healthz and /metrics scraped while the bot serves."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest_asyncio

from bot.discord_app.cooldowns import ARTICLE_ADD
from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord
from tests.discord_app.harness import start_bot


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=FAKE_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_healthz_and_metrics_while_the_bot_answers_a_command(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    port = _free_port()
    bot = await start_bot(
        fake,
        tmp_path,
        std.guild.id,
        BYLINE_HEALTH__ENABLED="true",
        BYLINE_HEALTH__PORT=str(port),
        BYLINE_LOGGING__FORMAT="json",
    )
    try:
        interaction = await fake.send_slash_command(
            "status", None, guild_id=std.guild.id, channel_id=std.general.id
        )
        await fake.wait_for_callback(interaction)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                health = await response.json()
                assert response.status == 200, health
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                metrics = await response.text()
                assert response.status == 200
    finally:
        await bot.stop()
    assert health["checks"] == {"gateway": "ok", "database": "ok", "scheduler": "ok"}
    assert 'byline_commands_total{command="status",outcome="ok"} 1.0' in metrics
    assert "byline_command_duration_seconds_bucket" in metrics
    assert "byline_analysis_queue_depth 0.0" in metrics
    assert "byline_event_loop_lag_seconds" in metrics
    # The JSON log lines carry the command's ids, and never the token.
    log = bot.output()
    assert '"command": "status"' in log
    assert FAKE_TOKEN not in log


async def test_article_add_has_a_per_server_cooldown_with_an_ephemeral_answer(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    std = fake.seed_standard_guild()
    bot = await start_bot(fake, tmp_path, std.guild.id)
    answers = []
    try:
        rate, _ = ARTICLE_ADD
        for _ in range(rate + 1):
            interaction = await fake.send_slash_command(
                "article add",
                {"url": "not an address"},
                guild_id=std.guild.id,
                channel_id=std.general.id,
                user_id=std.admin.user_id,
            )
            answers.append(await fake.wait_for_callback(interaction))
    finally:
        await bot.stop()
    assert [a["type"] for a in answers[:rate]] == [5] * rate  # deferred: the fetch was tried
    last = answers[-1]
    assert last["type"] == 4 and last["data"]["flags"] & 64  # ephemeral
    assert last["data"]["content"].startswith("Slow down: try again in ")
