"""Events: what happened, when, where and who, across the articles a server may see."""

from __future__ import annotations

from datetime import date

from bot.db import queries
from bot.db.engine import Database
from bot.domain import EventView
from bot.errors import NotFound
from bot.services.common import bounded


def event_label(name: str, when_start: date | None, when_end: date | None) -> str:
    """A short label for a choice list: name · date."""
    parts = [name]
    if when_start:
        parts.append(
            when_start.isoformat()[:7]
            if when_end and when_end != when_start
            else when_start.isoformat()
        )
    return " · ".join(parts)[:100]


class EventService:
    """Find events."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def search(
        self, query: str | None = None, guild_id: int | None = None, limit: int = 25
    ) -> list[EventView]:
        """Events whose name or place matches the query's words, newest first."""
        async with self.db.reader() as session:
            return await queries.events(session, guild_id, bounded(query, "search"), limit)

    async def get(self, query: str, guild_id: int | None = None) -> EventView:
        """One event by id (from autocomplete) or by words."""
        text = bounded(query, "search")
        if text.isdigit():
            async with self.db.reader() as session:
                found = await queries.event_by_id(session, guild_id, int(text))
            if found is not None:
                return found
        matches = await self.search(text, guild_id, limit=1)
        if not matches:
            raise NotFound(f'no event matching "{text}"; try a place or a word like "summit"')
        return matches[0]

    async def choices(
        self, typed: str, guild_id: int | None, limit: int = 25
    ) -> list[tuple[int, str]]:
        """Autocomplete: events matching what was typed."""
        query = bounded(typed[:100], "search")
        async with self.db.reader() as session:
            found = await queries.event_choices(session, guild_id, query, limit)
        return [(eid, event_label(name, start, end)) for eid, name, start, end in found]
