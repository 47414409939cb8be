"""`byline doctor`'s Discord checks over REST: the token, and each server's digest channel."""

from __future__ import annotations

import discord

from bot.discord_app.api_base import use_api_base
from bot.discord_app.poster import channel_problems
from bot.domain import GuildConfig
from bot.services.doctor import Check, CheckStatus, ok
from bot.settings import Settings

NEW_TOKEN = "reset the token in the Discord developer portal (Bot → Reset Token) and export it"


async def discord_checks(settings: Settings, token: str, configs: list[GuildConfig]) -> list[Check]:
    """Log in with the token (no gateway), then check every configured digest channel."""
    use_api_base(settings.discord.api_base)
    client = discord.Client(
        intents=discord.Intents.none(), allowed_mentions=discord.AllowedMentions.none()
    )
    async with client:
        try:
            await client.login(token)
        except discord.LoginFailure:
            return [
                Check(
                    "token",
                    CheckStatus.FAIL,
                    "Discord refused the token in DISCORD_TOKEN",
                    NEW_TOKEN,
                )
            ]
        except (discord.HTTPException, OSError) as exc:
            return [
                Check(
                    "token",
                    CheckStatus.FAIL,
                    f"cannot reach Discord at {settings.discord.api_base}: {type(exc).__name__}",
                    "check the network, or discord.api_base if you changed it",
                )
            ]
        assert client.user is not None
        found = [ok("token", f"the token is valid (logged in as {client.user.name})")]
        for config in configs:
            if config.channel_id is not None:
                found.append(await _channel_check(client, config.guild_id, config.channel_id))
    return found


async def _channel_check(client: discord.Client, guild_id: int, channel_id: int) -> Check:
    name = f"server {guild_id}"
    try:
        guild = await client.fetch_guild(guild_id)
        assert client.user is not None
        member = await guild.fetch_member(client.user.id)
        channels = await guild.fetch_channels()
    except discord.NotFound:
        return Check(
            name,
            CheckStatus.FAIL,
            "the bot is no longer in this server",
            "invite the bot again, or `byline config channel --guild ID --clear`",
        )
    except discord.HTTPException as exc:
        return Check(name, CheckStatus.FAIL, f"Discord answered {exc.status}", "try again later")
    # The member must be the guild's own, so permissions_for sees the roles and overwrites.
    guild._add_member(member)  # noqa: SLF001
    channel = next((c for c in channels if c.id == channel_id), None)
    problems = channel_problems(channel)
    if problems:
        return Check(
            name,
            CheckStatus.FAIL,
            problems[0],
            "choose a channel with /config channel, or give the bot these permissions there",
        )
    assert channel is not None
    return ok(name, f"#{channel.name}: the bot can view, send and embed")
