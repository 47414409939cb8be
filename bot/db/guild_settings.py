"""Per-server digest configuration."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import GuildSettings
from bot.domain import GuildConfig
from bot.settings import DigestSettings


def _view(row: GuildSettings) -> GuildConfig:
    return GuildConfig(
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        schedule=row.schedule,
        timezone=row.timezone,
        max_articles=row.max_articles,
        max_quotes=row.max_quotes,
        paused=row.paused,
        last_digest_at=row.last_digest_at,
        problem=row.problem,
    )


def default_config(guild_id: int, defaults: DigestSettings) -> GuildConfig:
    """The configuration a server has before its admins change anything."""
    return GuildConfig(
        guild_id=guild_id,
        channel_id=None,
        schedule=defaults.default_schedule,
        timezone=defaults.default_timezone,
        max_articles=defaults.max_articles,
        max_quotes=defaults.max_quotes,
        paused=False,
        last_digest_at=None,
        problem=None,
    )


async def get_config(session: AsyncSession, guild_id: int, defaults: DigestSettings) -> GuildConfig:
    """A server's configuration (defaults when it has none stored)."""
    row = await session.get(GuildSettings, guild_id)
    return _view(row) if row is not None else default_config(guild_id, defaults)


async def all_configs(session: AsyncSession) -> list[GuildConfig]:
    """Every stored server configuration."""
    return [
        _view(r)
        for r in await session.scalars(select(GuildSettings).order_by(GuildSettings.guild_id))
    ]


async def update_config(
    session: AsyncSession, guild_id: int, defaults: DigestSettings, **changes: object
) -> GuildConfig:
    """Change some fields of a server's configuration, creating it when missing."""
    row = await _locked(session, guild_id)
    if row is None:
        base = default_config(guild_id, defaults)
        row = GuildSettings(
            guild_id=guild_id,
            channel_id=base.channel_id,
            schedule=base.schedule,
            timezone=base.timezone,
            max_articles=base.max_articles,
            max_quotes=base.max_quotes,
            paused=False,
        )
        session.add(row)
    for key, value in changes.items():
        if not hasattr(row, key):
            raise AttributeError(key)
        setattr(row, key, value)
    row.updated_at = datetime.now(UTC)
    await session.flush()
    return _view(row)


async def _locked(session: AsyncSession, guild_id: int) -> GuildSettings | None:
    # FOR UPDATE serialises writers of one server on PostgreSQL; SQLite writers already
    # hold the database lock (BEGIN IMMEDIATE) and the clause is left out there.
    row: GuildSettings | None = await session.scalar(
        select(GuildSettings).where(GuildSettings.guild_id == guild_id).with_for_update()
    )
    return row


async def lock_guild(session: AsyncSession, guild_id: int, defaults: DigestSettings) -> None:
    """Take the server's row lock for this transaction (creating the row when missing)."""
    if await _locked(session, guild_id) is None:
        await update_config(session, guild_id, defaults)
