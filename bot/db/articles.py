"""Writing articles and their analysis; the unit of work commits, not this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.analysis.types import Analysis
from bot.db import dialect
from bot.db import links as link_store
from bot.db import stories as story_store
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
from bot.ingest.cleaning import clean_with_hints
from bot.ingest.readers import RawArticle
from bot.stories.copies import Signature, signature
from bot.text_keys import content_hash, name_key, name_lookup_keys

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


def stored_raw_text(raw: RawArticle) -> str:
    """The raw text to keep: empty when cleaning the clean text gives back the same input."""
    # Readers fall back to clean_text when raw_text is empty, so a re-analysis starts from the
    # same text and name hints either way; most plain-text articles store their text once.
    if raw.raw_text.strip() == raw.clean_text.strip():
        return ""
    if clean_with_hints(raw.clean_text) == (raw.clean_text, raw.name_hints):
        return ""
    return raw.raw_text


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
    text_signature: Signature | None = None,
) -> StoredArticle:
    """Insert or replace one article with its analysis; a copy of a stored one adds a link."""
    digest = content_hash(raw.title, raw.clean_text)
    canonical = canonical_url or raw.url
    link = link_store.link_key(canonical, raw.source, digest)
    existing = await _existing_row(session, raw, canonical)
    if (
        existing is not None
        and existing.content_hash == digest
        and existing.status == ArticleStatus.ANALYZED
    ):
        await share_with_guild(session, existing, guild_id)
        linked = await _add_link(session, existing.id, raw, link, source_id)
        return StoredArticle(existing.id, IngestStatus.LINKED if linked else IngestStatus.UNCHANGED)
    sig = text_signature or signature(raw.clean_text)
    if existing is None:
        # A copy (syndication edits) or a known copy's link edited again: one more link.
        copy_id = await link_store.article_with_link(session, link) if canonical else None
        copy_id = copy_id or await link_store.find_copy(session, sig)
        original = None if copy_id is None else await session.get(Article, copy_id)
        if original is not None:
            await share_with_guild(session, original, guild_id)
            linked = await _add_link(session, original.id, raw, link, source_id)
            status = IngestStatus.LINKED if linked else IngestStatus.UNCHANGED
            return StoredArticle(original.id, status)
    status = IngestStatus.UPDATED if existing is not None else IngestStatus.ADDED
    article = existing or Article(is_global=guild_id is None, source_id=source_id)
    article.url = raw.url
    article.canonical_url = canonical
    article.content_hash = digest
    article.source = raw.source
    article.title = raw.title
    article.authors = list(raw.authors)
    article.published_at = raw.published_at
    article.raw_text = stored_raw_text(raw)
    article.clean_text = raw.clean_text
    if existing is None:
        session.add(article)
    await session.flush()
    await share_with_guild(session, article, guild_id)
    await _add_link(session, article.id, raw, link, source_id)
    await link_store.index_signature(session, article.id, sig, replace=existing is not None)
    if analysis is None:
        article.status = ArticleStatus.PENDING
    else:
        await replace_analysis(session, article, analysis)
        await story_store.assign_story(session, article.id)
    return StoredArticle(article.id, status)


async def _add_link(
    session: AsyncSession, article_id: int, raw: RawArticle, key: str, source_id: int | None
) -> bool:
    return await link_store.add_link(
        session,
        article_id,
        key=key,
        url=raw.url,
        source=raw.source,
        source_id=source_id,
        title=raw.title,
        published_at=raw.published_at,
    )


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
    await link_store.add_link(
        session,
        article.id,
        key=link_store.link_key(article.canonical_url, article.source, article.content_hash),
        url=article.url,
        source=article.source,
        source_id=article.source_id,
        title=article.title,
        published_at=article.published_at,
    )
    await link_store.index_signature(session, article.id, signature(body))
    await replace_analysis(session, article, analysis)
    await story_store.assign_story(session, article.id)
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
                # An organisation has no person row: its name as written is the speaker text.
                speaker_text=_clip(
                    quote.speaker if quote.speaker_kind == "organization" else quote.speaker_text
                ),
                speaker_kind=quote.speaker_kind,
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
    # The search indexes follow the articles and events tables by themselves (revision 0003).
    await session.flush()


def _clip(text: str | None, limit: int = 300) -> str | None:
    return text[:limit] if text else None


def event_merge_key(kind: str, where: str | None, when: str | None) -> str:
    """Events of the same kind, place and date are one event across articles."""
    return f"{kind}|{name_key(where or '')}|{when or ''}"[:400]


async def mark_failed(session: AsyncSession, article_id: int, reason: str) -> None:
    """Record that an article could not be analysed."""
    article = await session.get(Article, article_id)
    if article is not None:
        article.status = ArticleStatus.FAILED
        article.error = reason[:500]


# An article whose worker stopped this many times (killed, out of memory) is marked failed
# rather than handed to the next worker: it may be what stops them.
MAX_ANALYSIS_ATTEMPTS = 3


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending articles, and articles whose worker's lease ran out (NULL: a pre-lease crash)."""
    return or_(
        Article.status == ArticleStatus.PENDING,
        and_(
            Article.status == ArticleStatus.ANALYZING,
            or_(Article.lease_expires_at.is_(None), Article.lease_expires_at < now),
        ),
    )


def _held_by(owner: str) -> ColumnElement[bool]:
    return and_(Article.status == ArticleStatus.ANALYZING, Article.lease_owner == owner)


async def claim_pending(
    session: AsyncSession,
    limit: int,
    *,
    owner: str = "",
    now: datetime | None = None,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = MAX_ANALYSIS_ATTEMPTS,
) -> list[PendingArticle]:
    """Lease up to limit pending (or abandoned) articles to owner and return them.

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent workers take different
    articles without waiting for each other; on SQLite the writer's BEGIN IMMEDIATE already
    serialises claims.
    """
    now = now or datetime.now(UTC)
    rows = list(
        await session.scalars(
            select(Article)
            .where(_claimable(now))
            .order_by(Article.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = []
    for article in rows:
        if article.analysis_attempts >= max_attempts:
            article.status = ArticleStatus.FAILED
            article.error = (
                f"analysis stopped {article.analysis_attempts} times without finishing "
                "(the worker was killed or ran out of memory); not retried"
            )
            article.lease_owner = article.lease_expires_at = None
            continue
        article.status = ArticleStatus.ANALYZING
        article.lease_owner = owner
        article.lease_expires_at = now + lease
        article.analysis_attempts += 1
        article.attempts = (article.attempts or 0) + 1
        claimed.append(
            PendingArticle(
                article.id,
                article.title,
                article.raw_text,
                article.clean_text,
                article.published_at,
                article.url,
                article.attempts,
            )
        )
    await session.flush()
    return claimed


async def renew_leases(
    session: AsyncSession, article_ids: list[int], owner: str, until: datetime
) -> set[int]:
    """Extend owner's leases on these articles; return the ids it still holds."""
    if not article_ids:
        return set()
    held = await session.scalars(
        update(Article)
        .where(Article.id.in_(article_ids), _held_by(owner))
        .values(lease_expires_at=until)
        .returning(Article.id)
    )
    return set(held)


async def take_lease(session: AsyncSession, article_id: int, owner: str) -> bool:
    """End owner's lease before writing the result; False when another worker took it over.

    Called in the transaction that writes the result, so a worker whose lease expired (and
    whose article another worker claimed) writes nothing: each article is stored once.
    """
    result = await session.execute(
        update(Article)
        .where(Article.id == article_id, _held_by(owner))
        # Finished (stored or failed): the count of stopped attempts starts again.
        .values(lease_owner=None, lease_expires_at=None, analysis_attempts=0)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def give_back_interrupted(session: AsyncSession, article_id: int, owner: str) -> bool:
    """Put an article whose analysis process died back to pending; False if owner lost it.

    The stopped start still counts (unlike a clean release): an article that kills every
    process it meets is failed by the claim once analysis.max_attempts is reached.
    """
    result = await session.execute(
        update(Article)
        .where(Article.id == article_id, _held_by(owner))
        .values(status=ArticleStatus.PENDING, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def release_leases(session: AsyncSession, article_ids: list[int], owner: str) -> int:
    """Give owner's unfinished articles back (a worker stopping cleanly); return how many."""
    if not article_ids:
        return 0
    result = await session.execute(
        update(Article)
        .where(Article.id.in_(article_ids), _held_by(owner))
        .values(
            status=ArticleStatus.PENDING,
            lease_owner=None,
            lease_expires_at=None,
            # Not the article's fault: the attempt does not count.
            analysis_attempts=case(
                (Article.analysis_attempts > 0, Article.analysis_attempts - 1), else_=0
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def reset_analyzing(session: AsyncSession, now: datetime | None = None) -> int:
    """Articles whose worker's lease ran out go back to 'pending'; return how many.

    Only expired leases: another process (a `byline worker` elsewhere) may be analysing the
    rest right now.
    """
    now = now or datetime.now(UTC)
    result = await session.execute(
        update(Article)
        .where(
            Article.status == ArticleStatus.ANALYZING,
            or_(Article.lease_expires_at.is_(None), Article.lease_expires_at < now),
        )
        .values(status=ArticleStatus.PENDING, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))
