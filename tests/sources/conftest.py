"""Fixtures: a local site and Byline services on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.services import Byline
from bot.settings import Settings
from bot.sources import close_fetcher
from tests.sources.helpers import Site

MakeServices = Callable[..., Awaitable[Byline]]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    s = Site()
    await s.start()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def make_services(tmp_path: Path, site: Site) -> AsyncIterator[MakeServices]:
    """Open services whose fetcher may reach the local site (and nothing else local)."""
    opened: list[Byline] = []

    async def make(fetch: dict[str, Any] | None = None, **sections: Any) -> Byline:
        settings = Settings(
            database={"url": f"sqlite+aiosqlite:///{tmp_path}/byline-{len(opened)}.db"},
            fetch={"allow_hosts": [site.host], **(fetch or {})},
            **sections,
        )
        services = await Byline.open(settings, processes=False)
        opened.append(services)
        return services

    try:
        yield make
    finally:
        await close_fetcher()
        for services in opened:
            await services.close()


@pytest.fixture
async def services(make_services: MakeServices) -> Byline:
    return await make_services()
