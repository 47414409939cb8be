"""Polling one source: conditional GET, backfill, new items, backoff and disabling."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.db.models import Source
from bot.domain import IngestOutcome
from bot.errors import BylineError, FetchRefused, InvalidInput, NotFound
from bot.ingest.feeds import FeedItem
from bot.ingest.fetcher import GuardedFetcher
from bot.sources import store
from bot.sources.fetching import get_fetcher
from bot.sources.pages import ExtractionFailed, article_from_page, fetch_article
from bot.sources.probe import parse_in_thread, probe
from bot.sources.types import PollOutcome

if TYPE_CHECKING:
    from bot.services import Byline

logger = logging.getLogger(__name__)

# New items ingested per poll after the first; the rest wait for the next poll.
MAX_ITEMS_PER_POLL = 25
MAX_BACKOFF_S = 24 * 3600
# Sources polled at once by poll_due: enough that a few hanging hosts cannot stall the rest.
POLL_CONCURRENCY = 4

_in_flight: set[int] = set()


@dataclass(slots=True)
class _Snapshot:
    """The fields of a source a poll needs, copied out of its session."""

    id: int
    guild_id: int | None
    url: str
    kind: str
    title: str | None
    every_s: int
    etag: str | None
    last_modified: str | None


@dataclass(slots=True)
class _Result:
    """What a successful poll found, before it is recorded."""

    status: str = "ok"
    articles: list[IngestOutcome] = field(default_factory=list)
    new_items: int = 0
    skipped_items: int = 0
    etag: str | None = None
    last_modified: str | None = None
    keep_validators: bool = False  # an item failed for now: refetch the whole feed next time
    kind: str | None = None
    title: str | None = None


def backoff_s(every_s: int, failures: int) -> int:
    """Seconds to wait after `failures` failed polls in a row: doubling, capped at a day."""
    if failures <= 0:
        return every_s
    return int(min(every_s * 2 ** min(failures, 16), max(every_s, MAX_BACKOFF_S)))


async def poll_source(
    services: Byline, source_id: int, *, now: datetime | None = None
) -> PollOutcome:
    """Poll one source now (even a disabled one: a manual poll that works re-enables it)."""
    now = now or datetime.now(UTC)
    started = time.perf_counter()
    async with services.db.reader() as session:
        row = await session.get(Source, source_id)
        if row is None:
            raise NotFound(f"no source #{source_id}; use /config sources list to see the sources")
        snap = _Snapshot(
            id=row.id,
            guild_id=None if row.guild_id == store.GLOBAL_GUILD else row.guild_id,
            url=row.url,
            kind=row.kind,
            title=row.title,
            every_s=row.every_s,
            etag=row.etag,
            last_modified=row.last_modified,
        )
    if source_id in _in_flight:
        return PollOutcome(source_id, "skipped", message="a poll of this source is already running")
    _in_flight.add(source_id)
    try:
        fetcher = await get_fetcher(services.settings.fetch)
        try:
            result = await _poll(services, fetcher, snap, now)
        except BylineError as exc:
            outcome = await _record_failure(services, snap, exc.message, now)
        except Exception:  # one broken source must not stop the scheduler or the others
            logger.exception("poll of source #%d failed unexpectedly", source_id)
            outcome = await _record_failure(
                services, snap, "something went wrong while polling; see the bot's log", now
            )
        else:
            outcome = await _record_success(services, snap, result, now)
    finally:
        _in_flight.discard(source_id)
    outcome = replace(outcome, duration_s=round(time.perf_counter() - started, 3))
    logger.info(
        "poll source #%d: %s new=%d stored=%d in %.2fs",
        source_id,
        outcome.status,
        outcome.new_items,
        len(outcome.stored),
        outcome.duration_s,
    )
    return outcome


async def poll_due(services: Byline, *, now: datetime | None = None) -> list[PollOutcome]:
    """Poll every enabled source whose time has come, a few at a time."""
    now = now or datetime.now(UTC)
    async with services.db.reader() as session:
        ids = await store.due(session, now)
    gate = asyncio.Semaphore(POLL_CONCURRENCY)

    async def one(source_id: int) -> PollOutcome | None:
        async with gate:
            try:
                return await poll_source(services, source_id, now=now)
            except NotFound:
                return None  # removed while we waited

    outcomes = await asyncio.gather(*(one(i) for i in ids))
    return [o for o in outcomes if o is not None]


async def _poll(
    services: Byline, fetcher: GuardedFetcher, snap: _Snapshot, now: datetime
) -> _Result:
    kind, title = snap.kind, snap.title
    if kind not in ("feed", "page"):
        # A global source from config.toml is classified on its first poll.
        found = await probe(fetcher, snap.url)
        kind, title = found.kind, title or found.title
    if kind == "feed":
        result = await _poll_feed(services, fetcher, snap, now)
    else:
        result = await _poll_page(services, fetcher, snap)
    result.kind, result.title = kind, title
    return result


async def _poll_feed(
    services: Byline, fetcher: GuardedFetcher, snap: _Snapshot, now: datetime
) -> _Result:
    async with services.db.reader() as session:
        first = not await store.has_items(session, snap.id)
    fetched = await fetcher.fetch(
        snap.url,
        kind="feed",
        etag=None if first else snap.etag,
        last_modified=None if first else snap.last_modified,
    )
    result = _Result(etag=fetched.etag, last_modified=fetched.last_modified)
    if fetched.not_modified:
        result.status = "not_modified"
        return result
    feed = await parse_in_thread(fetched)
    if feed.malformed:
        logger.info("source #%d: the feed is malformed but usable", snap.id)
    async with services.db.reader() as session:
        seen = await store.seen_keys(session, snap.id, (i.guid for i in feed.items))
    new = list({i.guid: i for i in feed.items if i.guid not in seen}.values())
    if first:
        backfill = services.settings.sources.backfill
        to_fetch, skipped = new[:backfill], new[backfill:]
    else:
        to_fetch, skipped = new[:MAX_ITEMS_PER_POLL], []
    result.new_items = len(new)
    result.skipped_items = len(skipped)
    if skipped:
        # Older items of a new feed are marked seen without fetching them, so adding an
        # archive feed does not flood the store (or a channel) with its history.
        async with services.db.writer() as session:
            await store.mark_seen(session, snap.id, (i.guid for i in skipped), now=now)
    for item in to_fetch:
        outcome, retry = await _ingest_item(services, fetcher, snap, item, feed.title, now)
        result.articles.append(outcome)
        result.keep_validators |= retry
    return result


async def _ingest_item(
    services: Byline,
    fetcher: GuardedFetcher,
    snap: _Snapshot,
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
        stored = await services.ingest_article(
            raw, guild_id=snap.guild_id, source_id=snap.id, canonical_url=fetched.canonical_url
        )
        article_id = stored.article_id
        outcome = IngestOutcome(origin, stored.status, stored.article_id, stored.title)
    except (FetchRefused, ExtractionFailed, InvalidInput) as exc:
        # Refused addresses and pages without an article stay that way: do not retry.
        logger.info("source #%d item skipped: %s", snap.id, exc.message)
        outcome = IngestOutcome(origin, "failed", None, item.title or None, exc.message)
    except BylineError as exc:
        # Timeouts, 5xx and the like: leave the item unseen so the next poll tries again.
        logger.info("source #%d item will be retried: %s", snap.id, exc.message)
        return IngestOutcome(origin, "failed", None, item.title or None, exc.message), True
    async with services.db.writer() as session:
        await store.mark_seen(session, snap.id, [item.guid], article_id=article_id, now=now)
    return outcome, False


async def _poll_page(services: Byline, fetcher: GuardedFetcher, snap: _Snapshot) -> _Result:
    fetched = await fetcher.fetch(
        snap.url, kind="page", etag=snap.etag, last_modified=snap.last_modified
    )
    result = _Result(etag=fetched.etag, last_modified=fetched.last_modified)
    if fetched.not_modified:
        result.status = "not_modified"
        return result
    article = await article_from_page(fetched, snap.url, source=snap.title)
    stored = await services.ingest_article(
        article.raw, guild_id=snap.guild_id, source_id=snap.id, canonical_url=article.canonical_url
    )
    result.new_items = 0 if stored.status == "unchanged" else 1
    result.articles.append(stored)
    return result


async def _record_success(
    services: Byline, snap: _Snapshot, result: _Result, now: datetime
) -> PollOutcome:
    next_at = now + timedelta(seconds=snap.every_s)
    async with services.db.writer() as session:
        row = await session.get(Source, snap.id)
        if row is not None:
            row.failures = 0
            row.last_error = None
            row.disabled_reason = None
            row.last_polled_at = now
            row.next_poll_at = next_at
            row.kind = result.kind or row.kind
            row.title = _clip(result.title or row.title, 500)
            if not result.keep_validators and result.status != "not_modified":
                row.etag = _clip(result.etag, 500)
                row.last_modified = _clip(result.last_modified, 100)
    failed = [a for a in result.articles if a.status == "failed"]
    message = f"{len(failed)} item(s) failed: {failed[0].message}" if failed else None
    return PollOutcome(
        snap.id,
        "not_modified" if result.status == "not_modified" else "ok",
        articles=result.articles,
        new_items=result.new_items,
        skipped_items=result.skipped_items,
        message=message,
        next_poll_at=next_at,
    )


def _clip(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


async def _record_failure(
    services: Byline, snap: _Snapshot, message: str, now: datetime
) -> PollOutcome:
    limit = services.settings.sources.max_failures
    async with services.db.writer() as session:
        row = await session.get(Source, snap.id)
        if row is None:
            return PollOutcome(snap.id, "failed", message=message)
        row.failures += 1
        row.last_error = message[:500]
        row.last_polled_at = now
        row.next_poll_at = now + timedelta(seconds=backoff_s(snap.every_s, row.failures))
        disabled = row.failures >= limit
        if disabled and row.disabled_reason is None:
            row.disabled_reason = (
                f"stopped after {row.failures} failed polls in a row: {message}"
            )[:500]
        next_at = store.aware(row.next_poll_at)
    return PollOutcome(
        snap.id,
        "disabled" if disabled else "failed",
        message=message,
        next_poll_at=next_at,
    )
