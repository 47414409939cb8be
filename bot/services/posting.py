"""Post settings per server: style (full or compact), people shown, role ping, digest thread."""

from __future__ import annotations

from bot.db import post_settings
from bot.db.engine import Database
from bot.domain import PostSettings, PostStyle
from bot.errors import InvalidInput

MAX_PEOPLE = 20


class PostSettingsService:
    """How a server's digests look and whom they ping."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int) -> PostSettings:
        """A server's post settings."""
        async with self.db.reader() as session:
            return await post_settings.get(session, guild_id)

    async def _update(self, guild_id: int, **changes: object) -> PostSettings:
        async with self.db.writer() as session:
            return await post_settings.update(session, guild_id, **changes)

    async def set_style(
        self, guild_id: int, style: str | PostStyle | None = None, max_people: int | None = None
    ) -> PostSettings:
        """Choose full or compact posts and how many people each article shows."""
        changes: dict[str, object] = {}
        if style is not None:
            try:
                changes["style"] = PostStyle(str(style).strip().casefold())
            except ValueError:
                raise InvalidInput("the style is full or compact") from None
        if max_people is not None:
            if not 0 <= max_people <= MAX_PEOPLE:
                raise InvalidInput(f"people must be between 0 and {MAX_PEOPLE}")
            changes["max_people"] = max_people
        if not changes:
            raise InvalidInput("give a style, a number of people, or both")
        return await self._update(guild_id, **changes)

    async def set_ping(self, guild_id: int, role_id: int | None) -> PostSettings:
        """Mention this role on each digest (None: no ping)."""
        if role_id is not None and role_id == guild_id:
            # The @everyone role has the server's id; Byline never pings it.
            raise InvalidInput("Byline never pings @everyone; choose another role")
        return await self._update(guild_id, ping_role_id=role_id)

    async def set_thread(self, guild_id: int, enabled: bool) -> PostSettings:
        """Open a discussion thread on each digest (text channels; forums post per article)."""
        return await self._update(guild_id, thread_per_digest=enabled)
