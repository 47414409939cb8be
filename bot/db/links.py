"""Where each article was published, and the copy index behind bot/stories/copies.py.

An article row holds one text; `article_links` holds every place it was published (its own link
and each copy's). `article_signatures` and `article_bands` are the LSH index of copies. Never
commits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import (
    Article,
    ArticleBand,
    ArticleGuild,
    ArticleLink,
    ArticleSignature,
    SourceItem,
)
from bot.domain import ArticleRef, QuoteView, SourceLink
from bot.stories.copies import Signature, copy_score, is_copy

# A band key shared by more articles than this is boilerplate (a standard disclaimer), not a
# sign of a copy; looking at a bounded number of candidates keeps an add's cost flat.
MAX_CANDIDATES = 50


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


def _copies(ref: ArticleRef, links: list[SourceLink]) -> tuple[SourceLink, ...]:
    return tuple(link for link in links if (link.url, link.source) != (ref.url, ref.source))


def attach_copies(
    refs: Sequence[ArticleRef], links: dict[int, list[SourceLink]]
) -> list[ArticleRef]:
    """The references with the other places each article was published (links_of's answer)."""
    return [dataclasses.replace(r, copies=_copies(r, links.get(r.id, []))) for r in refs]


async def with_copies(session: AsyncSession, refs: Sequence[ArticleRef]) -> list[ArticleRef]:
    """The references with the other places each article was published."""
    return attach_copies(refs, await links_of(session, sorted({r.id for r in refs})))


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
