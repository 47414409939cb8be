"""Reading and writing the sources and source_items tables; the unit of work commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import Source, SourceItem
from bot.db.visibility import source_visible
from bot.domain import SourceKind, SourceView


@dataclass(frozen=True, slots=True)
class SourceSnapshot:
    """The fields of a source a poll needs, copied out of its session."""

    id: int
    guild_id: int | None
    url: str
    kind: SourceKind
    title: str | None
    every_s: int
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime | None
    disabled_reason: str | None


@dataclass(frozen=True, slots=True)
class PollSuccess:
    """What a successful poll changes on its source."""

    kind: SourceKind | None
    title: str | None
    etag: str | None
    last_modified: str | None
    keep_validators: bool


def _view(row: Source) -> SourceView:
    return SourceView(
        id=row.id,
        guild_id=row.guild_id,
        url=row.url,
        kind=SourceKind(row.kind),
        title=row.title,
        every_s=row.every_s,
        last_polled_at=row.last_polled_at,
        next_poll_at=row.next_poll_at,
        failures=row.failures,
        last_error=row.last_error,
        disabled_reason=row.disabled_reason,
    )


def _owner(guild_id: int | None) -> ColumnElement[bool]:
    return Source.guild_id.is_(None) if guild_id is None else Source.guild_id == guild_id


async def find_by_url(
    session: AsyncSession, guild_id: int | None, canonical: str
) -> SourceView | None:
    """The source of one server (or the global one, guild None) with this canonical URL."""
    row = await session.scalar(
        select(Source).where(_owner(guild_id), Source.canonical_url == canonical)
    )
    return None if row is None else _view(row)


async def count_for_guild(session: AsyncSession, guild_id: int) -> int:
    """How many sources a server has."""
    return int(await session.scalar(select(func.count()).where(Source.guild_id == guild_id)) or 0)


async def list_visible(session: AsyncSession, guild_id: int | None) -> list[SourceView]:
    """Global sources and the server's own (every source for the CLI, guild None)."""
    rows = await session.scalars(select(Source).where(source_visible(guild_id)).order_by(Source.id))
    return [_view(r) for r in rows]


async def get(session: AsyncSession, source_id: int) -> SourceView | None:
    """One source by id."""
    row = await session.get(Source, source_id)
    return None if row is None else _view(row)


async def snapshot(session: AsyncSession, source_id: int) -> SourceSnapshot | None:
    """What a poll of one source needs to know."""
    row = await session.get(Source, source_id)
    if row is None:
        return None
    return SourceSnapshot(
        id=row.id,
        guild_id=row.guild_id,
        url=row.url,
        kind=SourceKind(row.kind),
        title=row.title,
        every_s=row.every_s,
        etag=row.etag,
        last_modified=row.last_modified,
        next_poll_at=row.next_poll_at,
        disabled_reason=row.disabled_reason,
    )


async def add(
    session: AsyncSession,
    *,
    guild_id: int | None,
    url: str,
    canonical: str,
    kind: SourceKind,
    title: str | None,
    every_s: int,
    now: datetime,
) -> SourceView:
    """Insert a source, due for its first poll now."""
    row = Source(
        guild_id=guild_id,
        url=url,
        canonical_url=canonical,
        kind=kind,
        title=title,
        every_s=every_s,
        next_poll_at=now,
        failures=0,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _view(row)


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


async def enabled_intervals(session: AsyncSession) -> dict[int, int]:
    """Poll interval in seconds of every enabled source, by id."""
    rows = await session.execute(
        select(Source.id, Source.every_s).where(Source.disabled_reason.is_(None))
    )
    return {int(sid): int(every_s) for sid, every_s in rows}


async def seen_keys(
    session: AsyncSession, source_id: int, keys: Iterable[str], *, max_failures: int
) -> set[str]:
    """Which of these item keys are done: handled, or failed max_failures times."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # SQLite caps bound parameters per statement
        chunk = wanted[start : start + 500]
        rows = await session.scalars(
            select(SourceItem.item_key).where(
                SourceItem.source_id == source_id,
                SourceItem.item_key.in_(chunk),
                or_(SourceItem.failures == 0, SourceItem.failures >= max_failures),
            )
        )
        found.update(rows)
    return found


async def record_item_failure(
    session: AsyncSession, source_id: int, key: str, *, now: datetime
) -> int:
    """Count one more transient failure of a feed item; return how many it has had."""
    key = key[:2048]
    await session.execute(
        dialect.insert_ignore(session, SourceItem),
        [{"source_id": source_id, "item_key": key, "failures": 0, "seen_at": now}],
    )
    await session.execute(
        update(SourceItem)
        .where(SourceItem.source_id == source_id, SourceItem.item_key == key)
        .values(failures=SourceItem.failures + 1, seen_at=now)
    )
    found = await session.scalar(
        select(SourceItem.failures).where(
            SourceItem.source_id == source_id, SourceItem.item_key == key
        )
    )
    return int(found or 0)


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
    # An item that failed before and has now been handled is done (and keeps its article).
    for start in range(0, len(rows), 500):
        done = [r["item_key"] for r in rows[start : start + 500]]
        await session.execute(
            update(SourceItem)
            .where(
                SourceItem.source_id == source_id,
                SourceItem.item_key.in_(done),
                SourceItem.failures > 0,
            )
            .values(failures=0, article_id=article_id, seen_at=now)
        )


async def delete_source(session: AsyncSession, source_id: int) -> None:
    """Delete a source; its items go with it, its articles stay."""
    await session.execute(delete(SourceItem).where(SourceItem.source_id == source_id))
    await session.execute(delete(Source).where(Source.id == source_id))


def _clip(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


async def record_success(
    session: AsyncSession, source_id: int, found: PollSuccess, *, now: datetime, next_at: datetime
) -> None:
    """A poll worked: clear failures, store validators and what the poll learned."""
    row = await session.get(Source, source_id)
    if row is None:
        return
    row.failures = 0
    row.last_error = None
    row.disabled_reason = None
    row.last_polled_at = now
    row.next_poll_at = next_at
    row.kind = found.kind or row.kind
    row.title = _clip(found.title or row.title, 500)
    if not found.keep_validators:
        row.etag = _clip(found.etag, 500)
        row.last_modified = _clip(found.last_modified, 100)


async def record_failure(
    session: AsyncSession,
    source_id: int,
    message: str,
    *,
    now: datetime,
    backoff: Callable[[int], timedelta],
    max_failures: int,
) -> tuple[bool, datetime | None] | None:
    """A poll failed: count it, back off, disable after max_failures; (disabled, next poll)."""
    row = await session.get(Source, source_id)
    if row is None:
        return None
    row.failures += 1
    row.last_error = message[:500]
    row.last_polled_at = now
    row.next_poll_at = now + backoff(row.failures)
    disabled = row.failures >= max_failures
    if disabled and row.disabled_reason is None:
        row.disabled_reason = (f"stopped after {row.failures} failed polls in a row: {message}")[
            :500
        ]
    return disabled, row.next_poll_at


async def sync_global(
    session: AsyncSession, wanted: dict[str, tuple[str, int]], *, now: datetime, removed: str
) -> None:
    """Make the global rows match config: new rows, new intervals, removals disabled."""
    rows = {r.canonical_url: r for r in await session.scalars(select(Source).where(_owner(None)))}
    for canonical, (url, every_s) in wanted.items():
        row = rows.get(canonical)
        if row is None:
            session.add(
                Source(
                    guild_id=None,
                    url=url,
                    canonical_url=canonical,
                    kind=SourceKind.UNKNOWN,  # classified by its first poll
                    every_s=every_s,
                    next_poll_at=now,
                    failures=0,
                    created_at=now,
                )
            )
            continue
        row.every_s = every_s
        if row.disabled_reason == removed:
            row.disabled_reason = None
            row.next_poll_at = now
    for canonical, row in rows.items():
        if canonical not in wanted and row.disabled_reason is None:
            row.disabled_reason = removed
