"""Events: what happened, when, where and who, across the articles a server may see."""

from __future__ import annotations

from bot.db import queries
from bot.db.engine import Database
from bot.domain import EventView
from bot.errors import NotFound
from bot.services.common import bounded


def event_label(view: EventView) -> str:
    """A short label for a choice list: name · date."""
    parts = [view.name]
    if view.when_start:
        parts.append(
            view.when_start.isoformat()[:7]
            if view.when_end and view.when_end != view.when_start
            else view.when_start.isoformat()
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
        views = await self.search(typed[:100], guild_id, limit)
        return [(v.id, event_label(v)) for v in views]
