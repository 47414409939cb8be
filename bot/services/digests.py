"""Digests: build one, and run a slot exactly once: claim → build → post → record.

Discord-free: the caller hands in a `Poster` that turns a digest into messages. The order is
what makes it exactly-once across restarts, reconnects, DST repeats and several bot processes
sharing one database: the (guild, channel, slot) row is claimed in the database BEFORE anything
is posted, a run that loses the claim posts nothing, and while one run of a server holds a
fresh claim no other run of that server (scheduled or by hand) starts. The one remaining gap is
a crash between a successful post and the commit that marks it (at most one duplicate after
restart); the slot row stays 'claimed', so that case is visible in the database.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.db import digest_slots, guild_settings, queries
from bot.db.engine import Database
from bot.digest.builder import build_digest, digest_article_ids
from bot.domain import Digest, DroppedArticle, GuildConfig, SlotOutcome, SlotStatus
from bot.errors import PostProblem
from bot.scheduling.schedules import latest_slot, parse_schedule
from bot.services.filters import FilterService
from bot.services.guilds import GuildService
from bot.settings import Settings

logger = logging.getLogger(__name__)

# A claim older than this is a crashed run, not one still posting.
CLAIM_LEASE = timedelta(minutes=10)
# How many of the newest waiting articles the filters judge for one digest.
FILTER_WINDOW = 200


class Poster(Protocol):
    """Posts a digest (or, with digest None, the "nothing new" line) to a server's channel."""

    async def __call__(self, config: GuildConfig, digest: Digest | None, note: str | None) -> int:
        """Post and return how many messages were sent; raise PostProblem when it cannot."""
        ...


def process_name() -> str:
    """Who claims a slot: host and pid, for the slot row."""
    return f"{platform.node()[:60]}:{os.getpid()}"


def due_slot(config: GuildConfig, now: datetime) -> datetime | None:
    """The latest slot of a server's schedule at or before now (None when not scheduled)."""
    if config.channel_id is None or config.paused:
        return None
    return latest_slot(parse_schedule(config.schedule), config.timezone, now)


class DigestService:
    """Build digests and post them once per slot."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        guilds: GuildService,
        clock: Clock,
        filters: FilterService | None = None,
    ) -> None:
        self.filters = filters
        self.settings = settings
        self.db = db
        self.guilds = guilds
        self.clock = clock
        self.claimed_by = process_name()
        self.grace = timedelta(minutes=settings.digest.grace_minutes)

    async def build(
        self,
        guild_id: int | None = None,
        *,
        max_articles: int | None = None,
        max_quotes: int | None = None,
        unposted_only: bool = True,
    ) -> Digest:
        """The digest a server would get now (for the CLI, guild None: the newest articles)."""
        digest, _ = await self.preview(
            guild_id,
            max_articles=max_articles,
            max_quotes=max_quotes,
            unposted_only=unposted_only,
        )
        return digest

    async def _dropped(self, guild_id: int | None, unposted_only: bool) -> list[DroppedArticle]:
        if guild_id is None or self.filters is None:
            return []
        async with self.db.reader() as session:
            candidates = await queries.digest_candidates(
                session, guild_id, FILTER_WINDOW, unposted_only=unposted_only
            )
        refs = {c.ref.id: c.ref for c in candidates}
        dropped = await self.filters.dropped(guild_id, list(refs))
        return [DroppedArticle(refs[a], reason) for a, reason in dropped.items()]

    async def preview(
        self,
        guild_id: int | None = None,
        *,
        max_articles: int | None = None,
        max_quotes: int | None = None,
        unposted_only: bool = True,
    ) -> tuple[Digest, list[DroppedArticle]]:
        """The digest a server would get now, and the articles its filters keep out (and why)."""
        defaults = self.settings.digest
        config = await self.guilds.config(guild_id) if guild_id is not None else None
        dropped = await self._dropped(guild_id, unposted_only)
        async with self.db.reader() as session:
            digest = await build_digest(
                session,
                guild_id,
                max_articles=max_articles
                or (config.max_articles if config else defaults.max_articles),
                max_quotes=max_quotes
                if max_quotes is not None
                else (config.max_quotes if config else defaults.max_quotes),
                unposted_only=unposted_only,
                now=self.clock.now(),
                skip_ids={d.ref.id for d in dropped},
            )
        return digest, dropped

    async def post_now(self, guild_id: int, poster: Poster) -> SlotOutcome:
        """Post the server's digest now, by hand, with the same exactly-once bookkeeping."""
        config = await self.guilds.require_channel(guild_id)
        # Every press is its own slot (to the microsecond); the server-wide claim keeps two
        # presses, or a press and a scheduled run, from posting the same articles twice.
        return await self.run_slot(config, self.clock.now(), poster=poster, grace=None, manual=True)

    async def run_due(self, guild_id: int, poster: Poster) -> SlotOutcome:
        """Run the server's latest due slot (the scheduled one, or a missed one at start)."""
        config = await self.guilds.config(guild_id)
        slot_at = due_slot(config, self.clock.now())
        if slot_at is None:
            return SlotOutcome(SlotStatus.IDLE, None)
        return await self.run_slot(config, slot_at, poster=poster, grace=self.grace)

    async def run_slot(
        self,
        config: GuildConfig,
        slot_at: datetime,
        *,
        poster: Poster,
        grace: timedelta | None,
        manual: bool = False,
    ) -> SlotOutcome:
        """Claim the slot, then post the server's new articles once; grace None means no limit."""
        started = time.perf_counter()
        now = self.clock.now()
        guild_id = config.guild_id
        if config.channel_id is None:
            return SlotOutcome(SlotStatus.IDLE, slot_at, detail="no digest channel")
        async with self.db.writer() as session:
            await guild_settings.lock_guild(session, guild_id, self.settings.digest)
            if manual:
                slot_at = await digest_slots.free_slot_at(
                    session, guild_id, config.channel_id, slot_at
                )
            slot_id = await digest_slots.claim_slot(
                session,
                guild_id,
                config.channel_id,
                slot_at,
                self.claimed_by,
                now=now,
                lease=CLAIM_LEASE,
            )
        if slot_id is None:
            logger.info("digest guild=%s slot=%s: already claimed", guild_id, slot_at.isoformat())
            return SlotOutcome(SlotStatus.CLAIMED_ELSEWHERE, slot_at)
        if grace is not None and now - slot_at > grace:
            late = now - slot_at
            detail = f"missed by {late}; past the grace time of {grace}"
            await self._finish(slot_id, SlotStatus.SKIPPED, detail)
            logger.warning(
                "digest guild=%s slot=%s skipped: %s", guild_id, slot_at.isoformat(), detail
            )
            return SlotOutcome(SlotStatus.SKIPPED, slot_at, detail=detail)
        try:
            digest, dropped = await self.preview(guild_id, unposted_only=True)
            article_ids = digest_article_ids(digest)
            if dropped:
                # Filtered articles count as handled, so they never block later digests.
                async with self.db.writer() as session:
                    await digest_slots.mark_posted(
                        session, guild_id, [d.ref.id for d in dropped], slot_id
                    )
            if not digest.items:
                if digest.absorbed:  # nothing new in them: never offered again
                    async with self.db.writer() as session:
                        await digest_slots.mark_posted(session, guild_id, digest.absorbed, slot_id)
                note = self.settings.digest.nothing_new_message
                messages = await poster(config, None, note) if note else 0
                await self._finish(slot_id, SlotStatus.POSTED if messages else SlotStatus.NOTHING)
                await self.guilds.update(guild_id, problem=None, last_digest_at=now)
                logger.info("digest guild=%s slot=%s: nothing new", guild_id, slot_at.isoformat())
                return SlotOutcome(SlotStatus.NOTHING, slot_at, messages=messages)
            messages = await poster(config, digest, None)
        except PostProblem as exc:
            # No retry here: the next slot tries again, so a broken channel gives one attempt
            # per slot, and the articles wait because they are not marked as posted.
            await self._finish(slot_id, SlotStatus.FAILED, exc.message)
            await self.guilds.update(guild_id, problem=exc.message)
            logger.warning(
                "digest guild=%s slot=%s not posted: %s",
                guild_id,
                slot_at.isoformat(),
                exc.message,
            )
            return SlotOutcome(SlotStatus.PROBLEM, slot_at, detail=exc.message)
        except Exception as exc:
            await self._finish(slot_id, SlotStatus.FAILED, type(exc).__name__)
            logger.exception("digest guild=%s slot=%s failed", guild_id, slot_at.isoformat())
            return SlotOutcome(SlotStatus.FAILED, slot_at, detail=type(exc).__name__)
        async with self.db.writer() as session:
            await digest_slots.mark_posted(session, guild_id, article_ids, slot_id)
            await digest_slots.finish_slot(
                session, slot_id, SlotStatus.POSTED, f"{len(article_ids)} articles"
            )
        await self.guilds.update(guild_id, problem=None, last_digest_at=now)
        logger.info(
            "digest guild=%s slot=%s: posted %d articles in %d messages (%.2fs)",
            guild_id,
            slot_at.isoformat(),
            len(article_ids),
            messages,
            time.perf_counter() - started,
        )
        return SlotOutcome(SlotStatus.POSTED, slot_at, articles=len(article_ids), messages=messages)

    async def catch_up(self, poster: Poster) -> list[SlotOutcome]:
        """Post each server's missed slot once if within grace (skip and log it otherwise)."""
        outcomes = []
        for config in await self.guilds.all_configs():
            if config.channel_id is None or config.paused:
                continue
            try:
                outcomes.append(await self.run_due(config.guild_id, poster))
            except Exception:
                logger.exception("catch-up of guild %s failed", config.guild_id)
        return outcomes

    async def _finish(self, slot_id: int, status: SlotStatus, detail: str | None = None) -> None:
        async with self.db.writer() as session:
            await digest_slots.finish_slot(session, slot_id, status, detail)
