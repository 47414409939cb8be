"""FakeDiscord: a small Discord-compatible server (REST v10 + gateway) for tests.

It speaks Discord's JSON shapes (as read by discord.py 2.7) on 127.0.0.1, keeps what the bot
sends so tests can read it back, and fails loudly on anything it does not implement: such a
request gets HTTP 599, a log line at ERROR and an entry in ``FakeDiscord.errors`` (the
``fake_discord`` fixture fails the test when that list is not empty).

Facts about discord.py 2.7.1 this relies on (checked in its source):
- a body is parsed as JSON only when Content-Type is exactly ``application/json``
  (``http.json_or_text``), so every JSON answer here uses exactly that;
- a 429 without a ``Via`` header is treated as a Cloudflare ban (``HTTPException``, no retry),
  so injected 429s carry ``Via`` plus ``retry_after`` and ``X-RateLimit-*``;
- the client asks for ``compress=zlib-stream`` but decompresses only binary frames and reads
  text frames as plain JSON, so the gateway sends uncompressed text frames.

Run standalone: ``python -m tests.discord.fake_server --port 8123 --guilds 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from aiohttp import WSMsgType, web

logger = logging.getLogger(__name__)

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"
UNIMPLEMENTED_STATUS = 599

P = discord.Permissions
ALL_PERMISSIONS = P.all().value
ADMINISTRATOR = P(administrator=True).value
VIEW_CHANNEL = P(view_channel=True).value
SEND_MESSAGES = P(send_messages=True).value
EMBED_LINKS = P(embed_links=True).value
ATTACH_FILES = P(attach_files=True).value
MANAGE_GUILD = P(manage_guild=True).value
DEFAULT_EVERYONE_PERMISSIONS = P(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    read_message_history=True,
    use_application_commands=True,
    create_instant_invite=True,
    change_nickname=True,
    connect=True,
    speak=True,
).value
DEFAULT_BOT_PERMISSIONS = P(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    use_application_commands=True,
).value
PRIVILEGED_INTENTS = discord.Intents(members=True, presences=True, message_content=True).value
GUILD_MESSAGES_INTENT = discord.Intents(guild_messages=True).value

# Discord's limits for a message (content and embeds), as documented for the API.
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_FIELDS_MAX = 25
EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}
AUTOCOMPLETE_CHOICES_MAX = 25

# Default bodies for injected failures, shaped like Discord's.
DEFAULT_ERROR_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "400: Bad Request", "code": 0},
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "404: Not Found", "code": 0},
    500: {"message": "500: Internal Server Error", "code": 0},
    502: {"message": "502: Bad Gateway", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
}


def now_iso() -> str:
    """Return the current UTC time in Discord's ISO 8601 form."""
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Make increasing Discord snowflakes from the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def user_json(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
    """Build a Discord user object."""
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


# --------------------------------------------------------------------------- model


@dataclass
class FakeRole:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
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
            "mentionable": False,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class FakeMember:
    """A guild member (the bot is one too)."""

    user_id: int
    username: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)

    def user_json(self) -> dict[str, Any]:
        return user_json(self.user_id, self.username, bot=self.bot)

    def to_json(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_json()
        return data


@dataclass
class FakeChannel:
    """A guild channel with its permission overwrites (type 0 = text)."""

    id: int
    guild_id: int
    name: str
    type: int = 0
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    # target id -> (type 0 role / 1 member, allow bits, deny bits)
    overwrites: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [
                {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}
                for target, (kind, allow, deny) in self.overwrites.items()
            ],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    """A guild: roles (incl. @everyone), members (incl. the bot) and channels."""

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
        return [c for c in self.channels.values() if not c.deleted]

    def base_json(self) -> dict[str, Any]:
        """Return the guild object as GET /guilds/{id} gives it."""
        system = next((c.id for c in self.live_channels() if c.type == 0), None)
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
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
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def create_json(self) -> dict[str, Any]:
        """Return the GUILD_CREATE payload."""
        data = self.base_json()
        data.update(
            joined_at=now_iso(),
            large=False,
            unavailable=False,
            member_count=len(self.members),
            voice_states=[],
            members=[m.to_json() for m in self.members.values()],
            channels=[c.to_json() for c in self.live_channels()],
            threads=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
        )
        return data

    def permissions_for(self, user_id: int, channel_id: int | None = None) -> int:
        """Compute a member's permissions the way Discord does (base, then overwrites)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        if member is None:
            return 0
        perms = self.everyone.permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        channel = self.channels.get(channel_id) if channel_id is not None else None
        if channel is None:
            return perms
        if self.id in channel.overwrites:
            _, allow, deny = channel.overwrites[self.id]
            perms = (perms & ~deny) | allow
        role_allow = role_deny = 0
        for role_id in member.roles:
            if role_id in channel.overwrites:
                _, allow, deny = channel.overwrites[role_id]
                role_allow |= allow
                role_deny |= deny
        perms = (perms & ~role_deny) | role_allow
        if user_id in channel.overwrites:
            _, allow, deny = channel.overwrites[user_id]
            perms = (perms & ~deny) | allow
        if not perms & VIEW_CHANNEL:
            return 0
        return perms


@dataclass
class RecordedRequest:
    """One request the fake received (path without the /api/v10 prefix)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    files: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass
class FakeMessage:
    """A message the bot created, with the payloads that created and edited it."""

    id: int
    channel_id: int
    data: dict[str, Any]
    payload: dict[str, Any]
    edits: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    interaction_id: int | None = None
    ephemeral: bool = False
    deleted: bool = False

    @property
    def content(self) -> str:
        return str(self.data.get("content", ""))

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds", []))

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
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
    payload: dict[str, Any]
    created_at: float = field(default_factory=time.monotonic)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    expired: bool = False

    @property
    def callback(self) -> dict[str, Any] | None:
        return self.callbacks[0] if self.callbacks else None


@dataclass
class FailureRule:
    """An injected failure for the next matching request(s)."""

    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class GatewaySession:
    """A gateway session: its sequence, its event buffer (for RESUME) and its socket."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    sent_seq: int = 0
    ready_seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    request: web.Request | None = None
    valid: bool = True
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    writer: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        """Connected, and READY (or RESUMED) with everything before it was written."""
        return self.ws is not None and self.sent_seq >= self.ready_seq


class DiscordError(Exception):
    """An error answer in Discord's shape."""

    def __init__(self, status: int, message: str, code: int = 0, errors: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def _form_error(path: str, code: str, message: str) -> DiscordError:
    return DiscordError(
        400, "Invalid Form Body", 50035, {path: {"_errors": [{"code": code, "message": message}]}}
    )


def validate_message_payload(payload: dict[str, Any], *, has_files: bool, creating: bool) -> None:
    """Raise the DiscordError Discord would answer for an invalid message payload."""
    content = payload.get("content") or ""
    if len(content) > CONTENT_MAX:
        raise _form_error(
            "content", "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_MAX} or fewer in length."
        )
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        raise _form_error(
            "embeds", "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length."
        )
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in EMBED_TEXT_LIMITS.items():
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                raise _form_error(
                    f"embeds.{i}.{key}",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            text = (embed.get(key) or {}).get(sub) or ""
            total += len(text)
            if len(text) > limit:
                raise _form_error(
                    f"embeds.{i}.{key}.{sub}",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            raise _form_error(
                f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = fld.get(key) or ""
                total += len(text)
                if not text.strip():
                    raise _form_error(
                        f"embeds.{i}.fields.{j}.{key}",
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                if len(text) > limit:
                    raise _form_error(
                        f"embeds.{i}.fields.{j}.{key}",
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
    if total > EMBED_TOTAL_MAX:
        raise _form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    if creating and not (
        content
        or embeds
        or has_files
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        raise DiscordError(400, "Cannot send an empty message", 50006)


# --------------------------------------------------------------------------- server


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


Handler = Callable[[web.Request, "re.Match[str]", RecordedRequest], Any]


class FakeDiscord:
    """A Discord-compatible REST + gateway server on 127.0.0.1 for the real discord.py client."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int | None = None,
        bot_name: str = "Byline",
        heartbeat_interval_ms: int = 41250,
        allowed_privileged_intents: int = 0,
        callback_deadline_s: float | None = 3.0,
        token_ttl_s: float = 15 * 60,
    ) -> None:
        self.snowflake = SnowflakeFactory()
        self.token = token
        self.bot_id = bot_id or self.snowflake()
        self.application_id = self.bot_id
        self.bot_name = bot_name
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged_intents = allowed_privileged_intents
        self.callback_deadline_s = callback_deadline_s
        self.token_ttl_s = token_ttl_s

        self.guilds: dict[int, FakeGuild] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.identify_count = 0
        self.resume_count = 0
        self.session: GatewaySession | None = None
        self._sessions: dict[str, GatewaySession] = {}
        self._failures: list[FailureRule] = []
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> FakeDiscord:
        """Start serving on 127.0.0.1 (port 0 picks a free one)."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_route("*", "/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", port)
        await self._site.start()
        server = self._site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        logger.info("FakeDiscord listening on %s", self.api_base)
        return self

    async def stop(self) -> None:
        """Close gateway sockets and stop the server."""
        for session in self._sessions.values():
            if session.ws is not None and not session.ws.closed:
                with contextlib.suppress(Exception):
                    await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """The value for BYLINE_DISCORD__API_BASE / use_api_base()."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def bot_user(self) -> dict[str, Any]:
        data = user_json(self.bot_id, self.bot_name, bot=True)
        data.update(verified=True, flags=0, mfa_enabled=False)
        return data

    # ------------------------------------------------------------------ configuration

    def add_guild(
        self,
        name: str = "Test guild",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
    ) -> FakeGuild:
        """Create a guild with @everyone, an owner, and the bot (with a managed role)."""
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
        self._dispatch_soon("GUILD_CREATE", guild.create_json)
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
        self._dispatch_soon(
            "GUILD_ROLE_CREATE", lambda: {"guild_id": str(guild_id), "role": role.to_json()}
        )
        return role

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions (dispatches GUILD_ROLE_UPDATE when connected)."""
        role = self.guilds[guild_id].roles[role_id]
        role.permissions = permissions
        self._dispatch_soon(
            "GUILD_ROLE_UPDATE", lambda: {"guild_id": str(guild_id), "role": role.to_json()}
        )

    def add_member(
        self,
        guild_id: int,
        username: str,
        *,
        user_id: int | None = None,
        roles: Iterable[int] = (),
        permissions: int | None = None,
    ) -> FakeMember:
        """Add a member; permissions (if given) come from a new role named after them."""
        guild = self.guilds[guild_id]
        role_ids = list(roles)
        if permissions is not None:
            role_ids.append(self.add_role(guild_id, f"{username} role", permissions).id)
        member = FakeMember(user_id=user_id or self.snowflake(), username=username, roles=role_ids)
        guild.members[member.user_id] = member
        return member

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        channel_id: int | None = None,
        type: int = 0,
        parent_id: int | None = None,
    ) -> FakeChannel:
        """Add a channel (type 0 text, 2 voice, 4 category, 5 news, 15 forum)."""
        guild = self.guilds[guild_id]
        channel = FakeChannel(
            id=channel_id or self.snowflake(),
            guild_id=guild_id,
            name=name,
            type=type,
            position=len(guild.channels),
            parent_id=parent_id,
        )
        guild.channels[channel.id] = channel
        self._dispatch_soon("CHANNEL_CREATE", channel.to_json)
        return channel

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a channel overwrite for a role or member (dispatches CHANNEL_UPDATE)."""
        channel = self.channel(channel_id)
        guild = self.guilds[channel.guild_id]
        kind = 0 if target_id in guild.roles else 1
        channel.overwrites[target_id] = (kind, allow, deny)
        self._dispatch_soon("CHANNEL_UPDATE", channel.to_json)

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Deny the bot some permissions in one channel via a member overwrite."""
        self.set_overwrite(channel_id, self.bot_id, deny=permissions)

    def delete_channel(self, channel_id: int) -> None:
        """Delete a channel: later requests to it get 404 Unknown Channel (10003)."""
        channel = self.channel(channel_id)
        channel.deleted = True
        self._dispatch_soon("CHANNEL_DELETE", channel.to_json)

    def remove_guild(self, guild_id: int) -> None:
        """Remove the bot from a guild (GUILD_DELETE without unavailable)."""
        self.guilds.pop(guild_id)
        self._dispatch_soon("GUILD_DELETE", lambda: {"id": str(guild_id)})

    def channel(self, channel_id: int) -> FakeChannel:
        """Return a channel, deleted or not."""
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        raise KeyError(channel_id)

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

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests matching method and path (fullmatch, no /api/v10)."""
        if body is None:
            if status == 429:
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": 0.2,
                    "global": False,
                }
            else:
                body = DEFAULT_ERROR_BODIES.get(status, {"message": f"{status}", "code": 0})
        all_headers: dict[str, str] = {}
        if status == 429:
            retry_after = float(body.get("retry_after", 0.2)) if isinstance(body, dict) else 0.2
            all_headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Bucket": "fakebucket",
                "X-RateLimit-Scope": "user",
            }
            if isinstance(body, dict) and body.get("global"):
                all_headers["X-RateLimit-Global"] = "true"
        all_headers.update(headers or {})
        self._failures.append(
            FailureRule(method.upper(), re.compile(path_regex), status, body, all_headers, times)
        )

    def expire_interaction(self, interaction: FakeInteraction) -> None:
        """Make the interaction's token invalid, as after Discord's 15 minutes."""
        interaction.expired = True

    # ------------------------------------------------------------------ reading back

    def channel_messages(
        self, channel_id: int, *, include_deleted: bool = False
    ) -> list[FakeMessage]:
        """Messages visible in a channel (channel sends and non-ephemeral interaction replies)."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id and not m.ephemeral and (include_deleted or not m.deleted)
        ]

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches and whose path fullmatches path_regex."""
        pattern = re.compile(path_regex)
        return [
            r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)
        ]

    def guild_commands(self, guild_id: int | None) -> list[dict[str, Any]]:
        """The commands the bot registered for a guild (None: global)."""
        return list(self.commands.get(guild_id, []))

    async def wait_until(
        self, predicate: Callable[[], Any], timeout_s: float = 5.0, what: str = ""
    ) -> Any:
        """Poll predicate until it returns something truthy; raise TimeoutError after timeout_s."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"FakeDiscord: timed out after {timeout_s}s waiting for {what or predicate}"
                )
            await asyncio.sleep(0.01)

    async def wait_for_request(
        self, method: str, path_regex: str, *, count: int = 1, timeout_s: float = 5.0
    ) -> RecordedRequest:
        """Wait until `count` matching requests were answered; return the last one."""
        found = await self.wait_until(
            lambda: (m := self.requests_to(method, path_regex)) and len(m) >= count and m,
            timeout_s,
            f"{count}x {method} {path_regex}",
        )
        return found[count - 1]

    async def wait_for_callback(
        self, interaction: FakeInteraction, timeout_s: float = 5.0
    ) -> dict[str, Any]:
        """Wait for the interaction's callback; return its body ({"type": ..., "data": ...})."""
        return await self.wait_until(
            lambda: interaction.callback, timeout_s, f"callback of interaction {interaction.id}"
        )

    async def wait_for_followups(
        self, interaction: FakeInteraction, count: int = 1, timeout_s: float = 5.0
    ) -> list[FakeMessage]:
        """Wait for `count` followup messages of an interaction."""
        return await self.wait_until(
            lambda: len(interaction.followups) >= count and list(interaction.followups),
            timeout_s,
            f"{count} followups of interaction {interaction.id}",
        )

    async def wait_for_original(
        self, interaction: FakeInteraction, *, edited: bool = False, timeout_s: float = 5.0
    ) -> FakeMessage:
        """Wait for the interaction's original response (edited: after an edit, e.g. post-defer)."""
        return await self.wait_until(
            lambda: (
                interaction.original
                if interaction.original and (not edited or interaction.original.edits)
                else None
            ),
            timeout_s,
            f"original response of interaction {interaction.id}",
        )

    async def wait_for_message(
        self, channel_id: int, count: int = 1, timeout_s: float = 5.0
    ) -> list[FakeMessage]:
        """Wait until a channel holds `count` messages; return them."""
        return await self.wait_until(
            lambda: len(m := self.channel_messages(channel_id)) >= count and m,
            timeout_s,
            f"{count} messages in channel {channel_id}",
        )

    async def wait_for_ready(self, timeout_s: float = 10.0) -> GatewaySession:
        """Wait until a client identified and got READY and its GUILD_CREATEs."""
        return await self.wait_until(
            lambda: self.session if self.session and self.session.ready else None,
            timeout_s,
            "a gateway session",
        )

    def assert_no_errors(self) -> None:
        """Raise AssertionError if any request hit something the fake does not implement."""
        if self.errors:
            raise AssertionError("FakeDiscord errors:\n" + "\n".join(self.errors))

    def _record_error(self, message: str) -> None:
        self.errors.append(message)
        logger.error("FakeDiscord: %s", message)

    # ------------------------------------------------------------------ interactions

    def _find_command(
        self, name: str, guild_id: int | None
    ) -> tuple[dict[str, Any], int | None] | None:
        for scope in (guild_id, None) if guild_id else (None,):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, scope
        return None

    def _build_options(
        self,
        schema: list[dict[str, Any]],
        path: list[str],
        values: dict[str, Any],
        guild: FakeGuild | None,
        resolved: dict[str, dict[str, Any]],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        if path:
            sub = next((o for o in schema if o["name"] == path[0] and o["type"] in (1, 2)), None)
            if sub is None:
                raise ValueError(f"no subcommand or group {path[0]!r} registered")
            return [
                {
                    "name": sub["name"],
                    "type": sub["type"],
                    "options": self._build_options(
                        sub.get("options", []), path[1:], values, guild, resolved, focused
                    ),
                }
            ]
        by_name = {o["name"]: o for o in schema}
        options = []
        for name, value in values.items():
            spec = by_name.get(name)
            if spec is None:
                raise ValueError(f"option {name!r} is not registered (known: {sorted(by_name)})")
            option: dict[str, Any] = {"name": name, "type": spec["type"], "value": value}
            if spec["type"] in (6, 7, 8, 9) and guild is not None:
                option["value"] = str(value)
                self._resolve(int(value), spec["type"], guild, resolved)
            if name == focused:
                option["focused"] = True
            options.append(option)
        return options

    def _resolve(
        self, target: int, kind: int, guild: FakeGuild, resolved: dict[str, dict[str, Any]]
    ) -> None:
        if kind in (6, 9) and target in guild.members:
            member = guild.members[target]
            resolved.setdefault("users", {})[str(target)] = member.user_json()
            resolved.setdefault("members", {})[str(target)] = {
                **member.to_json(with_user=False),
                "permissions": str(guild.permissions_for(target)),
            }
        elif kind in (8, 9) and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].to_json()
        elif kind == 7 and target in guild.channels:
            channel = guild.channels[target]
            resolved.setdefault("channels", {})[str(target)] = {
                "id": str(channel.id),
                "name": channel.name,
                "type": channel.type,
                "parent_id": str(channel.parent_id) if channel.parent_id else None,
                "permissions": str(guild.permissions_for(self.bot_id, channel.id)),
            }
        else:
            raise ValueError(f"cannot resolve id {target} for option type {kind}")

    def _command_data(
        self,
        command: str,
        options: dict[str, Any] | None,
        guild_id: int | None,
        focused: str | None,
        require_registered: bool,
    ) -> dict[str, Any]:
        names = command.strip().lstrip("/").split()
        guild = self.guilds.get(guild_id) if guild_id else None
        resolved: dict[str, dict[str, Any]] = {}
        found = self._find_command(names[0], guild_id)
        if found is None:
            if require_registered:
                raise ValueError(
                    f"/{names[0]} is not registered (did the bot sync its commands?); "
                    "pass require_registered=False to send it anyway"
                )
            schema: dict[str, Any] = {"id": str(self.snowflake()), "name": names[0], "options": []}
            scope = guild_id
            opts = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
            for option in opts:
                if option["name"] == focused:
                    option["focused"] = True
        else:
            schema, scope = found
            opts = self._build_options(
                schema.get("options", []), names[1:], options or {}, guild, resolved, focused
            )
        data: dict[str, Any] = {"id": schema["id"], "name": names[0], "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        return data

    async def send_slash_command(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        require_registered: bool = True,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Dispatch a slash command ("feed add") with options typed from the registered schema."""
        data = self._command_data(command, options, guild_id, None, require_registered)
        return await self.send_interaction(
            2, data, guild_id=guild_id, channel_id=channel_id, user_id=user_id, locale=locale
        )

    async def send_autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        focused: str,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        require_registered: bool = True,
    ) -> FakeInteraction:
        """Dispatch an autocomplete request (type 4) with `focused` as the option being typed."""
        if focused not in options:
            raise ValueError(f"focused option {focused!r} must be in options")
        data = self._command_data(command, options, guild_id, focused, require_registered)
        data.pop("resolved", None)
        return await self.send_interaction(
            4, data, guild_id=guild_id, channel_id=channel_id, user_id=user_id
        )

    async def send_component(
        self,
        custom_id: str,
        message: FakeMessage,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        guild_id: int | None = None,
        user_id: int | None = None,
    ) -> FakeInteraction:
        """Dispatch a component click (type 3) on a message the bot sent."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self.send_interaction(
            3,
            data,
            guild_id=guild_id or _int_or_none(message.data.get("guild_id")),
            channel_id=message.channel_id,
            user_id=user_id,
            message=message,
        )

    async def send_interaction(
        self,
        type: int,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        message: FakeMessage | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Dispatch a raw INTERACTION_CREATE (member, permissions and app_permissions filled in)."""
        interaction_id = self.snowflake()
        token = f"aW50ZXJhY3Rpb246{interaction_id}{uuid.uuid4().hex}{uuid.uuid4().hex}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": type,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            if channel_id is None:
                channel_id = next(c.id for c in guild.live_channels() if c.type == 0)
            if user_id is None:
                user_id = guild.owner_id
            member = guild.members[user_id]
            channel = guild.channels[channel_id]
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                channel_id=str(channel_id),
                channel={
                    **channel.to_json(),
                    "permissions": str(guild.permissions_for(user_id, channel_id)),
                },
                member={
                    **member.to_json(),
                    "permissions": str(guild.permissions_for(user_id, channel_id)),
                },
                app_permissions=str(guild.permissions_for(self.bot_id, channel_id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            uid = user_id or self.snowflake()
            dm_id = channel_id or self.snowflake()
            payload.update(
                user=user_json(uid, "dm-user"),
                channel_id=str(dm_id),
                channel={
                    "id": str(dm_id),
                    "type": 1,
                    "recipients": [user_json(uid, "dm-user")],
                    "flags": 0,
                },
                app_permissions=str(ALL_PERMISSIONS & ~ADMINISTRATOR),
                authorizing_integration_owners={"1": str(uid)},
                context=1,
            )
        if message is not None:
            payload["message"] = message.data
        interaction = FakeInteraction(id=interaction_id, token=token, type=type, payload=payload)
        self.interactions[interaction_id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # ------------------------------------------------------------------ gateway

    def _enqueue(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Give a DISPATCH the session's next sequence number and queue it, in call order."""
        session = self.session
        if session is None or not session.valid:
            return None
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        del session.events[:-1000]
        session.wake.set()
        return frame

    async def dispatch(self, event: str, data: dict[str, Any], *, timeout_s: float = 5.0) -> None:
        """Send a DISPATCH to the current session and wait until it is written.

        While the client is disconnected the event is only buffered; RESUME replays it.
        """
        session = self.session
        frame = self._enqueue(event, data)
        if session is None or frame is None:
            raise RuntimeError(f"cannot dispatch {event}: no client has identified")
        await self.wait_until(
            lambda: session.ws is None or session.sent_seq >= frame["s"],
            timeout_s,
            f"sending {event}",
        )

    def _dispatch_soon(self, event: str, build: Callable[[], dict[str, Any]]) -> None:
        """Queue an event from a sync configuration method when a client is connected."""
        if self.session is not None:
            self._enqueue(event, build())

    async def _write_events(self, session: GatewaySession, ws: web.WebSocketResponse) -> None:
        """Write the session's events in sequence order while ws is its connection."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            while session.ws is ws and not ws.closed:
                session.wake.clear()
                for frame in [f for f in session.events if f["s"] > session.sent_seq]:
                    await ws.send_str(json.dumps(frame))
                    session.sent_seq = frame["s"]
                await session.wake.wait()

    async def disconnect(self, code: int | None = 4000) -> None:
        """Drop the gateway connection: close with `code`, or abort the TCP connection if None."""
        session = await self.wait_for_ready()
        ws, request = session.ws, session.request
        session.ws = None
        session.wake.set()
        if ws is None:
            return
        if code is None and request is not None and request.transport is not None:
            request.transport.abort()
        else:
            await ws.close(code=code or 4000, message=b"FakeDiscord disconnect")

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION (op 9); a non-resumable one forgets the session."""
        session = await self.wait_for_ready()
        if not resumable:
            session.valid = False
        if session.ws is not None:
            await session.ws.send_str(json.dumps({"op": 9, "d": resumable}))

    async def request_reconnect(self) -> None:
        """Send RECONNECT (op 7); discord.py then resumes."""
        session = await self.wait_for_ready()
        if session.ws is not None:
            await session.ws.send_str(json.dumps({"op": 7, "d": None}))

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(
            json.dumps(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
        )
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        self._record_error(
                            "gateway received a binary frame (ETF/compressed sends are not implemented)"
                        )
                    continue
                frame = json.loads(msg.data)
                self.gateway_received.append(_redact(frame))
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None}))
                elif op == 2:
                    session = await self._identify(ws, request, frame["d"])
                elif op == 6:
                    session = await self._resume(ws, request, frame["d"])
                elif op in (3, 4, 8):
                    pass  # presence, voice state and member requests are accepted and ignored
                else:
                    self._record_error(f"gateway op {op} is not implemented")
                    await ws.close(code=4001, message=b"Unknown opcode")
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
                session.wake.set()
        return ws

    def _check_token(self, token: str | None) -> bool:
        return bool(token) and (self.token is None or token == self.token)

    async def _identify(
        self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]
    ) -> GatewaySession | None:
        self.identify_count += 1
        if not self._check_token(data.get("token")):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        session = GatewaySession(id=uuid.uuid4().hex, intents=intents, shard=data.get("shard"))
        self._sessions[session.id] = session
        self.session = session
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["fake"],
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        self._enqueue("READY", ready)
        for guild in list(self.guilds.values()):
            self._enqueue("GUILD_CREATE", guild.create_json())
        self._attach(session, ws, request)
        return session

    def _attach(
        self, session: GatewaySession, ws: web.WebSocketResponse, request: web.Request
    ) -> None:
        session.ready_seq = session.seq
        session.ws, session.request = ws, request
        session.writer = asyncio.create_task(self._write_events(session, ws))

    async def _resume(
        self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]
    ) -> GatewaySession | None:
        self.resume_count += 1
        session = self._sessions.get(str(data.get("session_id")))
        if session is None or not session.valid or not self._check_token(data.get("token")):
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        self.session = session
        # Replay what the client missed (everything after its last seq), then RESUMED.
        session.sent_seq = int(data.get("seq") or 0)
        self._enqueue("RESUMED", {"_trace": ["fake-discord"]})
        self._attach(session, ws, request)
        return session

    # ------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler, bool]]:
        """(method, path pattern, handler, needs bot auth)."""
        s = r"(\d+)"
        t = r"([^/]+)"
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", f"/applications/{s}/commands", self._get_commands, True),
            ("PUT", f"/applications/{s}/commands", self._put_commands, True),
            ("GET", f"/applications/{s}/guilds/{s}/commands", self._get_commands, True),
            ("PUT", f"/applications/{s}/guilds/{s}/commands", self._put_commands, True),
            ("GET", f"/channels/{s}", self._get_channel, True),
            ("POST", f"/channels/{s}/messages", self._post_channel_message, True),
            ("GET", f"/channels/{s}/messages/{s}", self._get_channel_message, True),
            ("PATCH", f"/channels/{s}/messages/{s}", self._patch_channel_message, True),
            ("DELETE", f"/channels/{s}/messages/{s}", self._delete_channel_message, True),
            ("GET", f"/guilds/{s}", self._get_guild, True),
            ("GET", f"/guilds/{s}/channels", self._get_guild_channels, True),
            ("GET", f"/guilds/{s}/members/{s}", self._get_guild_member, True),
            ("POST", f"/interactions/{s}/{t}/callback", self._post_callback, False),
            ("POST", f"/webhooks/{s}/{t}", self._post_followup, False),
            (
                "GET",
                f"/webhooks/{s}/{t}/messages/(@original|\\d+)",
                self._get_webhook_message,
                False,
            ),
            (
                "PATCH",
                f"/webhooks/{s}/{t}/messages/(@original|\\d+)",
                self._patch_webhook_message,
                False,
            ),
            (
                "DELETE",
                f"/webhooks/{s}/{t}/messages/(@original|\\d+)",
                self._delete_webhook_message,
                False,
            ),
        ]
        return [(m, re.compile(p), h, auth) for m, p, h, auth in table]

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        full_path = request.path
        path = full_path[len(API_PREFIX) :] if full_path.startswith(API_PREFIX + "/") else full_path
        body, files = await _read_body(request)
        record = RecordedRequest(
            method=request.method, path=path, query=dict(request.query), json=body, files=files
        )
        self.requests.append(record)
        response = await self._answer(request, path, record)
        record.status = response.status
        return response

    async def _answer(
        self, request: web.Request, path: str, record: RecordedRequest
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return self._unimplemented(
                record, f"{request.method} {request.path} is outside {API_PREFIX}"
            )
        for rule in self._failures:
            if rule.method == request.method and rule.path.fullmatch(path):
                rule.times -= 1
                if rule.times <= 0:
                    self._failures.remove(rule)
                logger.info("FakeDiscord: injected %s for %s %s", rule.status, request.method, path)
                return _json_response(rule.body, status=rule.status, headers=rule.headers)
        for method, pattern, handler, needs_auth in self._routes:
            match = pattern.fullmatch(path)
            if match is None or method != request.method:
                continue
            if needs_auth and not self._authorized(request):
                return _json_response({"message": "401: Unauthorized", "code": 0}, status=401)
            try:
                result = await handler(request, match, record)
            except DiscordError as exc:
                return _json_response(exc.body, status=exc.status)
            if result is None:
                return web.Response(status=204)
            if isinstance(result, web.StreamResponse):
                return result
            return _json_response(result)
        return self._unimplemented(record, f"{request.method} {path} is not implemented")

    def _unimplemented(self, record: RecordedRequest, message: str) -> web.Response:
        self._record_error(message)
        return _json_response(
            {"message": f"FakeDiscord: {message}", "code": 0}, status=UNIMPLEMENTED_STATUS
        )

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bot ") and self._check_token(header[4:])

    # ------------------------------------------------------------------ REST: app, users, gateway

    async def _get_gateway(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def _get_me(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return self.bot_user

    async def _get_application(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return {
            "id": str(self.application_id),
            "name": self.bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self.bot_user,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_json(self.snowflake(), "app-owner"),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.application_id:
            raise DiscordError(404, "Unknown Application", 10002)

    def _command_scope(self, match: re.Match[str]) -> int | None:
        self._check_app(match.group(1))
        if match.lastindex and match.lastindex >= 2:
            guild_id = int(match.group(2))
            if guild_id not in self.guilds:
                raise DiscordError(403, "Missing Access", 50001)
            return guild_id
        return None

    async def _get_commands(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return self.guild_commands(self._command_scope(match))

    async def _put_commands(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        scope = self._command_scope(match)
        if not isinstance(record.json, list):
            raise _form_error("_root", "BASE_TYPE_ARRAY", "Must be an array.")
        old = {(c["name"], c.get("type", 1)): c for c in self.commands.get(scope, [])}
        stored = []
        for cmd in record.json:
            if (
                not re.fullmatch(r"[-_\w]{1,32}", cmd.get("name", ""))
                or cmd["name"] != cmd["name"].lower()
            ):
                raise _form_error(
                    "name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            previous = old.get((cmd["name"], cmd.get("type", 1)))
            data = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "id": previous["id"] if previous else str(self.snowflake()),
                "application_id": str(self.application_id),
                "version": str(self.snowflake()),
            }
            if scope is not None:
                data["guild_id"] = str(scope)
            stored.append(data)
        self.commands[scope] = stored
        return stored

    # ------------------------------------------------------------------ REST: guilds and channels

    def _guild(self, guild_id: str) -> FakeGuild:
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            raise DiscordError(404, "Unknown Guild", 10004)
        return guild

    def _live_channel(self, channel_id: str) -> FakeChannel:
        try:
            channel = self.channel(int(channel_id))
        except KeyError:
            channel = None
        if channel is None or channel.deleted:
            raise DiscordError(404, "Unknown Channel", 10003)
        return channel

    async def _get_guild(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return self._guild(match.group(1)).base_json()

    async def _get_guild_channels(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return [c.to_json() for c in self._guild(match.group(1)).live_channels()]

    async def _get_guild_member(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        member = self._guild(match.group(1)).members.get(int(match.group(2)))
        if member is None:
            raise DiscordError(404, "Unknown Member", 10007)
        return member.to_json()

    async def _get_channel(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        channel = self._live_channel(match.group(1))
        if (
            not self.guilds[channel.guild_id].permissions_for(self.bot_id, channel.id)
            & VIEW_CHANNEL
        ):
            raise DiscordError(403, "Missing Access", 50001)
        return channel.to_json()

    def _message_json(
        self,
        message_id: int,
        channel_id: int,
        payload: dict[str, Any],
        files: list[tuple[str, str, bytes]],
        *,
        guild_id: int | None,
        message_type: int = 0,
        interaction: FakeInteraction | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": user_json(self.bot_id, self.bot_name, bot=True),
            "content": payload.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
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
            "embeds": [_normalise_embed(e) for e in payload.get("embeds") or []],
            "pinned": False,
            "type": message_type,
            "flags": int(payload.get("flags") or 0),
            "components": payload.get("components") or [],
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        if interaction is not None:
            data["webhook_id"] = str(self.application_id)
            data["application_id"] = str(self.application_id)
            data["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.payload.get("member", {}).get("user")
                or interaction.payload.get("user"),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
        return data

    def _create_message(
        self,
        channel_id: int,
        payload: dict[str, Any],
        files: list[tuple[str, str, bytes]],
        *,
        guild_id: int | None,
        message_type: int = 0,
        interaction: FakeInteraction | None = None,
    ) -> FakeMessage:
        message_id = self.snowflake()
        data = self._message_json(
            message_id,
            channel_id,
            payload,
            files,
            guild_id=guild_id,
            message_type=message_type,
            interaction=interaction,
        )
        message = FakeMessage(
            id=message_id,
            channel_id=channel_id,
            data=data,
            payload=payload,
            files=files,
            interaction_id=interaction.id if interaction else None,
            ephemeral=bool(data["flags"] & 64),
        )
        self.messages[message_id] = message
        if (
            guild_id is not None
            and not message.ephemeral
            and self.session is not None
            and self.session.intents & GUILD_MESSAGES_INTENT
        ):
            self._dispatch_soon("MESSAGE_CREATE", lambda: dict(data))
        return message

    def _edit_message(
        self, message: FakeMessage, payload: dict[str, Any], files: list[tuple[str, str, bytes]]
    ) -> dict[str, Any]:
        validate_message_payload(payload, has_files=bool(files), creating=False)
        message.edits.append(payload)
        data = message.data
        for key in ("content", "components", "flags"):
            if key in payload and payload[key] is not None:
                data[key] = payload[key]
        if "embeds" in payload:
            data["embeds"] = [_normalise_embed(e) for e in payload["embeds"] or []]
        if files:
            message.files.extend(files)
        data["edited_timestamp"] = now_iso()
        return data

    async def _post_channel_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        channel = self._live_channel(match.group(1))
        payload = record.json if isinstance(record.json, dict) else {}
        perms = self.guilds[channel.guild_id].permissions_for(self.bot_id, channel.id)
        if not perms & VIEW_CHANNEL:
            raise DiscordError(403, "Missing Access", 50001)
        # Discord answers 403 50013 for a send without Send Messages, an embed without
        # Embed Links, or a file without Attach Files (discord-api-docs #2601).
        if (
            not perms & SEND_MESSAGES
            or (payload.get("embeds") and not perms & EMBED_LINKS)
            or (record.files and not perms & ATTACH_FILES)
        ):
            raise DiscordError(403, "Missing Permissions", 50013)
        validate_message_payload(payload, has_files=bool(record.files), creating=True)
        message = self._create_message(channel.id, payload, record.files, guild_id=channel.guild_id)
        return message.data

    def _channel_message(self, match: re.Match[str]) -> FakeMessage:
        channel = self._live_channel(match.group(1))
        message = self.messages.get(int(match.group(2)))
        if (
            message is None
            or message.deleted
            or message.channel_id != channel.id
            or message.ephemeral
        ):
            raise DiscordError(404, "Unknown Message", 10008)
        return message

    async def _get_channel_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return self._channel_message(match).data

    async def _patch_channel_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        message = self._channel_message(match)
        payload = record.json if isinstance(record.json, dict) else {}
        return self._edit_message(message, payload, record.files)

    async def _delete_channel_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        self._channel_message(match).deleted = True
        return None

    # ------------------------------------------------------------------ REST: interactions

    def _interaction_by_token(self, app_id: str, token: str) -> FakeInteraction:
        self._check_webhook_app(app_id)
        interaction = next((i for i in self.interactions.values() if i.token == token), None)
        if interaction is None:
            raise DiscordError(404, "Unknown Webhook", 10015)
        if interaction.expired or time.monotonic() - interaction.created_at > self.token_ttl_s:
            raise DiscordError(401, "Invalid Webhook Token", 50027)
        return interaction

    def _check_webhook_app(self, app_id: str) -> None:
        if int(app_id) != self.application_id:
            raise DiscordError(404, "Unknown Webhook", 10015)

    def _interaction_channel(self, interaction: FakeInteraction) -> tuple[int, int | None]:
        payload = interaction.payload
        return int(payload["channel_id"]), _int_or_none(payload.get("guild_id"))

    async def _post_callback(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        interaction = self.interactions.get(int(match.group(1)))
        if interaction is None or interaction.token != match.group(2):
            raise DiscordError(404, "Unknown interaction", 10062)
        if interaction.callbacks:
            raise DiscordError(400, "Interaction has already been acknowledged.", 40060)
        if (
            self.callback_deadline_s is not None
            and time.monotonic() - interaction.created_at > self.callback_deadline_s
        ):
            raise DiscordError(404, "Unknown interaction", 10062)
        body = record.json if isinstance(record.json, dict) else {}
        kind = body.get("type")
        data = body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}.get(
            interaction.type, set()
        )
        if kind not in allowed:
            raise _form_error(
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Callback type {kind} is not valid for interaction type {interaction.type}",
            )
        channel_id, guild_id = self._interaction_channel(interaction)
        resource: dict[str, Any] = {"type": kind}
        info: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
        if kind == 4:
            validate_message_payload(data, has_files=bool(record.files), creating=True)
            interaction.original = self._create_message(
                channel_id,
                data,
                record.files,
                guild_id=guild_id,
                message_type=20 if interaction.type == 2 else 19,
                interaction=interaction,
            )
            resource["message"] = interaction.original.data
        elif kind == 5:
            flags = int(data.get("flags") or 0) | 128  # LOADING
            interaction.original = self._create_message(
                channel_id,
                {"content": "", "flags": flags},
                [],
                guild_id=guild_id,
                message_type=20 if interaction.type == 2 else 19,
                interaction=interaction,
            )
            resource["message"] = interaction.original.data
            info["response_message_loading"] = True
        elif kind in (6, 7):
            message_id = int(interaction.payload["message"]["id"])
            target = self.messages.get(message_id)
            if target is None:
                raise DiscordError(404, "Unknown Message", 10008)
            if kind == 7:
                self._edit_message(target, data, record.files)
            # For a component interaction, @original is the message the component is on.
            interaction.original = target
            resource["message"] = target.data
        elif kind == 8:
            choices = data.get("choices")
            if not isinstance(choices, list) or len(choices) > AUTOCOMPLETE_CHOICES_MAX:
                raise _form_error(
                    "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
            for i, choice in enumerate(choices):
                if not 1 <= len(str(choice.get("name", ""))) <= 100:
                    raise _form_error(
                        f"data.choices.{i}.name",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    )
        interaction.callbacks.append(body)
        if interaction.original is not None:
            info["response_message_id"] = str(interaction.original.id)
            info["response_message_ephemeral"] = interaction.original.ephemeral
        if "with_response" not in request.query:
            return None
        answer: dict[str, Any] = {"interaction": info}
        if kind != 8:
            answer["resource"] = resource
        return answer

    async def _post_followup(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        interaction = self._interaction_by_token(match.group(1), match.group(2))
        if not interaction.callbacks:
            raise DiscordError(404, "Unknown Webhook", 10015)
        payload = record.json if isinstance(record.json, dict) else {}
        validate_message_payload(payload, has_files=bool(record.files), creating=True)
        channel_id, guild_id = self._interaction_channel(interaction)
        message = self._create_message(
            channel_id, payload, record.files, guild_id=guild_id, interaction=interaction
        )
        interaction.followups.append(message)
        if request.query.get("wait", "false").lower() not in ("true", "1"):
            return None
        return message.data

    def _webhook_message(self, match: re.Match[str]) -> tuple[FakeInteraction, FakeMessage]:
        interaction = self._interaction_by_token(match.group(1), match.group(2))
        target = match.group(3)
        if target == "@original":
            message = interaction.original
        else:
            message = next((m for m in interaction.followups if m.id == int(target)), None)
            if message is None and interaction.original and interaction.original.id == int(target):
                message = interaction.original
        if message is None or message.deleted:
            raise DiscordError(404, "Unknown Message", 10008)
        return interaction, message

    async def _get_webhook_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        return self._webhook_message(match)[1].data

    async def _patch_webhook_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        _, message = self._webhook_message(match)
        payload = record.json if isinstance(record.json, dict) else {}
        data = self._edit_message(message, payload, record.files)
        data["flags"] = int(data.get("flags") or 0) & ~128  # an edit ends "thinking"
        return data

    async def _delete_webhook_message(
        self, request: web.Request, match: re.Match[str], record: RecordedRequest
    ) -> Any:
        self._webhook_message(match)[1].deleted = True
        return None


# --------------------------------------------------------------------------- helpers


def _int_or_none(value: Any) -> int | None:
    return int(value) if value is not None else None


def _normalise_embed(embed: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich", **embed}


def _redact(frame: dict[str, Any]) -> dict[str, Any]:
    """Drop the token from a received gateway frame before keeping it."""
    data = frame.get("d")
    if isinstance(data, dict) and "token" in data:
        return {**frame, "d": {**data, "token": "<redacted>"}}
    return frame


def _json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly "application/json" (no charset).
    response = web.Response(status=status, body=json.dumps(body).encode(), headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, str, bytes]]]:
    """Read a JSON or multipart (payload_json + files[n]) body."""
    files: list[tuple[str, str, bytes]] = []
    if not request.can_read_body:
        return None, files
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        reader = await request.multipart()
        async for part in reader:
            if not hasattr(part, "read"):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            else:
                files.append((part.name or "", part.filename or "", bytes(await part.read())))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, files
    try:
        return json.loads(raw), files
    except ValueError:
        return raw.decode(errors="replace"), files


async def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run FakeDiscord standalone.")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--guilds", type=int, default=1, help="how many standard guilds to seed")
    parser.add_argument("--token", default=None, help="accept only this bot token")
    args = parser.parse_args(argv)
    fake = FakeDiscord(token=args.token)
    for _ in range(args.guilds):
        seeded = fake.seed_standard_guild()
        print(f"guild {seeded.guild.id}: general={seeded.general.id} news={seeded.news.id}")
    await fake.start(args.port)
    print(
        f"FakeDiscord on {fake.api_base} (gateway {fake.gateway_url}); Ctrl-C to stop", flush=True
    )
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main())
