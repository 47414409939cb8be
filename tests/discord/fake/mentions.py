"""Which mentions Discord would honour in a message: the content, filtered by allowed_mentions.

Discord parses every mention unless the payload's ``allowed_mentions`` says otherwise
(RELIABILITY.md F11), and only the content pings (embeds never do). @everyone/@here also need
Mention Everyone in the channel; a role pings if it is mentionable or with that permission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.discord.fake.common import JSONObject
from tests.discord.fake.models import FakeChannel
from tests.discord.fake.permissions import MENTION_EVERYONE, permissions_for

if TYPE_CHECKING:
    from discord.types.member import UserWithMember
    from discord.types.snowflake import Snowflake

    from tests.discord.fake.world import World

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)")
ALL_TYPES = ("everyone", "users", "roles")


@dataclass
class Mentions:
    """What a message's content pings."""

    everyone: bool = False
    users: list[UserWithMember] = field(default_factory=list)
    roles: list[Snowflake] = field(default_factory=list)


def resolve_mentions(world: World, channel: FakeChannel, payload: JSONObject) -> Mentions:
    """Return the mentions Discord would honour for this payload in this channel."""
    content = str(payload.get("content") or "")
    allowed = payload.get("allowed_mentions")
    if not isinstance(allowed, dict):
        parse, allowed_users, allowed_roles = set(ALL_TYPES), set(), set()
    else:
        parse = set(allowed.get("parse") or [])
        allowed_users = {str(u) for u in allowed.get("users") or []}
        allowed_roles = {str(r) for r in allowed.get("roles") or []}
    found = Mentions()
    if channel.is_dm:
        return found
    guild = world.guilds[channel.guild_id]
    can_mention_all = bool(permissions_for(guild, world.bot_id, channel.id) & MENTION_EVERYONE)
    if "everyone" in parse and can_mention_all and EVERYONE_MENTION.search(content):
        found.everyone = True
    for user_id in dict.fromkeys(USER_MENTION.findall(content)):
        member = guild.members.get(int(user_id))
        if member is not None and ("users" in parse or user_id in allowed_users):
            partial = member.to_json()
            del partial["user"]  # a mention carries the user with the member beside it
            found.users.append({**member.user_json(), "member": partial})
    for role_id in dict.fromkeys(ROLE_MENTION.findall(content)):
        role = guild.roles.get(int(role_id))
        if role is None or not ("roles" in parse or role_id in allowed_roles):
            continue
        if role.mentionable or can_mention_all:
            found.roles.append(role_id)
    return found
