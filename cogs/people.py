"""/who, /quotes and /timeline."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import autocomplete, render
from bot.discord_app.attachments import answer_with_chart
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild
from bot.discord_app.replies import reply
from bot.discord_app.views import Pager
from bot.domain import Chart

logger = logging.getLogger(__name__)


class People(commands.Cog):
    """What the articles say about people."""

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @app_commands.command(name="who", description="What the articles say about a person")
    @app_commands.describe(person="The person's name (pick from the list or type it)")
    @app_commands.autocomplete(person=autocomplete.people)
    @app_commands.guild_only()
    async def who(
        self, interaction: discord.Interaction, person: app_commands.Range[str, 1, 100]
    ) -> None:
        """Show a person's card with a chart of their mentions per week."""
        guild_id = in_guild(interaction)
        card = await self.app.people.who(person, guild_id)
        # Drawing the chart takes longer than an interaction's first answer may.
        await interaction.response.defer(thinking=True)
        chart = await self._chart(self.app.charts.mentions(str(card.id), guild_id))
        await answer_with_chart(interaction, render.person_card(card), chart)

    @app_commands.command(name="quotes", description="Key quotes with their speakers and articles")
    @app_commands.describe(
        person="Only quotes by this person", article="Only quotes from this article"
    )
    @app_commands.autocomplete(person=autocomplete.people)
    @app_commands.autocomplete(article=autocomplete.articles)
    @app_commands.guild_only()
    async def quotes(
        self,
        interaction: discord.Interaction,
        person: app_commands.Range[str, 1, 100] | None = None,
        article: int | None = None,
    ) -> None:
        """List key quotes, a page at a time."""
        found = await self.app.people.quotes(
            in_guild(interaction), person=person, article_id=article, limit=50
        )
        heading = "Key quotes"
        if person:
            heading += f" by {found[0].speaker if found and found[0].speaker else person}"
        if article is not None:
            heading += f" from article #{article}"
        pages = render.quote_pages(found, heading)
        if len(pages) == 1:
            await reply(interaction, embeds=pages)
            return
        await reply(interaction, embeds=pages[:1], view=Pager(pages, interaction.user.id))

    @app_commands.command(name="timeline", description="A person's events in date order")
    @app_commands.describe(person="The person's name (pick from the list or type it)")
    @app_commands.autocomplete(person=autocomplete.people)
    @app_commands.guild_only()
    async def timeline(
        self, interaction: discord.Interaction, person: app_commands.Range[str, 1, 100]
    ) -> None:
        """Show a person's timeline, with an image of the dated events."""
        guild_id = in_guild(interaction)
        name, views = await self.app.people.timeline(person, guild_id)
        embed = render.timeline_embed(name, views)
        if not any(v.when_start for v in views):
            await reply(interaction, embeds=[embed])
            return
        await interaction.response.defer(thinking=True)
        chart = await self._chart(self.app.charts.timeline(person, guild_id))
        await answer_with_chart(interaction, embed, chart)

    async def _chart(self, drawing: Awaitable[Chart]) -> Chart | None:
        """The chart, or None when it could not be drawn (the text answer still goes out)."""
        try:
            return await drawing
        except Exception:
            logger.exception("drawing a chart failed")
            return None


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(People(bot))
