"""Post a digest to a server's channel, turning Discord's refusals into recorded problems."""

from __future__ import annotations

import logging

import discord

from bot.discord_app.render import digest_messages, nothing_new
from bot.discord_app.replies import send_to_channel
from bot.domain import Digest, GuildConfig
from bot.errors import PostProblem

logger = logging.getLogger(__name__)


def channel_problems(
    channel: discord.abc.GuildChannel | discord.Thread | None, *, embeds: bool = True
) -> list[str]:
    """Why the bot cannot post digests in a channel (empty when it can)."""
    if channel is None:
        return ["The digest channel was deleted. Choose another with /config channel."]
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return [f"#{channel.name} is not a text channel. Choose one with /config channel."]
    me = channel.guild.me
    if me is None:
        return []
    perms = channel.permissions_for(me)
    missing = [
        name
        for name, ok in (
            ("View Channel", perms.view_channel),
            ("Send Messages", perms.send_messages),
            ("Embed Links", perms.embed_links or not embeds),
        )
        if not ok
    ]
    if missing:
        return [f"Missing permission in #{channel.name}: {', '.join(missing)}."]
    return []


class ChannelPoster:
    """The digest poster the scheduler calls: checks first, so a broken channel costs no 403s."""

    def __init__(self, client: discord.Client, *, gateway: bool = True) -> None:
        self.client = client
        # Without a gateway (`byline digest now`) the cache stays empty: fetch over REST.
        self.gateway = gateway

    async def __call__(
        self,
        config: GuildConfig,
        digest: Digest | None,
        note: str | None,
        *,
        nonce_key: str | None = None,
    ) -> int:
        """Send the digest (or the note) and return how many messages went out."""
        if self.gateway:
            await self.client.wait_until_ready()
        if config.channel_id is None:
            raise PostProblem("No digest channel is set. Use /config channel first.")
        channel = self.client.get_channel(config.channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(config.channel_id)
            except discord.NotFound:
                channel = None
            except discord.Forbidden as exc:
                raise PostProblem(
                    "I cannot see the digest channel. Give me View Channel there."
                ) from exc
        problems = channel_problems(channel, embeds=digest is not None)  # type: ignore[arg-type]
        if problems:
            raise PostProblem(problems[0])
        assert isinstance(channel, discord.TextChannel | discord.Thread)
        messages = digest_messages(digest) if digest is not None else [nothing_new(note or "")]
        sent = 0
        for index, message in enumerate(messages):
            nonce = f"{nonce_key}.{index}" if nonce_key else None
            try:
                await send_to_channel(channel, message, nonce=nonce)
            except discord.NotFound as exc:
                raise PostProblem(
                    "The digest channel was deleted. Choose another with /config channel."
                ) from exc
            except discord.Forbidden as exc:
                raise PostProblem(
                    f"Discord refused the digest in #{channel.name}: {exc.text[:150]}."
                ) from exc
            sent += 1
        return sent
