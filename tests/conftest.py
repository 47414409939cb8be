"""Shared fixtures: settings on a temporary SQLite store, and app over it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import Settings
from tests.site import MakeApp

pytest_plugins = ["tests.site", "tests.store_fixtures"]

GOLD_ARTICLES = Path(__file__).resolve().parent / "gold" / "articles"
SEED = GOLD_ARTICLES / "00_seed.txt"


@pytest.fixture()
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No stray config.toml or BYLINE_* variables leak into a test."""
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    for key in list(__import__("os").environ):
        if (
            key.startswith("BYLINE_") and not key.startswith("BYLINE_TEST_")
        ) or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("BYLINE_CONFIG", str(config))
    yield tmp_path


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'byline.db'}"


POSTGRES_URL_ENV = "BYLINE_TEST_POSTGRES_URL"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own."""
    del config
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get(POSTGRES_URL_ENV)
    if worker and url:
        os.environ[POSTGRES_URL_ENV] = asyncio.run(_worker_database(url, worker))


async def _worker_database(url: str, worker: str) -> str:
    """Create (once) a database named after the xdist worker next to url's; return its URL."""
    import asyncpg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    conn = await asyncpg.connect(base.set(drivername="postgresql").render_as_string(False))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return base.set(database=name).render_as_string(False)


async def reset_postgres(url: str) -> None:
    """Drop everything in the test database so each test starts from an empty schema."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_app(
    request: pytest.FixtureRequest, tmp_path: Path, isolated_env: Path
) -> AsyncIterator[App]:
    """Services on each backend: the store must behave the same on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'byline.db'}"
    else:
        url = __import__("os").environ.get(POSTGRES_URL_ENV, "")
        if not url:
            pytest.skip(
                f"{POSTGRES_URL_ENV} is not set; "
                ".ci/run starts a PostgreSQL (scripts/start-postgres.sh)"
            )
        await reset_postgres(url)
    byline = await App.open(Settings(database={"url": url}), processes=False)
    try:
        yield byline
    finally:
        await byline.close()


@pytest.fixture()
async def app(make_app: MakeApp, isolated_env: Path) -> App:
    """An App over a fresh SQLite file (db_url's) that may fetch from the local site only."""
    return await make_app()
