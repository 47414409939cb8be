"""Follows of people and the exactly-once claims of their alerts, one row per (follow, article)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import (
    Article,
    Follow,
    FollowAlertClaim,
    Mention,
    Person,
    Quote,
)
from bot.db.visibility import article_visible_to
from bot.domain import AlertStatus, ArticleRef, ArticleStatus, FollowKind, FollowView

# How far the sentence that names a person may reach on either side of the name.
SENTENCE_REACH = 300


def _select() -> Select[tuple[Follow, str]]:
    return select(Follow, Person.name).join(Person, Person.id == Follow.person_id)


def _view(row: Follow, person: str) -> FollowView:
    return FollowView(
        id=row.id,
        guild_id=row.guild_id,
        person_id=row.person_id,
        person=person,
        kind=FollowKind(row.kind),
        target_id=row.target_id,
        created_by=row.created_by,
        created_at=row.created_at,
        disabled_reason=row.disabled_reason,
        last_error=row.last_error,
    )


async def add_follow(
    session: AsyncSession,
    guild_id: int,
    person_id: int,
    kind: FollowKind,
    target_id: int,
    *,
    created_by: int | None,
    now: datetime,
) -> tuple[FollowView, bool]:
    """Follow a person (re-enabling a disabled follow); return it and whether it is new."""
    row = await session.scalar(
        select(Follow).where(
            Follow.guild_id == guild_id,
            Follow.person_id == person_id,
            Follow.kind == kind,
            Follow.target_id == target_id,
        )
    )
    created = row is None
    if row is None:
        row = Follow(
            guild_id=guild_id,
            person_id=person_id,
            kind=kind,
            target_id=target_id,
            created_by=created_by,
            created_at=now,
        )
        session.add(row)
    elif row.disabled_reason is not None:
        # Alerts start again from now: articles from while it was off are not sent late.
        row.disabled_reason = None
        row.last_error = None
        row.created_at = now
    await session.flush()
    name = await session.scalar(select(Person.name).where(Person.id == person_id))
    return _view(row, str(name)), created


async def get_follow(session: AsyncSession, guild_id: int, follow_id: int) -> FollowView | None:
    """One follow of a server."""
    row = (
        await session.execute(_select().where(Follow.id == follow_id, Follow.guild_id == guild_id))
    ).first()
    return None if row is None else _view(row[0], row[1])


async def find_follow(
    session: AsyncSession, guild_id: int, person_id: int, kind: FollowKind, target_id: int
) -> FollowView | None:
    """The follow of this person by this channel or member, if there is one."""
    row = (
        await session.execute(
            _select().where(
                Follow.guild_id == guild_id,
                Follow.person_id == person_id,
                Follow.kind == kind,
                Follow.target_id == target_id,
            )
        )
    ).first()
    return None if row is None else _view(row[0], row[1])


async def delete_follow(session: AsyncSession, follow_id: int) -> None:
    """Stop a follow (its claims go with it)."""
    await session.execute(delete(Follow).where(Follow.id == follow_id))


async def follows_of(
    session: AsyncSession,
    guild_id: int | None,
    *,
    kind: FollowKind | None = None,
    target_id: int | None = None,
) -> list[FollowView]:
    """A server's follows (guild None: every server's), oldest first."""
    stmt = _select()
    if guild_id is not None:
        stmt = stmt.where(Follow.guild_id == guild_id)
    if kind is not None:
        stmt = stmt.where(Follow.kind == kind)
    if target_id is not None:
        stmt = stmt.where(Follow.target_id == target_id)
    rows = await session.execute(stmt.order_by(Follow.id))
    return [_view(r[0], r[1]) for r in rows]


async def pending_pairs(session: AsyncSession, limit: int) -> list[tuple[int, int]]:
    """(follow id, article id) of enabled follows whose person a new, visible article names."""
    # Driven from mentions (indexed by person): a speaker is always among an article's people,
    # so "quotes or names" is "names", and the query never walks every article.
    claimed = exists().where(
        FollowAlertClaim.follow_id == Follow.id, FollowAlertClaim.article_id == Mention.article_id
    )
    rows = await session.execute(
        select(Follow.id, Mention.article_id)
        .join(Mention, Mention.person_id == Follow.person_id)
        .join(Article, Article.id == Mention.article_id)
        .where(
            Follow.disabled_reason.is_(None),
            Article.status == ArticleStatus.ANALYZED,
            Article.analyzed_at >= Follow.created_at,
            article_visible_to(Follow.guild_id),
            ~claimed,
        )
        .order_by(Mention.article_id, Follow.id)
        .limit(limit)
    )
    return [(int(f), int(a)) for f, a in rows]


async def claim(
    session: AsyncSession,
    pairs: list[tuple[int, int]],
    claimed_by: str,
    *,
    now: datetime,
    status: AlertStatus = AlertStatus.CLAIMED,
    detail: str | None = None,
) -> list[tuple[int, int]]:
    """Insert a claim per pair; return the pairs this call won (another process has the rest)."""
    won = []
    for follow_id, article_id in pairs:
        result = await session.execute(
            dialect.insert_ignore(session, FollowAlertClaim).values(
                follow_id=follow_id,
                article_id=article_id,
                status=status,
                claimed_by=claimed_by,
                claimed_at=now,
                detail=detail,
            )
        )
        if result.rowcount:  # type: ignore[attr-defined]
            won.append((follow_id, article_id))
    return won


async def stale_claims(
    session: AsyncSession, before: datetime, limit: int
) -> list[tuple[int, int]]:
    """Claims of enabled follows left 'claimed' since before: a process died while sending."""
    rows = await session.execute(
        select(FollowAlertClaim.follow_id, FollowAlertClaim.article_id)
        .join(Follow, Follow.id == FollowAlertClaim.follow_id)
        .where(
            FollowAlertClaim.status == AlertStatus.CLAIMED,
            FollowAlertClaim.claimed_at < before,
            Follow.disabled_reason.is_(None),
        )
        .order_by(FollowAlertClaim.article_id)
        .limit(limit)
    )
    return [(int(f), int(a)) for f, a in rows]


async def reclaim(
    session: AsyncSession,
    pairs: list[tuple[int, int]],
    claimed_by: str,
    *,
    now: datetime,
    before: datetime,
) -> list[tuple[int, int]]:
    """Take over stale claims; return the pairs this call won (the update is the lock)."""
    won = []
    for follow_id, article_id in pairs:
        result = await session.execute(
            update(FollowAlertClaim)
            .where(
                FollowAlertClaim.follow_id == follow_id,
                FollowAlertClaim.article_id == article_id,
                FollowAlertClaim.status == AlertStatus.CLAIMED,
                FollowAlertClaim.claimed_at < before,
            )
            .values(claimed_by=claimed_by, claimed_at=now)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            won.append((follow_id, article_id))
    return won


async def finish(
    session: AsyncSession, pairs: list[tuple[int, int]], status: AlertStatus, detail: str | None
) -> None:
    """Record how claimed alerts ended."""
    for follow_id, article_id in pairs:
        await session.execute(
            update(FollowAlertClaim)
            .where(
                FollowAlertClaim.follow_id == follow_id, FollowAlertClaim.article_id == article_id
            )
            .values(status=status, detail=(detail or None) and detail[:300])
        )


async def claims_of(session: AsyncSession, follow_id: int) -> list[tuple[int, str]]:
    """(article id, status) of one follow's claims."""
    rows = await session.execute(
        select(FollowAlertClaim.article_id, FollowAlertClaim.status)
        .where(FollowAlertClaim.follow_id == follow_id)
        .order_by(FollowAlertClaim.article_id)
    )
    return [(int(a), str(s)) for a, s in rows]


async def set_state(
    session: AsyncSession,
    follow_id: int,
    *,
    disabled_reason: str | None = None,
    last_error: str | None = None,
) -> None:
    """Disable a follow with a reason, or note its last error."""
    values: dict[str, object] = {"last_error": last_error and last_error[:300]}
    if disabled_reason is not None:
        values["disabled_reason"] = disabled_reason[:300]
    await session.execute(update(Follow).where(Follow.id == follow_id).values(**values))


async def views_by_id(session: AsyncSession, follow_ids: list[int]) -> dict[int, FollowView]:
    """Follows by id."""
    rows = await session.execute(_select().where(Follow.id.in_(follow_ids)))
    return {r[0].id: _view(r[0], r[1]) for r in rows}


async def article_refs(session: AsyncSession, article_ids: list[int]) -> dict[int, ArticleRef]:
    """References of several articles (the caller already checked visibility)."""
    rows = await session.execute(
        select(Article.id, Article.title, Article.url, Article.source, Article.published_at).where(
            Article.id.in_(article_ids)
        )
    )
    return {
        int(r[0]): ArticleRef(id=r[0], title=r[1], url=r[2], source=r[3], published_at=r[4])
        for r in rows
    }


async def best_quote(session: AsyncSession, person_id: int, article_id: int) -> str | None:
    """The person's best-ranked quote in an article."""
    text = await session.scalar(
        select(Quote.text)
        .where(Quote.article_id == article_id, Quote.speaker_id == person_id)
        .order_by(Quote.rank, Quote.id)
        .limit(1)
    )
    return None if text is None else str(text)


async def naming_sentence(session: AsyncSession, person_id: int, article_id: int) -> str | None:
    """The sentence where an article first names the person."""
    row = (
        await session.execute(
            select(Mention.first_offset, Article.clean_text)
            .join(Article, Article.id == Mention.article_id)
            .where(Mention.article_id == article_id, Mention.person_id == person_id)
        )
    ).first()
    if row is None or not row[1]:
        return None
    return sentence_around(str(row[1]), int(row[0]))


def sentence_around(text: str, offset: int) -> str:
    """The sentence holding text[offset], cut to SENTENCE_REACH characters either side."""
    offset = max(0, min(offset, len(text) - 1))
    low = max(0, offset - SENTENCE_REACH)
    starts = [text.rfind(mark, low, offset) for mark in (". ", "? ", "! ", "\n")]
    start = max(starts)
    start = low if start < 0 else start + 1
    high = min(len(text), offset + SENTENCE_REACH)
    ends = [
        i for i in (text.find(mark, offset, high) for mark in (". ", "? ", "! ", "\n")) if i >= 0
    ]
    end = min(ends) + 1 if ends else high
    return " ".join(text[start:end].split())


async def count_follows(session: AsyncSession, guild_id: int) -> int:
    """How many follows a server has (a cap keeps one server from flooding the alert job)."""
    return int(
        await session.scalar(
            select(func.count()).select_from(Follow).where(Follow.guild_id == guild_id)
        )
        or 0
    )
