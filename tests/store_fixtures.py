"""A real SQLite store with a few really ingested articles, shared by the digest tests."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import App
from bot.domain import Digest, GuildConfig
from bot.errors import PostProblem
from bot.settings import Settings
from tests.clock import FrozenClock

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [
    ROOT / "tests/gold/articles" / n
    for n in ("01_senate_water_bill.txt", "02_grocery_merger.txt", "03_whitcomb_verdict.txt")
]


def settings_for(db: Path, **digest: object) -> Settings:
    """Settings over one SQLite file (no config file, no environment surprises)."""
    return Settings(
        database={"url": f"sqlite+aiosqlite:///{db}"},
        analysis={"workers": 1},
        digest={"grace_minutes": 120, **digest},
    )


def build_template(db: Path, articles: list[Path]) -> Path:
    """Ingest articles into a new store at db (once per session: copies are cheap)."""
    import asyncio

    async def build() -> None:
        app = await App.open(settings_for(db), processes=False)
        try:
            outcomes = await app.articles.ingest_paths(articles)
            assert all(o.status == "added" for o in outcomes), outcomes
        finally:
            await app.close()

    asyncio.run(build())
    return db


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingest three gold articles once per test session."""
    return build_template(tmp_path_factory.mktemp("template") / "byline.db", ARTICLES)


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the template database."""
    empty = tmp_path / "config.toml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("BYLINE_CONFIG", str(empty))
    target = tmp_path / "byline.db"
    shutil.copy(template_db, target)
    return target


@pytest.fixture
async def open_app(db_path: Path) -> AsyncIterator[Callable[..., object]]:
    """Open an App over the test database with its own clock (several may share the file)."""
    opened: list[App] = []

    async def opener(**digest: object) -> App:
        app = await App.open(settings_for(db_path, **digest), processes=False, clock=FrozenClock())
        opened.append(app)
        return app

    yield opener
    for app in opened:
        await app.close()


@dataclass
class RecordingPoster:
    """Stands in for Discord at the boundary: records what would have been posted."""

    posts: list[tuple[int, Digest | None, str | None]] = field(default_factory=list)
    problem: str | None = None

    async def __call__(
        self,
        config: GuildConfig,
        digest: Digest | None,
        note: str | None,
        *,
        nonce_key: str | None = None,
    ) -> int:
        if self.problem:
            raise PostProblem(self.problem)
        self.posts.append((config.guild_id, digest, note))
        return 1
