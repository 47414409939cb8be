"""Choose what a digest holds: articles, their summaries, key quotes and people."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import queries
from bot.domain import Digest, DigestItem, QuoteView


def pick_quotes(quotes: list[QuoteView], limit: int) -> list[QuoteView]:
    """The best-ranked quotes, named speakers first, no quote nested in one already shown."""
    chosen: list[QuoteView] = []
    for quote in quotes:
        if len(chosen) >= limit:
            break
        if any(quote.text in c.text or c.text in quote.text for c in chosen):
            continue
        chosen.append(quote)
    return chosen


async def build_digest(
    session: AsyncSession,
    guild_id: int | None,
    *,
    max_articles: int,
    max_quotes: int,
    unposted_only: bool,
    now: datetime | None = None,
    reserved_by_slot: int | None = None,
) -> Digest:
    """Build the digest document for a server (or for the CLI when guild_id is None)."""
    # Fetch a few extra so syndicated copies can fold into one item without shrinking it.
    articles = await queries.digest_candidates(
        session,
        guild_id,
        max_articles * 3,
        unposted_only=unposted_only,
        reserved_by_slot=reserved_by_slot,
    )
    summaries = await queries.summaries(session, [a.ref.id for a in articles])
    people = await queries.people_of(session, [a.ref.id for a in articles])
    items: list[DigestItem] = []
    by_key: dict[str, DigestItem] = {}
    folded: list[int] = []
    for article in articles:
        ref = article.ref
        key = article.similarity_key
        if key and key in by_key:
            by_key[key].also_at.append(ref)  # the same story from another source
            folded.append(ref.id)
            continue
        if len(items) >= max_articles:
            continue
        quotes = await queries.quotes(session, guild_id, article_id=ref.id, limit=20)
        named = [q for q in quotes if q.speaker] + [q for q in quotes if not q.speaker]
        item = DigestItem(
            ref=ref,
            summary=summaries.get(ref.id, []),
            quotes=pick_quotes(named, max_quotes),
            people=people.get(ref.id, [])[:8],
        )
        items.append(item)
        if key:
            by_key[key] = item
    shown = len(items) + sum(len(i.also_at) for i in items)
    more = max(
        0,
        len(articles)
        - shown
        - len([f for f in folded if f not in {r.id for i in items for r in i.also_at}]),
    )
    return Digest(items=items, generated_at=now or datetime.now(UTC), more_count=more)


def digest_article_ids(digest: Digest) -> list[int]:
    """Every article a digest covers, including folded syndicated copies."""
    ids = []
    for item in digest.items:
        ids.append(item.ref.id)
        ids.extend(r.id for r in item.also_at)
    return ids
