"""Read models: what the CLI and the cogs show, as plain dataclasses, per server."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect
from bot.db import links as link_store
from bot.db import stories as story_store
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
    StoryArticle,
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
from bot.stories.quotes import merge_quotes

visible = article_visible

# The columns an article reference needs: list queries never load the texts.
_REF_COLUMNS = (Article.id, Article.title, Article.url, Article.source, Article.published_at)
# Search ranks this many of the newest matches, so a common word costs what a rare one does.
SEARCH_POOL = 200
# The person card reads descriptions and co-mentions from this many of their newest articles:
# enough to say who someone is and is seen with now; 200 cost a frequently named person 4× more.
CARD_RECENT_ARTICLES = 50
# Counting waiting articles stops here: past it the number only says "a lot".
WAITING_CAP = 1000
SNIPPET_WORDS = 24
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _shown(guild_id: int | None) -> ColumnElement[bool]:
    """Analysed articles the server may see."""
    return and_(Article.status == ArticleStatus.ANALYZED, visible(guild_id))


@dataclass(frozen=True, slots=True)
class DigestCandidate:
    """An analysed article a digest may hold."""

    ref: ArticleRef
    similarity_key: str | None


def _ref_of(row: tuple[int, str, str | None, str | None, datetime | None]) -> ArticleRef:
    return ArticleRef(id=row[0], title=row[1], url=row[2], source=row[3], published_at=row[4])


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
    """(id, name) of visible people with a name or alias word starting with prefix.

    People come in the order of the key that matched (so "kim" comes before "kimball"), read
    page by page from the key index: the cost follows the answer's size, not the store's.
    """
    found: dict[int, str] = {}
    after: tuple[str, int] | None = None
    page = limit * 3
    while len(found) < limit:
        # A range on the indexed key instead of LIKE: SQLite only uses an index for LIKE under
        # case_sensitive_like, and the keys are casefolded already.
        stmt = (
            select(PersonName.name_key, PersonName.person_id, Person.name)
            .join(Person, Person.id == PersonName.person_id)
            .where(person_visible(PersonName.person_id, guild_id))
        )
        if prefix:
            stmt = stmt.where(
                PersonName.name_key >= prefix, PersonName.name_key < prefix + "\uffff"
            )
        if after is not None:
            stmt = stmt.where(
                or_(
                    PersonName.name_key > after[0],
                    and_(PersonName.name_key == after[0], PersonName.person_id > after[1]),
                )
            )
        rows = list(
            await session.execute(
                stmt.order_by(PersonName.name_key, PersonName.person_id).limit(page)
            )
        )
        for key, person_id, name in rows:
            if len(found) < limit:
                found.setdefault(int(person_id), str(name))
            after = (str(key), int(person_id))
        if len(rows) < page:
            break
    return list(found.items())


async def _quote_views(session: AsyncSession, stmt: Select[Any]) -> list[QuoteView]:
    rows = await session.execute(stmt)
    return [
        QuoteView(
            id=int(r[0]),
            text=str(r[1]),
            speaker=r[4],
            speaker_id=r[2],
            cue=r[3],
            article=_ref_of(r._tuple()[5:10]),
        )
        for r in rows
    ]


def _quote_select(guild_id: int | None) -> Select[Any]:
    return (
        select(
            Quote.id,
            Quote.text,
            Quote.speaker_id,
            Quote.cue,
            # A person's canonical name, or an organisation's name as the article wrote it.
            func.coalesce(
                Person.name,
                case((Quote.speaker_kind == "organization", Quote.speaker_text), else_=None),
            ),
            *_REF_COLUMNS,
        )
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Person, Person.id == Quote.speaker_id)
        .where(_shown(guild_id))
    )


async def quotes(
    session: AsyncSession,
    guild_id: int | None,
    *,
    person_id: int | None = None,
    article_id: int | None = None,
    limit: int = 50,
) -> list[QuoteView]:
    """Key quotes, best-ranked first within each article, newest articles first.

    A quote several articles carry is one quote with all of them (`also_in`).
    """
    stmt = _quote_select(guild_id)
    if person_id is not None:
        stmt = stmt.where(Quote.speaker_id == person_id)
    if article_id is not None:
        stmt = stmt.where(Quote.article_id == article_id)
    # Fetch more than asked: quotes repeated across articles fold into one.
    stmt = _newest_first(stmt).order_by(Quote.rank).limit(limit * 3)
    merged = merge_quotes(await _quote_views(session, stmt))[:limit]
    return await link_store.quotes_with_copies(session, merged)


async def quotes_of_articles(
    session: AsyncSession, guild_id: int | None, article_ids: Sequence[int], per_article: int
) -> dict[int, list[QuoteView]]:
    """Each article's key quotes, best-ranked first, as quotes(article_id=…) gives them.

    One query for every article (a digest asks for a dozen at once).
    """
    if not article_ids:
        return {}
    stmt = (
        _quote_select(guild_id)
        .where(Quote.article_id.in_(sorted(set(article_ids))))
        .order_by(Quote.article_id, Quote.rank, Quote.id)
    )
    ranked: dict[int, list[QuoteView]] = {}
    for view in await _quote_views(session, stmt):
        ranked.setdefault(view.article.id, []).append(view)
    best = [
        q for views in ranked.values() for q in merge_quotes(views[: per_article * 3])[:per_article]
    ]
    out: dict[int, list[QuoteView]] = {}
    for quote in await link_store.quotes_with_copies(session, best):
        out.setdefault(quote.article.id, []).append(quote)
    return out


async def person_card(
    session: AsyncSession, guild_id: int | None, person_id: int, quote_limit: int = 5
) -> PersonCard | None:
    """What a server can see about one person."""
    person = (
        await session.execute(
            select(Person.id, Person.name, Person.aliases).where(Person.id == person_id)
        )
    ).first()
    if person is None:
        return None
    # Counted over the (person, article) index; no grouping over everyone's mentions.
    article_count = int(
        await session.scalar(
            select(func.count())
            .select_from(Mention)
            .join(Article, Article.id == Mention.article_id)
            .where(Mention.person_id == person_id, _shown(guild_id))
        )
        or 0
    )
    if not article_count:
        return None
    recent = list(
        await session.execute(
            select(Mention.article_id, Mention.descriptions)
            .join(Article, Article.id == Mention.article_id)
            .where(Mention.person_id == person_id, _shown(guild_id))
            .order_by(Mention.article_id.desc())
            .limit(CARD_RECENT_ARTICLES)
        )
    )
    descriptions: list[str] = []
    for _, mention_descriptions in recent:
        for description in mention_descriptions or []:
            if description not in descriptions:
                descriptions.append(description)
    together = func.sum(Mention.count)
    co_mentioned = [
        (str(name), int(total))
        for name, total in await session.execute(
            select(Person.name, together)
            .join(Mention, Mention.person_id == Person.id)
            .where(Mention.article_id.in_([r[0] for r in recent]), Person.id != person_id)
            .group_by(Person.id, Person.name)
            .order_by(together.desc(), Person.name)
            .limit(5)
        )
    ]
    latest = await quotes(session, guild_id, person_id=person_id, limit=quote_limit)
    aliases = [a for a in person.aliases or [] if a != person.name]
    return PersonCard(
        id=int(person.id),
        name=str(person.name),
        aliases=aliases,
        descriptions=descriptions[:8],
        article_count=article_count,
        quotes=latest,
        co_mentioned=co_mentioned,
    )


_EVENT_COLUMNS = (
    Event.id,
    Event.merge_key,
    Event.name,
    Event.kind,
    Event.when_text,
    Event.when_start,
    Event.when_end,
    Event.where,
    # Only the sentence the event was read from, never the whole text.
    func.substr(
        Article.clean_text, Event.sentence_start + 1, Event.sentence_end - Event.sentence_start
    ),
    *_REF_COLUMNS,
)


def _best_named(
    rows: list[tuple[Any, ...]], *, name: int, start: int, where: int
) -> tuple[Any, ...]:
    """The row that names one event best: placed, then dated, then the longest name."""
    return max(rows, key=lambda r: (r[where] is not None, r[start] is not None, len(r[name])))


async def _event_views(session: AsyncSession, stmt: Select[Any]) -> list[EventView]:
    """Group event rows (of _event_select) by merge key into one view per event."""
    rows = [r._tuple() for r in await session.execute(stmt)]
    groups: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault(str(row[1]), []).append(row)
    people_by_event: dict[int, list[str]] = {}
    if rows:
        for event_id, name in await session.execute(
            select(EventPerson.event_id, Person.name)
            .join(Person, Person.id == EventPerson.person_id)
            .where(EventPerson.event_id.in_([r[0] for r in rows]))
        ):
            people_by_event.setdefault(int(event_id), []).append(str(name))
    views = []
    for members in groups.values():
        first = members[0]
        people: list[str] = []
        for row in members:
            for name in people_by_event.get(int(row[0]), []):
                if name not in people:
                    people.append(name)
        named = _best_named(members, name=2, start=5, where=7)
        views.append(
            EventView(
                id=int(first[0]),
                name=str(named[2]),
                kind=str(first[3]),
                when_text=named[4],
                when_start=named[5],
                when_end=named[6],
                where=named[7],
                people=people,
                sources=[EventSource(_ref_of(r[9:14]), str(r[8] or "")) for r in members],
            )
        )
    return views


def _event_select(guild_id: int | None) -> Select[Any]:
    return (
        select(*_EVENT_COLUMNS)
        .join(Article, Article.id == Event.article_id)
        .where(_shown(guild_id))
    )


async def events(
    session: AsyncSession, guild_id: int | None, query: str | None = None, limit: int = 25
) -> list[EventView]:
    """Events whose name or place has the query's words (the last one as a prefix), newest first."""
    stmt = await _matching(session, _event_select(guild_id), guild_id, query, limit)
    return [] if stmt is None else (await _event_views(session, stmt))[:limit]


async def _matching(
    session: AsyncSession, stmt: Select[Any], guild_id: int | None, query: str | None, limit: int
) -> Select[Any] | None:
    """The event rows of stmt that match the query, newest first (None: nothing matches)."""
    terms = dialect.fts_terms(query or "")
    if terms:
        # The newest matches straight from the full-text index, then their rows.
        found = await dialect.event_matches(session, terms, _shown(guild_id), limit * 4)
        ids = [int(i) for i in await session.scalars(found)]
        if not ids:
            return None
        stmt = stmt.where(Event.id.in_(ids))
    # Rows of one event in several articles fold into one view: read more than asked.
    return _newest_first(stmt).order_by(Event.id).limit(limit * 4)


async def event_choices(
    session: AsyncSession, guild_id: int | None, query: str | None, limit: int = 25
) -> list[tuple[int, str, date | None, date | None]]:
    """(id, name, start, end) of the events events() finds, without people or sentences.

    Autocomplete asks on every keystroke and shows a label only; the same event's rows fold and
    name it as _event_views does.
    """
    columns = select(
        Event.id, Event.merge_key, Event.name, Event.when_start, Event.when_end, Event.where
    ).join(Article, Article.id == Event.article_id)
    stmt = await _matching(session, columns.where(_shown(guild_id)), guild_id, query, limit)
    if stmt is None:
        return []
    groups: dict[str, list[tuple[Any, ...]]] = {}
    for row in await session.execute(stmt):
        groups.setdefault(str(row[1]), []).append(row._tuple())
    labels = []
    for members in list(groups.values())[:limit]:
        named = _best_named(members, name=2, start=3, where=5)
        labels.append((int(members[0][0]), str(named[2]), named[3], named[4]))
    return labels


async def event_by_id(
    session: AsyncSession, guild_id: int | None, event_id: int
) -> EventView | None:
    """One event (merged with the same event in other visible articles)."""
    key = await session.scalar(select(Event.merge_key).where(Event.id == event_id))
    if key is None:
        return None
    views = await _event_views(
        session, _newest_first(_event_select(guild_id).where(Event.merge_key == key)).limit(100)
    )
    return views[0] if views else None


async def timeline(
    session: AsyncSession, guild_id: int | None, person_id: int, limit: int = 50
) -> list[EventView]:
    """A person's events in date order (undated ones last)."""
    stmt = (
        _event_select(guild_id)
        .join(EventPerson, EventPerson.event_id == Event.id)
        .where(EventPerson.person_id == person_id)
        .order_by(Event.when_start.is_(None), Event.when_start, Event.id)
        .limit(limit * 4)
    )
    views = await _event_views(session, stmt)
    views.sort(key=lambda v: (v.when_start is None, v.when_start or date.min, v.name))
    return views[:limit]


async def article(
    session: AsyncSession, guild_id: int | None, article_id: int
) -> ArticleDetail | None:
    """One article with its analysis, if the server may see it."""
    row = (
        await session.execute(
            select(*_REF_COLUMNS, Article.authors).where(
                Article.id == article_id, visible(guild_id)
            )
        )
    ).first()
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
    [ref] = await link_store.with_copies(session, [_ref_of(row._tuple()[:5])])
    story_id = await story_store.story_of(session, article_id)
    same_story: list[ArticleRef] = []
    if story_id is not None:
        same_story = await link_store.with_copies(
            session,
            [
                _ref_of(r._tuple())
                for r in await session.execute(
                    _newest_first(
                        select(*_REF_COLUMNS)
                        .join(StoryArticle, StoryArticle.article_id == Article.id)
                        .where(
                            StoryArticle.story_id == story_id,
                            Article.id != article_id,
                            visible(guild_id),
                        )
                    ).limit(20)
                )
            ],
        )
    return ArticleDetail(
        ref=ref,
        same_story=tuple(same_story),
        authors=list(row.authors or []),
        summary=list(summary or []),
        people=people,
        quotes=await quotes(session, guild_id, article_id=article_id, limit=100),
        events=await _event_views(
            session,
            _event_select(guild_id).where(Event.article_id == article_id).order_by(Event.id),
        ),
        places=[str(n) for k, n in entities if k == "place"],
        organizations=[str(n) for k, n in entities if k == "organization"],
    )


def snippet(text: str, terms: list[str], words: int = SNIPPET_WORDS) -> str:
    """About words words of text around the first term, terms in **bold**."""
    wanted = {t.casefold() for t in terms}
    tokens = text.split()

    def hit(token: str) -> bool:
        return any(w.casefold() in wanted for w in _TOKEN.findall(token))

    first = next((i for i, token in enumerate(tokens) if hit(token)), 0)
    start = max(0, min(first - words // 3, len(tokens) - words))
    shown = [f"**{t}**" if hit(t) else t for t in tokens[start : start + words]]
    return ("…" if start else "") + " ".join(shown) + ("…" if start + words < len(tokens) else "")


async def search(
    session: AsyncSession, guild_id: int | None, text: str, limit: int = 10
) -> list[SearchHit]:
    """Full-text search among the analysed articles this server may see, best first.

    Ranks the newest matches (SEARCH_POOL of them, or limit when more) by relevance, each
    read straight from the full-text index with the visibility test inside the query.
    """
    terms = dialect.fts_terms(text)
    if not terms:
        return []
    pool = await dialect.article_matches(session, terms, _shown(guild_id), max(SEARCH_POOL, limit))
    ranked = sorted((float(r[1]), -int(r[0])) for r in await session.execute(pool))[:limit]
    ids = [-negated for _, negated in ranked]
    if not ids:
        return []
    rows = {
        int(r[0]): r._tuple()
        for r in await session.execute(
            select(*_REF_COLUMNS, Article.clean_text).where(Article.id.in_(ids))
        )
    }
    return [
        SearchHit(_ref_of(rows[i][:5]), snippet(rows[i][5] or "", terms)) for i in ids if i in rows
    ]


async def list_articles(
    session: AsyncSession, guild_id: int | None, limit: int = 20, title_prefix: str = ""
) -> list[tuple[ArticleRef, ArticleStatus]]:
    """Newest articles with their status (optionally those whose title has words starting so)."""
    stmt = select(*_REF_COLUMNS, Article.status).where(visible(guild_id))
    terms = dialect.fts_terms(title_prefix)
    if terms:
        found = dialect.title_matches(session, terms, visible(guild_id), limit)
        ids = [int(i) for i in await session.scalars(found)]
        if not ids:
            return []
        stmt = stmt.where(Article.id.in_(ids))
    rows = list(await session.execute(_newest_first(stmt).limit(limit)))
    refs = await link_store.with_copies(session, [_ref_of(r._tuple()[:5]) for r in rows])
    return [(ref, ArticleStatus(r[5])) for ref, r in zip(refs, rows, strict=True)]


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
        stmt = stmt.where(~_posted(guild_id))
    rows = await session.execute(_newest_first(stmt).limit(limit))
    return [DigestCandidate(_ref_of(r._tuple()[:5]), r[5]) for r in rows]


def _posted(guild_id: int) -> ColumnElement[bool]:
    """The article is in one of this server's digests (one primary-key probe per row)."""
    return (
        exists()
        .where(DigestArticle.guild_id == guild_id, DigestArticle.article_id == Article.id)
        .correlate(Article)
    )


async def count_waiting(session: AsyncSession, guild_id: int) -> int:
    """How many analysed articles this server has not had in a digest yet (up to WAITING_CAP)."""
    waiting = (
        select(Article.id).where(_shown(guild_id), ~_posted(guild_id)).limit(WAITING_CAP).subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(waiting)) or 0)


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
