"""FakeDiscord: a small Discord-compatible server (REST v10 + gateway) for tests.

It speaks Discord's JSON shapes (typed with discord.py's own payload TypedDicts) on 127.0.0.1,
keeps what the bot sends so tests can read it back, and fails loudly on anything it does not
implement: such a request (an unknown route, or a payload field it does not support) gets
HTTP 599, a log line at ERROR and an entry in ``FakeDiscord.errors`` (the ``fake_discord``
fixture fails the test when that list is not empty).

Modules: ``models`` (guilds, channels, messages, interactions as data), ``world`` (the state a
test builds and the messages in it), ``permissions`` (base permissions, then overwrites),
``payloads`` (Discord's message limits and the fields the fake implements), ``gateway``
(HELLO/IDENTIFY/READY/RESUME, heartbeats, dispatch per shard), ``rest`` (routing, auth,
injected failures, and the application/user/guild routes), ``channels`` (messages, nonces,
threads, forum posts, DMs), ``interactions`` (sending interactions; callbacks, followups,
webhook edits), ``ratelimits`` (global and per-route limits with Discord's headers), and
``server`` (``FakeDiscord``, which wires them and is what tests use).

Using it (the ``fake_discord`` fixture is ``FakeDiscord(token=FAKE_TOKEN)``, started)::

    fake = FakeDiscord(token=...)                                   # Discord's rate limits
    fake = FakeDiscord(token=..., rate_limits=RateLimits.off())     # none, and no headers
    fake = FakeDiscord(token=..., rate_limits=RateLimits.discord()
                       .with_bucket("message-create", limit=2, per_s=0.5)
                       .with_global(limit=10, per_s=1.0))
    fake.set_rate_limits(...); fake.ratelimits.served["POST /channels/{channel_id}/messages"]
    fake = FakeDiscord(token=..., shard_count=2)    # GET /gateway/bot says 2
    guild = fake.add_guild("A", shard_id=1)         # an id that shard 1 of 2 owns
    std = fake.seed_standard_guild()                # #general, #news, #no-send, #no-embeds
    forum = fake.add_forum(guild.id, "digests", ["World", "Local"], require_tag=True)
    fake.add_thread(std.news.id, "Comments"); fake.threads_of(forum.id)
    member = fake.add_member(guild.id, "reader", dms_open=False)   # DMs answer 403 50007
    interaction = await fake.send_slash_command("feed add", {"url": "u"}, guild_id=guild.id)
    await fake.wait_for_callback(interaction); fake.channel_messages(std.news.id)
    fake.shards[1].dispatched("INTERACTION_CREATE")  # what one shard's session was sent

Run standalone: ``python -m tests.discord.fake --port 8123 --guilds 1 [--shards 2]``.
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
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    MANAGE_GUILD,
    MENTION_EVERYONE,
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
    "CREATE_PRIVATE_THREADS",
    "CREATE_PUBLIC_THREADS",
    "DM",
    "EMBED_LINKS",
    "FORUM",
    "MANAGE_GUILD",
    "MENTION_EVERYONE",
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
