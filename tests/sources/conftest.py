"""Fixtures: a local site and an App on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.settings import Settings
from tests.sources.helpers import Site

MakeServices = Callable[..., Awaitable[App]]


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
    """Open app whose fetcher may reach the local site (and nothing else local)."""
    opened: list[App] = []

    async def make(fetch: dict[str, Any] | None = None, **sections: Any) -> App:
        settings = Settings(
            database={"url": f"sqlite+aiosqlite:///{tmp_path}/byline-{len(opened)}.db"},
            fetch={"allow_hosts": [site.host], **(fetch or {})},
            **sections,
        )
        app = await App.open(settings, processes=False)
        opened.append(app)
        return app

    try:
        yield make
    finally:
        for app in opened:
            await app.close()


@pytest.fixture
async def app(make_services: MakeServices) -> App:
    return await make_services()
