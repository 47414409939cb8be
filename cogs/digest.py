"""/digest preview and /digest now."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.digest.posting import run_slot
from bot.discord_app import render
from bot.discord_app.checks import in_guild, require_manage_guild
from bot.discord_app.replies import NO_MENTIONS, reply, reply_messages
from bot.errors import NotConfigured
from bot.scheduling import clock


class DigestCog(commands.Cog, name="Digest"):
    """Digests by hand."""

    # /digest holds a command for everyone (preview), so it cannot carry Manage Server as its
    # default permission (Discord sets default permissions per top-level command); /digest now
    # checks Manage Server at run time.
    digest = app_commands.Group(name="digest", description="Server digests", guild_only=True)

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @digest.command(
        name="preview", description="See the next digest as the schedule would post it (only you)"
    )
    async def preview(self, interaction: discord.Interaction) -> None:
        """Show the digest privately."""
        digest = await self.bot.services.digest(in_guild(interaction), unposted_only=True)  # type: ignore[attr-defined]
        if not digest.items:
            await reply(interaction, "Nothing new since the last digest.", ephemeral=True)
            return
        await reply_messages(
            interaction, render.digest_messages(digest, "Digest preview"), ephemeral=True
        )

    @digest.command(
        name="now", description="Post the digest to the digest channel now (Manage Server)"
    )
    @require_manage_guild()
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the digest now, with the same exactly-once bookkeeping as a scheduled one."""
        guild_id = in_guild(interaction)
        services = self.bot.services  # type: ignore[attr-defined]
        config = await services.guild_config(guild_id)
        if config.channel_id is None:
            raise NotConfigured("no digest channel is set. Use /config channel first")
        await interaction.response.defer(ephemeral=True, thinking=True)
        at = clock.now().replace(microsecond=0)
        outcome = await run_slot(
            services,
            config,
            at,
            now=at,
            poster=self.bot.scheduler.poster,  # type: ignore[attr-defined]
            grace=None,
        )
        if outcome.status == "posted":
            text = f"Posted {outcome.articles} article{'s' if outcome.articles != 1 else ''} to <#{config.channel_id}>."
        elif outcome.status == "nothing":
            text = "Nothing new since the last digest, so nothing was posted."
        elif outcome.status == "problem":
            text = f"The digest was not posted: {outcome.detail}"
        elif outcome.status == "claimed-elsewhere":
            text = "A digest was posted this very second; try again in a moment."
        else:
            text = "The digest could not be posted; see /status."
        await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(DigestCog(bot))
