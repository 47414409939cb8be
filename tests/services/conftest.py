"""A store with three really ingested articles, and Apps over private copies of it."""

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
from tests.store_fixtures import build_template, settings_for

ROOT = Path(__file__).resolve().parents[2]
# The seed names the people the follow tests follow (Matthew Pottinger, Kim Jong Un).
ARTICLES = [
    ROOT / "tests/gold/articles" / n
    for n in ("00_seed.txt", "01_senate_water_bill.txt", "03_whitcomb_verdict.txt")
]
GUILD = 1001
CHANNEL = 2002
# Before any article was analysed (analysed_at is the real time of the template's ingest).
EARLY = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

OpenPeopleApp = Callable[..., Awaitable[App]]


@pytest.fixture(scope="session")
def people_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three articles above, ingested once per test session."""
    return build_template(tmp_path_factory.mktemp("services-template") / "byline.db", ARTICLES)


@pytest.fixture
async def open_people_app(
    people_store_template: Path, tmp_path: Path, isolated_env: Path
) -> AsyncIterator[OpenPeopleApp]:
    """Open Apps (several may share the file, as several processes would) with their own clocks."""
    target = tmp_path / "byline.db"
    shutil.copy(people_store_template, target)
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
