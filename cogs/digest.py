"""/digest preview and /digest now."""

from __future__ import annotations

from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import cooldowns, render
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild, require_manage_guild
from bot.discord_app.replies import reply, reply_messages


class DigestCog(commands.Cog, name="Digest"):
    """Digests by hand."""

    # /digest holds a command for everyone (preview), so it cannot carry Manage Server as its
    # default permission (Discord sets default permissions per top-level command); /digest now
    # checks Manage Server at run time.
    digest = app_commands.Group(name="digest", description="Server digests", guild_only=True)

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @digest.command(
        name="preview", description="See the next digest as the schedule would post it (only you)"
    )
    async def preview(self, interaction: discord.Interaction) -> None:
        """Show the digest privately."""
        guild_id = in_guild(interaction)
        digest, dropped = await self.app.digests.preview(guild_id, unposted_only=True)
        style = await self.app.posting.get(guild_id)
        if not digest.items:
            await reply(
                interaction,
                "Nothing new since the last digest.",
                embeds=[render.dropped_embed(dropped)] if dropped else [],
                ephemeral=True,
            )
            return
        # The preview never pings: the role mention is the real digest's alone.
        quiet = replace(style, ping_role_id=None)
        messages = render.styled_digest_messages(digest, quiet, "Digest preview")
        if dropped:
            messages.append(render.Message(embeds=[render.dropped_embed(dropped)]))
        await reply_messages(interaction, messages, ephemeral=True)

    @digest.command(
        name="now", description="Post the digest to the digest channel now (Manage Server)"
    )
    @require_manage_guild()
    @cooldowns.per_server(cooldowns.DIGEST_NOW)
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the digest now, with the same exactly-once bookkeeping as a scheduled one."""
        guild_id = in_guild(interaction)
        await self.app.guilds.require_channel(guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.app.digests.post_now(guild_id, self.bot.poster)
        await reply(interaction, render.post_now_text(outcome), ephemeral=True)


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(DigestCog(bot))
