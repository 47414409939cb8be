"""The fake pings like Discord: content mentions are parsed unless allowed_mentions says no."""

from __future__ import annotations

from typing import Any

import discord
from discord.http import Route

from tests.discord.conftest import running_bot
from tests.discord.fake import MENTION_EVERYONE, FakeDiscord, StandardGuild


def _post(channel_id: int) -> Route:
    return Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)


async def test_without_allowed_mentions_discord_parses_every_mention(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    role = fake_discord.add_role(std.guild.id, "editors")
    content = f"@everyone <@{std.member.user_id}> <@&{role.id}>"
    async with running_bot(fake_discord) as bot:
        raw: Any = await bot.http.request(_post(std.news.id), json={"content": content})
        none: Any = await bot.http.request(
            _post(std.news.id), json={"content": content, "allowed_mentions": {"parse": []}}
        )
        only_user: Any = await bot.http.request(
            _post(std.news.id),
            json={
                "content": content,
                "allowed_mentions": {"parse": [], "users": [str(std.member.user_id)]},
            },
        )
        in_embed: Any = await bot.http.request(
            _post(std.news.id), json={"embeds": [{"description": content}]}
        )
    assert raw["mention_everyone"] is True
    assert [u["id"] for u in raw["mentions"]] == [str(std.member.user_id)]
    assert raw["mention_roles"] == [str(role.id)]
    assert (none["mention_everyone"], none["mentions"], none["mention_roles"]) == (False, [], [])
    assert only_user["mention_everyone"] is False and only_user["mention_roles"] == []
    assert [u["id"] for u in only_user["mentions"]] == [str(std.member.user_id)]
    assert in_embed["mention_everyone"] is False and in_embed["mentions"] == []


async def test_without_mention_everyone_only_mentionable_roles_ping(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    quiet = fake_discord.add_role(std.guild.id, "quiet")
    loud = fake_discord.add_role(std.guild.id, "loud")
    loud.mentionable = True
    fake_discord.deny_bot(std.news.id, MENTION_EVERYONE)
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send(
            f"@here <@&{quiet.id}> <@&{loud.id}>",
            allowed_mentions=discord.AllowedMentions.all(),
        )
    data = fake_discord.messages[sent.id].data
    assert data["mention_everyone"] is False
    assert data["mention_roles"] == [str(loud.id)]


async def test_an_edit_reparses_mentions_of_the_new_content(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("quiet", allowed_mentions=discord.AllowedMentions.all())
        await sent.edit(content="@everyone now", allowed_mentions=discord.AllowedMentions.all())
        pinged_after_first_edit = fake_discord.messages[sent.id].data["mention_everyone"]
        await sent.edit(content="@everyone again", allowed_mentions=discord.AllowedMentions.none())
    message = fake_discord.messages[sent.id]
    assert [e["allowed_mentions"]["parse"] for e in message.edits] == [
        ["everyone", "users", "roles"],
        [],
    ]
    assert pinged_after_first_edit is True
    assert message.data["mention_everyone"] is False
