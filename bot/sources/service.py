"""Source use cases the CLI and the cogs share: add, remove, list, poll, ingest a URL."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Source
from bot.domain import IngestOutcome
from bot.errors import BylineError, InvalidInput, NotFound
from bot.ingest.addresses import check_url
from bot.ingest.urls import canonical_url
from bot.sources import store
from bot.sources.fetching import get_fetcher
from bot.sources.intervals import parse_every
from bot.sources.pages import fetch_article
from bot.sources.polling import poll_due, poll_source
from bot.sources.probe import probe
from bot.sources.types import PollOutcome, SourceView

if TYPE_CHECKING:
    from bot.services import Byline

__all__ = [
    "MAX_SOURCES_PER_GUILD",
    "PollOutcome",
    "SourceView",
    "add_source",
    "ingest_url",
    "list_sources",
    "poll_due",
    "poll_source",
    "remove_source",
]

logger = logging.getLogger(__name__)

# One server must not turn the bot into an amplifier against some site (RELIABILITY §8).
MAX_SOURCES_PER_GUILD = 50
MAX_URL_CHARS = 2048


def _not_found(source_id: int) -> NotFound:
    return NotFound(
        f"no source #{source_id}; use /config sources list to see this server's sources"
    )


def _checked_url(services: Byline, url: str) -> tuple[str, str]:
    text = (url or "").strip()
    if not text:
        raise InvalidInput("give the address of a feed or a page")
    if len(text) > MAX_URL_CHARS:
        raise InvalidInput(f"that URL is too long; use at most {MAX_URL_CHARS} characters")
    check_url(text, services.settings.fetch.allow_hosts)
    return text, canonical_url(text)


async def add_source(
    services: Byline, url: str, *, guild_id: int | None, every: str | None = None
) -> SourceView:
    """Add a feed or page for a server (or a global one for guild None), checked by one fetch."""
    started = time.perf_counter()
    every_s = parse_every(every or services.settings.sources.default_every)
    text, canonical = _checked_url(services, url)
    key = store.guild_key(guild_id)
    async with services.db.reader() as session:
        await _refuse_duplicate(session, key, canonical)
        if (
            guild_id is not None
            and await store.count_for_guild(session, key) >= MAX_SOURCES_PER_GUILD
        ):
            raise InvalidInput(
                f"this server already has {MAX_SOURCES_PER_GUILD} sources; remove one first"
            )
    # The network check runs before the write transaction opens, never inside it.
    fetcher = await get_fetcher(services.settings.fetch)
    found = await probe(fetcher, text)
    now = datetime.now(UTC)
    row = Source(
        guild_id=key,
        url=text,
        canonical_url=canonical,
        kind=found.kind,
        title=found.title,
        every_s=every_s,
        next_poll_at=now,  # due at once, so the first articles arrive soon after adding
        failures=0,
        created_at=now,
    )
    try:
        async with services.db.writer() as session:
            await _refuse_duplicate(session, key, canonical)
            session.add(row)
            await session.flush()
            view = store.to_view(row)
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


async def _refuse_duplicate(session: AsyncSession, key: int, canonical: str) -> None:
    existing = await store.find_by_url(session, key, canonical)
    if existing is not None:
        raise InvalidInput(
            f"that address is already source #{existing.id}; use /config sources list to see it"
        )
    if key != store.GLOBAL_GUILD:
        shared = await store.find_by_url(session, store.GLOBAL_GUILD, canonical)
        if shared is not None:
            raise InvalidInput(
                f"that address is already global source #{shared.id}, which every server gets"
            )


async def remove_source(services: Byline, source_id: int, *, guild_id: int | None) -> SourceView:
    """Remove a source; a server can remove only its own (others look missing)."""
    async with services.db.writer() as session:
        row = await session.get(Source, source_id)
        if row is None:
            raise _not_found(source_id)
        if guild_id is not None and row.guild_id != guild_id:
            if row.guild_id == store.GLOBAL_GUILD:
                raise InvalidInput(
                    f"source #{source_id} is global (from the bot's config.toml); "
                    "only the bot's operator can remove it"
                )
            raise _not_found(source_id)  # another server's source: identical to a missing one
        view = store.to_view(row)
        await store.delete_source(session, source_id)
    logger.info("source remove #%d guild=%s", source_id, guild_id)
    return view


async def list_sources(services: Byline, *, guild_id: int | None) -> list[SourceView]:
    """Global sources and the server's own (every source for the CLI, guild None)."""
    async with services.db.reader() as session:
        return [store.to_view(row) for row in await store.list_visible(session, guild_id)]


async def get_source(services: Byline, source_id: int, *, guild_id: int | None) -> SourceView:
    """One source a server may see, or NotFound."""
    async with services.db.reader() as session:
        row = await session.get(Source, source_id)
        if row is None or (guild_id is not None and row.guild_id not in (0, guild_id)):
            raise _not_found(source_id)
        return store.to_view(row)


async def ingest_url(services: Byline, url: str, *, guild_id: int | None = None) -> IngestOutcome:
    """Fetch one article page, extract, analyse and store it; failures come back as outcomes."""
    started = time.perf_counter()
    origin = (url or "").strip()[:MAX_URL_CHARS]
    try:
        text, _ = _checked_url(services, url)
        fetcher = await get_fetcher(services.settings.fetch)
        article = await fetch_article(fetcher, text)
        outcome = await services.ingest_article(
            article.raw, guild_id=guild_id, canonical_url=article.canonical_url
        )
    except BylineError as exc:
        logger.info("ingest url failed in %.2fs: %s", time.perf_counter() - started, exc.message)
        return IngestOutcome(origin, "failed", None, None, exc.message)
    return IngestOutcome(origin, outcome.status, outcome.article_id, outcome.title, outcome.message)
