"""A store with three really ingested articles, and Apps over private copies of it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.domain import FollowAlert
from bot.errors import DeliveryRefused
from bot.settings import Settings
from tests.clock import FrozenClock

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = [
    ROOT / "tests/gold/articles" / n
    for n in ("00_seed.txt", "01_senate_water_bill.txt", "03_whitcomb_verdict.txt")
]
GUILD = 1001
CHANNEL = 2002
# Before any article was analysed (analysed_at is the real time of the template's ingest).
EARLY = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

OpenPeopleApp = Callable[..., Awaitable[App]]


def settings_for(db: Path) -> Settings:
    """Settings over one SQLite file."""
    return Settings.model_validate(
        {"database": {"url": f"sqlite+aiosqlite:///{db}"}, "analysis": {"workers": 1}}
    )


@pytest.fixture(scope="session")
def people_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingest three gold articles once per test session."""
    db = tmp_path_factory.mktemp("services-template") / "byline.db"

    async def build() -> None:
        app = await App.open(settings_for(db), processes=False)
        try:
            outcomes = await app.articles.ingest_paths(ARTICLES)
            assert all(o.status == "added" for o in outcomes), outcomes
        finally:
            await app.close()

    asyncio.run(build())
    return db


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
