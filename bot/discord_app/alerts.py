"""Send follow alerts to a channel or a member's DMs; Discord's refusals become domain errors."""

from __future__ import annotations

import discord

from bot.discord_app.poster import channel_problems
from bot.discord_app.render import follow_alert_message
from bot.discord_app.replies import NO_MENTIONS
from bot.domain import FollowAlert, FollowKind
from bot.errors import DeliveryRefused

# Discord's error code for "Cannot send messages to this user" (closed DMs, blocked bot).
CANNOT_DM = 50007


class AlertPoster:
    """The AlertSender the scheduled alert job calls."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def __call__(self, alert: FollowAlert) -> None:
        """Send one alert (its nonce makes Discord drop a repeat of the same send)."""
        await self.client.wait_until_ready()
        message = follow_alert_message(alert)
        target = await self._target(alert)
        try:
            await target.send(
                content=message.content,
                embeds=message.embeds,
                allowed_mentions=NO_MENTIONS,
                nonce=alert.nonce,
            )
        except discord.Forbidden as exc:
            if alert.kind == FollowKind.DM and exc.code == CANNOT_DM:
                raise DeliveryRefused(
                    "Discord would not deliver the DM (closed DMs)", permanent=True
                ) from exc
            raise DeliveryRefused(f"Discord refused the alert: {exc.text[:150]}") from exc
        except discord.NotFound as exc:
            raise DeliveryRefused("The alert channel was deleted", permanent=True) from exc

    async def _target(self, alert: FollowAlert) -> discord.abc.Messageable:
        if alert.kind == FollowKind.DM:
            user = self.client.get_user(alert.target_id)
            try:
                if user is None:
                    user = await self.client.fetch_user(alert.target_id)
                return user.dm_channel or await user.create_dm()
            except discord.NotFound as exc:
                raise DeliveryRefused("That member no longer exists", permanent=True) from exc
        channel = self.client.get_channel(alert.target_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(alert.target_id)
            except discord.NotFound as exc:
                raise DeliveryRefused(
                    "The alert channel was deleted. Follow again in another channel",
                    permanent=True,
                ) from exc
            except discord.Forbidden as exc:
                raise DeliveryRefused("I cannot see the alert channel") from exc
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise DeliveryRefused("Alerts need a text channel", permanent=True)
        problems = channel_problems(channel)
        if problems:
            raise DeliveryRefused(problems[0])
        return channel
