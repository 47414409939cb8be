"""Counts behind the people charts: articles naming a person per week, and a cache stamp."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Article, Mention
from bot.db.visibility import article_visible
from bot.domain import ArticleStatus, WeeklyCount


def _visible_mentions(guild_id: int | None, person_id: int) -> list[object]:
    return [
        Mention.person_id == person_id,
        Article.status == ArticleStatus.ANALYZED,
        article_visible(guild_id),
    ]


async def weekly_mentions(
    session: AsyncSession, guild_id: int | None, person_id: int
) -> list[WeeklyCount]:
    """Articles naming a person per week (Monday, UTC), oldest first, empty weeks included."""
    when = func.coalesce(Article.published_at, Article.created_at)
    rows = await session.scalars(
        select(when)
        .select_from(Mention)
        .join(Article, Article.id == Mention.article_id)
        .where(*_visible_mentions(guild_id, person_id))  # type: ignore[arg-type]
    )
    weeks: Counter[date] = Counter()
    for moment in rows:
        day = (
            moment.date()
            if isinstance(moment, datetime)
            else datetime.fromisoformat(str(moment)).date()
        )
        weeks[day - timedelta(days=day.weekday())] += 1
    if not weeks:
        return []
    out = []
    week, last = min(weeks), max(weeks)
    while week <= last:
        out.append(WeeklyCount(week, weeks.get(week, 0)))
        week += timedelta(days=7)
    return out


async def stamp(session: AsyncSession, guild_id: int | None, person_id: int) -> tuple[int, int]:
    """(articles, newest article id) naming a person: it changes when a new article arrives."""
    row = (
        await session.execute(
            select(func.count(), func.max(Article.id))
            .select_from(Mention)
            .join(Article, Article.id == Mention.article_id)
            .where(*_visible_mentions(guild_id, person_id))  # type: ignore[arg-type]
        )
    ).first()
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
