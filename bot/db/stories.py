"""Stories: grouping analysed articles and reading them back (never commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.links import with_copies
from bot.db.models import (
    Article,
    ArticleEntity,
    DigestArticle,
    Event,
    Mention,
    Person,
    Quote,
    Story,
    StoryArticle,
)
from bot.db.types import UTCDateTime
from bot.db.visibility import article_visible
from bot.domain import ArticleRef, ArticleStatus, StoryView
from bot.stories.grouping import STORY_WINDOW, best_match, features

# Articles compared when grouping one into a story: recent ones sharing a person, a place or
# an organization, newest first; the bound keeps the cost of an add flat on a busy day.
MAX_STORY_CANDIDATES = 100


def published_or_seen() -> ColumnElement[datetime]:
    """When an article appeared: its publication time, else when Byline stored it."""
    return func.coalesce(Article.published_at, Article.created_at, type_=UTCDateTime())


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
    # Workers storing two articles that match the same one would both start a story for it
    # (PostgreSQL): locking the matched row makes the second wait and join the first's story.
    await session.execute(select(Article.id).where(Article.id == other_id).with_for_update())
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
