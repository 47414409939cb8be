"""/status."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import render
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild
from bot.discord_app.poster import channel_problems, ping_problems
from bot.discord_app.replies import reply


async def follow_problems(app: App, guild_id: int) -> list[str]:
    """Channel follows that are off or failing (members' DM follows are theirs to see)."""
    problems = []
    for view in await app.follows.of_guild(guild_id):
        if view.kind != "channel":
            continue
        if view.disabled_reason:
            problems.append(f"Follow #{view.id} ({view.person}) is off: {view.disabled_reason}.")
        elif view.last_error:
            problems.append(f"Follow #{view.id} ({view.person}): {view.last_error}.")
    return problems


class Status(commands.Cog):
    """How Byline is doing in this server."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @app_commands.command(
        name="status", description="Digest channel, schedule, last and next digest, problems"
    )
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the server's digest status."""
        status = await self.app.guilds.status(in_guild(interaction))
        live: list[str] = []
        channel_id = status.config.channel_id
        if channel_id is not None:
            # What the gateway cache knows now (a deleted channel, a lost permission).
            channel = self.bot.get_channel(channel_id)
            if channel is None or isinstance(channel, discord.abc.GuildChannel | discord.Thread):
                style = await self.app.posting.get(in_guild(interaction))
                live = channel_problems(channel, thread=style.thread_per_digest)
                if interaction.guild is not None:
                    live += ping_problems(interaction.guild, style)
        live += await follow_problems(self.app, in_guild(interaction))
        await reply(interaction, embeds=[render.status_embed(status, live)], ephemeral=True)


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(Status(bot))
