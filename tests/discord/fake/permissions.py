"""Permission bits and Discord's computation: base permissions, then channel overwrites."""

from __future__ import annotations

import discord

from tests.discord.fake.models import FakeChannel, FakeGuild

P = discord.Permissions
ALL_PERMISSIONS = P.all().value
ADMINISTRATOR = P(administrator=True).value
VIEW_CHANNEL = P(view_channel=True).value
SEND_MESSAGES = P(send_messages=True).value
SEND_MESSAGES_IN_THREADS = P(send_messages_in_threads=True).value
CREATE_PUBLIC_THREADS = P(create_public_threads=True).value
CREATE_PRIVATE_THREADS = P(create_private_threads=True).value
EMBED_LINKS = P(embed_links=True).value
ATTACH_FILES = P(attach_files=True).value
MANAGE_GUILD = P(manage_guild=True).value
READ_MESSAGE_HISTORY = P(read_message_history=True).value
MENTION_EVERYONE = P(mention_everyone=True).value
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
    # On by default for @everyone in a new guild, as on Discord.
    mention_everyone=True,
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
# What a bot may do in a DM: everything but guild-only permissions (as interaction payloads say).
DM_PERMISSIONS = ALL_PERMISSIONS & ~ADMINISTRATOR

PRIVILEGED_INTENTS = discord.Intents(members=True, presences=True, message_content=True).value
GUILD_MESSAGES_INTENT = discord.Intents(guild_messages=True).value
DM_MESSAGES_INTENT = discord.Intents(dm_messages=True).value


def permissions_for(guild: FakeGuild, user_id: int, channel_id: int | None = None) -> int:
    """Compute a member's permissions the way Discord does (base, then overwrites).

    A thread has no overwrites of its own: it takes its parent channel's.
    """
    if user_id == guild.owner_id:
        return ALL_PERMISSIONS
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = guild.everyone.permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL_PERMISSIONS
    channel = guild.channels.get(channel_id) if channel_id is not None else None
    if channel is None:
        return perms
    if channel.is_thread and channel.parent_id is not None:
        parent = guild.channels.get(channel.parent_id)
        if parent is None:
            return 0
        channel = parent
    return _apply_overwrites(perms, guild, member.roles, user_id, channel)


def _apply_overwrites(
    perms: int, guild: FakeGuild, roles: list[int], user_id: int, channel: FakeChannel
) -> int:
    overwrites = channel.overwrites
    if guild.id in overwrites:
        _, allow, deny = overwrites[guild.id]
        perms = (perms & ~deny) | allow
    role_allow = role_deny = 0
    for role_id in roles:
        if role_id in overwrites:
            _, allow, deny = overwrites[role_id]
            role_allow |= allow
            role_deny |= deny
    perms = (perms & ~role_deny) | role_allow
    if user_id in overwrites:
        _, allow, deny = overwrites[user_id]
        perms = (perms & ~deny) | allow
    if not perms & VIEW_CHANNEL:
        return 0
    return perms
