"""Polling one source: conditional GET, backfill, new items, backoff and disabling."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db import sources as store
from bot.db.engine import Database
from bot.db.sources import PollSuccess, SourceSnapshot
from bot.domain import IngestOutcome, IngestStatus, PollOutcome, PollStatus, SourceKind
from bot.errors import BylineError, FetchRefused, InvalidInput, NotFound
from bot.ingest.feeds import FeedItem
from bot.ingest.fetcher import GuardedFetcher
from bot.ingest.fetchers import FetcherHandle
from bot.ingest.pages import ExtractionFailed, article_from_page, fetch_article
from bot.ingest.probe import parse_in_thread, probe
from bot.observability.logs import log_context
from bot.services.articles import ArticleService
from bot.settings import Settings

logger = logging.getLogger(__name__)

# New items ingested per poll after the first; the rest wait for the next poll.
MAX_ITEMS_PER_POLL = 25
MAX_BACKOFF_S = 24 * 3600
# Sources polled at once by poll_due: enough that a few hanging hosts cannot stall the rest.
POLL_CONCURRENCY = 4


@dataclass(slots=True)
class _Result:
    """What a successful poll found, before it is recorded."""

    status: PollStatus = PollStatus.OK
    articles: list[IngestOutcome] = field(default_factory=list)
    new_items: int = 0
    skipped_items: int = 0
    etag: str | None = None
    last_modified: str | None = None
    keep_validators: bool = False  # an item failed for now: refetch the whole feed next time
    kind: SourceKind | None = None
    title: str | None = None


def backoff_s(every_s: int, failures: int) -> int:
    """Seconds to wait after `failures` failed polls in a row: doubling, capped at a day."""
    if failures <= 0:
        return every_s
    return int(min(every_s * 2 ** min(failures, 16), max(every_s, MAX_BACKOFF_S)))


class SourcePoller:
    """Polls sources: one at a time per source, a few sources at once."""

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
        self.articles = articles
        self.fetchers = fetchers
        self.clock = clock
        self._in_flight: set[int] = set()
        # Called with every poll's outcome (the bot counts them as metrics).
        self.listeners: list[Callable[[PollOutcome], None]] = []

    async def poll(self, source_id: int, *, now: datetime | None = None) -> PollOutcome:
        """Poll one source now (even a disabled one: a manual poll that works re-enables it)."""
        with log_context(source_id=source_id):
            return await self._poll_one(source_id, now or self.clock.now())

    async def _poll_one(self, source_id: int, now: datetime) -> PollOutcome:
        started = time.perf_counter()
        async with self.db.reader() as session:
            snap = await store.snapshot(session, source_id)
        if snap is None:
            raise NotFound(f"no source #{source_id}; use /config sources list to see the sources")
        if source_id in self._in_flight:
            return PollOutcome(
                source_id, PollStatus.SKIPPED, message="a poll of this source is already running"
            )
        self._in_flight.add(source_id)
        try:
            fetcher = await self.fetchers.get()
            try:
                result = await self._poll(fetcher, snap, now)
            except BylineError as exc:
                outcome = await self._record_failure(snap, exc.message, now)
            except Exception:  # one broken source must not stop the scheduler or the others
                logger.exception("poll of source #%d failed unexpectedly", source_id)
                outcome = await self._record_failure(
                    snap, "something went wrong while polling; see the bot's log", now
                )
            else:
                outcome = await self._record_success(snap, result, now)
        finally:
            self._in_flight.discard(source_id)
        outcome = replace(outcome, duration_s=round(time.perf_counter() - started, 3))
        for listener in self.listeners:
            listener(outcome)
        logger.info(
            "poll source #%d: %s new=%d stored=%d in %.2fs",
            source_id,
            outcome.status,
            outcome.new_items,
            len(outcome.stored),
            outcome.duration_s,
        )
        return outcome

    async def poll_due(self, *, now: datetime | None = None) -> list[PollOutcome]:
        """Poll every enabled source whose time has come, a few at a time."""
        now = now or self.clock.now()
        async with self.db.reader() as session:
            ids = await store.due(session, now)
        gate = asyncio.Semaphore(POLL_CONCURRENCY)

        async def one(source_id: int) -> PollOutcome | None:
            async with gate:
                try:
                    return await self.poll(source_id, now=now)
                except NotFound:
                    return None  # removed while we waited

        outcomes = await asyncio.gather(*(one(i) for i in ids))
        return [o for o in outcomes if o is not None]

    async def _poll(self, fetcher: GuardedFetcher, snap: SourceSnapshot, now: datetime) -> _Result:
        kind, title = snap.kind, snap.title
        if kind == SourceKind.UNKNOWN:
            # A global source from config.toml is classified on its first poll.
            found = await probe(fetcher, snap.url)
            kind, title = SourceKind(found.kind), title or found.title
        if kind == SourceKind.FEED:
            result = await self._poll_feed(fetcher, snap, now)
        else:
            result = await self._poll_page(fetcher, snap)
        result.kind, result.title = kind, title
        return result

    async def _poll_feed(
        self, fetcher: GuardedFetcher, snap: SourceSnapshot, now: datetime
    ) -> _Result:
        async with self.db.reader() as session:
            first = not await store.has_items(session, snap.id)
        fetched = await fetcher.fetch(
            snap.url,
            kind="feed",
            etag=None if first else snap.etag,
            last_modified=None if first else snap.last_modified,
        )
        result = _Result(etag=fetched.etag, last_modified=fetched.last_modified)
        if fetched.not_modified:
            result.status = PollStatus.NOT_MODIFIED
            return result
        feed = await parse_in_thread(fetched)
        if feed.malformed:
            logger.info("source #%d: the feed is malformed but usable", snap.id)
        async with self.db.reader() as session:
            seen = await store.seen_keys(
                session,
                snap.id,
                (i.guid for i in feed.items),
                max_failures=self.settings.sources.max_item_failures,
            )
        new = list({i.guid: i for i in feed.items if i.guid not in seen}.values())
        if first:
            backfill = self.settings.sources.backfill
            to_fetch, skipped = new[:backfill], new[backfill:]
        else:
            to_fetch, skipped = new[:MAX_ITEMS_PER_POLL], []
        result.new_items = len(new)
        result.skipped_items = len(skipped)
        if skipped:
            # Older items of a new feed are marked seen without fetching them, so adding an
            # archive feed does not flood the store (or a channel) with its history.
            async with self.db.writer() as session:
                await store.mark_seen(session, snap.id, (i.guid for i in skipped), now=now)
        for item in to_fetch:
            outcome, retry = await self._ingest_item(fetcher, snap, item, feed.title, now)
            result.articles.append(outcome)
            result.keep_validators |= retry
        return result

    async def _ingest_item(
        self,
        fetcher: GuardedFetcher,
        snap: SourceSnapshot,
        item: FeedItem,
        feed_title: str,
        now: datetime,
    ) -> tuple[IngestOutcome, bool]:
        """Fetch, extract, analyse and store one feed item; say whether to retry it later."""
        origin = item.link or item.guid
        article_id: int | None = None
        try:
            if not item.link:
                raise ExtractionFailed("the feed item has no link to an article")
            fetched = await fetch_article(fetcher, item.link, source=feed_title or snap.title)
            raw = fetched.raw
            if item.published_at is not None:
                # The feed's date carries the time; trafilatura gives pages a bare date.
                raw = replace(raw, published_at=item.published_at)
            stored = await self.articles.ingest_article(
                raw, guild_id=snap.guild_id, source_id=snap.id, canonical_url=fetched.canonical_url
            )
            article_id = stored.article_id
            outcome = IngestOutcome(origin, stored.status, stored.article_id, stored.title)
        except (FetchRefused, ExtractionFailed, InvalidInput) as exc:
            # Refused addresses and pages without an article stay that way: do not retry.
            logger.info("source #%d item skipped: %s", snap.id, exc.message)
            outcome = IngestOutcome(
                origin, IngestStatus.FAILED, None, item.title or None, exc.message
            )
        except BylineError as exc:
            # Timeouts, 5xx and the like: the next polls try again, up to the item's cap.
            async with self.db.writer() as session:
                failures = await store.record_item_failure(session, snap.id, item.guid, now=now)
            cap = self.settings.sources.max_item_failures
            given_up = failures >= cap
            logger.info(
                "source #%d item %s (%d of %d): %s",
                snap.id,
                "given up" if given_up else "will be retried",
                failures,
                cap,
                exc.message,
            )
            reason = (
                f"{exc.message} (failed {failures} times; not tried again)"
                if given_up
                else (f"{exc.message} (tried again on the next poll, {failures} of {cap})")
            )
            failed = IngestOutcome(origin, IngestStatus.FAILED, None, item.title or None, reason)
            return failed, not given_up
        async with self.db.writer() as session:
            await store.mark_seen(session, snap.id, [item.guid], article_id=article_id, now=now)
        return outcome, False

    async def _poll_page(self, fetcher: GuardedFetcher, snap: SourceSnapshot) -> _Result:
        fetched = await fetcher.fetch(
            snap.url, kind="page", etag=snap.etag, last_modified=snap.last_modified
        )
        result = _Result(etag=fetched.etag, last_modified=fetched.last_modified)
        if fetched.not_modified:
            result.status = PollStatus.NOT_MODIFIED
            return result
        article = await article_from_page(fetched, snap.url, source=snap.title)
        stored = await self.articles.ingest_article(
            article.raw,
            guild_id=snap.guild_id,
            source_id=snap.id,
            canonical_url=article.canonical_url,
        )
        result.new_items = 0 if stored.status == IngestStatus.UNCHANGED else 1
        result.articles.append(stored)
        return result

    async def _record_success(
        self, snap: SourceSnapshot, result: _Result, now: datetime
    ) -> PollOutcome:
        next_at = now + timedelta(seconds=snap.every_s)
        found = PollSuccess(
            kind=result.kind,
            title=result.title,
            etag=result.etag,
            last_modified=result.last_modified,
            keep_validators=result.keep_validators or result.status == PollStatus.NOT_MODIFIED,
        )
        async with self.db.writer() as session:
            await store.record_success(session, snap.id, found, now=now, next_at=next_at)
        failed = [a for a in result.articles if a.status == IngestStatus.FAILED]
        message = f"{len(failed)} item(s) failed: {failed[0].message}" if failed else None
        return PollOutcome(
            snap.id,
            PollStatus.NOT_MODIFIED if result.status == PollStatus.NOT_MODIFIED else PollStatus.OK,
            articles=result.articles,
            new_items=result.new_items,
            skipped_items=result.skipped_items,
            message=message,
            next_poll_at=next_at,
        )

    async def _record_failure(
        self, snap: SourceSnapshot, message: str, now: datetime
    ) -> PollOutcome:
        async with self.db.writer() as session:
            recorded = await store.record_failure(
                session,
                snap.id,
                message,
                now=now,
                backoff=lambda failures: timedelta(seconds=backoff_s(snap.every_s, failures)),
                max_failures=self.settings.sources.max_failures,
            )
        if recorded is None:
            return PollOutcome(snap.id, PollStatus.FAILED, message=message)
        disabled, next_at = recorded
        return PollOutcome(
            snap.id,
            PollStatus.DISABLED if disabled else PollStatus.FAILED,
            message=message,
            next_poll_at=next_at,
        )
