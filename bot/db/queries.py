"""Read models: what the CLI and the cogs show, as plain dataclasses, per server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db.models import (
    Article,
    ArticleEntity,
    DigestArticle,
    Event,
    EventPerson,
    Mention,
    Person,
    PersonName,
    Quote,
    Summary,
)
from bot.db.visibility import article_visible, person_visible
from bot.domain import (
    ArticleDetail,
    ArticleRef,
    ArticleStatus,
    EventSource,
    EventView,
    PersonCard,
    QuoteView,
    SearchHit,
)

visible = article_visible

# The columns an article reference needs: list queries never load the texts.
_REF_COLUMNS = (Article.id, Article.title, Article.url, Article.source, Article.published_at)


@dataclass(frozen=True, slots=True)
class DigestCandidate:
    """An analysed article a digest may hold."""

    ref: ArticleRef
    similarity_key: str | None


def _ref_of(row: tuple[int, str, str | None, str | None, datetime | None]) -> ArticleRef:
    return ArticleRef(id=row[0], title=row[1], url=row[2], source=row[3], published_at=row[4])


def _ref(article: Article) -> ArticleRef:
    return ArticleRef(
        id=article.id,
        title=article.title,
        url=article.url,
        source=article.source,
        published_at=article.published_at,
    )


def _newest_first(stmt: Select[Any]) -> Select[Any]:
    return stmt.order_by(
        func.coalesce(Article.published_at, Article.created_at).desc(), Article.id.desc()
    )


async def person_by_id(session: AsyncSession, guild_id: int | None, person_id: int) -> str | None:
    """The name of a person the server may see, by id."""
    name = await session.scalar(
        select(Person.name).where(Person.id == person_id, person_visible(Person.id, guild_id))
    )
    return None if name is None else str(name)


async def people_by_key(
    session: AsyncSession, guild_id: int | None, key: str, limit: int = 5
) -> list[tuple[int, str]]:
    """(id, name) of visible people found by this exact name key, full names first."""
    rows = await session.execute(
        select(Person.id, Person.name)
        .join(PersonName, PersonName.person_id == Person.id)
        .where(PersonName.name_key == key, person_visible(Person.id, guild_id))
        .order_by((Person.name_key == key).desc(), Person.id)
        .limit(limit)
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def people_by_prefix(
    session: AsyncSession, guild_id: int | None, prefix: str, limit: int = 25
) -> list[tuple[int, str]]:
    """(id, name) of visible people with a name or alias word starting with prefix."""
    # A range on the indexed key instead of LIKE: SQLite only uses an index for LIKE under
    # case_sensitive_like, and the keys are casefolded already.
    stmt = select(Person.id, Person.name).join(PersonName, PersonName.person_id == Person.id)
    if prefix:
        stmt = stmt.where(PersonName.name_key >= prefix, PersonName.name_key < prefix + "\uffff")
    rows = await session.execute(
        stmt.where(person_visible(Person.id, guild_id))
        .group_by(Person.id, Person.name)
        .order_by(func.min(func.length(PersonName.name_key)), Person.name)
        .limit(limit)
    )
    return [(int(r[0]), str(r[1])) for r in rows]


async def _quote_views(session: AsyncSession, stmt: Select[Any]) -> list[QuoteView]:
    rows = await session.execute(stmt)
    return [
        QuoteView(
            id=quote.id,
            text=quote.text,
            speaker=speaker_name,
            speaker_id=quote.speaker_id,
            cue=quote.cue,
            article=_ref(article),
        )
        for quote, article, speaker_name in rows
    ]


def _quote_select(guild_id: int | None) -> Select[Any]:
    return (
        select(Quote, Article, Person.name)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Person, Person.id == Quote.speaker_id)
        .where(visible(guild_id), Article.status == ArticleStatus.ANALYZED)
    )


async def quotes(
    session: AsyncSession,
    guild_id: int | None,
    *,
    person_id: int | None = None,
    article_id: int | None = None,
    limit: int = 50,
) -> list[QuoteView]:
    """Key quotes, best-ranked first within each article, newest articles first."""
    stmt = _quote_select(guild_id)
    if person_id is not None:
        stmt = stmt.where(Quote.speaker_id == person_id)
    if article_id is not None:
        stmt = stmt.where(Quote.article_id == article_id)
    stmt = _newest_first(stmt).order_by(Quote.rank).limit(limit)
    return await _quote_views(session, stmt)


async def person_card(
    session: AsyncSession, guild_id: int | None, person_id: int, quote_limit: int = 5
) -> PersonCard | None:
    """What a server can see about one person."""
    person = await session.get(Person, person_id)
    if person is None:
        return None
    article_ids = list(
        await session.scalars(
            select(Mention.article_id)
            .join(Article, Article.id == Mention.article_id)
            .where(
                Mention.person_id == person_id,
                visible(guild_id),
                Article.status == ArticleStatus.ANALYZED,
            )
        )
    )
    if not article_ids:
        return None
    descriptions: list[str] = []
    for mention_descriptions in await session.scalars(
        select(Mention.descriptions).where(
            Mention.person_id == person_id, Mention.article_id.in_(article_ids)
        )
    ):
        for description in mention_descriptions or []:
            if description not in descriptions:
                descriptions.append(description)
    co = Counter[str]()
    rows = await session.execute(
        select(Person.name, Mention.count)
        .join(Mention, Mention.person_id == Person.id)
        .where(Mention.article_id.in_(article_ids), Person.id != person_id)
    )
    for name, count in rows:
        co[str(name)] += int(count)
    latest = await quotes(session, guild_id, person_id=person_id, limit=quote_limit)
    aliases = [a for a in person.aliases if a != person.name]
    return PersonCard(
        id=person.id,
        name=person.name,
        aliases=aliases,
        descriptions=descriptions[:8],
        article_count=len(article_ids),
        quotes=latest,
        co_mentioned=co.most_common(5),
    )


async def _event_views(
    session: AsyncSession, events: list[tuple[Event, Article]]
) -> list[EventView]:
    """Group event rows by merge key into one view per event."""
    groups: dict[str, list[tuple[Event, Article]]] = {}
    for event, article in events:
        groups.setdefault(event.merge_key, []).append((event, article))
    event_ids = [e.id for e, _ in events]
    people_by_event: dict[int, list[str]] = {}
    if event_ids:
        rows = await session.execute(
            select(EventPerson.event_id, Person.name)
            .join(Person, Person.id == EventPerson.person_id)
            .where(EventPerson.event_id.in_(event_ids))
        )
        for event_id, name in rows:
            people_by_event.setdefault(int(event_id), []).append(str(name))
    views = []
    for members in groups.values():
        first, _ = members[0]
        people: list[str] = []
        sources = []
        for event, article in members:
            for name in people_by_event.get(event.id, []):
                if name not in people:
                    people.append(name)
            text = article.clean_text or ""
            sources.append(
                EventSource(_ref(article), text[event.sentence_start : event.sentence_end])
            )
        named = max(
            (e for e, _ in members),
            key=lambda e: (e.where is not None, e.when_start is not None, len(e.name)),
        )
        views.append(
            EventView(
                id=first.id,
                name=named.name,
                kind=first.kind,
                when_text=named.when_text,
                when_start=named.when_start,
                when_end=named.when_end,
                where=named.where,
                people=people,
                sources=sources,
            )
        )
    return views


def _event_select(guild_id: int | None) -> Select[Any]:
    return (
        select(Event, Article)
        .join(Article, Article.id == Event.article_id)
        .where(visible(guild_id), Article.status == ArticleStatus.ANALYZED)
    )


async def events(
    session: AsyncSession, guild_id: int | None, query: str | None = None, limit: int = 25
) -> list[EventView]:
    """Events matching words of the query in their name or place, newest first."""
    stmt = _event_select(guild_id)
    for word in dialect.fts_terms(query or ""):
        pattern = f"%{word.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Event.name).like(pattern),
                func.lower(func.coalesce(Event.where, "")).like(pattern),
            )
        )
    stmt = _newest_first(stmt).limit(limit * 4)
    rows = [(e, a) for e, a in await session.execute(stmt)]
    return (await _event_views(session, rows))[:limit]


async def event_by_id(
    session: AsyncSession, guild_id: int | None, event_id: int
) -> EventView | None:
    """One event (merged with the same event in other visible articles)."""
    event = await session.get(Event, event_id)
    if event is None:
        return None
    stmt = _event_select(guild_id).where(Event.merge_key == event.merge_key)
    rows = [(e, a) for e, a in await session.execute(stmt)]
    views = await _event_views(session, rows)
    return views[0] if views else None


async def timeline(
    session: AsyncSession, guild_id: int | None, person_id: int, limit: int = 50
) -> list[EventView]:
    """A person's events in date order (undated ones last)."""
    stmt = (
        _event_select(guild_id)
        .join(EventPerson, EventPerson.event_id == Event.id)
        .where(EventPerson.person_id == person_id)
        .limit(limit * 4)
    )
    rows = [(e, a) for e, a in await session.execute(stmt)]
    views = await _event_views(session, rows)
    views.sort(key=lambda v: (v.when_start is None, v.when_start or date.min, v.name))
    return views[:limit]


async def article(
    session: AsyncSession, guild_id: int | None, article_id: int
) -> ArticleDetail | None:
    """One article with its analysis, if the server may see it."""
    row = await session.scalar(select(Article).where(Article.id == article_id, visible(guild_id)))
    if row is None:
        return None
    summary = await session.scalar(
        select(Summary.sentences).where(Summary.article_id == article_id)
    )
    people = [
        str(n)
        for n in await session.scalars(
            select(Person.name)
            .join(Mention, Mention.person_id == Person.id)
            .where(Mention.article_id == article_id)
            .order_by(Mention.count.desc(), Mention.first_offset)
        )
    ]
    entities = list(
        await session.execute(
            select(ArticleEntity.kind, ArticleEntity.name)
            .where(ArticleEntity.article_id == article_id)
            .order_by(ArticleEntity.id)
        )
    )
    return ArticleDetail(
        ref=_ref(row),
        authors=list(row.authors or []),
        summary=list(summary or []),
        people=people,
        quotes=await quotes(session, guild_id, article_id=article_id, limit=100),
        events=await _event_views(
            session,
            [
                (e, a)
                for e, a in await session.execute(
                    _event_select(guild_id).where(Event.article_id == article_id)
                )
            ],
        ),
        places=[str(n) for k, n in entities if k == "place"],
        organizations=[str(n) for k, n in entities if k == "organization"],
    )


async def search(
    session: AsyncSession, guild_id: int | None, text: str, limit: int = 10
) -> list[SearchHit]:
    """Full-text search ranked among the articles this server may see only."""
    hits = await dialect.fts_search(session, text, visible(guild_id), limit)
    if not hits:
        return []
    refs = {
        int(r[0]): _ref_of(r._tuple())
        for r in await session.execute(
            select(*_REF_COLUMNS).where(Article.id.in_([h[0] for h in hits]))
        )
    }
    return [SearchHit(refs[i], snippet) for i, snippet in hits if i in refs]


async def list_articles(
    session: AsyncSession, guild_id: int | None, limit: int = 20, title_prefix: str = ""
) -> list[tuple[ArticleRef, ArticleStatus]]:
    """Newest articles with their status (optionally those whose title holds some text)."""
    stmt = select(*_REF_COLUMNS, Article.status).where(visible(guild_id))
    if title_prefix:
        stmt = stmt.where(func.lower(Article.title).contains(title_prefix.casefold()))
    rows = await session.execute(_newest_first(stmt).limit(limit))
    return [(_ref_of(r._tuple()[:5]), ArticleStatus(r[5])) for r in rows]


async def digest_candidates(
    session: AsyncSession,
    guild_id: int | None,
    limit: int,
    *,
    unposted_only: bool,
    reserved_by_slot: int | None = None,
) -> list[DigestCandidate]:
    """Analysed articles not yet posted to (or reserved for) this server, newest first."""
    stmt = select(*_REF_COLUMNS, Article.similarity_key).where(
        visible(guild_id), Article.status == ArticleStatus.ANALYZED
    )
    if reserved_by_slot is not None:
        # A crashed post is retried with exactly the articles it had reserved.
        reserved = select(DigestArticle.article_id).where(DigestArticle.slot_id == reserved_by_slot)
        stmt = stmt.where(Article.id.in_(reserved))
    elif unposted_only and guild_id is not None:
        posted = select(DigestArticle.article_id).where(DigestArticle.guild_id == guild_id)
        stmt = stmt.where(Article.id.not_in(posted))
    rows = await session.execute(_newest_first(stmt).limit(limit))
    return [DigestCandidate(_ref_of(r._tuple()[:5]), r[5]) for r in rows]


async def count_waiting(session: AsyncSession, guild_id: int) -> int:
    """How many analysed articles this server has not had in a digest yet."""
    posted = select(DigestArticle.article_id).where(DigestArticle.guild_id == guild_id)
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Article)
            .where(
                visible(guild_id),
                Article.status == ArticleStatus.ANALYZED,
                Article.id.not_in(posted),
            )
        )
        or 0
    )


async def summaries(session: AsyncSession, article_ids: list[int]) -> dict[int, list[str]]:
    """Summaries of several articles."""
    rows = await session.execute(
        select(Summary.article_id, Summary.sentences).where(Summary.article_id.in_(article_ids))
    )
    return {int(a): list(s or []) for a, s in rows}


async def people_of(session: AsyncSession, article_ids: list[int]) -> dict[int, list[str]]:
    """People of several articles, most-mentioned first."""
    rows = await session.execute(
        select(Mention.article_id, Person.name)
        .join(Person, Person.id == Mention.person_id)
        .where(Mention.article_id.in_(article_ids))
        .order_by(Mention.count.desc(), Mention.first_offset)
    )
    out: dict[int, list[str]] = {}
    for article_id, name in rows:
        out.setdefault(int(article_id), []).append(str(name))
    return out


async def article_ref(
    session: AsyncSession, guild_id: int | None, article_id: int
) -> ArticleRef | None:
    """A reference to one article the server may see."""
    row = await session.execute(
        select(*_REF_COLUMNS).where(Article.id == article_id, visible(guild_id))
    )
    found = row.first()
    return None if found is None else _ref_of(found._tuple())
