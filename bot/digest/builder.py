"""Choose what a digest holds: one item per story, its best summary, merged quotes, sources.

An article with no story is a story of its own. A story already posted to a server comes back
only with a new development: an event or a quote none of its posted articles had. Articles
that join a posted story without one are absorbed: marked as posted, never shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import links as link_store
from bot.db import queries
from bot.db import stories as story_store
from bot.domain import ArticleRef, Digest, DigestItem, QuoteView, SourceLink
from bot.stories.quotes import merge_quotes, quote_key

QUOTES_PER_ARTICLE = 20


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


@dataclass
class _Group:
    story_id: int | None
    members: list[ArticleRef]


def _group(candidates: list[queries.DigestCandidate], stories: dict[int, int]) -> list[_Group]:
    groups: dict[tuple[str, int], _Group] = {}
    for candidate in candidates:
        ref = candidate.ref
        story_id = stories.get(ref.id)
        key = ("story", story_id) if story_id is not None else ("article", ref.id)
        groups.setdefault(key, _Group(story_id, [])).members.append(ref)
    return list(groups.values())  # newest first: candidates come newest first


def _sources(members: list[ArticleRef], links: dict[int, list[SourceLink]]) -> list[SourceLink]:
    out: list[SourceLink] = []
    seen: set[tuple[str | None, str | None]] = set()
    for ref in members:
        own = links.get(ref.id) or [
            SourceLink(ref.id, ref.source, ref.url, ref.title, ref.published_at)
        ]
        for link in own:
            if (link.url, link.source) not in seen:
                seen.add((link.url, link.source))
                out.append(link)
    return out


async def build_digest(
    session: AsyncSession,
    guild_id: int | None,
    *,
    max_articles: int,
    max_quotes: int,
    unposted_only: bool,
    now: datetime | None = None,
    skip_ids: Collection[int] = (),
    reserved_by_slot: int | None = None,
) -> Digest:
    """Build the digest document for a server (or for the CLI when guild_id is None)."""
    # Fetch extra: the articles of one story fold into one item without shrinking the digest.
    candidates = await queries.digest_candidates(
        session,
        guild_id,
        max_articles * 4 + len(skip_ids),
        unposted_only=unposted_only,
        reserved_by_slot=reserved_by_slot,
    )
    if skip_ids:  # articles the server's filters keep out
        candidates = [c for c in candidates if c.ref.id not in skip_ids]
    ids = [c.ref.id for c in candidates]
    stories = await story_store.stories_of(session, ids)
    groups = _group(candidates, stories)
    posted: dict[int, list[int]] = {}
    if unposted_only and guild_id is not None:
        story_ids = sorted({g.story_id for g in groups if g.story_id is not None})
        posted = await story_store.posted_in_stories(session, guild_id, story_ids)
    summaries = await queries.summaries(session, ids)
    people = await queries.people_of(session, ids)
    links = await link_store.links_of(session, ids)
    chosen: list[tuple[_Group, list[int], set[str]]] = []
    absorbed: list[int] = []
    more = 0
    for group in groups:
        earlier = posted.get(group.story_id, []) if group.story_id is not None else []
        seen_quotes: set[str] = set()
        if earlier:
            old_events, old_quotes = await story_store.developments_of(session, earlier)
            new_events, new_quotes = await story_store.developments_of(
                session, [m.id for m in group.members]
            )
            seen_quotes = {quote_key(q) for q in old_quotes}
            if not (new_events - old_events) and not (
                {quote_key(q) for q in new_quotes} - seen_quotes
            ):
                absorbed.extend(m.id for m in group.members)
                continue
        if len(chosen) >= max_articles:
            more += 1
            continue
        chosen.append((group, earlier, seen_quotes))
    quotes = await queries.quotes_of_articles(
        session, guild_id, [m.id for g, _, _ in chosen for m in g.members], QUOTES_PER_ARTICLE
    )
    items: list[DigestItem] = []
    for group, earlier, seen_quotes in chosen:
        best = max(
            group.members,
            key=lambda m: (
                len(links.get(m.id, [])),
                len(quotes.get(m.id, [])),
                len(" ".join(summaries.get(m.id, []))),
                -m.id,
            ),
        )
        members = [best, *(m for m in group.members if m.id != best.id)]
        every = [q for m in members for q in quotes.get(m.id, [])]
        merged = [q for q in merge_quotes(every) if quote_key(q.text) not in seen_quotes]
        # A quote several outlets carry first, then named speakers before unnamed ones.
        merged.sort(key=lambda q: (-len(q.also_in), q.speaker is None))
        names: list[str] = []
        for m in members:
            names.extend(n for n in people.get(m.id, []) if n not in names)
        [ref] = link_store.attach_copies([best], links)
        items.append(
            DigestItem(
                ref=ref,
                summary=summaries.get(best.id, []),
                quotes=pick_quotes(merged, max_quotes),
                people=names[:8],
                also_at=members[1:],
                story_id=group.story_id,
                sources=tuple(_sources(members, links)),
                update=bool(earlier),
            )
        )
    return Digest(
        items=items,
        generated_at=now or datetime.now(UTC),
        more_count=more,
        absorbed=absorbed,
    )


def digest_article_ids(digest: Digest) -> list[int]:
    """Every article a digest covers: each story's articles, and the absorbed ones."""
    ids = []
    for item in digest.items:
        ids.append(item.ref.id)
        ids.extend(r.id for r in item.also_at)
    ids.extend(digest.absorbed)
    return ids
