"""People charts for /who and /timeline: rendered off the event loop, cached per person.

A cached image is keyed by server, person and kind, and carries a stamp (how many visible
articles name the person, and the newest one's id): a new article changes the stamp, so the
next request draws the chart again.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.db import person_stats, queries
from bot.db.engine import Database
from bot.domain import Chart, EventView, WeeklyCount
from bot.services.people import PeopleService

CACHE_SIZE = 128
Key = tuple[int | None, int, str]


def _mentions_chart(name: str, weeks: list[WeeklyCount]) -> Chart:
    # matplotlib is imported by the worker thread on first use: it costs seconds, which
    # neither the bot's start-up nor every CLI command should pay.
    from bot.charts import mentions_chart

    return mentions_chart(name, weeks)


def _timeline_chart(name: str, views: list[EventView]) -> Chart:
    from bot.charts import timeline_chart

    return timeline_chart(name, views)


class ChartService:
    """Mentions-per-week and timeline images of a person, within what a server may see."""

    def __init__(self, db: Database, people: PeopleService) -> None:
        self.db = db
        self.people = people
        self._cache: OrderedDict[Key, tuple[tuple[int, int], Chart]] = OrderedDict()
        # matplotlib keeps module state (font cache, rcParams): one drawing at a time.
        self._draw_lock = threading.Lock()
        self.renders = 0

    def _locked(self, draw: Callable[[], Chart]) -> Chart:
        with self._draw_lock:
            return draw()

    async def _cached(self, key: Key, stamp: tuple[int, int], draw: Callable[[], Chart]) -> Chart:
        found = self._cache.get(key)
        if found is not None and found[0] == stamp:
            self._cache.move_to_end(key)
            return found[1]
        chart = await asyncio.to_thread(self._locked, draw)
        self.renders += 1
        self._cache[key] = (stamp, chart)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return chart

    async def mentions(self, person: str, guild_id: int | None = None) -> Chart:
        """Bars of articles naming the person per week."""
        pid = await self.people.find(person, guild_id)
        async with self.db.reader() as session:
            stamp = await person_stats.stamp(session, guild_id, pid)
            found = self._cache.get((guild_id, pid, "mentions"))
            if found is not None and found[0] == stamp:
                return found[1]
            name = await queries.person_by_id(session, guild_id, pid) or person
            weeks = await person_stats.weekly_mentions(session, guild_id, pid)
        return await self._cached(
            (guild_id, pid, "mentions"), stamp, lambda: _mentions_chart(name, weeks)
        )

    async def timeline(self, person: str, guild_id: int | None = None) -> Chart:
        """The person's dated events on a time axis."""
        pid = await self.people.find(person, guild_id)
        async with self.db.reader() as session:
            stamp = await person_stats.stamp(session, guild_id, pid)
            found = self._cache.get((guild_id, pid, "timeline"))
            if found is not None and found[0] == stamp:
                return found[1]
            name = await queries.person_by_id(session, guild_id, pid) or person
            views = await queries.timeline(session, guild_id, pid)
        return await self._cached(
            (guild_id, pid, "timeline"), stamp, lambda: _timeline_chart(name, views)
        )
