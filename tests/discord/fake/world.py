"""The world a test builds: guilds, members, channels, forums, DMs, and the messages in them.

Every change a connected client should hear about is announced through ``emit``; the gateway
routes it to the shard that owns the guild.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from tests.discord.fake.common import JSONObject, SnowflakeFactory, now_iso, user_json
from tests.discord.fake.mentions import resolve_mentions
from tests.discord.fake.models import (
    DM,
    EPHEMERAL,
    FORUM,
    GUILD_CHANNEL_TYPES,
    LOADING,
    PUBLIC_THREAD,
    REQUIRE_TAG,
    TEXT,
    THREAD_TYPES,
    EventSink,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeTag,
    File,
    RecordedRequest,
    StandardGuild,
    ThreadArchiveMinutes,
)
from tests.discord.fake.permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    EMBED_LINKS,
    MANAGE_GUILD,
    SEND_MESSAGES,
)

if TYPE_CHECKING:
    from discord.types.message import Message as MessagePayload
    from discord.types.message import MessageType
    from discord.types.user import User


logger = logging.getLogger(__name__)

# Discord checks a repeated nonce "in the past few minutes"; the fake remembers it this long.
NONCE_WINDOW_S = 5 * 60


def shard_for(guild_id: int, shard_count: int) -> int:
    """Return the shard that owns a guild (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def guild_id_on_shard(snowflake: SnowflakeFactory, shard_id: int, shard_count: int) -> int:
    """Return a new snowflake that shard `shard_id` of `shard_count` owns as a guild id."""
    base = snowflake()
    ms = base >> 22
    ms += (shard_id - ms % shard_count) % shard_count
    return (ms << 22) | (base & 0x3FFFFF)


def _no_emit(event: str, guild_id: int | None, build: Callable[[], Any]) -> None:
    """Drop events while no gateway is attached."""


class World:
    """Everything the fake knows, and the ways a test changes it."""

    def __init__(
        self,
        *,
        snowflake: SnowflakeFactory,
        bot_id: int,
        bot_name: str,
        shard_count: int = 1,
        nonce_window_s: float = NONCE_WINDOW_S,
    ) -> None:
        self.snowflake = snowflake
        self.bot_id = bot_id
        self.application_id = bot_id
        self.bot_name = bot_name
        self.shard_count = shard_count
        self.nonce_window_s = nonce_window_s
        self.api_base = ""
        self.guilds: dict[int, FakeGuild] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.commands: dict[int | None, list[JSONObject]] = {}
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        self.emit: EventSink = _no_emit

    def record_error(self, message: str) -> None:
        """Remember something the fake does not implement (the fixture fails the test on it)."""
        self.errors.append(message)
        logger.error("FakeDiscord: %s", message)

    # ------------------------------------------------------------------ building

    def add_guild(
        self,
        name: str = "Test guild",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        shard_id: int | None = None,
    ) -> FakeGuild:
        """Create a guild with @everyone, an owner, and the bot (with a managed role).

        shard_id picks an id that this shard (of the world's shard_count) owns.
        """
        if guild_id is None and shard_id is not None:
            guild_id = guild_id_on_shard(self.snowflake, shard_id, self.shard_count)
        gid = guild_id or self.snowflake()
        owner = owner_id or self.snowflake()
        guild = FakeGuild(id=gid, name=name, owner_id=owner)
        guild.roles[gid] = FakeRole(id=gid, name="@everyone", permissions=everyone_permissions)
        bot_role = FakeRole(
            id=self.snowflake(),
            name=self.bot_name,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner] = FakeMember(user_id=owner, username="owner")
        guild.members[self.bot_id] = FakeMember(
            user_id=self.bot_id, username=self.bot_name, roles=[bot_role.id], bot=True
        )
        self.guilds[gid] = guild
        self.emit("GUILD_CREATE", gid, guild.create_json)
        return guild

    def bot_role(self, guild_id: int) -> FakeRole:
        """Return the bot's managed role in a guild."""
        guild = self.guilds[guild_id]
        return next(r for r in guild.roles.values() if r.bot_id == self.bot_id)

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> FakeRole:
        """Add a role to a guild."""
        guild = self.guilds[guild_id]
        role = FakeRole(
            id=self.snowflake(), name=name, permissions=permissions, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        self.emit(
            "GUILD_ROLE_CREATE",
            guild_id,
            lambda: {"guild_id": str(guild_id), "role": role.to_json()},
        )
        return role

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions (dispatches GUILD_ROLE_UPDATE when connected)."""
        role = self.guilds[guild_id].roles[role_id]
        role.permissions = permissions
        self.emit(
            "GUILD_ROLE_UPDATE",
            guild_id,
            lambda: {"guild_id": str(guild_id), "role": role.to_json()},
        )

    def add_member(
        self,
        guild_id: int,
        username: str,
        *,
        user_id: int | None = None,
        roles: Iterable[int] = (),
        permissions: int | None = None,
        dms_open: bool = True,
    ) -> FakeMember:
        """Add a member; permissions (if given) come from a new role named after them."""
        guild = self.guilds[guild_id]
        role_ids = list(roles)
        if permissions is not None:
            role_ids.append(self.add_role(guild_id, f"{username} role", permissions).id)
        member = FakeMember(
            user_id=user_id or self.snowflake(),
            username=username,
            roles=role_ids,
            dms_open=dms_open,
        )
        guild.members[member.user_id] = member
        return member

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        channel_id: int | None = None,
        type: int = TEXT,
        parent_id: int | None = None,
        topic: str | None = None,
    ) -> FakeChannel:
        """Add a channel (type 0 text, 2 voice, 4 category, 5 news, 15 forum)."""
        if type not in GUILD_CHANNEL_TYPES:
            raise ValueError(f"channel type {type} is not implemented by the fake")
        guild = self.guilds[guild_id]
        channel = FakeChannel(
            id=channel_id or self.snowflake(),
            guild_id=guild_id,
            name=name,
            type=type,
            position=len(guild.channels),
            parent_id=parent_id,
            topic=topic,
        )
        guild.channels[channel.id] = channel
        self.emit("CHANNEL_CREATE", guild_id, channel.to_json)
        return channel

    def add_forum(
        self,
        guild_id: int,
        name: str,
        tags: Iterable[str] = (),
        *,
        require_tag: bool = False,
        moderated: Iterable[str] = (),
    ) -> FakeChannel:
        """Add a forum channel (type 15) with these tags; require_tag sets REQUIRE_TAG."""
        moderated_names = set(moderated)
        guild = self.guilds[guild_id]
        forum = FakeChannel(
            id=self.snowflake(),
            guild_id=guild_id,
            name=name,
            type=FORUM,
            position=len(guild.channels),
            flags=REQUIRE_TAG if require_tag else 0,
            available_tags=[
                FakeTag(id=self.snowflake(), name=t, moderated=t in moderated_names) for t in tags
            ],
        )
        guild.channels[forum.id] = forum
        self.emit("CHANNEL_CREATE", guild_id, forum.to_json)
        return forum

    def add_thread(
        self,
        parent_id: int,
        name: str,
        *,
        type: int = PUBLIC_THREAD,
        thread_id: int | None = None,
        owner_id: int | None = None,
        applied_tags: Iterable[int] = (),
        auto_archive_minutes: ThreadArchiveMinutes = 1440,
    ) -> FakeChannel:
        """Add a thread (or, in a forum, a post without its message) under a channel."""
        if type not in THREAD_TYPES:
            raise ValueError(f"{type} is not a thread type")
        parent = self.channel(parent_id)
        thread = FakeChannel(
            id=thread_id or self.snowflake(),
            guild_id=parent.guild_id,
            name=name,
            type=type,
            parent_id=parent.id,
            owner_id=owner_id or self.bot_id,
            auto_archive_duration=auto_archive_minutes,
            applied_tags=list(applied_tags),
        )
        self.guilds[parent.guild_id].channels[thread.id] = thread
        self.emit(
            "THREAD_CREATE",
            thread.guild_id,
            lambda: {**thread.guild_json(), "newly_created": True},
        )
        return thread

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a channel overwrite for a role or member (dispatches CHANNEL_UPDATE)."""
        channel = self.channel(channel_id)
        guild = self.guilds[channel.guild_id]
        kind = 0 if target_id in guild.roles else 1
        channel.overwrites[target_id] = (kind, allow, deny)
        self.emit("CHANNEL_UPDATE", channel.guild_id, channel.to_json)

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Deny the bot some permissions in one channel via a member overwrite."""
        self.set_overwrite(channel_id, self.bot_id, deny=permissions)

    def delete_channel(self, channel_id: int) -> None:
        """Delete a channel: later requests to it get 404 Unknown Channel (10003)."""
        channel = self.channel(channel_id)
        channel.deleted = True
        event = "THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE"
        self.emit(event, channel.guild_id, channel.to_json)

    def remove_guild(self, guild_id: int) -> None:
        """Remove the bot from a guild (GUILD_DELETE without unavailable)."""
        self.guilds.pop(guild_id)
        self.emit("GUILD_DELETE", guild_id, lambda: {"id": str(guild_id)})

    def close_dms(self, user_id: int, closed: bool = True) -> None:
        """Make DMs to this user fail with 403 50007 (privacy settings), or open them again."""
        found = False
        for guild in self.guilds.values():
            if user_id in guild.members:
                guild.members[user_id].dms_open = not closed
                found = True
        if not found:
            raise KeyError(user_id)

    def seed_standard_guild(self) -> StandardGuild:
        """Create a guild with #general, #news, #no-send, #no-embeds, an admin and a plain member."""
        guild = self.add_guild("Byline Test")
        general = self.add_channel(guild.id, "general")
        news = self.add_channel(guild.id, "news")
        no_send = self.add_channel(guild.id, "no-send")
        self.deny_bot(no_send.id, SEND_MESSAGES)
        no_embeds = self.add_channel(guild.id, "no-embeds")
        self.deny_bot(no_embeds.id, EMBED_LINKS)
        admin = self.add_member(guild.id, "admin", permissions=MANAGE_GUILD)
        member = self.add_member(guild.id, "reader")
        return StandardGuild(guild, general, news, no_send, no_embeds, admin, member)

    # ------------------------------------------------------------------ looking up

    def channel(self, channel_id: int) -> FakeChannel:
        """Return a channel (guild channel, thread or DM), deleted or not."""
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        if channel_id in self.dm_channels:
            return self.dm_channels[channel_id]
        raise KeyError(channel_id)

    def member(self, user_id: int) -> FakeMember | None:
        """Return the user as a member of any guild the bot shares with them."""
        for guild in self.guilds.values():
            if user_id in guild.members:
                return guild.members[user_id]
        return None

    def dm_channel(
        self, user_id: int, *, channel_id: int | None = None, username: str | None = None
    ) -> FakeChannel:
        """Return the bot's DM channel with a user, opening it the first time."""
        for channel in self.dm_channels.values():
            if channel.recipient is not None and int(channel.recipient["id"]) == user_id:
                return channel
        member = self.member(user_id)
        name = username or (member.username if member else "user")
        channel = FakeChannel(
            id=channel_id or self.snowflake(),
            guild_id=0,
            name="",
            type=DM,
            recipient=user_json(user_id, name),
        )
        self.dm_channels[channel.id] = channel
        return channel

    def channel_messages(
        self, channel_id: int, *, include_deleted: bool = False
    ) -> list[FakeMessage]:
        """Messages visible in a channel (channel sends and non-ephemeral interaction replies)."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id and not m.ephemeral and (include_deleted or not m.deleted)
        ]

    def threads_of(self, channel_id: int) -> list[FakeChannel]:
        """Threads (and forum posts) whose parent is this channel."""
        channel = self.channel(channel_id)
        guild = self.guilds[channel.guild_id]
        return [c for c in guild.live_threads() if c.parent_id == channel_id]

    def guild_commands(self, guild_id: int | None) -> list[JSONObject]:
        """The commands the bot registered for a guild (None: global)."""
        return list(self.commands.get(guild_id, []))

    # ------------------------------------------------------------------ messages

    def nonce_message(self, channel_id: int, nonce: str) -> FakeMessage | None:
        """The bot's live message in this channel that used this nonce within the window."""
        now = time.monotonic()
        for message in reversed(self.messages.values()):
            if now - message.created_at > self.nonce_window_s:
                break
            if (
                message.channel_id == channel_id
                and not message.deleted
                and message.data.get("nonce") == nonce
            ):
                return message
        return None

    def message_json(
        self,
        message_id: int,
        channel: FakeChannel,
        payload: JSONObject,
        files: list[File],
        *,
        message_type: MessageType = 0,
        interaction: FakeInteraction | None = None,
    ) -> MessagePayload:
        """Build the message object Discord answers for a create."""
        channel_id = channel.id
        mentions = resolve_mentions(self, channel, payload)
        data: MessagePayload = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": user_json(self.bot_id, self.bot_name, bot=True),
            "content": payload.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": mentions.everyone,
            "mentions": mentions.users,
            "mention_roles": mentions.roles,
            "attachments": [
                {
                    "id": str(self.snowflake()),
                    "filename": filename,
                    "size": len(content),
                    "url": f"{self.api_base}/attachments/{channel_id}/{filename}",
                    "proxy_url": f"{self.api_base}/attachments/{channel_id}/{filename}",
                }
                for _, filename, content in files
            ],
            "embeds": [normalise_embed(e) for e in payload.get("embeds") or []],
            "pinned": False,
            "type": message_type,
            "flags": int(payload.get("flags") or 0),
            "components": payload.get("components") or [],
        }
        if "nonce" in payload:
            data["nonce"] = payload["nonce"]
        if not channel.is_dm:
            data["guild_id"] = str(channel.guild_id)
        if interaction is not None:
            payload_user = interaction.payload.get("member", {}).get("user")
            user: User = payload_user or interaction.payload["user"]
            data["webhook_id"] = str(self.application_id)
            data["application_id"] = str(self.application_id)
            owners = interaction.payload.get("authorizing_integration_owners", {})
            if interaction.type == 3:
                data["interaction_metadata"] = {
                    "id": str(interaction.id),
                    "type": 3,
                    "user": user,
                    "authorizing_integration_owners": owners,
                    "interacted_message_id": interaction.payload["message"]["id"],
                }
            else:
                data["interaction_metadata"] = {
                    "id": str(interaction.id),
                    "type": 2,
                    "user": user,
                    "authorizing_integration_owners": owners,
                }
        return data

    def create_message(
        self,
        channel: FakeChannel,
        payload: JSONObject,
        files: list[File],
        *,
        message_type: MessageType = 0,
        interaction: FakeInteraction | None = None,
        message_id: int | None = None,
    ) -> FakeMessage:
        """Store a new message and announce it (MESSAGE_CREATE) unless it is ephemeral."""
        message_id = message_id or self.snowflake()
        data = self.message_json(
            message_id,
            channel,
            payload,
            files,
            message_type=message_type,
            interaction=interaction,
        )
        message = FakeMessage(
            id=message_id,
            channel_id=channel.id,
            data=data,
            payload=payload,
            files=files,
            interaction_id=interaction.id if interaction else None,
            ephemeral=bool(data.get("flags", 0) & EPHEMERAL),
        )
        self.messages[message_id] = message
        if not message.ephemeral:
            channel.last_message_id = message_id
            if channel.is_thread:
                channel.message_count += 1
            guild_id = None if channel.is_dm else channel.guild_id
            self.emit("MESSAGE_CREATE", guild_id, lambda: dict(data))
        return message

    def edit_message(
        self, message: FakeMessage, payload: JSONObject, files: list[File]
    ) -> MessagePayload:
        """Apply an edit payload to a stored message."""
        message.edits.append(payload)
        data = message.data
        if payload.get("content") is not None:
            data["content"] = str(payload["content"])
            channel = self.channel(message.channel_id)
            # An edit re-parses the new content with the edit's (or else the first) allowed_mentions.
            allowed = payload.get("allowed_mentions", message.payload.get("allowed_mentions"))
            parsed = {"content": data["content"]}
            if allowed is not None:
                parsed["allowed_mentions"] = allowed
            mentions = resolve_mentions(self, channel, parsed)
            data["mention_everyone"] = mentions.everyone
            data["mentions"] = mentions.users
            data["mention_roles"] = mentions.roles
        if payload.get("components") is not None:
            data["components"] = payload["components"]
        if payload.get("flags") is not None:
            data["flags"] = int(payload["flags"])
        if "embeds" in payload:
            data["embeds"] = [normalise_embed(e) for e in payload["embeds"] or []]
        if files:
            message.files.extend(files)
        data["edited_timestamp"] = now_iso()
        return data

    def end_loading(self, message: FakeMessage) -> None:
        """Clear the LOADING flag (an edit of a deferred response ends "thinking")."""
        message.data["flags"] = int(message.data.get("flags") or 0) & ~LOADING


def normalise_embed(embed: JSONObject) -> Any:
    """Return the embed as Discord stores it (with its type)."""
    return {"type": "rich", **embed}
