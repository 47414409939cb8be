"""People: finding a person by name, their card, their quotes and their timeline."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import queries
from bot.db.engine import Database
from bot.domain import EventView, PersonCard, QuoteView
from bot.errors import InvalidInput, NotFound
from bot.services.common import bounded
from bot.text_keys import name_key

# Close-match hints look at people whose name starts like the query, not at everyone.
HINT_POOL = 100


class PeopleService:
    """What the articles say about people, within what a server may see."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def find(self, name: str, guild_id: int | None) -> int:
        """The id of the person best matching a name, or NotFound with close matches."""
        async with self.db.reader() as session:
            return await self._find(session, name, guild_id)

    async def _find(self, session: AsyncSession, name: str, guild_id: int | None) -> int:
        # Within the caller's unit of work: each one costs more than a statement.
        query = bounded(name, "name")
        if not query:
            raise InvalidInput("give a person's name")
        if query.isdigit():
            if await queries.person_by_id(session, guild_id, int(query)) is not None:
                return int(query)
        key = name_key(query)
        found = await queries.people_by_key(session, guild_id, key, limit=1)
        if found:
            return found[0][0]
        pool = await queries.people_by_prefix(session, guild_id, key[:3], HINT_POOL)
        from rapidfuzz import fuzz, process  # only a miss needs it (CLI start time)

        choices = {pid: pname for pid, pname in pool}
        close = process.extract(query, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        hint = f"; did you mean {', '.join(c[0] for c in close)}?" if close else ""
        raise NotFound(f'no person matching "{query}" in the articles{hint}')

    async def who(self, name: str, guild_id: int | None = None) -> PersonCard:
        """A person's card."""
        async with self.db.reader() as session:
            pid = await self._find(session, name, guild_id)
            card = await queries.person_card(session, guild_id, pid)
        if card is None:
            raise NotFound(f'no person matching "{name}" in the articles')
        return card

    async def choices(
        self, typed: str, guild_id: int | None, limit: int = 25
    ) -> list[tuple[int, str]]:
        """Autocomplete: people with a name or alias word starting with what was typed."""
        key = name_key(bounded(typed[:100], "name"))
        async with self.db.reader() as session:
            return await queries.people_by_prefix(session, guild_id, key, limit)

    async def quotes(
        self,
        guild_id: int | None = None,
        *,
        person: str | None = None,
        article_id: int | None = None,
        limit: int = 50,
    ) -> list[QuoteView]:
        """Key quotes, optionally by one person and/or from one article."""
        async with self.db.reader() as session:
            person_id = await self._find(session, person, guild_id) if person else None
            if article_id is not None and (
                await queries.article_ref(session, guild_id, article_id) is None
            ):
                raise NotFound(f"no article #{article_id}; use /article search to find one")
            return await queries.quotes(
                session, guild_id, person_id=person_id, article_id=article_id, limit=limit
            )

    async def timeline(
        self, person: str, guild_id: int | None = None
    ) -> tuple[str, list[EventView]]:
        """A person's events in date order."""
        async with self.db.reader() as session:
            pid = await self._find(session, person, guild_id)
            name = await queries.person_by_id(session, guild_id, pid)
            views = await queries.timeline(session, guild_id, pid)
        return (name or person), views
