"""Stories: several outlets' reports of one happening, as the CLI and the cogs list them."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.db import stories as story_store
from bot.db.engine import Database
from bot.domain import StoryView
from bot.errors import InvalidInput

MAX_SINCE_S = 366 * 86400


class StoryService:
    """List stories and the articles and sources that report them."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def recent(
        self, guild_id: int | None = None, *, since_s: int = 86400, limit: int = 50
    ) -> list[StoryView]:
        """Stories that gained an article in the last since_s seconds, newest first."""
        if since_s <= 0:
            raise InvalidInput("give a positive time span, like 24h or 3d")
        since = self.clock.now() - timedelta(seconds=min(since_s, MAX_SINCE_S))
        async with self.db.reader() as session:
            return await story_store.recent_stories(session, guild_id, since, limit)
