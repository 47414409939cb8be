"""Apps over private copies of the session's three-article store (tests.store_fixtures)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.domain import FollowAlert
from bot.errors import DeliveryRefused
from tests.clock import FrozenClock
from tests.store_fixtures import settings_for

GUILD = 1001
CHANNEL = 2002
# Before any article was analysed (analysed_at is the real time of the template's ingest).
EARLY = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

OpenPeopleApp = Callable[..., Awaitable[App]]


@pytest.fixture
async def open_people_app(
    template_db: Path, tmp_path: Path, isolated_env: Path
) -> AsyncIterator[OpenPeopleApp]:
    """Open Apps (several may share the file, as several processes would) with their own clocks."""
    target = tmp_path / "byline.db"
    shutil.copy(template_db, target)
    opened: list[App] = []

    async def opener(at: datetime = EARLY) -> App:
        app = await App.open(settings_for(target), processes=False, clock=FrozenClock(at))
        opened.append(app)
        return app

    yield opener
    for app in opened:
        await app.close()


@dataclass
class RecordingSender:
    """Stands in for Discord at the boundary: records alerts, or refuses them."""

    alerts: list[FollowAlert] = field(default_factory=list)
    refuse: DeliveryRefused | None = None
    attempts: int = 0

    async def __call__(self, alert: FollowAlert) -> None:
        self.attempts += 1
        if self.refuse is not None:
            raise self.refuse
        self.alerts.append(alert)
