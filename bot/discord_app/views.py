"""Buttons: pages of quotes that only the person who asked can turn."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

import discord

from bot.discord_app.replies import NO_MENTIONS, reply

logger = logging.getLogger(__name__)


class Pager(discord.ui.View):
    """Previous/Next over a list of embeds, for the caller only."""

    def __init__(
        self, pages: Sequence[discord.Embed], owner_id: int, *, timeout_s: float = 600
    ) -> None:
        super().__init__(timeout=timeout_s)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the person who ran the command may turn the pages."""
        if interaction.user.id == self.owner_id:
            return True
        await reply(
            interaction,
            "Only the person who ran this command can turn its pages. Run it yourself to browse.",
            ephemeral=True,
        )
        return False

    async def _show(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync_buttons()
        await interaction.response.edit_message(
            embed=self.pages[self.index], view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self,
        interaction: discord.Interaction,
        button: discord.ui.Button[Pager],  # noqa: ARG002 (discord.py passes the button)
    ) -> None:
        """Show the previous page."""
        await self._show(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(
        self,
        interaction: discord.Interaction,
        button: discord.ui.Button[Pager],  # noqa: ARG002 (discord.py passes the button)
    ) -> None:
        """Show the next page."""
        await self._show(interaction, 1)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Pager]
    ) -> None:
        """Log and answer ephemerally; never show a traceback."""
        from bot.discord_app.tree import user_message

        text, ref = user_message(error)
        logger.error("button %s failed (ref %s)", item, ref, exc_info=error)
        with contextlib.suppress(discord.HTTPException):
            await reply(interaction, text, ephemeral=True)
