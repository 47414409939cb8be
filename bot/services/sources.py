"""Sources: add, remove and list feeds and pages per server, and poll them."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import sources as store
from bot.db.engine import Database
from bot.domain import PollOutcome, SourceKind, SourceView
from bot.errors import BylineError, InvalidInput, NotFound
from bot.ingest.fetchers import FetcherHandle
from bot.ingest.probe import probe
from bot.ingest.urls import canonical_url
from bot.scheduling.intervals import parse_every
from bot.services.articles import ArticleService, checked_url
from bot.services.source_polling import SourcePoller
from bot.settings import Settings

logger = logging.getLogger(__name__)

REMOVED_FROM_CONFIG = "removed from config.toml"


def _not_found(source_id: int) -> NotFound:
    return NotFound(
        f"no source #{source_id}; use /config sources list to see this server's sources"
    )


class SourceService:
    """Feeds and pages: global ones from config.toml and each server's own."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        articles: ArticleService,
        fetchers: FetcherHandle,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.db = db
        self.fetchers = fetchers
        self.clock = clock
        self.poller = SourcePoller(settings, db, articles, fetchers, clock)

    async def add(self, url: str, *, guild_id: int | None, every: str | None = None) -> SourceView:
        """Add a feed or page for a server (global for guild None), checked by one fetch."""
        started = time.perf_counter()
        every_s = parse_every(every or self.settings.sources.default_every)
        text, canonical = checked_url(url, self.settings.fetch.allow_hosts)
        async with self.db.reader() as session:
            await _refuse_duplicate(session, guild_id, canonical)
            cap = self.settings.sources.max_per_guild
            if guild_id is not None and await store.count_for_guild(session, guild_id) >= cap:
                raise InvalidInput(f"this server already has {cap} sources; remove one first")
        # The network check runs before the write transaction opens, never inside it.
        found = await probe(await self.fetchers.get(), text)
        try:
            async with self.db.writer() as session:
                await _refuse_duplicate(session, guild_id, canonical)
                view = await store.add(
                    session,
                    guild_id=guild_id,
                    url=text,
                    canonical=canonical,
                    kind=SourceKind(found.kind),
                    title=found.title,
                    every_s=every_s,
                    now=self.clock.now(),
                )
        except IntegrityError:
            # Another add of the same address won the race between our check and the insert.
            raise InvalidInput(
                "that source was just added; use /config sources list to see it"
            ) from None
        logger.info(
            "source add #%d kind=%s guild=%s in %.2fs",
            view.id,
            view.kind,
            guild_id,
            time.perf_counter() - started,
        )
        return view

    async def remove(self, source_id: int, *, guild_id: int | None) -> SourceView:
        """Remove a source; a server can remove only its own (others look missing)."""
        async with self.db.writer() as session:
            view = await store.get(session, source_id)
            if view is None:
                raise _not_found(source_id)
            if guild_id is not None and view.guild_id != guild_id:
                if view.guild_id is None:
                    raise InvalidInput(
                        f"source #{source_id} is global (from the bot's config.toml); "
                        "only the bot's operator can remove it"
                    )
                raise _not_found(source_id)  # another server's source: same as a missing one
            await store.delete_source(session, source_id)
        logger.info("source remove #%d guild=%s", source_id, guild_id)
        return view

    async def for_guild(self, *, guild_id: int | None) -> list[SourceView]:
        """Global sources and the server's own (every source for the CLI, guild None)."""
        async with self.db.reader() as session:
            return await store.list_visible(session, guild_id)

    async def get(self, source_id: int, *, guild_id: int | None) -> SourceView:
        """One source a server may see, or NotFound."""
        async with self.db.reader() as session:
            view = await store.get(session, source_id)
        if view is None or (guild_id is not None and view.guild_id not in (None, guild_id)):
            raise _not_found(source_id)
        return view

    async def poll(self, source_id: int, *, now: datetime | None = None) -> PollOutcome:
        """Poll one source now."""
        return await self.poller.poll(source_id, now=now)

    async def poll_due(self, *, now: datetime | None = None) -> list[PollOutcome]:
        """Poll every enabled source whose time has come."""
        return await self.poller.poll_due(now=now)

    async def poll_if_due(self, source_id: int) -> None:
        """A poll job's body: poll when next_poll_at has come (backoff pushes it later)."""
        now = self.clock.now()
        async with self.db.reader() as session:
            snap = await store.snapshot(session, source_id)
        if snap is None or snap.disabled_reason is not None:
            return
        # A jittered run can come a little before next_poll_at; skipping it would wait a
        # whole extra interval.
        slack_s = poll_jitter_s(snap.every_s) + 5
        if snap.next_poll_at is not None and (snap.next_poll_at - now).total_seconds() > slack_s:
            return
        try:
            await self.poll(source_id, now=now)
        except NotFound:
            return

    async def sync_global(self) -> None:
        """Make the global rows match config.toml's [sources] feeds."""
        wanted: dict[str, tuple[str, int]] = {}
        for entry in self.settings.sources.feeds:
            try:
                every_s = parse_every(entry.every)
                wanted[canonical_url(entry.url)] = (entry.url.strip(), every_s)
            except BylineError as exc:
                logger.warning("config source %s skipped: %s", entry.url[:200], exc.message)
        async with self.db.writer() as session:
            await store.sync_global(
                session, wanted, now=self.clock.now(), removed=REMOVED_FROM_CONFIG
            )

    async def poll_intervals(self) -> dict[int, int]:
        """Poll interval of every enabled source, by id (what the poll jobs should be)."""
        async with self.db.reader() as session:
            return await store.enabled_intervals(session)


# Spread polls so many sources on the same interval do not fire in the same second.
MAX_JITTER_S = 120


def poll_jitter_s(every_s: int) -> int:
    """How much a source's poll job may be moved to spread load."""
    return min(MAX_JITTER_S, every_s // 10)


async def _refuse_duplicate(session: AsyncSession, guild_id: int | None, canonical: str) -> None:
    existing = await store.find_by_url(session, guild_id, canonical)
    if existing is not None:
        raise InvalidInput(
            f"that address is already source #{existing.id}; use /config sources list to see it"
        )
    if guild_id is not None:
        shared = await store.find_by_url(session, None, canonical)
        if shared is not None:
            raise InvalidInput(
                f"that address is already global source #{shared.id}, which every server gets"
            )
