"""The use cases the CLI and the cogs share; everything here is Discord-free."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select, update

from bot.analysis.types import Analysis
from bot.analysis.worker import Analyzer
from bot.db import articles as article_store
from bot.db import guilds, queries
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Article, ArticleStatus
from bot.digest.builder import build_digest
from bot.domain import (
    ArticleDetail,
    ArticleRef,
    Digest,
    EventView,
    GuildConfig,
    IngestOutcome,
    PersonCard,
    QuoteView,
    SearchHit,
)
from bot.errors import BylineError, InvalidInput, NotFound
from bot.ingest.cleaning import clean_with_hints
from bot.ingest.readers import RawArticle, read_file
from bot.settings import Settings
from bot.text_keys import content_hash, name_key, shingle_key

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200


def _query(text: str | None, what: str) -> str:
    """Bound user text before it reaches any regex or SQL."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"the {what} is too long; use at most {MAX_QUERY_CHARS} characters")
    return text


class Byline:
    """Byline's services over one database and one analyzer."""

    def __init__(self, settings: Settings, db: Database, analyzer: Analyzer) -> None:
        self.settings = settings
        self.db = db
        self.analyzer = analyzer

    @classmethod
    async def open(
        cls, settings: Settings, *, migrate: bool = True, processes: bool = True
    ) -> Byline:
        """Connect to the store (running migrations) and prepare the analyzer."""
        db = Database(
            settings.database.url,
            busy_timeout_ms=settings.database.busy_timeout_ms,
            echo=settings.database.echo,
        )
        try:
            if migrate:
                await upgrade(db.write_engine)
        except Exception as exc:
            await db.dispose()
            raise BylineError(
                f"cannot open the database at {settings.database.url}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            ) from exc
        analyzer = Analyzer(
            settings.analysis.model,
            workers=settings.analysis.workers,
            timeout_s=settings.analysis.timeout_s,
            max_chars=settings.analysis.max_chars,
            processes=processes,
        )
        return cls(settings, db, analyzer)

    async def close(self) -> None:
        """Release the pool and the database."""
        await self.analyzer.close()
        await self.db.dispose()

    # ---- ingest ---------------------------------------------------------------------------

    async def analyze_raw(self, raw: RawArticle) -> Analysis:
        """Analyse an article (off the event loop)."""
        return await self.analyzer.analyze(raw.clean_text, raw.published_at, raw.name_hints)

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
        async with self.db.reader() as session:
            existing = await article_store.find_existing(session, raw, canonical_url or raw.url)
            unchanged = (
                existing is not None
                and existing.content_hash is not None
                and existing.status == ArticleStatus.ANALYZED
                and existing.clean_text == raw.clean_text
                and existing.title == raw.title
            )
        # The NLP runs before the write transaction opens, never inside it.
        analysis = None if unchanged else await self.analyze_raw(raw)
        async with self.db.writer() as session:
            stored = await article_store.store_article(
                session,
                raw,
                analysis,
                canonical_url=canonical_url,
                guild_id=guild_id,
                source_id=source_id,
            )
        logger.info(
            "ingest %s: %s as #%d in %.2fs",
            raw.origin,
            stored.status,
            stored.id,
            time.perf_counter() - started,
        )
        return IngestOutcome(raw.origin, stored.status, stored.id, raw.title)

    async def ingest_paths(
        self, paths: list[Path], progress: Callable[[IngestOutcome], None] | None = None
    ) -> list[IngestOutcome]:
        """Ingest files; a bad file is reported and the rest go on."""
        outcomes = []
        for path in paths:
            try:
                raws = read_file(path)
            except BylineError as exc:
                outcome = IngestOutcome(str(path), "failed", None, None, exc.message)
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
                continue
            for raw in raws:
                try:
                    outcome = await self.ingest_article(raw)
                except BylineError as exc:
                    outcome = IngestOutcome(raw.origin, "failed", None, raw.title, exc.message)
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
        return outcomes

    async def analyze_pending(self, limit: int = 500) -> list[IngestOutcome]:
        """Analyse rows other programs inserted with status 'pending'."""
        outcomes: list[IngestOutcome] = []
        while len(outcomes) < limit:
            async with self.db.writer() as session:
                batch = [
                    (a.id, a.title, a.raw_text, a.clean_text, a.published_at, a.url)
                    for a in await article_store.claim_pending(
                        session, min(20, limit - len(outcomes))
                    )
                ]
            if not batch:
                break
            for article_id, title, raw_text, clean, published_at, url in batch:
                outcomes.append(
                    await self._analyze_stored(
                        article_id, title, raw_text, clean, published_at, url
                    )
                )
        return outcomes

    async def _analyze_stored(
        self,
        article_id: int,
        title: str,
        raw_text: str,
        clean: str | None,
        published_at: Any,
        url: str | None,
    ) -> IngestOutcome:
        origin = f"article #{article_id}"
        body, hints = clean_with_hints(raw_text or clean or "")
        if not body:
            async with self.db.writer() as session:
                await article_store.mark_failed(session, article_id, "no article text in raw_text")
            return IngestOutcome(origin, "failed", article_id, title, "no article text in raw_text")
        try:
            analysis = await self.analyzer.analyze(body, published_at, hints)
        except BylineError as exc:
            async with self.db.writer() as session:
                await article_store.mark_failed(session, article_id, exc.message)
            return IngestOutcome(origin, "failed", article_id, title, exc.message)
        except Exception as exc:  # one bad article must not stop the rest
            logger.exception("analysis of %s failed", origin)
            async with self.db.writer() as session:
                await article_store.mark_failed(
                    session, article_id, f"analysis failed: {type(exc).__name__}"
                )
            return IngestOutcome(
                origin, "failed", article_id, title, f"analysis failed: {type(exc).__name__}"
            )
        async with self.db.writer() as session:
            article = await session.get(Article, article_id)
            if article is None:
                return IngestOutcome(
                    origin, "failed", article_id, title, "the row was deleted meanwhile"
                )
            article.clean_text = body
            article.title = (title or body.split("\n", 1)[0])[:1000]
            article.canonical_url = article.canonical_url or url
            article.content_hash = content_hash(article.title, body)
            article.similarity_key = shingle_key(body)
            if article.published_at is not None and article.published_at.tzinfo is None:
                article.published_at = article.published_at.replace(tzinfo=UTC)
            await article_store.replace_analysis(session, article, analysis)
        return IngestOutcome(origin, "added", article_id, title)

    async def reset_stale_analyzing(self) -> None:
        """Rows left 'analyzing' by a crash go back to 'pending'."""
        async with self.db.writer() as session:
            await session.execute(
                update(Article)
                .where(Article.status == ArticleStatus.ANALYZING)
                .values(status=ArticleStatus.PENDING)
            )

    # ---- people ---------------------------------------------------------------------------

    async def find_person(self, name: str, guild_id: int | None) -> int:
        """The id of the person best matching a name, or NotFound with close matches."""
        query = _query(name, "name")
        if not query:
            raise InvalidInput("give a person's name")
        if query.isdigit():
            async with self.db.reader() as session:
                people = await queries.visible_people(session, guild_id)
            for pid, _, _, _ in people:
                if pid == int(query):
                    return pid
        async with self.db.reader() as session:
            people = await queries.visible_people(session, guild_id)
        key = name_key(query)
        for pid, pname, _aliases, _ in people:
            if name_key(pname) == key:
                return pid
        for pid, pname, aliases, _ in people:
            if key in {name_key(a) for a in aliases} or key in name_key(pname).split():
                return pid
        choices = {pid: pname for pid, pname, _, _ in people}
        close = process.extract(query, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        hint = f"; did you mean {', '.join(c[0] for c in close)}?" if close else ""
        raise NotFound(f'no person matching "{query}" in the articles{hint}')

    async def who(self, name: str, guild_id: int | None = None) -> PersonCard:
        """A person's card."""
        pid = await self.find_person(name, guild_id)
        async with self.db.reader() as session:
            card = await queries.person_card(session, guild_id, pid)
        if card is None:
            raise NotFound(f'no person matching "{name}" in the articles')
        return card

    async def person_choices(
        self, prefix: str, guild_id: int | None, limit: int = 25
    ) -> list[tuple[int, str]]:
        """Autocomplete: people whose name or alias matches what was typed."""
        text = name_key(_query(prefix, "name")[:100])
        async with self.db.reader() as session:
            people = await queries.visible_people(session, guild_id)
        if not text:
            return [(pid, name) for pid, name, _, _ in people[:limit]]
        ranked = []
        for pid, name, aliases, count in people:
            keys = [name_key(name), *(name_key(a) for a in aliases)]
            if any(k.startswith(text) or f" {text}" in f" {k}" for k in keys):
                ranked.append((0, -count, pid, name))
            elif any(text in k for k in keys):
                ranked.append((1, -count, pid, name))
        ranked.sort()
        return [(pid, name) for _, _, pid, name in ranked[:limit]]

    # ---- quotes, events, articles ---------------------------------------------------------

    async def quotes(
        self,
        guild_id: int | None = None,
        *,
        person: str | None = None,
        article_id: int | None = None,
        limit: int = 50,
    ) -> list[QuoteView]:
        """Key quotes, optionally by one person and/or from one article."""
        person_id = await self.find_person(person, guild_id) if person else None
        if article_id is not None:
            await self.article(article_id, guild_id)  # NotFound when not visible
        async with self.db.reader() as session:
            return await queries.quotes(
                session, guild_id, person_id=person_id, article_id=article_id, limit=limit
            )

    async def events(
        self, query: str | None = None, guild_id: int | None = None, limit: int = 25
    ) -> list[EventView]:
        """Events whose name or place matches the query."""
        async with self.db.reader() as session:
            return await queries.events(session, guild_id, _query(query, "search"), limit)

    async def event(self, query: str, guild_id: int | None = None) -> EventView:
        """One event by id (from autocomplete) or by words."""
        text = _query(query, "search")
        if text.isdigit():
            async with self.db.reader() as session:
                found = await queries.event_by_id(session, guild_id, int(text))
            if found is not None:
                return found
        matches = await self.events(text, guild_id, limit=1)
        if not matches:
            raise NotFound(f'no event matching "{text}"; try a place or a word like "summit"')
        return matches[0]

    async def event_choices(
        self, prefix: str, guild_id: int | None, limit: int = 25
    ) -> list[tuple[int, str]]:
        """Autocomplete: events matching what was typed."""
        views = await self.events(prefix[:100], guild_id, limit)
        return [(v.id, _event_label(v)) for v in views]

    async def timeline(
        self, person: str, guild_id: int | None = None
    ) -> tuple[str, list[EventView]]:
        """A person's events in date order."""
        pid = await self.find_person(person, guild_id)
        async with self.db.reader() as session:
            card = await queries.person_card(session, guild_id, pid, quote_limit=0)
            views = await queries.timeline(session, guild_id, pid)
        return (card.name if card else person), views

    async def search(
        self, text: str, guild_id: int | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Full-text search over articles."""
        query = _query(text, "search")
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

    async def recent_articles(
        self, guild_id: int | None = None, limit: int = 20
    ) -> list[tuple[ArticleRef, str]]:
        """Newest articles with their status."""
        async with self.db.reader() as session:
            return await queries.list_articles(session, guild_id, limit)

    async def article_choices(
        self, prefix: str, guild_id: int | None, limit: int = 25
    ) -> list[tuple[int, str]]:
        """Autocomplete: articles whose title matches what was typed."""
        text = _query(prefix, "search")[:100].casefold()
        rows = await self.recent_articles(guild_id, 200)
        matches = [
            (r.id, r.title)
            for r, _ in rows
            if not text or text in r.title.casefold() or text == str(r.id)
        ]
        return matches[:limit]

    # ---- digests and server configuration -------------------------------------------------

    async def digest(
        self,
        guild_id: int | None = None,
        *,
        max_articles: int | None = None,
        max_quotes: int | None = None,
        unposted_only: bool = True,
    ) -> Digest:
        """The digest a server would get now."""
        config = await self.guild_config(guild_id) if guild_id is not None else None
        async with self.db.reader() as session:
            return await build_digest(
                session,
                guild_id,
                max_articles=max_articles
                or (config.max_articles if config else self.settings.digest.max_articles),
                max_quotes=max_quotes
                if max_quotes is not None
                else (config.max_quotes if config else self.settings.digest.max_quotes),
                unposted_only=unposted_only,
            )

    async def guild_config(self, guild_id: int) -> GuildConfig:
        """A server's configuration."""
        async with self.db.reader() as session:
            return await guilds.get_config(session, guild_id, self.settings.digest)

    async def all_guild_configs(self) -> list[GuildConfig]:
        """Every server with a stored configuration."""
        async with self.db.reader() as session:
            return await guilds.all_configs(session)

    async def update_guild_config(self, guild_id: int, **changes: Any) -> GuildConfig:
        """Change a server's configuration."""
        async with self.db.writer() as session:
            return await guilds.update_config(session, guild_id, self.settings.digest, **changes)

    async def waiting_count(self, guild_id: int) -> int:
        """Articles this server has not had in a digest yet."""
        async with self.db.reader() as session:
            return await queries.count_waiting(session, guild_id)

    async def article_ids(self) -> list[int]:
        """All article ids (for tests and maintenance)."""
        async with self.db.reader() as session:
            return list(await session.scalars(select(Article.id)))


def _event_label(view: EventView) -> str:
    parts = [view.name]
    if view.when_start:
        parts.append(
            view.when_start.isoformat()[:7]
            if view.when_end and view.when_end != view.when_start
            else view.when_start.isoformat()
        )
    return " · ".join(parts)[:100]
