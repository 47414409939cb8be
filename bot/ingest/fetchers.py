"""The one guarded fetcher of an App: opened on first use, closed when the App closes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.settings import FetchSettings

if TYPE_CHECKING:
    from bot.ingest.fetcher import GuardedFetcher


class FetcherHandle:
    """Lazily opens the App's GuardedFetcher in the running loop; every caller shares it."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._fetcher: GuardedFetcher | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> GuardedFetcher:
        """The open fetcher (its aiohttp session belongs to the loop that first asked)."""
        async with self._lock:
            if self._fetcher is None:
                # Imported on first use: aiohttp and feedparser are not needed by the commands
                # that only read the store.
                from bot.ingest.fetcher import GuardedFetcher

                fetcher = GuardedFetcher(self.settings)
                await fetcher.__aenter__()
                self._fetcher = fetcher
            return self._fetcher

    async def close(self) -> None:
        """Close the connections (safe to call twice)."""
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            await fetcher.close()
