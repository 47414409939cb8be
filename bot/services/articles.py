"""Articles: ingest (files, URLs, pending rows), search and reading one article."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.db import articles as article_store
from bot.db import links as link_store
from bot.db import queries
from bot.db.engine import Database
from bot.domain import (
    ArticleDetail,
    ArticleRef,
    ArticleStatus,
    IngestOutcome,
    IngestStatus,
    SearchHit,
)
from bot.errors import BylineError, InvalidInput, NotFound
from bot.ingest.addresses import check_url
from bot.ingest.readers import RawArticle, read_file
from bot.ingest.urls import canonical_url
from bot.services.common import MAX_URL_CHARS, bounded
from bot.services.workers import AnalysisWorker
from bot.settings import Settings
from bot.stories.copies import signature

if TYPE_CHECKING:
    from bot.analysis.worker import Analyzer
    from bot.ingest.fetchers import FetcherHandle

logger = logging.getLogger(__name__)


def checked_url(url: str, allow_hosts: list[str]) -> tuple[str, str]:
    """A user-given URL, bounded and checked by the fetch policy, with its canonical form."""
    text = (url or "").strip()
    if not text:
        raise InvalidInput("give the address of a feed or a page")
    if len(text) > MAX_URL_CHARS:
        raise InvalidInput(f"that URL is too long; use at most {MAX_URL_CHARS} characters")
    check_url(text, allow_hosts)
    return text, canonical_url(text)


class ArticleService:
    """Ingest and read articles."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        analyzer: Analyzer,
        fetchers: FetcherHandle,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.analyzer = analyzer
        self.fetchers = fetchers
        # Pending rows go through the same leased claims as `byline worker` processes, so the
        # bot's own pending job and workers on other machines never analyse one row twice.
        self.worker = AnalysisWorker(
            db,
            analyzer,
            clock or SystemClock(),
            batch=settings.analysis.workers,
            max_attempts=settings.analysis.max_attempts,
        )
        # Called with every stored or failed article (the bot counts them as metrics).
        self.ingest_listeners: list[Callable[[IngestOutcome], None]] = []
        self.analysis_listeners: list[Callable[[IngestOutcome], None]] = []

    # ---- ingest ---------------------------------------------------------------------------

    async def ingest_article(
        self,
        raw: RawArticle,
        *,
        guild_id: int | None = None,
        source_id: int | None = None,
        canonical_url: str | None = None,
    ) -> IngestOutcome:
        """Analyse then store one article, whole or not at all."""
        started = time.perf_counter()
        text_signature = signature(raw.clean_text)
        async with self.db.reader() as session:
            existing = await article_store.find_existing(session, raw, canonical_url or raw.url)
            # A copy of a stored article only adds a link: no need to analyse it.
            copy_of = (
                None
                if existing is not None
                else await link_store.find_copy(session, text_signature)
            )
        unchanged = copy_of is not None or (
            existing is not None
            and existing.content_hash is not None
            and existing.status == ArticleStatus.ANALYZED
            and existing.clean_text == raw.clean_text
            and existing.title == raw.title
        )
        # The NLP runs before the write transaction opens, never inside it.
        analysis = (
            None
            if unchanged
            else await self.analyzer.analyze(raw.clean_text, raw.published_at, raw.name_hints)
        )
        async with self.db.writer() as session:
            stored = await article_store.store_article(
                session,
                raw,
                analysis,
                canonical_url=canonical_url,
                guild_id=guild_id,
                source_id=source_id,
                text_signature=text_signature,
            )
        logger.info(
            "ingest %s: %s as #%d in %.2fs",
            raw.origin,
            stored.status,
            stored.id,
            time.perf_counter() - started,
        )
        outcome = IngestOutcome(raw.origin, stored.status, stored.id, raw.title)
        for listener in self.ingest_listeners:
            listener(outcome)
        return outcome

    async def ingest_paths(
        self, paths: list[Path], progress: Callable[[IngestOutcome], None] | None = None
    ) -> list[IngestOutcome]:
        """Ingest files; a bad file is reported and the rest go on."""
        outcomes = []
        for path in paths:
            try:
                raws = read_file(path)
            except BylineError as exc:
                raws = []
                outcomes.append(
                    IngestOutcome(str(path), IngestStatus.FAILED, None, None, exc.message)
                )
                if progress:
                    progress(outcomes[-1])
            for raw in raws:
                try:
                    outcome = await self.ingest_article(raw)
                except BylineError as exc:
                    outcome = IngestOutcome(
                        raw.origin, IngestStatus.FAILED, None, raw.title, exc.message
                    )
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
        return outcomes

    async def ingest_url(self, url: str, *, guild_id: int | None = None) -> IngestOutcome:
        """Fetch one article page, extract, analyse and store it; failures come back as outcomes."""
        started = time.perf_counter()
        origin = (url or "").strip()[:MAX_URL_CHARS]
        try:
            text, _ = checked_url(url, self.settings.fetch.allow_hosts)
            from bot.ingest.pages import fetch_article  # trafilatura: only when fetching

            article = await fetch_article(await self.fetchers.get(), text)
            outcome = await self.ingest_article(
                article.raw, guild_id=guild_id, canonical_url=article.canonical_url
            )
        except BylineError as exc:
            logger.info(
                "ingest url failed in %.2fs: %s", time.perf_counter() - started, exc.message
            )
            return IngestOutcome(origin, IngestStatus.FAILED, None, None, exc.message)
        return IngestOutcome(
            origin, outcome.status, outcome.article_id, outcome.title, outcome.message
        )

    async def analyze_pending(self, limit: int = 500) -> list[IngestOutcome]:
        """Analyse rows other programs inserted with status 'pending' (under a worker lease)."""
        outcomes = await self.worker.run_until_idle(limit)
        for outcome in outcomes:
            for listener in self.analysis_listeners:
                listener(outcome)
        return outcomes

    async def reset_stale_analyzing(self) -> None:
        """Rows whose worker's lease ran out (a crash) go back to 'pending'."""
        await self.worker.reclaim_expired()

    # ---- reading --------------------------------------------------------------------------

    async def search(
        self, text: str, guild_id: int | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Full-text search over the articles a server may see."""
        query = bounded(text, "search")
        if not query:
            raise InvalidInput("give some words to search for")
        async with self.db.reader() as session:
            return await queries.search(session, guild_id, query, limit)

    async def article(self, article_id: int, guild_id: int | None = None) -> ArticleDetail:
        """One article with its analysis."""
        async with self.db.reader() as session:
            found = await queries.article(session, guild_id, article_id)
        if found is None:
            raise NotFound(f"no article #{article_id}; use /article search to find one")
        return found

    async def recent(
        self, guild_id: int | None = None, limit: int = 20
    ) -> list[tuple[ArticleRef, ArticleStatus]]:
        """Newest articles with their status."""
        async with self.db.reader() as session:
            return await queries.list_articles(session, guild_id, limit)

    async def choices(
        self, typed: str, guild_id: int | None, limit: int = 25
    ) -> list[tuple[int, str]]:
        """Autocomplete: articles whose title holds what was typed (or whose id it is)."""
        text = bounded(typed[:100], "search")
        async with self.db.reader() as session:
            if text.isdigit():
                found = await queries.article_ref(session, guild_id, int(text))
                if found is not None:
                    return [(found.id, found.title)]
            rows = await queries.list_articles(session, guild_id, limit, title_prefix=text)
        return [(ref.id, ref.title) for ref, _ in rows]
