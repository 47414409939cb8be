"""Send paths that always carry allowed_mentions=none, answered interaction or not."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_app.render import Message

NO_MENTIONS = discord.AllowedMentions.none()


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    ephemeral: bool = False,
    view: discord.ui.View | None = None,
) -> None:
    """Answer an interaction: the first response, or a followup when it was already answered."""
    kwargs: dict[str, object] = {
        "content": content,
        "embeds": list(embeds),
        "ephemeral": ephemeral,
        "allowed_mentions": NO_MENTIONS,
    }
    if view is not None:
        kwargs["view"] = view
    deferred = interaction.response.type is discord.InteractionResponseType.deferred_channel_message
    if deferred and not interaction.extras.get("byline_answered"):
        # A deferred command's first answer replaces the "thinking…" message.
        interaction.extras["byline_answered"] = True
        await interaction.edit_original_response(
            content=content, embeds=list(embeds), allowed_mentions=NO_MENTIONS, view=view
        )
    elif interaction.response.is_done():
        await interaction.followup.send(**kwargs)  # type: ignore[call-overload]
    else:
        await interaction.response.send_message(**kwargs)  # type: ignore[call-overload]


async def reply_messages(
    interaction: discord.Interaction, messages: Sequence[Message], *, ephemeral: bool = False
) -> None:
    """Answer with several messages (the first as the response, the rest as followups)."""
    for message in messages:
        await reply(interaction, message.content, embeds=message.embeds, ephemeral=ephemeral)


async def send_to_channel(
    channel: discord.abc.Messageable, message: Message, *, nonce: str | None = None
) -> discord.Message:
    """Post one prepared message to a channel (with a nonce, Discord enforces it: no repeats)."""
    if nonce is None:
        return await channel.send(
            content=message.content, embeds=message.embeds, allowed_mentions=NO_MENTIONS
        )
    return await channel.send(
        content=message.content, embeds=message.embeds, allowed_mentions=NO_MENTIONS, nonce=nonce
    )
