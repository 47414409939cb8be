"""/status."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.checks import in_guild
from bot.discord_app.poster import channel_problems
from bot.discord_app.replies import reply
from bot.schedules import parse_schedule
from bot.scheduling import clock
from bot.scheduling.digests import next_digest_at


class Status(commands.Cog):
    """How Byline is doing in this server."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="status", description="Digest channel, schedule, last and next digest, problems"
    )
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the server's digest status."""
        guild_id = in_guild(interaction)
        services = self.bot.services  # type: ignore[attr-defined]
        config = await services.guild_config(guild_id)
        waiting = await services.waiting_count(guild_id)
        problems = [config.problem] if config.problem else []
        if config.channel_id is not None:
            channel = self.bot.get_channel(config.channel_id)
            for problem in channel_problems(channel):  # type: ignore[arg-type]
                if problem not in problems:
                    problems.append(problem)
        schedule = parse_schedule(config.schedule)
        embed = render.status_embed(
            config,
            schedule.describe(),
            local_time="",
            last_at=config.last_digest_at,
            next_at=next_digest_at(config, clock.now()),
            waiting=waiting,
            problems=problems,
        )
        await reply(interaction, embeds=[embed], ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Status(bot))
