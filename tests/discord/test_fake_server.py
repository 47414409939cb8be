"""FakeDiscord works with the real discord.py client: login, gateway, commands, REST, failures."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.discord_app.api_base import use_api_base
from tests.discord.conftest import FAKE_TOKEN, guilds_bot, running_bot
from tests.discord.fake import (
    EMBED_LINKS,
    MANAGE_GUILD,
    FakeDiscord,
    StandardGuild,
    permissions_for,
)


async def test_bot_logs_in_and_sees_guild_from_guild_create(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        guild = bot.get_guild(std.guild.id)
        assert guild is not None and guild in bot.guilds
        assert {c.name for c in guild.text_channels} >= {"general", "news", "no-send", "no-embeds"}
        assert guild.me is not None and guild.me.id == fake_discord.bot_id
        news = guild.get_channel(std.news.id)
        no_send = guild.get_channel(std.no_send.id)
        assert isinstance(news, discord.TextChannel) and isinstance(no_send, discord.TextChannel)
        assert news.permissions_for(guild.me).send_messages
        assert not no_send.permissions_for(guild.me).send_messages
        assert bot.application_id == fake_discord.application_id
    identify = next(f for f in fake_discord.gateway_received if f["op"] == 2)
    assert identify["d"]["intents"] == discord.Intents(guilds=True).value
    assert identify["d"]["token"] == "<redacted>"
    assert fake_discord.requests_to("GET", "/gateway/bot")


def _add_commands(bot: commands.Bot, guild_id: int, seen: dict[str, Any]) -> None:
    feed = app_commands.Group(name="feed", description="Manage feeds")
    config = app_commands.Group(name="config", description="Settings")
    digest = app_commands.Group(name="digest", description="Digest settings", parent=config)

    @feed.command(name="add", description="Add a feed")
    async def feed_add(interaction: discord.Interaction, url: str, limit: int = 5) -> None:
        seen["feed_add"] = (url, limit, interaction.permissions.manage_guild)
        await interaction.response.send_message(f"Added {url} @everyone", ephemeral=True)

    @feed.command(name="remove", description="Remove a feed")
    async def feed_remove(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"Removed {name}")

    @feed_remove.autocomplete("name")
    async def feed_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["World news", "Local news", "Sport"]
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()]

    @digest.command(name="channel", description="Where digests go")
    async def digest_channel(
        interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        seen["digest_channel"] = channel.id
        seen["app_embed_links"] = interaction.app_permissions.embed_links
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"Digests go to {channel.mention}", ephemeral=True)
        await interaction.edit_original_response(content="Saved.")

    guild = discord.Object(guild_id)
    bot.tree.add_command(feed, guild=guild)
    bot.tree.add_command(config, guild=guild)


async def test_guild_command_sync_is_recorded_with_ids(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord, lambda b: _add_commands(b, std.guild.id, {})) as bot:
        synced = await bot.tree.sync(guild=discord.Object(std.guild.id))
        fetched = await bot.tree.fetch_commands(guild=discord.Object(std.guild.id))
    assert {c.name for c in synced} == {"feed", "config"}
    assert {c.id for c in fetched} == {c.id for c in synced}
    registered = fake_discord.guild_commands(std.guild.id)
    assert {c["name"] for c in registered} == {"feed", "config"}
    assert fake_discord.guild_commands(None) == []


async def test_slash_command_reply_is_recorded_with_allowed_mentions(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    seen: dict[str, Any] = {}
    async with running_bot(fake_discord, lambda b: _add_commands(b, std.guild.id, seen)) as bot:
        await bot.tree.sync(guild=discord.Object(std.guild.id))
        interaction = await fake_discord.send_slash_command(
            "feed add",
            {"url": "https://example.test/rss"},
            guild_id=std.guild.id,
            channel_id=std.general.id,
            user_id=std.admin.user_id,
        )
        callback = await fake_discord.wait_for_callback(interaction)
    assert seen["feed_add"] == ("https://example.test/rss", 5, True)
    assert callback["type"] == 4
    assert callback["data"]["content"] == "Added https://example.test/rss @everyone"
    assert callback["data"]["flags"] & 64  # ephemeral
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    assert interaction.original is not None and interaction.original.ephemeral
    assert fake_discord.channel_messages(std.general.id) == []


async def test_member_without_manage_server_has_no_manage_guild_permission(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    seen: dict[str, Any] = {}
    async with running_bot(fake_discord, lambda b: _add_commands(b, std.guild.id, seen)) as bot:
        await bot.tree.sync(guild=discord.Object(std.guild.id))
        interaction = await fake_discord.send_slash_command(
            "feed add", {"url": "u", "limit": 2}, guild_id=std.guild.id, user_id=std.member.user_id
        )
        await fake_discord.wait_for_callback(interaction)
    assert seen["feed_add"] == ("u", 2, False)
    assert int(interaction.payload["member"]["permissions"]) & MANAGE_GUILD == 0


async def test_nested_group_with_channel_option_defers_then_follows_up(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    seen: dict[str, Any] = {}
    async with running_bot(fake_discord, lambda b: _add_commands(b, std.guild.id, seen)) as bot:
        await bot.tree.sync(guild=discord.Object(std.guild.id))
        interaction = await fake_discord.send_slash_command(
            "config digest channel",
            {"channel": std.no_embeds.id},
            guild_id=std.guild.id,
            channel_id=std.no_embeds.id,
            user_id=std.admin.user_id,
        )
        callback = await fake_discord.wait_for_callback(interaction)
        followups = await fake_discord.wait_for_followups(interaction)
        original = await fake_discord.wait_for_original(interaction, edited=True)
    assert seen["digest_channel"] == std.no_embeds.id
    assert seen["app_embed_links"] is False  # the bot is denied Embed Links in that channel
    assert callback == {"type": 5, "data": {"flags": 64}}
    assert followups[0].content == f"Digests go to <#{std.no_embeds.id}>"
    assert followups[0].allowed_mentions == {"parse": []}
    assert original.content == "Saved."


async def test_autocomplete_answers_with_choices(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord, lambda b: _add_commands(b, std.guild.id, {})) as bot:
        await bot.tree.sync(guild=discord.Object(std.guild.id))
        interaction = await fake_discord.send_autocomplete(
            "feed remove", {"name": "news"}, "name", guild_id=std.guild.id
        )
        callback = await fake_discord.wait_for_callback(interaction)
    assert callback["type"] == 8
    assert [c["name"] for c in callback["data"]["choices"]] == ["World news", "Local news"]


async def test_component_click_updates_the_message(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    class Confirm(discord.ui.View):
        @discord.ui.button(label="Confirm", custom_id="confirm")
        async def confirm(
            self, interaction: discord.Interaction, button: discord.ui.Button[Any]
        ) -> None:
            await interaction.response.edit_message(content="Confirmed.", view=None)

    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.general.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Remove the feed?", view=Confirm())
        message = fake_discord.messages[sent.id]
        assert message.data["components"][0]["components"][0]["custom_id"] == "confirm"
        interaction = await fake_discord.send_component(
            "confirm", message, user_id=std.admin.user_id
        )
        callback = await fake_discord.wait_for_callback(interaction)
    assert callback["type"] == 7
    assert message.content == "Confirmed."
    assert message.data["components"] == []


async def test_channel_send_records_allowed_mentions_none_and_embeds(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        embed = discord.Embed(title="Digest", description="Three stories")
        await channel.send(
            "@everyone Breaking", embed=embed, allowed_mentions=discord.AllowedMentions.none()
        )
        await channel.send(file=discord.File(__file__, filename="digest.txt"))
    first, second = fake_discord.channel_messages(std.news.id)
    assert first.payload["allowed_mentions"] == {"parse": []}
    assert first.content == "@everyone Breaking"
    assert first.embeds[0]["title"] == "Digest"
    assert second.files[0][1] == "digest.txt"
    assert second.allowed_mentions == {"parse": []}  # from the client-wide default


async def test_missing_permissions_give_forbidden_and_plain_text_still_works(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        no_send = bot.get_channel(std.no_send.id)
        no_embeds = bot.get_channel(std.no_embeds.id)
        assert isinstance(no_send, discord.TextChannel) and isinstance(
            no_embeds, discord.TextChannel
        )
        with pytest.raises(discord.Forbidden) as missing_send:
            await no_send.send("hello")
        with pytest.raises(discord.Forbidden):
            await no_embeds.send(embed=discord.Embed(title="x"))
        await no_embeds.send("plain text")
    assert missing_send.value.code == 50013
    assert [m.content for m in fake_discord.channel_messages(std.no_embeds.id)] == ["plain text"]


async def test_injected_403_raises_forbidden(fake_discord: FakeDiscord, std: StandardGuild) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.general.id)
        assert isinstance(channel, discord.TextChannel)
        fake_discord.fail_next("POST", rf"/channels/{std.general.id}/messages", 403)
        with pytest.raises(discord.Forbidden) as error:
            await channel.send("hi")
        await channel.send("hi again")
    assert error.value.status == 403 and error.value.code == 50013
    assert [m.content for m in fake_discord.channel_messages(std.general.id)] == ["hi again"]


async def test_429_with_via_header_is_retried_once(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.general.id)
        assert isinstance(channel, discord.TextChannel)
        fake_discord.fail_next(
            "POST",
            r"/channels/\d+/messages",
            429,
            {"message": "You are being rate limited.", "retry_after": 0.3, "global": False},
        )
        await channel.send("after the rate limit")
    posts = fake_discord.requests_to("POST", r"/channels/\d+/messages")
    assert [r.status for r in posts] == [429, 200]
    assert len(fake_discord.channel_messages(std.general.id)) == 1


async def test_deleted_channel_gives_unknown_channel(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        fake_discord.delete_channel(std.news.id)
        await fake_discord.wait_until(lambda: bot.get_channel(std.news.id) is None, 5.0)
        with pytest.raises(discord.NotFound) as error:
            await bot.http.send_message(std.news.id, params=_text_params("hi"))
    assert error.value.code == 10003


def _text_params(content: str) -> Any:
    from discord.http import handle_message_parameters

    return handle_message_parameters(content=content)


async def test_over_long_content_is_rejected_like_discord(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.general.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as error:
            await channel.send("x" * 2001)
    assert error.value.status == 400 and error.value.code == 50035


async def test_forced_disconnect_resumes_and_replays_missed_events(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    seen: dict[str, Any] = {}
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    def setup(bot: commands.Bot) -> None:
        _add_commands(bot, std.guild.id, seen)
        bot.add_listener(on_resumed)

    async with running_bot(fake_discord, setup) as bot:
        await bot.tree.sync(guild=discord.Object(std.guild.id))
        await fake_discord.disconnect(4000)
        # Sent while the bot is away: only RESUME's replay can deliver it.
        interaction = await fake_discord.send_slash_command(
            "feed add", {"url": "during-outage"}, guild_id=std.guild.id
        )
        await asyncio.wait_for(resumed.wait(), 5)
        await fake_discord.wait_for_callback(interaction)
        await fake_discord.disconnect(None)  # no close frame at all
        await fake_discord.wait_until(lambda: fake_discord.resume_count == 2, 5.0)
        await fake_discord.wait_for_ready()
        await fake_discord.request_reconnect()  # op 7
        await fake_discord.wait_until(lambda: fake_discord.resume_count == 3, 5.0)
        await fake_discord.wait_for_ready()
        assert bot.get_guild(std.guild.id) is not None
    assert seen["feed_add"][0] == "during-outage"
    assert fake_discord.identify_count == 1


async def test_invalid_session_makes_the_bot_identify_again(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    ready_count = 0

    async def on_ready() -> None:
        nonlocal ready_count
        ready_count += 1

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before a non-initial IDENTIFY to keep the test fast."""

    def setup(bot: commands.Bot) -> None:
        bot.add_listener(on_ready)
        bot.before_identify_hook = identify_now  # type: ignore[method-assign]

    async with running_bot(fake_discord, setup) as bot:
        first = fake_discord.session
        await fake_discord.invalidate_session(resumable=False)
        await fake_discord.wait_until(lambda: fake_discord.identify_count == 2, 5.0)
        await fake_discord.wait_until(lambda: ready_count == 2, 5.0)
        assert fake_discord.session is not first
        assert bot.get_guild(std.guild.id) is not None


async def test_late_callback_gets_unknown_interaction(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    errors: list[Exception] = []

    def setup(bot: commands.Bot) -> None:
        @bot.tree.command(name="slow", description="Too slow", guild=discord.Object(std.guild.id))
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                errors.append(exc)

    fake_discord.callback_deadline_s = 0.1
    async with running_bot(fake_discord, setup) as bot:
        await bot.tree.sync(guild=discord.Object(std.guild.id))
        await fake_discord.send_slash_command("slow", guild_id=std.guild.id)
        await fake_discord.wait_until(lambda: errors, 5.0)
    assert isinstance(errors[0], discord.NotFound) and errors[0].code == 10062


async def test_unimplemented_route_fails_loudly(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        with pytest.raises(discord.DiscordServerError) as error:
            await bot.http.request(discord.http.Route("GET", "/users/@me/guilds"))
    assert error.value.status == 599
    assert fake_discord.errors == ["GET /users/@me/guilds is not implemented"]
    fake_discord.errors.clear()


async def test_unregistered_command_is_refused_by_the_fake(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord):
        with pytest.raises(ValueError, match="not registered"):
            await fake_discord.send_slash_command("nope", guild_id=std.guild.id)


def test_bot_permissions_follow_channel_overwrites(fake_discord: FakeDiscord) -> None:
    std = fake_discord.seed_standard_guild()
    guild = std.guild
    assert permissions_for(guild, fake_discord.bot_id, std.no_embeds.id) & EMBED_LINKS == 0
    assert permissions_for(guild, fake_discord.bot_id, std.news.id) & EMBED_LINKS
    assert permissions_for(guild, guild.owner_id, std.no_send.id) == discord.Permissions.all().value


SUBPROCESS_BOT = """
import os

import discord
from discord.ext import commands

from bot.discord_app.api_base import use_api_base

use_api_base(os.environ["BYLINE_DISCORD__API_BASE"])
guild = discord.Object(int(os.environ["TEST_GUILD_ID"]))
bot = commands.Bot(
    command_prefix=commands.when_mentioned,
    intents=discord.Intents(guilds=True),
    allowed_mentions=discord.AllowedMentions.none(),
)


@bot.tree.command(name="ping", description="Ping", guild=guild)
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong")


async def setup_hook() -> None:
    await bot.tree.sync(guild=guild)


bot.setup_hook = setup_hook
bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)
"""


async def test_bot_in_a_subprocess_talks_to_the_in_process_fake(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    env = {
        **os.environ,
        "BYLINE_DISCORD__API_BASE": fake_discord.api_base,
        "DISCORD_TOKEN": FAKE_TOKEN,
        "TEST_GUILD_ID": str(std.guild.id),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SUBPROCESS_BOT, env=env, cwd=Path(__file__).parents[2]
    )
    try:
        await fake_discord.wait_for_request(
            "PUT", rf"/applications/\d+/guilds/{std.guild.id}/commands", timeout_s=15.0
        )
        await fake_discord.wait_for_ready(timeout_s=15.0)
        interaction = await fake_discord.send_slash_command("ping", guild_id=std.guild.id)
        callback = await fake_discord.wait_for_callback(interaction)
    finally:
        process.terminate()
        await process.wait()
    assert callback["data"]["content"] == "pong"
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    assert interaction.original is not None
    assert fake_discord.channel_messages(std.general.id) == [interaction.original]


def test_use_api_base_none_leaves_discord_py_alone() -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    use_api_base(None)
    assert before == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


async def test_heartbeats_are_acked_and_a_zombie_connection_is_resumed_without_losing_events(
    make_fake: Any,
) -> None:
    fake: FakeDiscord = await make_fake(heartbeat_interval_ms=100)
    std = fake.seed_standard_guild()
    seen: list[str] = []

    def setup(bot: commands.Bot) -> None:
        @bot.tree.command(name="ping", description="Ping", guild=discord.Object(std.guild.id))
        async def ping(interaction: discord.Interaction) -> None:
            seen.append("ping")
            await interaction.response.send_message("pong")

    bot = guilds_bot(heartbeat_timeout=0.5)
    async with running_bot(fake, setup, bot=bot):
        session = await fake.wait_for_ready()
        await fake.wait_until(lambda: session.heartbeats >= 2, 5.0, "two heartbeats")
        reported_seq = session.last_heartbeat_seq
        await fake.stop_responding()
        # Sent while the connection is a zombie: only the RESUME replay delivers it.
        interaction = await fake.send_slash_command(
            "ping", guild_id=std.guild.id, require_registered=False
        )
        await fake.wait_until(lambda: fake.resume_count == 1, 10.0, "a RESUME")
        await fake.wait_for_callback(interaction)
    # A heartbeat carries the last sequence number the client received.
    assert reported_seq is not None and 0 < reported_seq <= session.sent_seq
    assert fake.identify_count == 1 and fake.session is session and not session.silent
    assert seen == ["ping"]
