"""FakeDiscord: a small Discord-compatible server (REST v10 + gateway) for tests.

It speaks Discord's JSON shapes (typed with discord.py's own payload TypedDicts) on 127.0.0.1,
keeps what the bot sends so tests can read it back, and fails loudly on anything it does not
implement: such a request (an unknown route, or a payload field it does not support) gets
HTTP 599, a log line at ERROR and an entry in ``FakeDiscord.errors`` (the ``fake_discord``
fixture fails the test when that list is not empty).

Modules: ``models`` (guilds, channels, messages, interactions as data), ``world`` (the state a
test builds), ``permissions``, ``payloads`` (Discord's message limits), ``gateway``, ``rest``,
``interactions``, ``ratelimits``, and ``server`` (``FakeDiscord``, which wires them).

Run standalone: ``python -m tests.discord.fake --port 8123 --guilds 1``.
"""

from tests.discord.fake.common import DiscordError, JSONObject
from tests.discord.fake.gateway import GatewaySession
from tests.discord.fake.models import (
    CATEGORY,
    DM,
    FORUM,
    NEWS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    VOICE,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeTag,
    RecordedRequest,
    StandardGuild,
)
from tests.discord.fake.payloads import validate_message_payload
from tests.discord.fake.permissions import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    ATTACH_FILES,
    EMBED_LINKS,
    MANAGE_GUILD,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    permissions_for,
)
from tests.discord.fake.ratelimits import Bucket, RateLimiter, RateLimits
from tests.discord.fake.server import FakeDiscord
from tests.discord.fake.world import World, shard_for

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "ATTACH_FILES",
    "CATEGORY",
    "DM",
    "EMBED_LINKS",
    "FORUM",
    "MANAGE_GUILD",
    "NEWS",
    "PRIVATE_THREAD",
    "PUBLIC_THREAD",
    "SEND_MESSAGES",
    "SEND_MESSAGES_IN_THREADS",
    "TEXT",
    "VIEW_CHANNEL",
    "VOICE",
    "Bucket",
    "DiscordError",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "FakeMessage",
    "FakeRole",
    "FakeTag",
    "GatewaySession",
    "JSONObject",
    "RateLimiter",
    "RateLimits",
    "RecordedRequest",
    "StandardGuild",
    "World",
    "permissions_for",
    "shard_for",
    "validate_message_payload",
]
