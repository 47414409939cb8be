"""/article search, /article show and /article add."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import autocomplete, cooldowns, render
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild, require_manage_guild
from bot.discord_app.replies import NO_MENTIONS, reply
from bot.domain import IngestStatus


class Articles(commands.Cog):
    """Find and read articles."""

    article = app_commands.Group(
        name="article", description="Search and read articles", guild_only=True
    )

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @article.command(name="search", description="Search the articles' text")
    @app_commands.describe(text="Words to look for")
    async def search(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 200]
    ) -> None:
        """Search with snippets."""
        hits = await self.app.articles.search(text, in_guild(interaction))
        await reply(interaction, embeds=[render.search_embed(text, hits)])

    @article.command(name="show", description="One article: summary, people, quotes, events")
    @app_commands.describe(id="The article (pick from the list or give its number)")
    @app_commands.autocomplete(id=autocomplete.articles)
    async def show(self, interaction: discord.Interaction, id: int) -> None:
        """Show one article."""
        detail = await self.app.articles.article(id, in_guild(interaction))
        await reply(interaction, embeds=[render.article_embed(detail)])

    @article.command(name="add", description="Fetch and analyse an article from a web address")
    @app_commands.describe(url="The article's web address (http or https)")
    @require_manage_guild()  # fetching on request is an admin's call, not every member's
    @cooldowns.per_server(cooldowns.ARTICLE_ADD)
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        """Ingest one URL for this server (fetching and analysis take a while: defer first)."""
        guild_id = in_guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.app.articles.ingest_url(url, guild_id=guild_id)
        if outcome.status == IngestStatus.FAILED:
            reason = render.safe_clip(outcome.message or "unknown reason", 300)
            text = f"Could not add that article: {reason}"
        else:
            title = render.safe_clip(outcome.title or url, 200)
            text = f"Article #{outcome.article_id} {outcome.status}: {title}"
        await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(Articles(bot))
