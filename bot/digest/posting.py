"""Run one digest slot, exactly once: claim → build → post (through a callback) → record.

Discord-free: the caller hands in a `Poster` that turns a digest into messages. The order is
what makes it exactly-once across restarts, reconnects, DST repeats and several bot processes
sharing one database: the (guild, channel, slot) row is claimed in the database BEFORE anything
is posted, and a run that loses the claim posts nothing. The one remaining gap is a crash
between a successful post and the commit that marks it (at most one duplicate after restart,
never more); the slot row stays 'claimed', so that case is visible in the database.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.db import guilds
from bot.digest.builder import digest_article_ids
from bot.domain import Digest, GuildConfig
from bot.schedules import latest_slot, parse_schedule
from bot.services import Byline

logger = logging.getLogger(__name__)


class PostProblem(Exception):
    """The digest cannot be posted for a reason an admin must fix (permissions, channel)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Poster(Protocol):
    """Posts a digest (or, with digest None, the "nothing new" line) to a server's channel."""

    async def __call__(self, config: GuildConfig, digest: Digest | None, note: str | None) -> int:
        """Post and return how many messages were sent; raise PostProblem when it cannot."""
        ...


@dataclass(frozen=True, slots=True)
class SlotOutcome:
    """How one digest slot ended."""

    status: str  # posted | nothing | claimed-elsewhere | skipped | problem | failed | idle
    slot_at: datetime | None
    articles: int = 0
    messages: int = 0
    detail: str | None = None


def process_name() -> str:
    """Who claims a slot: host and pid, for the slot row."""
    return f"{platform.node()[:60]}:{os.getpid()}"


def due_slot(config: GuildConfig, now: datetime) -> datetime | None:
    """The latest slot of a server's schedule at or before now (None when not scheduled)."""
    if config.channel_id is None or config.paused:
        return None
    return latest_slot(parse_schedule(config.schedule), config.timezone, now)


async def run_slot(
    services: Byline,
    config: GuildConfig,
    slot_at: datetime,
    *,
    now: datetime,
    poster: Poster,
    grace: timedelta | None,
    claimed_by: str | None = None,
    nothing_new_message: str | None = None,
) -> SlotOutcome:
    """Claim the slot, then post the server's new articles once; grace None means no limit."""
    started = time.perf_counter()
    guild_id = config.guild_id
    if config.channel_id is None:
        return SlotOutcome("idle", slot_at, detail="no digest channel")
    async with services.db.writer() as session:
        slot_id = await guilds.claim_slot(
            session, guild_id, config.channel_id, slot_at, claimed_by or process_name()
        )
    if slot_id is None:
        logger.info("digest guild=%s slot=%s: already claimed", guild_id, slot_at.isoformat())
        return SlotOutcome("claimed-elsewhere", slot_at)
    if grace is not None and now - slot_at > grace:
        late = now - slot_at
        detail = f"missed by {late}; past the grace time of {grace}"
        await _finish(services, slot_id, "skipped", detail)
        logger.warning("digest guild=%s slot=%s skipped: %s", guild_id, slot_at.isoformat(), detail)
        return SlotOutcome("skipped", slot_at, detail=detail)
    try:
        digest = await services.digest(guild_id, unposted_only=True)
        article_ids = digest_article_ids(digest)
        if not digest.items:
            messages = 0
            if nothing_new_message:
                messages = await poster(config, None, nothing_new_message)
            await _finish(services, slot_id, "posted" if messages else "nothing", None)
            await services.update_guild_config(guild_id, problem=None, last_digest_at=now)
            logger.info("digest guild=%s slot=%s: nothing new", guild_id, slot_at.isoformat())
            return SlotOutcome("nothing", slot_at, messages=messages)
        messages = await poster(config, digest, None)
    except PostProblem as exc:
        # No retry here: the next slot tries again, so a broken channel gives one attempt per
        # slot, and the articles wait because they are not marked as posted.
        await _finish(services, slot_id, "failed", exc.message)
        await services.update_guild_config(guild_id, problem=exc.message)
        logger.warning(
            "digest guild=%s slot=%s not posted: %s", guild_id, slot_at.isoformat(), exc.message
        )
        return SlotOutcome("problem", slot_at, detail=exc.message)
    except Exception as exc:
        await _finish(services, slot_id, "failed", f"{type(exc).__name__}")
        logger.exception("digest guild=%s slot=%s failed", guild_id, slot_at.isoformat())
        return SlotOutcome("failed", slot_at, detail=type(exc).__name__)
    async with services.db.writer() as session:
        await guilds.mark_posted(session, guild_id, article_ids, slot_id)
        await guilds.finish_slot(session, slot_id, "posted", f"{len(article_ids)} articles")
    await services.update_guild_config(guild_id, problem=None, last_digest_at=now)
    logger.info(
        "digest guild=%s slot=%s: posted %d articles in %d messages (%.2fs)",
        guild_id,
        slot_at.isoformat(),
        len(article_ids),
        messages,
        time.perf_counter() - started,
    )
    return SlotOutcome("posted", slot_at, articles=len(article_ids), messages=messages)


async def run_due(
    services: Byline,
    guild_id: int,
    *,
    now: datetime,
    poster: Poster,
    grace: timedelta | None,
    claimed_by: str | None = None,
    nothing_new_message: str | None = None,
) -> SlotOutcome:
    """Run the server's latest due slot (the scheduled one, or a missed one at start)."""
    config = await services.guild_config(guild_id)
    slot_at = due_slot(config, now)
    if slot_at is None:
        return SlotOutcome("idle", None)
    return await run_slot(
        services,
        config,
        slot_at,
        now=now,
        poster=poster,
        grace=grace,
        claimed_by=claimed_by,
        nothing_new_message=nothing_new_message,
    )


async def _finish(services: Byline, slot_id: int, status: str, detail: str | None) -> None:
    async with services.db.writer() as session:
        await guilds.finish_slot(session, slot_id, status, detail)
