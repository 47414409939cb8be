"""Filter rules of each server, and the facts of articles the rules look at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Article, FilterRuleRow, Mention, Person, Quote, Source
from bot.db.visibility import source_visible
from bot.domain import ArticleFacts, FilterAction, FilterKind, FilterRule


def _view(row: FilterRuleRow) -> FilterRule:
    return FilterRule(
        id=row.id,
        guild_id=row.guild_id,
        action=FilterAction(row.action),
        kind=FilterKind(row.kind),
        value=row.value,
        source_id=row.source_id,
    )


async def add_rule(
    session: AsyncSession,
    guild_id: int,
    action: FilterAction,
    kind: FilterKind,
    value: str,
    source_id: int | None,
    now: datetime,
) -> FilterRule:
    """Store one rule."""
    row = FilterRuleRow(
        guild_id=guild_id,
        action=action,
        kind=kind,
        value=value,
        source_id=source_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _view(row)


async def rules_of(session: AsyncSession, guild_id: int) -> list[FilterRule]:
    """A server's rules, oldest first."""
    rows = await session.scalars(
        select(FilterRuleRow).where(FilterRuleRow.guild_id == guild_id).order_by(FilterRuleRow.id)
    )
    return [_view(r) for r in rows]


async def count_rules(session: AsyncSession, guild_id: int) -> int:
    """How many rules a server has."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(FilterRuleRow)
            .where(FilterRuleRow.guild_id == guild_id)
        )
        or 0
    )


async def delete_rule(session: AsyncSession, guild_id: int, rule_id: int) -> FilterRule | None:
    """Remove one rule of a server; return it (None when it is not that server's)."""
    row = await session.scalar(
        select(FilterRuleRow).where(FilterRuleRow.id == rule_id, FilterRuleRow.guild_id == guild_id)
    )
    if row is None:
        return None
    view = _view(row)
    await session.execute(delete(FilterRuleRow).where(FilterRuleRow.id == rule_id))
    return view


async def article_facts(
    session: AsyncSession, article_ids: list[int], text_chars: int
) -> dict[int, ArticleFacts]:
    """Title, text (first text_chars characters), source, people and quote count of articles."""
    if not article_ids:
        return {}
    rows = await session.execute(
        select(
            Article.id,
            Article.title,
            func.substr(func.coalesce(Article.clean_text, ""), 1, text_chars),
            Article.source,
            Article.source_id,
        ).where(Article.id.in_(article_ids))
    )
    base = {int(r[0]): (str(r[1] or ""), str(r[2] or ""), r[3], r[4]) for r in rows}
    people: dict[int, list[tuple[int, str, list[str]]]] = {}
    for article_id, person_id, name, aliases in await session.execute(
        select(Mention.article_id, Person.id, Person.name, Person.aliases)
        .join(Person, Person.id == Mention.person_id)
        .where(Mention.article_id.in_(article_ids))
    ):
        people.setdefault(int(article_id), []).append((int(person_id), str(name), aliases or []))
    quote_counts = dict(
        (int(a), int(n))
        for a, n in await session.execute(
            select(Quote.article_id, func.count())
            .where(Quote.article_id.in_(article_ids))
            .group_by(Quote.article_id)
        )
    )
    out = {}
    for article_id, (title, text, source, source_id) in base.items():
        found = people.get(article_id, [])
        names = [n for _, n, _ in found] + [a for _, _, aliases in found for a in aliases]
        out[article_id] = ArticleFacts(
            article_id=article_id,
            title=title,
            text=text,
            source=source,
            source_id=source_id,
            people=names,
            person_ids=[pid for pid, _, _ in found],
            quote_count=quote_counts.get(article_id, 0),
        )
    return out


async def source_visible_to(session: AsyncSession, guild_id: int, source_id: int) -> bool:
    """Whether a source is the server's own or global (a rule may name only those)."""
    found = await session.scalar(
        select(Source.id).where(Source.id == source_id, source_visible(guild_id))
    )
    return found is not None
