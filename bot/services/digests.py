"""Digests: build one, and run a slot exactly once: claim → build → post → record.

Discord-free: the caller hands in a `Poster` that turns a digest into messages. The order is
what makes it exactly-once across restarts, reconnects, DST repeats and several bot processes
sharing one database: the (guild, channel, slot) row is claimed in the database BEFORE anything
is posted, a run that loses the claim posts nothing, and while one run of a server holds a
fresh claim no other run of that server (scheduled or by hand) starts. The slot's articles are
reserved before posting and every message carries a nonce made of the slot id and its index, so
a crash between posting and recording is retried (by the next run of that server, or the
start-up catch-up) with the same articles and nonces, and Discord returns the messages already
sent instead of posting them twice. Discord forgets nonces after a few minutes: a crashed post
found later than NONCE_RETRY_WINDOW is recorded as failed and not posted again.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from collections.abc import Callable
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

# A claim older than this is a crashed run, not one still posting. Shorter than the nonce
# window below, so a run that crashed mid-post is retried while Discord still knows its nonces.
CLAIM_LEASE = timedelta(minutes=2)
# Discord returns the first message for a repeated nonce "within a few minutes".
NONCE_RETRY_WINDOW = timedelta(minutes=4)
# How many of the newest waiting articles the filters judge for one digest.
FILTER_WINDOW = 200


class Poster(Protocol):
    """Posts a digest (or, with digest None, the "nothing new" line) to a server's channel."""

    async def __call__(
        self,
        config: GuildConfig,
        digest: Digest | None,
        note: str | None,
        *,
        nonce_key: str | None = None,
    ) -> int:
        """Post and return how many messages were sent; raise PostProblem when it cannot.

        With a nonce_key, message i carries the nonce f"{nonce_key}.{i}" (enforced), so a
        retried post returns the messages already sent instead of sending them again.
        """
        ...


def process_name() -> str:
    """Who claims a slot: host and pid, for the slot row."""
    return f"{platform.node()[:60]}:{os.getpid()}"


def slot_nonce_key(slot_id: int) -> str:
    """The nonce prefix of a slot's messages (Discord allows 25 characters)."""
    return f"byline{slot_id}"


def holder_is_dead(claimed_by: str) -> bool:
    """Whether a claim's holder was a process on this host that no longer runs."""
    host, _, pid = claimed_by.rpartition(":")
    if host != platform.node()[:60] or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


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
        # Called with every slot outcome (the bot counts them as metrics).
        self.outcome_listeners: list[Callable[[SlotOutcome], None]] = []

    async def build(
        self,
        guild_id: int | None = None,
        *,
        max_articles: int | None = None,
        max_quotes: int | None = None,
        unposted_only: bool = True,
        reserved_by_slot: int | None = None,
    ) -> Digest:
        """The digest a server would get now (for the CLI, guild None: the newest articles)."""
        digest, _ = await self.preview(
            guild_id,
            max_articles=max_articles,
            max_quotes=max_quotes,
            unposted_only=unposted_only,
            reserved_by_slot=reserved_by_slot,
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
        reserved_by_slot: int | None = None,
    ) -> tuple[Digest, list[DroppedArticle]]:
        """The digest a server would get now, and the articles its filters keep out (and why)."""
        defaults = self.settings.digest
        config = await self.guilds.config(guild_id) if guild_id is not None else None
        # A retried post keeps exactly the articles it reserved: no filtering again.
        dropped = [] if reserved_by_slot else await self._dropped(guild_id, unposted_only)
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
                reserved_by_slot=reserved_by_slot,
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
        now = self.clock.now()
        guild_id = config.guild_id
        if config.channel_id is None:
            return SlotOutcome(SlotStatus.IDLE, slot_at, detail="no digest channel")
        # A run that crashed while posting is finished first, with its own articles and nonces.
        for recovered in await self.recover(config, poster):
            if recovered.slot_at == slot_at:
                return recovered
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
            return self._counted(SlotOutcome(SlotStatus.CLAIMED_ELSEWHERE, slot_at))
        if grace is not None and now - slot_at > grace:
            late = now - slot_at
            detail = f"missed by {late}; past the grace time of {grace}"
            await self._finish(slot_id, SlotStatus.SKIPPED, detail)
            logger.warning(
                "digest guild=%s slot=%s skipped: %s", guild_id, slot_at.isoformat(), detail
            )
            return self._counted(SlotOutcome(SlotStatus.SKIPPED, slot_at, detail=detail))
        return self._counted(await self._post(config, slot_id, slot_at, poster, retry=False))

    async def recover(self, config: GuildConfig, poster: Poster) -> list[SlotOutcome]:
        """Finish this server's slots a crashed run left 'claimed': same articles, same nonces."""
        now = self.clock.now()
        outcomes = []
        async with self.db.reader() as session:
            claims = await digest_slots.open_claims(session, config.guild_id)
        for claim in claims:
            if not self._crashed(claim, now):
                continue
            async with self.db.writer() as session:
                if not await digest_slots.take_over(session, claim, self.claimed_by, now):
                    continue
            if now - claim.claimed_at > NONCE_RETRY_WINDOW:
                # Discord only recognises a repeated nonce for a few minutes: posting again now
                # could duplicate, so the reserved articles count as posted (the grace rule).
                detail = "crashed while posting; not retried after the nonce window"
                await self._finish(claim.id, SlotStatus.FAILED, detail)
                logger.warning(
                    "digest guild=%s slot=%s: %s",
                    config.guild_id,
                    claim.slot_at.isoformat(),
                    detail,
                )
                outcomes.append(SlotOutcome(SlotStatus.FAILED, claim.slot_at, detail=detail))
                continue
            logger.info(
                "digest guild=%s slot=%s: retrying a crashed post (claimed by %s)",
                config.guild_id,
                claim.slot_at.isoformat(),
                claim.claimed_by,
            )
            outcome = await self._post(config, claim.id, claim.slot_at, poster, retry=True)
            outcomes.append(self._counted(outcome))
        return outcomes

    def _crashed(self, claim: digest_slots.OpenClaim, now: datetime) -> bool:
        """Whether a claim was left by a run that is gone (lease passed, or its process died)."""
        if now - claim.claimed_at > CLAIM_LEASE:
            return True
        return claim.claimed_by != self.claimed_by and holder_is_dead(claim.claimed_by)

    async def _post(
        self,
        config: GuildConfig,
        slot_id: int,
        slot_at: datetime,
        poster: Poster,
        *,
        retry: bool,
    ) -> SlotOutcome:
        """Reserve the articles, post with the slot's nonces, then record the slot as posted."""
        started = time.perf_counter()
        guild_id = config.guild_id
        nonce_key = slot_nonce_key(slot_id)
        try:
            reserved = 0
            if retry:
                async with self.db.reader() as session:
                    reserved = await digest_slots.reserved_count(session, slot_id)
            if reserved:
                digest = await self.build(guild_id, reserved_by_slot=slot_id, unposted_only=False)
                dropped: list[DroppedArticle] = []
            else:
                digest, dropped = await self.preview(guild_id, unposted_only=True)
            article_ids = digest_article_ids(digest)
            # Reserved before posting, so a crash from here on can only be retried with these
            # articles and the same nonces (Discord returns the first message for a nonce).
            # Filtered articles count as handled too, so they never block later digests.
            async with self.db.writer() as session:
                await digest_slots.mark_posted(
                    session, guild_id, [*article_ids, *(d.ref.id for d in dropped)], slot_id
                )
            if not digest.items:
                if digest.absorbed:  # nothing new in them: never offered again
                    async with self.db.writer() as session:
                        await digest_slots.mark_posted(session, guild_id, digest.absorbed, slot_id)
                note = self.settings.digest.nothing_new_message
                messages = await poster(config, None, note, nonce_key=nonce_key) if note else 0
                await self._finish(slot_id, SlotStatus.POSTED if messages else SlotStatus.NOTHING)
                await self.guilds.update(guild_id, problem=None, last_digest_at=self.clock.now())
                logger.info("digest guild=%s slot=%s: nothing new", guild_id, slot_at.isoformat())
                return SlotOutcome(SlotStatus.NOTHING, slot_at, messages=messages)
            messages = await poster(config, digest, None, nonce_key=nonce_key)
        except PostProblem as exc:
            # No retry here: the next slot tries again, so a broken channel gives one attempt
            # per slot, and the articles wait because their reservation is given back.
            await self._finish(slot_id, SlotStatus.FAILED, exc.message, release=True)
            await self.guilds.update(guild_id, problem=exc.message)
            logger.warning(
                "digest guild=%s slot=%s not posted: %s",
                guild_id,
                slot_at.isoformat(),
                exc.message,
            )
            return SlotOutcome(SlotStatus.PROBLEM, slot_at, detail=exc.message)
        except Exception as exc:
            await self._finish(slot_id, SlotStatus.FAILED, type(exc).__name__, release=True)
            logger.exception("digest guild=%s slot=%s failed", guild_id, slot_at.isoformat())
            return SlotOutcome(SlotStatus.FAILED, slot_at, detail=type(exc).__name__)
        await self._finish(slot_id, SlotStatus.POSTED, f"{len(article_ids)} articles")
        await self.guilds.update(guild_id, problem=None, last_digest_at=self.clock.now())
        logger.info(
            "digest guild=%s slot=%s: posted %d articles in %d messages (%.2fs)",
            guild_id,
            slot_at.isoformat(),
            len(article_ids),
            messages,
            time.perf_counter() - started,
        )
        return SlotOutcome(SlotStatus.POSTED, slot_at, articles=len(article_ids), messages=messages)

    def _counted(self, outcome: SlotOutcome) -> SlotOutcome:
        for listener in self.outcome_listeners:
            listener(outcome)
        return outcome

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

    async def _finish(
        self, slot_id: int, status: SlotStatus, detail: str | None = None, *, release: bool = False
    ) -> None:
        async with self.db.writer() as session:
            if release:
                await digest_slots.release(session, slot_id)
            await digest_slots.finish_slot(session, slot_id, status, detail)
