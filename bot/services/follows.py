"""Follow a person: channel and DM follows, and alerts sent exactly once per (follow, article).

The alert run mirrors a digest slot: every (follow, article) pair is claimed in the database
BEFORE anything is sent, so restarts and several bot processes on one database send each
alert once. Pairs a server's pause or filters hold back are claimed with that status and never
sent later (resuming does not flood a channel). Several follows of one channel (or member)
matching one article are one message. A DM that Discord refuses for good (closed DMs) disables
that follow with a note instead of failing again on every article.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from bot.db import follows as follow_store
from bot.db.engine import Database
from bot.domain import (
    AlertOutcome,
    AlertStatus,
    FollowAlert,
    FollowKind,
    FollowMatch,
    FollowView,
)
from bot.errors import DeliveryRefused, InvalidInput, NotFound
from bot.services.digests import process_name
from bot.services.filters import FilterService
from bot.services.guilds import GuildService
from bot.services.people import PeopleService

logger = logging.getLogger(__name__)

MAX_FOLLOWS_PER_GUILD = 100
PAIRS_PER_RUN = 500
# A claim still 'claimed' after this is a process that died mid-send: another run resends it
# with the same nonce, which Discord answers with the first message if that one went out.
CLAIM_LEASE = timedelta(minutes=2)
DM_CLOSED_NOTE = (
    "Discord would not deliver a DM (your DMs from this server are closed); "
    "open them and use /follow me again"
)


class AlertSender(Protocol):
    """Sends one alert message; raises DeliveryRefused when Discord will not take it."""

    async def __call__(self, alert: FollowAlert) -> None:
        """Send the alert."""
        ...


class FollowService:
    """Who follows whom, and the alert run the bot schedules."""

    def __init__(
        self,
        db: Database,
        people: PeopleService,
        guilds: GuildService,
        filters: FilterService,
        clock: Clock,
    ) -> None:
        self.db = db
        self.people = people
        self.guilds = guilds
        self.filters = filters
        self.clock = clock
        self.claimed_by = process_name()

    # ---- follows ----------------------------------------------------------------------------

    async def _add(
        self, guild_id: int, person: str, kind: FollowKind, target_id: int, created_by: int | None
    ) -> tuple[FollowView, bool]:
        person_id = await self.people.find(person, guild_id)
        async with self.db.writer() as session:
            existing = await follow_store.find_follow(session, guild_id, person_id, kind, target_id)
            if existing is None and (
                await follow_store.count_follows(session, guild_id) >= MAX_FOLLOWS_PER_GUILD
            ):
                raise InvalidInput(
                    f"this server follows {MAX_FOLLOWS_PER_GUILD} people already; remove one first"
                )
            view, created = await follow_store.add_follow(
                session,
                guild_id,
                person_id,
                kind,
                target_id,
                created_by=created_by,
                now=self.clock.now(),
            )
        logger.info(
            "follow guild=%s #%d %s %s", guild_id, view.id, kind, "added" if created else "kept"
        )
        return view, created

    async def follow_in_channel(
        self, guild_id: int, person: str, channel_id: int, created_by: int | None = None
    ) -> tuple[FollowView, bool]:
        """Alert a channel when a new article quotes or names the person."""
        return await self._add(guild_id, person, FollowKind.CHANNEL, channel_id, created_by)

    async def follow_by_dm(
        self, guild_id: int, person: str, user_id: int
    ) -> tuple[FollowView, bool]:
        """Alert a member by DM (opt-in; /follow me again re-enables a disabled one)."""
        return await self._add(guild_id, person, FollowKind.DM, user_id, user_id)

    async def unfollow_by_dm(self, guild_id: int, person: str, user_id: int) -> FollowView:
        """A member stops their DM alerts for a person."""
        person_id = await self.people.find(person, guild_id)
        async with self.db.writer() as session:
            view = await follow_store.find_follow(
                session, guild_id, person_id, FollowKind.DM, user_id
            )
            if view is None:
                raise NotFound("you do not follow that person here; see /follow list")
            await follow_store.delete_follow(session, view.id)
        return view

    async def remove(self, guild_id: int, follow_id: int) -> FollowView:
        """Remove a server follow (channel or a member's DM follow) by its number."""
        async with self.db.writer() as session:
            view = await follow_store.get_follow(session, guild_id, follow_id)
            if view is None:
                raise NotFound(f"no follow #{follow_id} here; see /follow list")
            await follow_store.delete_follow(session, follow_id)
        return view

    async def of_guild(
        self, guild_id: int | None, *, user_id: int | None = None
    ) -> list[FollowView]:
        """A server's follows (with user_id: that member's DM follows only)."""
        async with self.db.reader() as session:
            if user_id is not None:
                return await follow_store.follows_of(
                    session, guild_id, kind=FollowKind.DM, target_id=user_id
                )
            return await follow_store.follows_of(session, guild_id)

    async def claims(self, follow_id: int) -> list[tuple[int, str]]:
        """(article id, status) of one follow's alerts (for tests and the CLI)."""
        async with self.db.reader() as session:
            return await follow_store.claims_of(session, follow_id)

    # ---- alerts -----------------------------------------------------------------------------

    async def run_alerts(self, send: AlertSender) -> AlertOutcome:
        """Claim and send every alert due now; return what happened."""
        started = time.perf_counter()
        now = self.clock.now()
        stale_before = now - CLAIM_LEASE
        async with self.db.reader() as session:
            pairs = await follow_store.pending_pairs(session, PAIRS_PER_RUN)
            stale = await follow_store.stale_claims(session, stale_before, PAIRS_PER_RUN)
            if not pairs and not stale:
                return AlertOutcome()
            follows = await follow_store.views_by_id(session, sorted({f for f, _ in pairs + stale}))
        held: dict[tuple[int, int], tuple[AlertStatus, str]] = {}
        by_guild: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pair in pairs:
            by_guild[follows[pair[0]].guild_id].append(pair)
        for guild_id, guild_pairs in by_guild.items():
            if (await self.guilds.config(guild_id)).paused:
                for pair in guild_pairs:
                    held[pair] = (AlertStatus.PAUSED, "the server's posts are paused")
                continue
            dropped = await self.filters.dropped(guild_id, sorted({a for _, a in guild_pairs}))
            for pair in guild_pairs:
                if pair[1] in dropped:
                    held[pair] = (AlertStatus.FILTERED, dropped[pair[1]])
        deliver = [p for p in pairs if p not in held]
        async with self.db.writer() as session:
            for pair, (status, detail) in held.items():
                await follow_store.claim(
                    session, [pair], self.claimed_by, now=now, status=status, detail=detail
                )
            won = await follow_store.claim(session, deliver, self.claimed_by, now=now)
            won += await follow_store.reclaim(
                session, stale, self.claimed_by, now=now, before=stale_before
            )
        outcome = AlertOutcome(
            paused=sum(1 for s, _ in held.values() if s == AlertStatus.PAUSED),
            filtered=sum(1 for s, _ in held.values() if s == AlertStatus.FILTERED),
        )
        alerts = await self._group(won, follows)
        sent = failed = 0
        disabled: list[int] = []
        for alert, alert_pairs in alerts:
            try:
                await send(alert)
            except DeliveryRefused as exc:
                failed += 1
                await self._refused(alert, alert_pairs, exc, disabled)
                continue
            except Exception as exc:
                failed += 1
                logger.exception("follow alert for article #%d failed", alert.article.id)
                async with self.db.writer() as session:
                    await follow_store.finish(
                        session, alert_pairs, AlertStatus.FAILED, type(exc).__name__
                    )
                continue
            sent += 1
            async with self.db.writer() as session:
                await follow_store.finish(session, alert_pairs, AlertStatus.SENT, None)
                for follow_id in {f for f, _ in alert_pairs}:
                    if follows[follow_id].last_error:
                        await follow_store.set_state(session, follow_id, last_error=None)
        logger.info(
            "follow alerts: %d sent, %d failed, %d filtered, %d paused (%.2fs)",
            sent,
            failed,
            outcome.filtered,
            outcome.paused,
            time.perf_counter() - started,
        )
        return AlertOutcome(
            sent=sent,
            filtered=outcome.filtered,
            paused=outcome.paused,
            failed=failed,
            disabled=disabled,
        )

    async def _refused(
        self,
        alert: FollowAlert,
        pairs: list[tuple[int, int]],
        exc: DeliveryRefused,
        disabled: list[int],
    ) -> None:
        follow_ids = sorted({f for f, _ in pairs})
        note = DM_CLOSED_NOTE if alert.kind == FollowKind.DM else exc.message
        async with self.db.writer() as session:
            await follow_store.finish(session, pairs, AlertStatus.FAILED, exc.message)
            for follow_id in follow_ids:
                if exc.permanent:
                    # Disabled, not retried: a closed DM or a deleted channel fails the same way
                    # for every article, and retrying would hit Discord in a loop.
                    await follow_store.set_state(
                        session, follow_id, disabled_reason=note, last_error=exc.message
                    )
                else:
                    await follow_store.set_state(session, follow_id, last_error=exc.message)
        if exc.permanent:
            disabled.extend(follow_ids)
        logger.warning(
            "follow alert %s:%s article #%d refused%s: %s",
            alert.kind,
            alert.target_id,
            alert.article.id,
            " (follow disabled)" if exc.permanent else "",
            exc.message,
        )

    async def _group(
        self, pairs: list[tuple[int, int]], follows: dict[int, FollowView]
    ) -> list[tuple[FollowAlert, list[tuple[int, int]]]]:
        """One alert per (destination, article), holding every matching follow of it."""
        groups: dict[tuple[FollowKind, int, int], list[tuple[int, int]]] = defaultdict(list)
        for follow_id, article_id in pairs:
            view = follows[follow_id]
            groups[(view.kind, view.target_id, article_id)].append((follow_id, article_id))
        if not groups:
            return []
        async with self.db.reader() as session:
            refs = await follow_store.article_refs(session, sorted({a for _, a in pairs}))
            out = []
            for (kind, target_id, article_id), group in groups.items():
                matches = []
                seen: set[int] = set()
                for follow_id, _ in group:
                    view = follows[follow_id]
                    if view.person_id in seen:
                        continue
                    seen.add(view.person_id)
                    quote = await follow_store.best_quote(session, view.person_id, article_id)
                    sentence = (
                        None
                        if quote
                        else await follow_store.naming_sentence(session, view.person_id, article_id)
                    )
                    matches.append(FollowMatch(follow_id, view.person, quote, sentence))
                first = follows[group[0][0]]
                alert = FollowAlert(first.guild_id, kind, target_id, refs[article_id], matches)
                out.append((alert, group))
        return out
