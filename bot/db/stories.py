"""Links, copy signatures and stories: the repository behind bot/stories (never commits)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import (
    Article,
    ArticleBand,
    ArticleEntity,
    ArticleGuild,
    ArticleLink,
    ArticleSignature,
    DigestArticle,
    Event,
    Mention,
    Person,
    Quote,
    SourceItem,
    Story,
    StoryArticle,
)
from bot.db.types import UTCDateTime
from bot.db.visibility import article_visible
from bot.domain import ArticleRef, ArticleStatus, QuoteView, SourceLink, StoryView
from bot.stories.copies import Signature, copy_score, is_copy
from bot.stories.grouping import STORY_WINDOW, best_match, features

# A band key shared by more articles than this is boilerplate (a standard disclaimer), not a
# sign of a copy; looking at a bounded number of candidates keeps an add's cost flat.
MAX_CANDIDATES = 50
# Articles compared when grouping one into a story: recent ones sharing a person, a place or
# an organization, newest first; the bound keeps the cost of an add flat on a busy day.
MAX_STORY_CANDIDATES = 100


def published_or_seen() -> ColumnElement[datetime]:
    """When an article appeared: its publication time, else when Byline stored it."""
    return func.coalesce(Article.published_at, Article.created_at, type_=UTCDateTime())


def link_key(canonical_url: str | None, source: str | None, content_hash: str | None) -> str:
    """What makes two links one: the canonical URL, else the source name, else the text."""
    if canonical_url:
        return canonical_url[:2048]
    if source:
        return f"source:{source.casefold()}"[:2048]
    return f"text:{content_hash or ''}"


async def add_link(
    session: AsyncSession,
    article_id: int,
    *,
    key: str,
    url: str | None,
    source: str | None,
    source_id: int | None,
    title: str,
    published_at: datetime | None,
) -> bool:
    """Record one more place an article was published; False when it was already known."""
    found = await session.scalar(
        select(ArticleLink.id).where(
            ArticleLink.article_id == article_id, ArticleLink.link_key == key
        )
    )
    if found is not None:
        return False
    await session.execute(
        dialect.insert_ignore(session, ArticleLink).values(
            article_id=article_id,
            link_key=key,
            url=url,
            source=(source or None) and source[:200],
            source_id=source_id,
            title=title[:1000],
            published_at=published_at,
        )
    )
    return True


async def article_with_link(session: AsyncSession, key: str) -> int | None:
    """The article already holding this link (its own or a copy's)."""
    found = await session.scalar(
        select(ArticleLink.article_id)
        .where(ArticleLink.link_key == key)
        .order_by(ArticleLink.id)
        .limit(1)
    )
    return None if found is None else int(found)


async def index_signature(
    session: AsyncSession, article_id: int, sig: Signature, *, replace: bool = True
) -> None:
    """Store an article's signature and its LSH band keys (replace=False: a new article)."""
    if replace:
        await session.execute(delete(ArticleBand).where(ArticleBand.article_id == article_id))
        await session.execute(
            delete(ArticleSignature).where(ArticleSignature.article_id == article_id)
        )
    if sig.shingle_count == 0:
        return
    # Core inserts, not ORM objects: this runs once per stored article.
    await session.execute(
        insert(ArticleSignature).values(
            article_id=article_id, signature=sig.to_bytes(), shingle_count=sig.shingle_count
        )
    )
    await session.execute(
        insert(ArticleBand),
        [{"article_id": article_id, "band_key": k} for k in sorted(set(sig.band_keys()))],
    )


async def find_copy(
    session: AsyncSession, sig: Signature, *, exclude: int | None = None
) -> int | None:
    """The stored article this text is a copy of (the closest one), or None."""
    if sig.shingle_count == 0:
        return None
    shared = func.count().label("shared")
    stmt = (
        select(ArticleBand.article_id, shared)
        .where(ArticleBand.band_key.in_(sig.band_keys()))
        .group_by(ArticleBand.article_id)
        .order_by(shared.desc(), ArticleBand.article_id)
        .limit(MAX_CANDIDATES)
    )
    if exclude is not None:
        stmt = stmt.where(ArticleBand.article_id != exclude)
    candidates = [int(r[0]) for r in await session.execute(stmt)]
    if not candidates:
        return None
    best: tuple[float, int] | None = None
    rows = await session.execute(
        select(
            ArticleSignature.article_id, ArticleSignature.signature, ArticleSignature.shingle_count
        ).where(ArticleSignature.article_id.in_(candidates))
    )
    for article_id, data, count in rows:
        other = Signature.from_bytes(bytes(data), int(count))
        if not is_copy(sig, other):
            continue
        score = (copy_score(sig, other), -int(article_id))
        if best is None or score > best:
            best = score
    return None if best is None else -best[1]


async def links_of(
    session: AsyncSession, article_ids: Sequence[int]
) -> dict[int, list[SourceLink]]:
    """Every link of several articles, first-seen first."""
    if not article_ids:
        return {}
    rows = await session.execute(
        select(
            ArticleLink.article_id,
            ArticleLink.source,
            ArticleLink.url,
            ArticleLink.title,
            ArticleLink.published_at,
        )
        .where(ArticleLink.article_id.in_(list(article_ids)))
        .order_by(ArticleLink.article_id, ArticleLink.id)
    )
    out: dict[int, list[SourceLink]] = {}
    for article_id, source, url, title, published_at in rows:
        out.setdefault(int(article_id), []).append(
            SourceLink(int(article_id), source, url, title, published_at)
        )
    return out


async def assign_story(session: AsyncSession, article_id: int) -> int | None:
    """Put an analysed article in the story of its best match among recent articles."""
    await session.execute(delete(StoryArticle).where(StoryArticle.article_id == article_id))
    row = (
        await session.execute(
            select(Article.title, Article.clean_text, published_or_seen()).where(
                Article.id == article_id
            )
        )
    ).first()
    if row is None or row[2] is None:
        return None
    title, text, at = str(row[0]), str(row[1] or ""), row[2]
    people = select(Mention.person_id).where(Mention.article_id == article_id)
    names = select(ArticleEntity.name).where(ArticleEntity.article_id == article_id)
    when = published_or_seen()
    candidates = await session.execute(
        select(Article.id, Article.title, Article.clean_text, when)
        .where(
            Article.id != article_id,
            Article.status == ArticleStatus.ANALYZED,
            when.between(at - STORY_WINDOW, at + STORY_WINDOW),
            or_(
                exists().where(Mention.article_id == Article.id, Mention.person_id.in_(people)),
                exists().where(
                    ArticleEntity.article_id == Article.id, ArticleEntity.name.in_(names)
                ),
            ),
        )
        .order_by(when.desc(), Article.id.desc())
        .limit(MAX_STORY_CANDIDATES)
    )
    new = features(article_id, title, text, at)
    match = best_match(
        new, [features(int(r[0]), str(r[1]), str(r[2] or ""), r[3]) for r in candidates]
    )
    if match is None:
        return None
    other_id, score = match
    now = datetime.now(UTC)
    story_id = await session.scalar(
        select(StoryArticle.story_id).where(StoryArticle.article_id == other_id)
    )
    if story_id is None:
        story = Story(created_at=now, updated_at=now)
        session.add(story)
        await session.flush()
        story_id = story.id
        session.add(StoryArticle(article_id=other_id, story_id=story_id, score=score))
    else:
        grown = await session.get(Story, story_id)
        if grown is not None:
            grown.updated_at = now
    session.add(StoryArticle(article_id=article_id, story_id=story_id, score=score))
    await session.flush()
    return int(story_id)


def _copies(ref: ArticleRef, links: list[SourceLink]) -> tuple[SourceLink, ...]:
    return tuple(link for link in links if (link.url, link.source) != (ref.url, ref.source))


async def with_copies(session: AsyncSession, refs: Sequence[ArticleRef]) -> list[ArticleRef]:
    """The references with the other places each article was published."""
    links = await links_of(session, sorted({r.id for r in refs}))
    return [dataclasses.replace(r, copies=_copies(r, links.get(r.id, []))) for r in refs]


async def quotes_with_copies(session: AsyncSession, quotes: Sequence[QuoteView]) -> list[QuoteView]:
    """Quotes whose article references name every place each article was published."""
    refs = [q.article for q in quotes] + [r for q in quotes for r in q.also_in]
    by_id = {r.id: r for r in await with_copies(session, refs)}
    return [
        dataclasses.replace(
            q,
            article=by_id.get(q.article.id, q.article),
            also_in=tuple(by_id.get(r.id, r) for r in q.also_in),
        )
        for q in quotes
    ]


async def story_of(session: AsyncSession, article_id: int) -> int | None:
    """The story an article is in."""
    found = await session.scalar(
        select(StoryArticle.story_id).where(StoryArticle.article_id == article_id)
    )
    return None if found is None else int(found)


async def stories_of(session: AsyncSession, article_ids: Sequence[int]) -> dict[int, int]:
    """The story of each article that is in one."""
    if not article_ids:
        return {}
    rows = await session.execute(
        select(StoryArticle.article_id, StoryArticle.story_id).where(
            StoryArticle.article_id.in_(list(article_ids))
        )
    )
    return {int(a): int(s) for a, s in rows}


async def posted_in_stories(
    session: AsyncSession, guild_id: int, story_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Articles of these stories a server has already had in a digest."""
    if not story_ids:
        return {}
    rows = await session.execute(
        select(StoryArticle.story_id, StoryArticle.article_id)
        .join(DigestArticle, DigestArticle.article_id == StoryArticle.article_id)
        .where(DigestArticle.guild_id == guild_id, StoryArticle.story_id.in_(list(story_ids)))
    )
    out: dict[int, list[int]] = {}
    for story_id, article_id in rows:
        out.setdefault(int(story_id), []).append(int(article_id))
    return out


async def developments_of(
    session: AsyncSession, article_ids: Sequence[int]
) -> tuple[set[str], set[str]]:
    """What several articles report: their event keys and the texts of their quotes."""
    if not article_ids:
        return set(), set()
    ids = list(article_ids)
    events = {
        str(k)
        for k in await session.scalars(select(Event.merge_key).where(Event.article_id.in_(ids)))
    }
    quotes = {
        str(t) for t in await session.scalars(select(Quote.text).where(Quote.article_id.in_(ids)))
    }
    return events, quotes


async def recent_stories(
    session: AsyncSession, guild_id: int | None, since: datetime, limit: int
) -> list[StoryView]:
    """Stories that grew since a moment, newest first, with the articles a server may see."""
    story_ids = [
        int(i)
        for i in await session.scalars(
            select(Story.id)
            .where(Story.updated_at >= since)
            .order_by(Story.updated_at.desc(), Story.id.desc())
            .limit(limit * 2)
        )
    ]
    if not story_ids:
        return []
    when = published_or_seen()
    rows = await session.execute(
        select(
            StoryArticle.story_id,
            Article.id,
            Article.title,
            Article.url,
            Article.source,
            Article.published_at,
            when,
        )
        .join(Article, Article.id == StoryArticle.article_id)
        .where(
            StoryArticle.story_id.in_(story_ids),
            Article.status == ArticleStatus.ANALYZED,
            article_visible(guild_id),
        )
        .order_by(when, Article.id)
    )
    members: dict[int, list[tuple[ArticleRef, datetime]]] = {}
    for story_id, aid, title, url, source, published, seen in rows:
        ref = ArticleRef(int(aid), str(title), url, source, published)
        members.setdefault(int(story_id), []).append((ref, seen))
    ids = [ref.id for refs in members.values() for ref, _ in refs]
    refs_by_id = {
        r.id: r for r in await with_copies(session, [r for v in members.values() for r, _ in v])
    }
    people: dict[int, list[str]] = {}
    for aid, name in await session.execute(
        select(Mention.article_id, Person.name)
        .join(Person, Person.id == Mention.person_id)
        .where(Mention.article_id.in_(ids))
        .order_by(Mention.count.desc(), Mention.first_offset)
    ):
        people.setdefault(int(aid), []).append(str(name))
    events: dict[int, list[str]] = {}
    for aid, name in await session.execute(
        select(Event.article_id, Event.name).where(Event.article_id.in_(ids)).order_by(Event.id)
    ):
        events.setdefault(int(aid), []).append(str(name))
    views = []
    for story_id in story_ids:
        found = members.get(story_id, [])
        if len(found) < 2:
            continue  # one visible article is an article, not a story, for this server
        refs = [refs_by_id[r.id] for r, _ in found]
        lead = max(refs, key=lambda r: (len(r.copies), -r.id))
        names: list[str] = []
        happenings: list[str] = []
        for ref in refs:
            names.extend(n for n in people.get(ref.id, []) if n not in names)
            happenings.extend(e for e in events.get(ref.id, []) if e not in happenings)
        views.append(
            StoryView(
                id=story_id,
                title=lead.title,
                first_at=found[0][1],
                last_at=found[-1][1],
                articles=refs,
                people=names[:8],
                events=happenings[:5],
            )
        )
    return views[:limit]


async def fold_pending_copy(session: AsyncSession, article_id: int, sig: Signature) -> int | None:
    """A pending row (another program's) that copies a stored article becomes its link.

    The row is deleted; its link, its servers and its feed items move to the article it copies.
    Returns that article's id, or None when the row is no copy.
    """
    original_id = await find_copy(session, sig, exclude=article_id)
    if original_id is None:
        return None
    row = await session.get(Article, article_id)
    original = await session.get(Article, original_id)
    if row is None or original is None:
        return None
    await add_link(
        session,
        original_id,
        key=link_key(row.canonical_url or row.url, row.source, row.content_hash),
        url=row.url,
        source=row.source,
        source_id=row.source_id,
        title=row.title,
        published_at=row.published_at,
    )
    if row.is_global:
        original.is_global = True
    guilds = select(ArticleGuild.guild_id).where(ArticleGuild.article_id == article_id)
    for guild_id in list(await session.scalars(guilds)):
        await session.execute(
            dialect.insert_ignore(session, ArticleGuild).values(
                article_id=original_id, guild_id=guild_id
            )
        )
    await session.execute(
        update(SourceItem).where(SourceItem.article_id == article_id).values(article_id=original_id)
    )
    await session.delete(row)
    await session.flush()
    return original_id
