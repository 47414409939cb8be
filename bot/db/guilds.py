"""Per-server digest configuration and the exactly-once digest slot claims."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import DigestArticle, DigestSlot, GuildSettings
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
    row = await session.get(GuildSettings, guild_id)
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


async def claim_slot(
    session: AsyncSession, guild_id: int, channel_id: int, slot_at: datetime, claimed_by: str
) -> int | None:
    """Claim one digest slot; return its id, or None when another run already has it."""
    slot_at = slot_at.astimezone(UTC).replace(microsecond=0)
    try:
        async with session.begin_nested():
            row = DigestSlot(
                guild_id=guild_id,
                channel_id=channel_id,
                slot_at=slot_at,
                status="claimed",
                claimed_by=claimed_by,
            )
            session.add(row)
            await session.flush()
            return row.id
    except IntegrityError:
        return None


async def finish_slot(
    session: AsyncSession, slot_id: int, status: str, detail: str | None = None
) -> None:
    """Record how a claimed slot ended (posted, skipped, failed)."""
    await session.execute(
        update(DigestSlot)
        .where(DigestSlot.id == slot_id)
        .values(status=status, detail=(detail or None) and detail[:500])
    )


async def mark_posted(
    session: AsyncSession, guild_id: int, article_ids: list[int], slot_id: int | None
) -> None:
    """Remember which articles a server has had, so none is posted twice."""
    for article_id in article_ids:
        await session.execute(
            dialect.insert_ignore(session, DigestArticle).values(
                guild_id=guild_id, article_id=article_id, slot_id=slot_id
            )
        )


async def last_slot(session: AsyncSession, guild_id: int) -> DigestSlot | None:
    """The most recent slot of a server."""
    slot: DigestSlot | None = await session.scalar(
        select(DigestSlot)
        .where(DigestSlot.guild_id == guild_id)
        .order_by(DigestSlot.slot_at.desc())
        .limit(1)
    )
    return slot
