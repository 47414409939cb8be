"""The process's one GuardedFetcher: created on first use, closed by close_fetcher()."""

from __future__ import annotations

import asyncio
import logging

from bot.ingest.fetcher import GuardedFetcher
from bot.settings import FetchSettings

logger = logging.getLogger(__name__)

_fetcher: GuardedFetcher | None = None
_settings: FetchSettings | None = None
_loop: asyncio.AbstractEventLoop | None = None


async def get_fetcher(settings: FetchSettings) -> GuardedFetcher:
    """Return the shared fetcher, opening it on first use (or when the settings changed)."""
    global _fetcher, _settings, _loop
    loop = asyncio.get_running_loop()
    if _fetcher is not None and (_loop is not loop or _settings != settings):
        # An aiohttp session belongs to the loop it was made on; a new loop (a new
        # asyncio.run) or new limits need a new session.
        await close_fetcher()
    if _fetcher is None:
        fetcher = GuardedFetcher(settings)
        await fetcher.__aenter__()
        _fetcher, _settings, _loop = fetcher, settings, loop
    return _fetcher


async def close_fetcher() -> None:
    """Close the shared fetcher's connections (call at shutdown; safe to call twice)."""
    global _fetcher, _settings, _loop
    fetcher, loop = _fetcher, _loop
    _fetcher, _settings, _loop = None, None, None
    if fetcher is None:
        return
    if loop is asyncio.get_running_loop():
        await fetcher.close()
    else:
        logger.debug("dropped a fetcher whose event loop is gone")


aclose = close_fetcher
