"""Sharding: /gateway/bot recommends shards, each shard gets only its guilds and their events."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import aiohttp
import discord
from discord.ext import commands

from tests.discord.conftest import FAKE_TOKEN, guilds_bot, raw_request, running_bot
from tests.discord.fake import FakeDiscord, shard_for

MakeFake = Callable[..., Awaitable[FakeDiscord]]


async def _no_identify_pause(shard_id: int | None, *, initial: bool = False) -> None:
    """Skip discord.py's 5 s pause before each further IDENTIFY to keep the test fast."""


async def test_gateway_bot_recommends_the_world_shard_count(make_fake: MakeFake) -> None:
    fake = await make_fake(shard_count=3)
    status, _, body = await raw_request(fake, "GET", "/gateway/bot")
    assert status == 200 and isinstance(body, dict)
    assert body["shards"] == 3 and body["url"] == fake.gateway_url


async def test_each_shard_gets_only_its_guilds_and_their_interactions(
    make_fake: MakeFake,
) -> None:
    fake = await make_fake(shard_count=2)
    first = fake.add_guild("On shard 0", shard_id=0)
    second = fake.add_guild("On shard 1", shard_id=1)
    general = fake.add_channel(second.id, "general")
    assert shard_for(first.id, 2) == 0 and shard_for(second.id, 2) == 1
    answered: list[int | None] = []

    bot = commands.AutoShardedBot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents(guilds=True),
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=0.1,
    )
    bot.before_identify_hook = _no_identify_pause  # type: ignore[method-assign]

    @bot.tree.command(name="where", description="Which shard", guild=discord.Object(second.id))
    async def where(interaction: discord.Interaction) -> None:
        answered.append(interaction.guild.shard_id if interaction.guild else None)
        await interaction.response.send_message("here")

    async with running_bot(fake, bot=bot):
        assert bot.shard_count == 2
        shard0 = await fake.wait_for_ready(shard_id=0)
        shard1 = await fake.wait_for_ready(shard_id=1)
        guild_a, guild_b = bot.get_guild(first.id), bot.get_guild(second.id)
        assert guild_a is not None and guild_a.shard_id == 0
        assert guild_b is not None and guild_b.shard_id == 1
        interaction = await fake.send_slash_command(
            "where", guild_id=second.id, channel_id=general.id, require_registered=False
        )
        callback = await fake.wait_for_callback(interaction)
        news = fake.add_channel(first.id, "news")
        await fake.wait_until(lambda: bot.get_channel(news.id) is not None, 5.0)
    identifies = [f["d"]["shard"] for f in fake.gateway_received if f["op"] == 2]
    assert sorted(identifies) == [[0, 2], [1, 2]]
    assert [g["id"] for g in shard0.dispatched("READY")[0]["guilds"]] == [str(first.id)]
    assert [g["id"] for g in shard1.dispatched("READY")[0]["guilds"]] == [str(second.id)]
    assert [g["id"] for g in shard0.dispatched("GUILD_CREATE")] == [str(first.id)]
    assert [g["id"] for g in shard1.dispatched("GUILD_CREATE")] == [str(second.id)]
    assert [i["id"] for i in shard1.dispatched("INTERACTION_CREATE")] == [str(interaction.id)]
    assert shard0.dispatched("INTERACTION_CREATE") == []
    assert [c["id"] for c in shard0.dispatched("CHANNEL_CREATE")] == [str(news.id)]
    assert shard1.dispatched("CHANNEL_CREATE") == []
    assert answered == [1] and callback["data"]["content"] == "here"


async def test_two_single_shard_clients_each_see_only_their_own_guild(
    make_fake: MakeFake,
) -> None:
    fake = await make_fake(shard_count=2)
    first = fake.add_guild("On shard 0", shard_id=0)
    second = fake.add_guild("On shard 1", shard_id=1)
    zero, one = guilds_bot(shard_id=0, shard_count=2), guilds_bot(shard_id=1, shard_count=2)
    one.before_identify_hook = _no_identify_pause  # type: ignore[method-assign]
    async with running_bot(fake, bot=zero), running_bot(fake, bot=one):
        seen = ({g.id for g in zero.guilds}, {g.id for g in one.guilds})
    assert seen == ({first.id}, {second.id})


async def test_identify_with_a_shard_outside_the_count_is_closed_with_4010(
    make_fake: MakeFake,
) -> None:
    fake = await make_fake(shard_count=2)
    identify = {"op": 2, "d": {"token": FAKE_TOKEN, "intents": 1, "shard": [2, 2]}}
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        hello = await ws.receive_json()
        await ws.send_str(json.dumps(identify))
        closing = await ws.receive()
    assert hello["op"] == 10
    assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4010
    assert fake.shards == {}
