"""Message nonces: with enforce_nonce a repeated nonce returns the first message, as on Discord."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.http import Route

from tests.discord.conftest import running_bot
from tests.discord.fake import FakeDiscord, StandardGuild


def _post(channel_id: int) -> Route:
    return Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)


async def test_a_repeated_nonce_returns_the_first_message_and_creates_nothing(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("digest", nonce=4242)
        again = await channel.send("digest, sent twice", nonce=4242)
    assert again.id == first.id and again.content == "digest"
    stored = fake_discord.channel_messages(std.news.id)
    assert [m.id for m in stored] == [first.id]
    assert stored[0].nonce_replays == 1 and stored[0].data["nonce"] == "4242"
    posts = fake_discord.requests_to("POST", rf"/channels/{std.news.id}/messages")
    assert [r.status for r in posts] == [200, 200]
    assert all(r.json["enforce_nonce"] is True for r in posts)


async def test_without_enforce_nonce_the_same_nonce_posts_twice(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        payload = {"content": "twice", "nonce": "same"}
        first: Any = await bot.http.request(_post(std.news.id), json=payload)
        second: Any = await bot.http.request(_post(std.news.id), json=payload)
    assert first["id"] != second["id"]
    assert len(fake_discord.channel_messages(std.news.id)) == 2


async def test_a_nonce_only_deduplicates_within_its_channel(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        news, general = bot.get_channel(std.news.id), bot.get_channel(std.general.id)
        assert isinstance(news, discord.TextChannel) and isinstance(general, discord.TextChannel)
        a = await news.send("a", nonce="n1")
        b = await general.send("b", nonce="n1")
    assert a.id != b.id
    assert len(fake_discord.channel_messages(std.news.id)) == 1
    assert len(fake_discord.channel_messages(std.general.id)) == 1


async def test_a_nonce_older_than_the_window_or_on_a_deleted_message_posts_again(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("first", nonce="old")
        # Age the message past the window instead of sleeping through it.
        fake_discord.messages[first.id].created_at -= fake_discord.world.nonce_window_s + 1
        second = await channel.send("second", nonce="old")
        await second.delete()
        third = await channel.send("third", nonce="old")
    assert len({first.id, second.id, third.id}) == 3
    assert [m.content for m in fake_discord.channel_messages(std.news.id)] == ["first", "third"]


async def test_an_over_long_nonce_is_rejected_like_discord(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as error:
            await channel.send("x", nonce="n" * 26)
    assert error.value.status == 400 and error.value.code == 50035
    assert fake_discord.channel_messages(std.news.id) == []
