"""Post a digest to a server's channel, turning Discord's refusals into recorded problems."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.discord_app.render import (
    Message,
    digest_messages,
    nothing_new,
    ping_prefix,
    styled_digest_messages,
    styled_item_embed,
    thread_name,
)
from bot.discord_app.replies import NO_MENTIONS, send_to_channel
from bot.domain import Digest, DigestItem, GuildConfig, PostSettings
from bot.errors import PostProblem

SettingsOf = Callable[[int], Awaitable[PostSettings]]
FORUM_TAGS_MAX = 5

logger = logging.getLogger(__name__)


def channel_problems(
    channel: discord.abc.GuildChannel | discord.Thread | None,
    *,
    embeds: bool = True,
    thread: bool = False,
) -> list[str]:
    """Why the bot cannot post digests in a channel (empty when it can)."""
    if channel is None:
        return ["The digest channel was deleted. Choose another with /config channel."]
    if not isinstance(channel, discord.TextChannel | discord.Thread | discord.ForumChannel):
        return [f"#{channel.name} is not a text or forum channel. Choose one with /config channel."]
    me = channel.guild.me
    if me is None:
        return []
    perms = channel.permissions_for(me)
    sends = perms.send_messages_in_threads if isinstance(channel, discord.Thread) else True
    missing = [
        name
        for name, ok in (
            ("View Channel", perms.view_channel),
            ("Send Messages", perms.send_messages and sends),
            ("Embed Links", perms.embed_links or not embeds),
            (
                "Create Public Threads",
                perms.create_public_threads
                or not (thread and isinstance(channel, discord.TextChannel)),
            ),
        )
        if not ok
    ]
    if missing:
        return [f"Missing permission in #{channel.name}: {', '.join(missing)}."]
    return []


class ChannelPoster:
    """The digest poster the scheduler calls: checks first, so a broken channel costs no 403s."""

    def __init__(
        self,
        client: discord.Client,
        *,
        gateway: bool = True,
        settings_of: SettingsOf | None = None,
    ) -> None:
        self.client = client
        # Without a gateway (`byline digest now`) the cache stays empty: fetch over REST.
        self.gateway = gateway
        self.settings_of = settings_of

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
        style = (
            await self.settings_of(config.guild_id)
            if self.settings_of is not None and digest is not None
            else None
        )
        problems = channel_problems(
            channel,  # type: ignore[arg-type]
            embeds=digest is not None,
            thread=bool(style and style.thread_per_digest),
        )
        if problems:
            raise PostProblem(problems[0])
        if isinstance(channel, discord.ForumChannel):
            # A forum holds posts, not messages: each article is its own post, and a
            # "nothing new" line would be an empty post, so it is left out.
            if digest is None:
                return 0
            return await post_to_forum(channel, digest, style or PostSettings(config.guild_id))
        assert isinstance(channel, discord.TextChannel | discord.Thread)
        if digest is None:
            messages = [nothing_new(note or "")]
        elif style is None:
            messages = digest_messages(digest)
        else:
            messages = styled_digest_messages(digest, style)
        sent = 0
        first: discord.Message | None = None
        for index, message in enumerate(messages):
            mentions = role_mentions(style) if sent == 0 else NO_MENTIONS
            # The same nonce for the same slot and message: a retried post is not posted twice.
            nonce = f"{nonce_key}.{index}" if nonce_key else None
            try:
                posted = await send_message(channel, message, mentions, nonce=nonce)
            except discord.NotFound as exc:
                raise PostProblem(
                    "The digest channel was deleted. Choose another with /config channel."
                ) from exc
            except discord.Forbidden as exc:
                raise PostProblem(
                    f"Discord refused the digest in #{channel.name}: {exc.text[:150]}."
                ) from exc
            first = first or posted
            sent += 1
        if style and style.thread_per_digest and first and isinstance(channel, discord.TextChannel):
            await open_digest_thread(first, digest)
        return sent


def role_mentions(style: PostSettings | None) -> discord.AllowedMentions:
    """Mentions allowed on a digest: exactly the chosen role, never @everyone or a user."""
    if style is None or style.ping_role_id is None:
        return NO_MENTIONS
    return discord.AllowedMentions(
        everyone=False,
        users=False,
        roles=[discord.Object(id=style.ping_role_id)],
        replied_user=False,
    )


async def send_message(
    channel: discord.abc.Messageable,
    message: Message,
    mentions: discord.AllowedMentions,
    *,
    nonce: str | None = None,
) -> discord.Message:
    """Post one prepared message with exactly these mentions allowed."""
    if mentions is NO_MENTIONS:
        return await send_to_channel(channel, message, nonce=nonce)
    if nonce is None:
        return await channel.send(
            content=message.content, embeds=message.embeds, allowed_mentions=mentions
        )
    return await channel.send(
        content=message.content, embeds=message.embeds, allowed_mentions=mentions, nonce=nonce
    )


async def open_digest_thread(first: discord.Message, digest: Digest | None) -> None:
    """A discussion thread on the digest's first message; failing to open one is only logged."""
    day = digest.generated_at.date().isoformat() if digest is not None else ""
    try:
        await first.create_thread(name=thread_name(f"Byline digest {day}".strip()))
    except discord.HTTPException as exc:
        # The digest itself was posted; a missing thread is not worth failing the slot.
        logger.warning("could not open a digest thread in %s: %s", first.channel.id, exc.text)


def forum_tags(forum: discord.ForumChannel, item: DigestItem) -> list[discord.ForumTag]:
    """The forum's tags named like the article's source or its top people (at most 5)."""
    usable = [t for t in forum.available_tags if not t.moderated]
    by_name = {t.name.casefold(): t for t in usable}
    wanted = [item.ref.source or "", *item.people[:3]]
    tags: list[discord.ForumTag] = []
    for name in wanted:
        tag = by_name.get(name.casefold().strip())
        if tag is not None and tag not in tags:
            tags.append(tag)
    if not tags and forum.flags.require_tag and usable:
        tags = [usable[0]]  # the forum insists on a tag; its first one is the neutral choice
    return tags[:FORUM_TAGS_MAX]


async def post_to_forum(forum: discord.ForumChannel, digest: Digest, style: PostSettings) -> int:
    """Each article a forum post titled with its headline; the first post carries the ping."""
    posted = 0
    for item in digest.items:
        content = ping_prefix(style).strip() if posted == 0 else ""
        try:
            await forum.create_thread(
                name=thread_name(item.ref.title or f"Article #{item.ref.id}"),
                content=content or None,
                embeds=[styled_item_embed(item, style)],
                applied_tags=forum_tags(forum, item),
                allowed_mentions=role_mentions(style) if content else NO_MENTIONS,
            )
        except discord.NotFound as exc:
            raise PostProblem(
                "The digest forum was deleted. Choose another channel with /config channel."
            ) from exc
        except discord.HTTPException as exc:
            if posted == 0:
                raise PostProblem(
                    f"Discord refused the digest in #{forum.name}: {exc.text[:150]}."
                ) from exc
            # Earlier posts are up: going on (not failing the slot) keeps them from repeating.
            logger.warning("forum post for article #%d refused: %s", item.ref.id, exc.text)
            continue
        posted += 1
    return posted


def ping_problems(guild: discord.Guild, style: PostSettings) -> list[str]:
    """Why a digest's role ping would not notify anyone (empty when it would)."""
    if style.ping_role_id is None:
        return []
    role = guild.get_role(style.ping_role_id)
    if role is None:
        return ["The digest ping role was deleted. Choose another with /config ping."]
    me = guild.me
    can_mention_any = me is not None and me.guild_permissions.mention_everyone
    if not role.mentionable and not can_mention_any:
        return [
            f"The role @{role.name} is not mentionable, so digests do not notify it. "
            "Make it mentionable or give me Mention @everyone, @here, and All Roles."
        ]
    return []
