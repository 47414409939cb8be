"""The exactly-once digest claims: one row per (server, channel, slot), articles posted once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import DigestArticle, DigestSlot

logger = logging.getLogger(__name__)

CLAIMED = "claimed"


async def active_claim(session: AsyncSession, guild_id: int, since: datetime) -> bool:
    """Whether another run of this server is posting right now (claimed, not finished)."""
    found = await session.scalar(
        select(DigestSlot.id)
        .where(
            DigestSlot.guild_id == guild_id,
            DigestSlot.status == CLAIMED,
            DigestSlot.claimed_at >= since,
        )
        .limit(1)
    )
    return found is not None


async def free_slot_at(
    session: AsyncSession, guild_id: int, channel_id: int, at: datetime
) -> datetime:
    """The first instant from `at` on with no slot of this channel (manual posts never collide)."""
    taken = set(
        await session.scalars(
            select(DigestSlot.slot_at).where(
                DigestSlot.guild_id == guild_id,
                DigestSlot.channel_id == channel_id,
                DigestSlot.slot_at >= at,
                DigestSlot.slot_at < at + timedelta(seconds=1),
            )
        )
    )
    while at in taken:
        at += timedelta(microseconds=1)
    return at


async def claim_slot(
    session: AsyncSession,
    guild_id: int,
    channel_id: int,
    slot_at: datetime,
    claimed_by: str,
    *,
    now: datetime,
    lease: timedelta,
) -> int | None:
    """Claim one digest slot; None when it is taken or another run of the server is posting."""
    if await active_claim(session, guild_id, now - lease):
        logger.info("digest guild=%s: another run holds a fresh claim", guild_id)
        return None
    try:
        async with session.begin_nested():
            row = DigestSlot(
                guild_id=guild_id,
                channel_id=channel_id,
                slot_at=slot_at,
                status=CLAIMED,
                claimed_by=claimed_by,
                claimed_at=now,
            )
            session.add(row)
            await session.flush()
            return row.id
    except IntegrityError:
        logger.info("digest guild=%s slot=%s: slot already claimed", guild_id, slot_at.isoformat())
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


@dataclass(frozen=True, slots=True)
class OpenClaim:
    """A slot still 'claimed': being posted now, or left behind by a crashed run."""

    id: int
    channel_id: int
    slot_at: datetime
    claimed_by: str
    claimed_at: datetime
    detail: str | None


async def open_claims(session: AsyncSession, guild_id: int) -> list[OpenClaim]:
    """This server's slots still 'claimed', oldest first."""
    rows = await session.scalars(
        select(DigestSlot)
        .where(DigestSlot.guild_id == guild_id, DigestSlot.status == CLAIMED)
        .order_by(DigestSlot.claimed_at)
    )
    return [
        OpenClaim(r.id, r.channel_id, r.slot_at, r.claimed_by, r.claimed_at, r.detail) for r in rows
    ]


async def take_over(session: AsyncSession, claim: OpenClaim, holder: str, now: datetime) -> bool:
    """Take a crashed run's claim; False when another process took it first."""
    result = await session.execute(
        update(DigestSlot)
        .where(
            DigestSlot.id == claim.id,
            DigestSlot.status == CLAIMED,
            DigestSlot.claimed_by == claim.claimed_by,
            DigestSlot.claimed_at == claim.claimed_at,
        )
        .values(claimed_by=holder, claimed_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def reserved_count(session: AsyncSession, slot_id: int) -> int:
    """How many articles a slot reserved before posting."""
    found = await session.scalars(
        select(DigestArticle.article_id).where(DigestArticle.slot_id == slot_id)
    )
    return len(list(found))


async def release(session: AsyncSession, slot_id: int) -> None:
    """Give a slot's reserved articles back (its post failed), so the next slot has them."""
    await session.execute(delete(DigestArticle).where(DigestArticle.slot_id == slot_id))
