"""/follow: follow a person in a channel (Manage Server) or by DM (any member)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import autocomplete, render
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild, require_manage_guild
from bot.discord_app.poster import channel_problems
from bot.discord_app.replies import reply
from bot.errors import InvalidInput


class Follow(commands.Cog):
    """Alerts when a new article quotes or names a person."""

    # /follow holds member commands (me, list) too, so Manage Server is a run-time check on
    # add and remove rather than the group's default permission.
    follow = app_commands.Group(
        name="follow",
        description="Alerts when a new article quotes or names a person",
        guild_only=True,
    )

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @follow.command(
        name="add", description="Post alerts about a person in a channel (Manage Server)"
    )
    @app_commands.describe(
        person="The person (pick from the list or type a name)",
        channel="Where alerts go (default: this channel)",
    )
    @app_commands.autocomplete(person=autocomplete.people)
    @require_manage_guild()
    async def add(
        self,
        interaction: discord.Interaction,
        person: app_commands.Range[str, 1, 100],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Follow a person in a channel."""
        guild_id = in_guild(interaction)
        target = channel or interaction.channel
        if not isinstance(target, discord.TextChannel):
            raise InvalidInput("alerts need a text channel; give one with channel:")
        problems = channel_problems(target)
        if problems:
            raise InvalidInput(problems[0].rstrip(".") + ". Fix that or choose another channel")
        view, created = await self.app.follows.follow_in_channel(
            guild_id, person, target.id, interaction.user.id
        )
        await reply(interaction, render.follow_added_text(view, created), ephemeral=True)

    @follow.command(name="remove", description="Stop a follow of this server (Manage Server)")
    @app_commands.describe(follow="The follow (pick from the list)")
    @require_manage_guild()
    async def remove(self, interaction: discord.Interaction, follow: int) -> None:
        """Remove a follow by its number."""
        view = await self.app.follows.remove(in_guild(interaction), follow)
        text = f"Stopped following **{render.safe_clip(view.person, 100)}** (#{view.id})."
        await reply(interaction, text, ephemeral=True)

    @remove.autocomplete("follow")
    async def _follow_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        try:
            views = await self.app.follows.of_guild(in_guild(interaction))
        except Exception:
            return []
        key = str(current).casefold()
        pairs = [
            (f"#{v.id} {v.person} ({v.kind})", str(v.id))
            for v in views
            if key in v.person.casefold() or key == str(v.id)
        ]
        return [app_commands.Choice(name=n, value=int(v)) for n, v in render.choices(pairs)]

    @follow.command(name="list", description="Who this server follows, and your DM follows")
    async def list_follows(self, interaction: discord.Interaction) -> None:
        """List the server's follows (everyone sees channel follows; DM follows only their own)."""
        guild_id = in_guild(interaction)
        views = await self.app.follows.of_guild(guild_id)
        admin = interaction.permissions.manage_guild or interaction.permissions.administrator
        shown = [
            v for v in views if v.kind == "channel" or admin or v.target_id == interaction.user.id
        ]
        await reply(interaction, embeds=[render.follows_embed(shown)], ephemeral=True)

    @follow.command(name="me", description="Get alerts about a person by DM, or stop them")
    @app_commands.describe(
        person="The person (pick from the list or type a name)",
        stop="True to stop your DM alerts about this person",
    )
    @app_commands.autocomplete(person=autocomplete.people)
    async def me(
        self,
        interaction: discord.Interaction,
        person: app_commands.Range[str, 1, 100],
        stop: bool = False,
    ) -> None:
        """Opt in to (or out of) DM alerts."""
        guild_id = in_guild(interaction)
        if stop:
            view = await self.app.follows.unfollow_by_dm(guild_id, person, interaction.user.id)
            text = f"You will get no more DMs about **{render.safe_clip(view.person, 100)}**."
        else:
            view, created = await self.app.follows.follow_by_dm(
                guild_id, person, interaction.user.id
            )
            text = render.follow_added_text(view, created)
            text += " If your DMs from this server are closed, the follow turns itself off."
        await reply(interaction, text, ephemeral=True)


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(Follow(bot))
