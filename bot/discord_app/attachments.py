"""Answers that carry an image: a chart attached to an embed, with its alt text."""

from __future__ import annotations

import io

import discord

from bot.discord_app.replies import NO_MENTIONS
from bot.domain import Chart

# Discord's limit for an attachment's description (its alt text).
ALT_TEXT_MAX = 1024


def chart_file(chart: Chart) -> discord.File:
    """The chart as an upload whose description screen readers read."""
    return discord.File(
        io.BytesIO(chart.png), filename=chart.filename, description=chart.alt_text[:ALT_TEXT_MAX]
    )


async def answer_with_chart(
    interaction: discord.Interaction, embed: discord.Embed, chart: Chart | None
) -> None:
    """Replace a deferred answer with the embed, the chart as its image when there is one."""
    if chart is None:
        await interaction.edit_original_response(embeds=[embed], allowed_mentions=NO_MENTIONS)
        return
    embed.set_image(url=f"attachment://{chart.filename}")
    await interaction.edit_original_response(
        embeds=[embed], attachments=[chart_file(chart)], allowed_mentions=NO_MENTIONS
    )
