"""/event."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import autocomplete, render
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild
from bot.discord_app.replies import reply


class Events(commands.Cog):
    """Events the articles report."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @app_commands.command(
        name="event", description="What happened, when, where, who, and the sources"
    )
    @app_commands.describe(query="Words from the event (pick from the list or type them)")
    @app_commands.autocomplete(query=autocomplete.events)
    @app_commands.guild_only()
    async def event(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 100]
    ) -> None:
        """Show one event."""
        view = await self.app.events.get(query, in_guild(interaction))
        await reply(interaction, embeds=[render.event_embed(view)])


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(Events(bot))
