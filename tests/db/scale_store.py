"""A store grown past the old limits: a few real analysed gold articles, replicated with SQL."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bench.store_scale import grow
from bot.app import App
from bot.settings import DatabaseSettings, Settings
from tests.conftest import GOLD_ARTICLES

# Three real articles with people, quotes and events; the rest are copies of them.
TEMPLATES = ("00_seed.txt", "01_senate_water_bill.txt", "04_hurricane_celia.txt")
# More people than the 5,000 "most mentioned" the first lookup kept, all of them mentioned.
PEOPLE = 5_200
ARTICLES = 4_000


async def grown_store(app: App, articles: int = ARTICLES, people: int = PEOPLE) -> None:
    """Ingest the template articles through the app, then grow its store by replication."""
    outcomes = await app.articles.ingest_paths([GOLD_ARTICLES / name for name in TEMPLATES])
    assert all(o.status == "added" for o in outcomes), outcomes
    await grow(app.db.url, articles, people=people, quiet=True)


def build_sqlite_store(path: Path) -> Path:
    """Grow a SQLite store at path once (outside any test's event loop) and return its path."""

    async def build() -> None:
        app = await App.open(
            Settings(database=DatabaseSettings(url=sqlite_url(path))), processes=False
        )
        async with app:
            await grown_store(app)

    asyncio.run(build())
    return path


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a built store, so a test may change it."""
    shutil.copyfile(source, target)
    return target


def sqlite_url(path: Path) -> str:
    """The database URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"
