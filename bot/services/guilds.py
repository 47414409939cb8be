"""Guild configuration: digest channel, schedule, limits, pause, and the server's status."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.clock import Clock
from bot.db import guild_settings, queries
from bot.db.engine import Database
from bot.domain import GuildConfig, GuildStatus, ScheduleInfo
from bot.errors import BylineError, InvalidInput, NotConfigured
from bot.scheduling.schedules import next_slot, parse_schedule, parse_timezone
from bot.settings import Settings

logger = logging.getLogger(__name__)

MAX_ARTICLES = 25
MAX_QUOTES = 10

ConfigListener = Callable[[GuildConfig], object]


def next_digest_at(config: GuildConfig, now: datetime) -> datetime | None:
    """When a server's next digest is due (None when unscheduled or paused)."""
    if config.channel_id is None or config.paused:
        return None
    try:
        return next_slot(parse_schedule(config.schedule), config.timezone, now)
    except (BylineError, ValueError, KeyError):
        return None


class GuildService:
    """Each server's digest settings; listeners (the bot's scheduler) hear every change."""

    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.listeners: list[ConfigListener] = []

    async def config(self, guild_id: int) -> GuildConfig:
        """A server's configuration (the defaults until an admin changes something)."""
        async with self.db.reader() as session:
            return await guild_settings.get_config(session, guild_id, self.settings.digest)

    async def all_configs(self) -> list[GuildConfig]:
        """Every server with a stored configuration."""
        async with self.db.reader() as session:
            return await guild_settings.all_configs(session)

    async def update(self, guild_id: int, **changes: object) -> GuildConfig:
        """Change fields of a server's configuration and tell the listeners."""
        async with self.db.writer() as session:
            config = await guild_settings.update_config(
                session, guild_id, self.settings.digest, **changes
            )
        for listener in self.listeners:
            listener(config)
        return config

    async def set_channel(self, guild_id: int, channel_id: int) -> GuildConfig:
        """Post digests in this channel (the caller checked the bot may post there)."""
        return await self.update(guild_id, channel_id=channel_id, problem=None)

    async def set_schedule(
        self, guild_id: int, when: str, timezone: str | None = None
    ) -> ScheduleInfo:
        """Set when digests are posted, optionally in another time zone."""
        parsed = parse_schedule(when)
        zone = parse_timezone(timezone) if timezone else (await self.config(guild_id)).timezone
        config = await self.update(guild_id, schedule=parsed.text, timezone=zone)
        return ScheduleInfo(config, parsed.describe(), next_digest_at(config, self.clock.now()))

    async def set_limits(
        self, guild_id: int, articles: int | None = None, quotes: int | None = None
    ) -> GuildConfig:
        """How many articles a digest holds and how many quotes each."""
        changes: dict[str, object] = {}
        if articles is not None:
            if not 1 <= articles <= MAX_ARTICLES:
                raise InvalidInput(f"articles must be between 1 and {MAX_ARTICLES}")
            changes["max_articles"] = articles
        if quotes is not None:
            if not 0 <= quotes <= MAX_QUOTES:
                raise InvalidInput(f"quotes must be between 0 and {MAX_QUOTES}")
            changes["max_quotes"] = quotes
        if not changes:
            raise InvalidInput("give articles, quotes or both")
        return await self.update(guild_id, **changes)

    async def pause(self, guild_id: int) -> GuildConfig:
        """Stop scheduled digests."""
        return await self.update(guild_id, paused=True)

    async def resume(self, guild_id: int) -> GuildConfig:
        """Start scheduled digests again."""
        return await self.update(guild_id, paused=False)

    async def show(self, guild_id: int) -> ScheduleInfo:
        """The settings with the schedule in words and the next digest."""
        config = await self.config(guild_id)
        return ScheduleInfo(
            config,
            parse_schedule(config.schedule).describe(),
            next_digest_at(config, self.clock.now()),
        )

    async def status(self, guild_id: int) -> GuildStatus:
        """Digest channel, schedule, last and next digest, articles waiting, problems."""
        config = await self.config(guild_id)
        async with self.db.reader() as session:
            waiting = await queries.count_waiting(session, guild_id)
        problems = [config.problem] if config.problem else []
        return GuildStatus(
            config=config,
            schedule=parse_schedule(config.schedule).describe(),
            next_at=next_digest_at(config, self.clock.now()),
            waiting=waiting,
            problems=problems,
        )

    async def require_channel(self, guild_id: int) -> GuildConfig:
        """The configuration of a server that has a digest channel, or NotConfigured."""
        config = await self.config(guild_id)
        if config.channel_id is None:
            raise NotConfigured("no digest channel is set. Use /config channel first")
        return config
