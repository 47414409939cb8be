"""How each server's digests are posted: style, people shown, role ping, thread."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildPostSettings
from bot.domain import PostSettings, PostStyle


def _view(row: GuildPostSettings) -> PostSettings:
    return PostSettings(
        guild_id=row.guild_id,
        style=PostStyle(row.style),
        max_people=row.max_people,
        ping_role_id=row.ping_role_id,
        thread_per_digest=row.thread_per_digest,
    )


async def get(session: AsyncSession, guild_id: int) -> PostSettings:
    """A server's post settings (the defaults when none are stored)."""
    row = await session.get(GuildPostSettings, guild_id)
    return _view(row) if row is not None else PostSettings(guild_id)


async def update(session: AsyncSession, guild_id: int, **changes: object) -> PostSettings:
    """Change some fields, creating the row when missing."""
    row = await session.get(GuildPostSettings, guild_id, with_for_update=True)
    if row is None:
        base = PostSettings(guild_id)
        row = GuildPostSettings(
            guild_id=guild_id,
            style=base.style,
            max_people=base.max_people,
            ping_role_id=base.ping_role_id,
            thread_per_digest=base.thread_per_digest,
        )
        session.add(row)
    for key, value in changes.items():
        if not hasattr(row, key):
            raise AttributeError(key)
        setattr(row, key, value)
    await session.flush()
    return _view(row)
