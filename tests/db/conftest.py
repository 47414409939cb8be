"""Stores for the backup, copy and upgrade tests, built without running the NLP."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import upgrade
from tests.conftest import POSTGRES_URL_ENV, reset_postgres

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STORE_0_1_0 = FIXTURES / "store-0.1.0.db"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def migrated_copy_of_fixture(path: Path) -> str:
    """Copy the 0.1.0 store to path, upgrade it to head and return its URL."""
    shutil.copyfile(STORE_0_1_0, path)
    url = sqlite_url(path)
    db = Database(url)
    try:
        await upgrade(db.write_engine)
    finally:
        await db.dispose()
    return url


async def search_ids(url: str, word: str) -> list[int]:
    """Article ids the store's full-text index finds for one word (FTS5 or tsvector)."""
    db = Database(url)
    try:
        async with db.reader() as session:
            if db.dialect == "sqlite":
                sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rowid"
            else:
                sql = (
                    "SELECT id FROM articles WHERE to_tsvector('english', coalesce(title, '') "
                    "|| ' ' || coalesce(clean_text, '')) @@ plainto_tsquery('english', :q) "
                    "ORDER BY id"
                )
            return [int(row[0]) for row in await session.execute(text(sql), {"q": word})]
    finally:
        await db.dispose()


@pytest.fixture()
async def populated_store(tmp_path: Path) -> str:
    """A SQLite store at head holding the fixture's articles, people, quotes and settings."""
    return await migrated_copy_of_fixture(tmp_path / "store.db")


@pytest.fixture()
async def postgres_url() -> AsyncIterator[str]:
    """An empty PostgreSQL database, or a skip saying how to get one."""
    url = os.environ.get(POSTGRES_URL_ENV, "")
    if not url:
        pytest.skip(
            f"{POSTGRES_URL_ENV} is not set; "
            ".ci/run starts a PostgreSQL (scripts/start-postgres.sh)"
        )
    await reset_postgres(url)
    yield url
    await reset_postgres(url)
