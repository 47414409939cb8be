"""Writing articles and their analysis; the unit of work commits, not this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.types import Analysis
from bot.db import dialect
from bot.db.models import (
    Article,
    ArticleEntity,
    ArticleGuild,
    Event,
    EventPerson,
    Mention,
    Person,
    PersonName,
    Quote,
    Summary,
)
from bot.domain import ArticleStatus, IngestStatus
from bot.ingest.readers import RawArticle
from bot.text_keys import content_hash, name_key, name_lookup_keys, shingle_key

_MAX_LIST = 12


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """Identity of a stored article and what the write did."""

    id: int
    status: IngestStatus


@dataclass(frozen=True, slots=True)
class ExistingArticle:
    """What ingest needs to know of an article already in the store."""

    id: int
    content_hash: str | None
    status: ArticleStatus
    title: str
    clean_text: str | None


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """A row another program inserted, claimed for analysis."""

    id: int
    title: str
    raw_text: str
    clean_text: str | None
    published_at: datetime | None
    url: str | None
    attempts: int = 1


def _merge(existing: list[str], new: list[str]) -> list[str]:
    seen = {name_key(x) for x in existing}
    merged = list(existing)
    for item in new:
        if name_key(item) not in seen:
            seen.add(name_key(item))
            merged.append(item)
    return merged[:_MAX_LIST]


async def find_existing(
    session: AsyncSession, raw: RawArticle, canonical: str | None
) -> ExistingArticle | None:
    """The article with the same content, or at the same canonical URL."""
    row = await _existing_row(session, raw, canonical)
    if row is None:
        return None
    return ExistingArticle(
        row.id, row.content_hash, ArticleStatus(row.status), row.title, row.clean_text
    )


async def _existing_row(
    session: AsyncSession, raw: RawArticle, canonical: str | None
) -> Article | None:
    digest = content_hash(raw.title, raw.clean_text)
    found = await session.scalar(select(Article).where(Article.content_hash == digest).limit(1))
    if found is not None or canonical is None:
        return found
    by_url: Article | None = await session.scalar(
        select(Article).where(Article.canonical_url == canonical).order_by(Article.id).limit(1)
    )
    return by_url


async def share_with_guild(session: AsyncSession, article: Article, guild_id: int | None) -> None:
    """Make an article visible to a server (global when guild_id is None)."""
    if guild_id is None:
        article.is_global = True
        return
    await session.execute(
        dialect.insert_ignore(session, ArticleGuild).values(
            article_id=article.id, guild_id=guild_id
        )
    )


async def store_article(
    session: AsyncSession,
    raw: RawArticle,
    analysis: Analysis | None,
    *,
    canonical_url: str | None = None,
    guild_id: int | None = None,
    source_id: int | None = None,
) -> StoredArticle:
    """Insert or replace one article with its analysis (a no-op for identical content)."""
    digest = content_hash(raw.title, raw.clean_text)
    canonical = canonical_url or raw.url
    existing = await _existing_row(session, raw, canonical)
    if (
        existing is not None
        and existing.content_hash == digest
        and existing.status == ArticleStatus.ANALYZED
    ):
        await share_with_guild(session, existing, guild_id)
        return StoredArticle(existing.id, IngestStatus.UNCHANGED)
    status = IngestStatus.UPDATED if existing is not None else IngestStatus.ADDED
    article = existing or Article(is_global=guild_id is None, source_id=source_id)
    article.url = raw.url
    article.canonical_url = canonical
    article.content_hash = digest
    article.similarity_key = shingle_key(raw.clean_text)
    article.source = raw.source
    article.title = raw.title
    article.authors = list(raw.authors)
    article.published_at = raw.published_at
    article.raw_text = raw.raw_text
    article.clean_text = raw.clean_text
    if existing is None:
        session.add(article)
    await session.flush()
    await share_with_guild(session, article, guild_id)
    if analysis is None:
        article.status = ArticleStatus.PENDING
    else:
        await replace_analysis(session, article, analysis)
    return StoredArticle(article.id, status)


async def _person_for(
    session: AsyncSession, name: str, aliases: list[str], descriptions: list[str]
) -> Person:
    key = name_key(name)
    person = await session.scalar(select(Person).where(Person.name_key == key).limit(1))
    if person is None:
        person = Person(
            name=name,
            name_key=key,
            aliases=aliases[:_MAX_LIST],
            descriptions=descriptions[:_MAX_LIST],
        )
        session.add(person)
        await session.flush()
    else:
        person.aliases = _merge(person.aliases, aliases)
        person.descriptions = _merge(person.descriptions, descriptions)
    await session.execute(
        dialect.insert_ignore(session, PersonName),
        [
            {"person_id": person.id, "name_key": key}
            for key in sorted(name_lookup_keys(person.name, *person.aliases))
        ],
    )
    return person


async def store_analysis(
    session: AsyncSession,
    article_id: int,
    body: str,
    title: str,
    url: str | None,
    analysis: Analysis,
) -> bool:
    """Store the analysis of a pending row with its cleaned text; False when the row is gone."""
    article = await session.get(Article, article_id)
    if article is None:
        return False
    article.clean_text = body
    article.title = (title or body.split("\n", 1)[0])[:1000]
    article.canonical_url = article.canonical_url or url
    article.content_hash = content_hash(article.title, body)
    article.similarity_key = shingle_key(body)
    await replace_analysis(session, article, analysis)
    return True


async def replace_analysis(session: AsyncSession, article: Article, analysis: Analysis) -> None:
    """Replace everything derived from an article (in the caller's transaction)."""
    for table in (Mention, Quote, Event, ArticleEntity, Summary):
        await session.execute(delete(table).where(table.article_id == article.id))
    people: dict[str, int] = {}
    for result in analysis.people:
        person = await _person_for(session, result.name, result.aliases, result.descriptions)
        people[result.name] = person.id
        session.add(
            Mention(
                article_id=article.id,
                person_id=person.id,
                count=max(1, result.mentions),
                aliases=result.aliases[:_MAX_LIST],
                descriptions=result.descriptions[:_MAX_LIST],
                first_offset=result.first_offset,
            )
        )
    for quote in analysis.quotes:
        session.add(
            Quote(
                article_id=article.id,
                text=quote.text,
                start=quote.start,
                end=quote.end,
                speaker_id=people.get(quote.speaker) if quote.speaker else None,
                speaker_text=(quote.speaker_text or None) and quote.speaker_text[:300],
                speaker_kind=getattr(quote, "speaker_kind", None),
                cue=quote.cue,
                rank=quote.rank,
                score=quote.score,
            )
        )
    for event in analysis.events:
        row = Event(
            article_id=article.id,
            name=event.name[:300],
            kind=event.kind,
            when_text=event.when_text,
            when_start=event.when_start,
            when_end=event.when_end,
            where=event.where,
            merge_key=event_merge_key(
                event.kind, event.where, event.when_start.isoformat() if event.when_start else None
            ),
            sentence_start=event.sentence_start,
            sentence_end=event.sentence_end,
        )
        session.add(row)
        await session.flush()
        for name in dict.fromkeys(event.people):
            if name in people:
                session.add(EventPerson(event_id=row.id, person_id=people[name]))
    for kind, names in (("place", analysis.places), ("organization", analysis.organizations)):
        for name in dict.fromkeys(names):
            session.add(ArticleEntity(article_id=article.id, kind=kind, name=name[:300]))
    session.add(Summary(article_id=article.id, sentences=list(analysis.summary)))
    article.status = ArticleStatus.ANALYZED
    article.error = None
    article.analyzed_at = datetime.now(UTC)
    await session.flush()
    await dialect.fts_index(session, article.id, article.title, article.clean_text or "")


def event_merge_key(kind: str, where: str | None, when: str | None) -> str:
    """Events of the same kind, place and date are one event across articles."""
    return f"{kind}|{name_key(where or '')}|{when or ''}"[:400]


async def mark_failed(session: AsyncSession, article_id: int, reason: str) -> None:
    """Record that an article could not be analysed."""
    article = await session.get(Article, article_id)
    if article is not None:
        article.status = ArticleStatus.FAILED
        article.error = reason[:500]


async def claim_pending(session: AsyncSession, limit: int) -> list[PendingArticle]:
    """Mark up to limit pending articles as analyzing and return them."""
    rows = list(
        await session.scalars(
            select(Article)
            .where(Article.status == ArticleStatus.PENDING)
            .order_by(Article.id)
            .limit(limit)
        )
    )
    for article in rows:
        article.status = ArticleStatus.ANALYZING
        article.attempts = (article.attempts or 0) + 1
    return [
        PendingArticle(a.id, a.title, a.raw_text, a.clean_text, a.published_at, a.url, a.attempts)
        for a in rows
    ]


async def reset_analyzing(session: AsyncSession, max_attempts: int | None = None) -> None:
    """Rows a crash left 'analyzing' go back to 'pending' (failed once out of attempts)."""
    if max_attempts is not None:
        # An article that was being analysed every time the process died is the likely cause.
        await session.execute(
            update(Article)
            .where(Article.status == ArticleStatus.ANALYZING, Article.attempts >= max_attempts)
            .values(
                status=ArticleStatus.FAILED,
                error=f"analysis stopped {max_attempts} times; not retried",
            )
        )
    await session.execute(
        update(Article)
        .where(Article.status == ArticleStatus.ANALYZING)
        .values(status=ArticleStatus.PENDING)
    )


async def retry_later(session: AsyncSession, article_id: int, reason: str) -> None:
    """Put an article whose analysis was interrupted back in the queue."""
    article = await session.get(Article, article_id)
    if article is not None:
        article.status = ArticleStatus.PENDING
        article.error = reason[:500]
