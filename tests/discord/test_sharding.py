"""Sharded bots: several `byline run` processes on one database, each with its own shards.

The bot processes run as `python -m tests.discord_app.run_bot` subprocesses (the production App
with a clock read from a file), configured for shards through the environment exactly as
`byline run --shard-count N --shard-ids ...` configures them.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import App
from bot.cli.admin import shard_ids, with_shards
from bot.domain import Digest, GuildConfig
from bot.errors import InvalidInput
from bot.scheduling.digests import DigestJobs, ShardSet
from bot.scheduling.jobs import JobScheduler
from bot.settings import DatabaseSettings, Settings
from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeChannel, FakeDiscord, FakeGuild, shard_for
from tests.discord_app.harness import BotProcess, build_template, copy_db, set_clock, start_bot

# The bot processes and the fake live for the module; their tests share its event loop.
in_module_loop = pytest.mark.asyncio(loop_scope="module")

# 09:00 Europe/Berlin on 2026-06-01 (CEST) is 07:00 UTC.
BEFORE = datetime(2026, 6, 1, 6, 59, 50, tzinfo=UTC)
AT_NINE = datetime(2026, 6, 1, 7, 0, 3, tzinfo=UTC)
TODAY = "slot=2026-06-01T07:00:00+00:00"


def today(guild: FakeGuild) -> str:
    """The log line prefix of a server's 09:00 digest today."""
    return f"digest guild={guild.id} {TODAY}"


def guild_on_shard(shard: int, count: int, n: int = 0) -> int:
    """A guild id Discord would route to this shard."""
    return ((4000 + n * count + shard) << 22) | 7


# ---- the shard arithmetic, the settings and the scheduler filter (no Discord) -----------


def test_a_process_owns_the_servers_of_its_shards_by_discords_formula() -> None:
    mine = ShardSet.of(4, [1, 3])
    for n in range(50):
        guild_id = (n * 7919 << 22) | n
        assert mine.owns(guild_id) == (shard_for(guild_id, 4) in (1, 3))
    assert ShardSet.of(None, None).owns(guild_on_shard(1, 4))
    assert ShardSet.of(2, None).ids == (0, 1)  # a count alone: every shard in this process
    assert ShardSet.of(2, [1]).has_first is False and ShardSet.of(2, [0]).has_first


def test_shard_options_are_parsed_and_checked() -> None:
    assert shard_ids("0,1") == [0, 1]
    assert shard_ids("0-2,5") == [0, 1, 2, 5]
    with pytest.raises(argparse.ArgumentTypeError):
        shard_ids("one")
    base = Settings()
    assert with_shards(base, 4, [2, 3]).discord.shard_ids == [2, 3]
    with pytest.raises(InvalidInput, match="outside 0..1"):
        with_shards(base, 2, [0, 2])
    with pytest.raises(InvalidInput, match="needs shard_count"):
        with_shards(base, None, [0])


class NoPoster:
    """A poster for jobs that are scheduled but never fire in these tests."""

    async def __call__(
        self,
        config: GuildConfig,
        digest: Digest | None,
        note: str | None,
        *,
        nonce_key: str | None = None,
    ) -> int:
        raise AssertionError("nothing is posted here")


async def test_each_process_schedules_only_its_own_shards_servers(app: App) -> None:
    ids = [guild_on_shard(s, 2, n) for n in range(3) for s in (0, 1)]
    for guild_id in ids:
        await app.guilds.update(guild_id, channel_id=guild_id + 1, schedule="daily 09:00")
    scheduled = {}
    for shard in (0, 1):
        jobs = DigestJobs(
            JobScheduler(), app.digests, app.guilds, NoPoster(), shards=ShardSet.of(2, [shard])
        )
        assert await jobs.rebuild() == 3
        scheduled[shard] = {int(j.id.split(":")[1]) for j in jobs.jobs.jobs("digest:")}
        # A configuration change (the CLI, another process) never schedules a foreign server.
        foreign = next(g for g in ids if shard_for(g, 2) != shard)
        assert jobs.sync(await app.guilds.config(foreign)) is False
    assert scheduled[0] | scheduled[1] == set(ids)
    assert not scheduled[0] & scheduled[1]


# ---- two bot processes, two shards, one database, the fake Discord serving both ----------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("template"))


@pytest_asyncio.fixture(loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=FAKE_TOKEN, shard_count=2)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    server.assert_no_errors()


def add_server(fake: FakeDiscord, shard: int, n: int) -> tuple[FakeGuild, FakeChannel]:
    guild = fake.add_guild(f"Shard {shard} server {n}", guild_id=guild_on_shard(shard, 2, n))
    return guild, fake.add_channel(guild.id, "news")


async def configure(work: Path, channels: dict[int, int]) -> None:
    """Store the servers' digest settings the way /config would, before the bots start."""
    settings = Settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{work / 'byline.db'}"))
    app = await App.open(settings, processes=False)
    try:
        for guild_id, channel_id in channels.items():
            await app.guilds.update(
                guild_id,
                channel_id=channel_id,
                schedule="daily 09:00",
                timezone="Europe/Berlin",
                max_articles=3,
            )
    finally:
        await app.close()


async def logged(bot: BotProcess, marker: str, count: int = 1, timeout_s: float = 60) -> None:
    """Wait until the bot's log holds marker count times."""
    async with asyncio.timeout(timeout_s):
        while bot.output().count(marker) < count:
            if bot.process.returncode is not None:
                raise AssertionError(f"the bot exited:\n{bot.output()[-3000:]}")
            await asyncio.sleep(0.05)


async def start_shards(
    fake: FakeDiscord, work: Path, guild: FakeGuild, name: str, ids: list[int], clock: Path
) -> BotProcess:
    """Start a bot process running these of 2 shards (as `byline run --shard-count 2 ...`)."""
    return await start_bot(
        fake,
        work,
        guild.id,
        name=name,
        clock_file=str(clock),
        BYLINE_DISCORD__SHARD_COUNT="2",
        BYLINE_DISCORD__SHARD_IDS=str(ids),
    )


def digests_in(fake: FakeDiscord, channel: FakeChannel) -> int:
    """How many digests (messages that open with the digest's headline) a channel got."""
    return sum("new articles" in (m.content or "") for m in fake.channel_messages(channel.id))


@in_module_loop
async def test_two_processes_with_one_shard_each_post_each_servers_digest_once(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    guild0, news0 = add_server(fake, 0, 0)
    guild1, news1 = add_server(fake, 1, 0)
    copy_db(template, tmp_path)
    await configure(tmp_path, {guild0.id: news0.id, guild1.id: news1.id})
    clock = set_clock(tmp_path, BEFORE)
    one = await start_shards(fake, tmp_path, guild0, "shard0", [0], clock)
    two = await start_shards(fake, tmp_path, guild1, "shard1", [1], clock)
    try:
        await asyncio.gather(logged(one, "start-up catch-up"), logged(two, "start-up catch-up"))
        assert set(fake.shards) == {0, 1}  # the fake serves both shards at once
        assert guild0.id in fake.shards[0].guild_ids and guild1.id in fake.shards[1].guild_ids
        assert guild1.id not in fake.shards[0].guild_ids
        assert "1 scheduled (shards 0 of 2)" in one.output()
        assert "1 scheduled (shards 1 of 2)" in two.output()
        set_clock(tmp_path, AT_NINE)
        await asyncio.gather(
            logged(one, f"{today(guild0)}: posted 3"), logged(two, f"{today(guild1)}: posted 3")
        )
        # Each process posted its own server's digest and never looked at the other one.
        assert f"guild={guild1.id}" not in one.output()
        assert f"guild={guild0.id}" not in two.output()
        assert (digests_in(fake, news0), digests_in(fake, news1)) == (1, 1)
    finally:
        await asyncio.gather(one.stop(), two.stop())


@in_module_loop
async def test_a_rolling_restart_keeps_each_digest_exactly_once(
    fake: FakeDiscord, template: Path, tmp_path: Path
) -> None:
    servers = [add_server(fake, shard, 1) for shard in (0, 1)]
    copy_db(template, tmp_path)
    await configure(tmp_path, {g.id: c.id for g, c in servers})
    clock = set_clock(tmp_path, BEFORE)
    (guild0, news0), (guild1, news1) = servers
    # The old generation runs both shards in one process; the new one splits them over two.
    old = await start_shards(fake, tmp_path, guild0, "old", [0, 1], clock)
    new0 = None
    new1 = None
    try:
        await logged(old, "start-up catch-up")
        new0 = await start_shards(fake, tmp_path, guild0, "new0", [0], clock)
        await logged(new0, "start-up catch-up")
        # 09:00 comes while the old process and the new shard-0 process both run shard 0.
        set_clock(tmp_path, AT_NINE)
        await logged(old, f"{today(guild1)}: posted 3")
        await asyncio.gather(logged(old, today(guild0)), logged(new0, today(guild0)))
        await old.stop()
        new1 = await start_shards(fake, tmp_path, guild1, "new1", [1], clock)
        await logged(new1, "start-up catch-up")
        logs = old.output() + new0.output() + new1.output()
        assert logs.count(f"{today(guild0)}: posted 3") == 1
        assert logs.count(f"{today(guild0)}: already claimed") == 1  # the other run lost it
        assert f"{today(guild1)}: already claimed" in new1.output()
        assert (digests_in(fake, news0), digests_in(fake, news1)) == (1, 1)
    finally:
        await asyncio.gather(*(b.stop() for b in (old, new0, new1) if b is not None))
