"""Reading and writing the sources and source_items tables; the unit of work commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import Source, SourceItem
from bot.sources.types import SourceView

GLOBAL_GUILD = 0  # sources.guild_id of a global source (config.toml)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def to_view(row: Source) -> SourceView:
    """The plain record of a source row."""
    return SourceView(
        id=row.id,
        guild_id=None if row.guild_id == GLOBAL_GUILD else row.guild_id,
        url=row.url,
        kind=row.kind,
        title=row.title,
        every_s=row.every_s,
        last_polled_at=aware(row.last_polled_at),
        next_poll_at=aware(row.next_poll_at),
        failures=row.failures,
        last_error=row.last_error,
        disabled_reason=row.disabled_reason,
    )


def guild_key(guild_id: int | None) -> int:
    """The guild_id column value for a server (None: global)."""
    return GLOBAL_GUILD if guild_id is None else guild_id


async def find_by_url(session: AsyncSession, guild_id: int, canonical: str) -> Source | None:
    """The source of one server (or the global one) with this canonical URL."""
    row: Source | None = await session.scalar(
        select(Source).where(Source.guild_id == guild_id, Source.canonical_url == canonical)
    )
    return row


async def count_for_guild(session: AsyncSession, guild_id: int) -> int:
    """How many sources a server has."""
    return int(await session.scalar(select(func.count()).where(Source.guild_id == guild_id)) or 0)


async def list_visible(session: AsyncSession, guild_id: int | None) -> list[Source]:
    """Global sources and the server's own (every source for the CLI, guild None)."""
    stmt = select(Source).order_by(Source.id)
    if guild_id is not None:
        stmt = stmt.where(or_(Source.guild_id == GLOBAL_GUILD, Source.guild_id == guild_id))
    return list(await session.scalars(stmt))


async def due(session: AsyncSession, now: datetime) -> list[int]:
    """Ids of enabled sources whose next poll time has come."""
    rows = await session.scalars(
        select(Source.id)
        .where(
            Source.disabled_reason.is_(None),
            or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now),
        )
        .order_by(func.coalesce(Source.next_poll_at, Source.created_at), Source.id)
    )
    return list(rows)


async def seen_keys(session: AsyncSession, source_id: int, keys: Iterable[str]) -> set[str]:
    """Which of these item keys this source has already seen."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # SQLite caps bound parameters per statement
        chunk = wanted[start : start + 500]
        rows = await session.scalars(
            select(SourceItem.item_key).where(
                SourceItem.source_id == source_id, SourceItem.item_key.in_(chunk)
            )
        )
        found.update(rows)
    return found


async def has_items(session: AsyncSession, source_id: int) -> bool:
    """Whether the source was ever polled successfully with items (its backfill is done)."""
    return (
        await session.scalar(
            select(SourceItem.id).where(SourceItem.source_id == source_id).limit(1)
        )
    ) is not None


async def mark_seen(
    session: AsyncSession,
    source_id: int,
    keys: Iterable[str],
    *,
    article_id: int | None = None,
    now: datetime,
) -> None:
    """Record items as seen (a key seen before is left as it was)."""
    rows = [
        {"source_id": source_id, "item_key": key[:2048], "article_id": article_id, "seen_at": now}
        for key in dict.fromkeys(keys)
    ]
    for start in range(0, len(rows), 200):
        await session.execute(dialect.insert_ignore(session, SourceItem), rows[start : start + 200])


async def delete_source(session: AsyncSession, source_id: int) -> None:
    """Delete a source; its items go with it, its articles stay."""
    await session.execute(delete(SourceItem).where(SourceItem.source_id == source_id))
    await session.execute(delete(Source).where(Source.id == source_id))
