"""Forum posts, threads, messages in threads, and DMs (open and closed) against the fake."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.http import Route

from tests.discord.conftest import running_bot
from tests.discord.fake import (
    FORUM,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    SEND_MESSAGES_IN_THREADS,
    FakeDiscord,
    StandardGuild,
)


def _threads(channel_id: int) -> Route:
    return Route("POST", "/channels/{channel_id}/threads", channel_id=channel_id)


async def test_a_forum_post_is_a_thread_with_its_first_message_and_tags(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    forum = fake_discord.add_forum(std.guild.id, "digests", ["World", "Local"])
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(forum.id)
        assert isinstance(channel, discord.ForumChannel)
        assert [t.name for t in channel.available_tags] == ["World", "Local"]
        local = next(t for t in channel.available_tags if t.name == "Local")
        created = await channel.create_thread(
            name="Tuesday digest", content="Three stories", applied_tags=[local]
        )
        await fake_discord.wait_until(lambda: bot.get_channel(created.thread.id) is not None)
    thread, message = created.thread, created.message
    assert thread.parent_id == forum.id and thread.name == "Tuesday digest"
    assert [t.id for t in thread.applied_tags] == [forum.tag("Local").id]
    assert message.id == thread.id and message.content == "Three stories"
    (stored,) = fake_discord.threads_of(forum.id)
    assert stored.type == PUBLIC_THREAD and stored.applied_tags == [forum.tag("Local").id]
    assert [m.content for m in fake_discord.channel_messages(thread.id)] == ["Three stories"]
    assert fake_discord.channel_messages(forum.id) == []


async def test_a_forum_that_requires_a_tag_refuses_an_untagged_post(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    forum = fake_discord.add_forum(std.guild.id, "digests", ["World"], require_tag=True)
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(forum.id)
        assert isinstance(channel, discord.ForumChannel)
        with pytest.raises(discord.HTTPException) as untagged:
            await channel.create_thread(name="No tag", content="x")
        with pytest.raises(discord.HTTPException) as unknown_tag:
            await bot.http.request(
                _threads(forum.id),
                json={"name": "Bad tag", "message": {"content": "x"}, "applied_tags": ["1"]},
            )
        with pytest.raises(discord.HTTPException) as no_message:
            await bot.http.request(_threads(forum.id), json={"name": "Empty"})
        with pytest.raises(discord.HTTPException) as direct:
            await bot.http.request(
                Route("POST", "/channels/{channel_id}/messages", channel_id=forum.id),
                json={"content": "not in a post"},
            )
    assert (untagged.value.status, untagged.value.code) == (400, 40067)
    assert (unknown_tag.value.status, unknown_tag.value.code) == (400, 50035)
    assert (no_message.value.status, no_message.value.code) == (400, 50035)
    assert (direct.value.status, direct.value.code) == (400, 50008)
    assert fake_discord.threads_of(forum.id) == []
    assert forum.type == FORUM


async def test_a_text_channel_thread_takes_messages_and_the_parent_permissions(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(
            name="Discussion", type=discord.ChannelType.public_thread
        )
        await thread.send("first reply")
        await thread.send("second reply")
        with pytest.raises(discord.Forbidden) as no_private:
            await bot.http.request(_threads(std.news.id), json={"name": "Default"})
        role = fake_discord.bot_role(std.guild.id)
        private_threads = discord.Permissions(create_private_threads=True).value
        fake_discord.set_role_permissions(std.guild.id, role.id, role.permissions | private_threads)
        private: Any = await bot.http.request(_threads(std.news.id), json={"name": "Default"})
        fake_discord.deny_bot(std.news.id, SEND_MESSAGES_IN_THREADS)
        await fake_discord.wait_until(
            lambda: not channel.permissions_for(channel.guild.me).send_messages_in_threads
        )
        with pytest.raises(discord.Forbidden) as denied:
            await thread.send("third reply")
        await channel.send("the channel itself still works")
    stored = fake_discord.channel(thread.id)
    assert stored.type == PUBLIC_THREAD and stored.parent_id == std.news.id
    assert stored.message_count == 2
    assert [m.content for m in fake_discord.channel_messages(thread.id)] == [
        "first reply",
        "second reply",
    ]
    assert no_private.value.code == 50013  # a private thread needs Create Private Threads
    assert private["type"] == PRIVATE_THREAD  # the API's default thread type
    assert denied.value.code == 50013


async def test_threads_that_exist_before_login_arrive_in_guild_create(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    forum = fake_discord.add_forum(std.guild.id, "digests", ["World"])
    post = fake_discord.add_thread(forum.id, "Old post", applied_tags=[forum.tag("World").id])
    thread = fake_discord.add_thread(std.news.id, "Old thread")
    async with running_bot(fake_discord) as bot:
        seen_post, seen_thread = bot.get_channel(post.id), bot.get_channel(thread.id)
        assert isinstance(seen_post, discord.Thread) and isinstance(seen_thread, discord.Thread)
        assert seen_post.parent_id == forum.id and seen_thread.parent_id == std.news.id
        assert [t.name for t in seen_post.applied_tags] == ["World"]
    session = fake_discord.session
    assert session is not None
    (guild_create,) = session.dispatched("GUILD_CREATE")
    assert {t["id"] for t in guild_create["threads"]} == {str(post.id), str(thread.id)}
    assert str(post.id) not in {c["id"] for c in guild_create["channels"]}


async def test_a_thread_started_from_a_message_has_the_message_id(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        message = await channel.send("Morning digest")
        thread = await message.create_thread(name="Comments")
        with pytest.raises(discord.HTTPException) as twice:
            await message.create_thread(name="Again")
    assert thread.id == message.id and thread.parent_id == std.news.id
    assert twice.value.code == 160004


async def test_a_dm_reaches_a_member_with_open_dms_and_reuses_one_channel(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        dm = await bot.create_dm(discord.Object(std.member.user_id))
        await dm.send("Your digest is ready")
        again: Any = await bot.http.start_private_message(std.member.user_id)
    assert int(again["id"]) == dm.id
    assert again["recipients"][0]["id"] == str(std.member.user_id)
    assert [m.content for m in fake_discord.channel_messages(dm.id)] == ["Your digest is ready"]
    assert "guild_id" not in fake_discord.channel_messages(dm.id)[0].data


async def test_a_dm_to_a_member_whose_dms_are_closed_gets_50007(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    closed = fake_discord.add_member(std.guild.id, "private person", dms_open=False)
    async with running_bot(fake_discord) as bot:
        dm = await bot.create_dm(discord.Object(closed.user_id))
        with pytest.raises(discord.Forbidden) as refused:
            await dm.send("hello")
        fake_discord.close_dms(std.member.user_id)
        other = await bot.create_dm(discord.Object(std.member.user_id))
        with pytest.raises(discord.Forbidden) as closed_later:
            await other.send("hello")
        with pytest.raises(discord.HTTPException) as stranger:
            await bot.http.start_private_message(12345)
    assert (refused.value.status, refused.value.code) == (403, 50007)
    assert closed_later.value.code == 50007
    assert stranger.value.code == 50033
    assert fake_discord.channel_messages(dm.id) == []


async def test_a_payload_field_the_fake_does_not_implement_fails_loudly(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.DiscordServerError) as error:
            await channel.send("with a sticker", stickers=[discord.Object(1)])
    assert error.value.status == 599
    assert fake_discord.errors == [
        "POST /channels/{channel_id}/messages: field(s) sticker_ids not implemented"
    ]
    assert fake_discord.channel_messages(std.news.id) == []
    fake_discord.errors.clear()
