"""World state: guilds, roles, members, channels (text, forum, threads, DMs), messages, interactions.

Each model renders itself with discord.py's own payload TypedDicts, so a shape that drifts from
what discord.py reads is a mypy error here rather than a confusing failure in a test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tests.discord.fake.common import JSONObject, now_iso, user_json

if TYPE_CHECKING:
    from discord.types.channel import (
        CategoryChannel,
        DMChannel,
        ForumChannel,
        ForumTag,
        NewsChannel,
        PermissionOverwrite,
        TextChannel,
        ThreadChannel,
        VoiceChannel,
    )
    from discord.types.channel import (
        GuildChannel as GuildChannelPayload,
    )
    from discord.types.guild import Guild as GuildPayload
    from discord.types.member import Member
    from discord.types.message import Message as MessagePayload
    from discord.types.role import Role as RolePayload
    from discord.types.threads import Thread
    from discord.types.user import User


# Channel types the fake models (Discord's numbers).
TEXT, DM, VOICE, CATEGORY, NEWS = 0, 1, 2, 4, 5
NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 10, 11, 12
FORUM = 15
THREAD_TYPES = frozenset({NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})
GUILD_CHANNEL_TYPES = frozenset({TEXT, VOICE, CATEGORY, NEWS, FORUM})
# Channel flag: a forum post needs at least one tag.
REQUIRE_TAG = 1 << 4
EPHEMERAL = 64
LOADING = 128

ThreadArchiveMinutes = Literal[60, 1440, 4320, 10080]

# An event the world announces: (event name, guild id or None for DMs, payload builder).
EventSink = Callable[[str, "int | None", Callable[[], Any]], None]
File = tuple[str, str, bytes]


@dataclass
class FakeRole:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None
    mentionable: bool = False

    def to_json(self) -> RolePayload:
        data: RolePayload = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class FakeMember:
    """A guild member (the bot is one too); dms_open=False makes DMs to them fail (50007)."""

    user_id: int
    username: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)
    dms_open: bool = True

    def user_json(self) -> User:
        return user_json(self.user_id, self.username, bot=self.bot)

    def to_json(self) -> Member:
        data: Member = {
            "user": self.user_json(),
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        if self.nick is not None:
            data["nick"] = self.nick
        return data


@dataclass
class FakeTag:
    """A forum channel's tag."""

    id: int
    name: str
    moderated: bool = False
    emoji_name: str | None = None

    def to_json(self) -> ForumTag:
        return {
            "id": str(self.id),
            "name": self.name,
            "moderated": self.moderated,
            "emoji_id": None,
            "emoji_name": self.emoji_name,
        }


@dataclass
class FakeChannel:
    """A channel: guild text/voice/category/news/forum, a thread, or a DM (type 1).

    Threads live in their guild's channels too and take their parent's overwrites.
    """

    id: int
    guild_id: int
    name: str
    type: int = TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    # target id -> (type 0 role / 1 member, allow bits, deny bits)
    overwrites: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    deleted: bool = False
    flags: int = 0
    # forum channels
    available_tags: list[FakeTag] = field(default_factory=list)
    # threads
    owner_id: int | None = None
    applied_tags: list[int] = field(default_factory=list)
    archived: bool = False
    locked: bool = False
    auto_archive_duration: ThreadArchiveMinutes = 1440
    message_count: int = 0
    created_at: str = field(default_factory=now_iso)
    # DMs (guild_id is 0)
    recipient: User | None = None
    last_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    def tag(self, name: str) -> FakeTag:
        """Return the forum tag with this name."""
        return next(t for t in self.available_tags if t.name == name)

    def _overwrites_json(self) -> list[PermissionOverwrite]:
        return [
            {"id": str(target), "type": 0 if kind == 0 else 1, "allow": str(a), "deny": str(d)}
            for target, (kind, a, d) in self.overwrites.items()
        ]

    def _last_message(self) -> str | None:
        return str(self.last_message_id) if self.last_message_id else None

    def to_json(self) -> GuildChannelPayload | DMChannel:
        """Return the channel object as GET /channels/{id} gives it."""
        if self.is_dm:
            return self.dm_json()
        return self.guild_json()

    def guild_json(self) -> GuildChannelPayload:
        """Return a guild channel or thread object."""
        if self.is_thread:
            t = self.thread_json()
            thread: ThreadChannel = {
                "id": t["id"],
                "guild_id": t["guild_id"],
                "parent_id": t["parent_id"],
                "owner_id": t["owner_id"],
                "name": t["name"],
                "type": t["type"],
                "nsfw": False,
                "last_message_id": self._last_message(),
                "rate_limit_per_user": 0,
                "message_count": t["message_count"],
                "member_count": t["member_count"],
                "total_message_sent": t["total_message_sent"],
                "thread_metadata": t["thread_metadata"],
                "flags": self.flags,
                "applied_tags": t.get("applied_tags", []),
            }
            return thread
        parent = str(self.parent_id) if self.parent_id else None
        overwrites = self._overwrites_json()
        if self.type == CATEGORY:
            category: CategoryChannel = {
                "id": str(self.id),
                "guild_id": str(self.guild_id),
                "name": self.name,
                "type": 4,
                "position": self.position,
                "permission_overwrites": overwrites,
                "nsfw": False,
                "parent_id": parent,
            }
            return category
        text: TextChannel = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": 0,
            "position": self.position,
            "permission_overwrites": overwrites,
            "nsfw": False,
            "parent_id": parent,
            "last_message_id": self._last_message(),
            "rate_limit_per_user": 0,
        }
        if self.topic is not None:
            text["topic"] = self.topic
        if self.type == TEXT:
            return text
        if self.type == NEWS:
            news: NewsChannel = {**text, "type": 5}
            return news
        if self.type == VOICE:
            voice: VoiceChannel = {
                **text,
                "type": 2,
                "bitrate": 64000,
                "user_limit": 0,
                "rtc_region": None,
                "video_quality_mode": 1,
            }
            return voice
        forum: ForumChannel = {
            **text,
            "type": 15,
            "available_tags": [t.to_json() for t in self.available_tags],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "flags": self.flags,
        }
        return forum

    def thread_json(self) -> Thread:
        """Return the thread object (type 10, 11 or 12)."""
        thread_type: Literal[10, 11, 12] = (
            10 if self.type == NEWS_THREAD else 11 if self.type == PUBLIC_THREAD else 12
        )
        data: Thread = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "type": thread_type,
            "last_message_id": self._last_message(),
            "rate_limit_per_user": 0,
            "message_count": self.message_count,
            "member_count": 1,
            "total_message_sent": self.message_count,
            "thread_metadata": {
                "archived": self.archived,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.created_at,
                "locked": self.locked,
                "create_timestamp": self.created_at,
            },
            "flags": self.flags,
            "applied_tags": [str(t) for t in self.applied_tags],
        }
        return data

    def dm_json(self) -> DMChannel:
        """Return the DM channel object."""
        assert self.recipient is not None
        return {
            "id": str(self.id),
            "name": "",
            "type": 1,
            "last_message_id": self._last_message(),
            "recipients": [self.recipient],
        }


@dataclass
class FakeGuild:
    """A guild: roles (incl. @everyone), members (incl. the bot) and channels (incl. threads)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def live_channels(self) -> list[FakeChannel]:
        """Channels that exist (threads excluded: GUILD_CREATE lists them apart)."""
        return [c for c in self.channels.values() if not c.deleted and not c.is_thread]

    def live_threads(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if not c.deleted and c.is_thread]

    def base_json(self) -> GuildPayload:
        """Return the guild object as GET /guilds/{id} gives it."""
        system = next((c.id for c in self.live_channels() if c.type == TEXT), None)
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": "",
            "application_id": None,
            "incidents_data": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.to_json() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": str(system) if system else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "nsfw_level": 0,
            "stage_instances": [],
            "guild_scheduled_events": [],
        }

    def create_json(self) -> GuildPayload:
        """Return the GUILD_CREATE payload."""
        data = self.base_json()
        data["joined_at"] = now_iso()
        data["large"] = False
        data["unavailable"] = False
        data["member_count"] = len(self.members)
        data["voice_states"] = []
        data["members"] = [m.to_json() for m in self.members.values()]
        data["channels"] = [c.guild_json() for c in self.live_channels()]
        data["threads"] = [c.thread_json() for c in self.live_threads()]
        data["presences"] = []
        data["soundboard_sounds"] = []
        return data


@dataclass
class RecordedRequest:
    """One request the fake received (path without the /api/v10 prefix)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    files: list[File] = field(default_factory=list)
    # The route template it matched ("POST /channels/{channel_id}/messages"), if any.
    route: str = ""
    # When it arrived (time.monotonic()) and the headers of the answer (rate limits).
    at: float = field(default_factory=time.monotonic)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeMessage:
    """A message the bot created, with the payloads that created and edited it."""

    id: int
    channel_id: int
    data: MessagePayload
    payload: JSONObject
    edits: list[JSONObject] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    interaction_id: int | None = None
    ephemeral: bool = False
    deleted: bool = False
    # How often a repeated nonce (enforce_nonce) answered with this message instead of a new one.
    nonce_replays: int = 0
    created_at: float = field(default_factory=time.monotonic)

    @property
    def content(self) -> str:
        return str(self.data.get("content", ""))

    @property
    def embeds(self) -> list[JSONObject]:
        return [dict(e) for e in self.data.get("embeds", [])]

    @property
    def allowed_mentions(self) -> JSONObject | None:
        """Return allowed_mentions of the latest create/edit payload that set it."""
        for payload in [*reversed(self.edits), self.payload]:
            if "allowed_mentions" in payload:
                return dict(payload["allowed_mentions"])
        return None


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    payload: JSONObject
    created_at: float = field(default_factory=time.monotonic)
    callbacks: list[JSONObject] = field(default_factory=list)
    original: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    expired: bool = False

    @property
    def callback(self) -> JSONObject | None:
        return self.callbacks[0] if self.callbacks else None

    @property
    def guild_id(self) -> int | None:
        value = self.payload.get("guild_id")
        return int(value) if value is not None else None

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])


@dataclass
class StandardGuild:
    """What FakeDiscord.seed_standard_guild creates."""

    guild: FakeGuild
    general: FakeChannel
    news: FakeChannel
    no_send: FakeChannel
    no_embeds: FakeChannel
    admin: FakeMember
    member: FakeMember
