"""Run Alembic migrations programmatically (on start and via `byline db upgrade`)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at Byline's migrations."""
    # Alembic is imported when migrations run, not when the CLI starts.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


@cache
def head_revisions() -> frozenset[str]:
    """The newest revisions, read from the migration files without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            found = _QUOTED.findall(value)
            (revisions if name == "revision" else parents).update(found)
    return frozenset(revisions - parents)


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is already at the newest revision (one cheap query)."""
    try:
        async with engine.connect() as conn:
            stored = set(await conn.scalars(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:
        return False  # no alembic_version table yet: a new store
    heads = head_revisions()
    return bool(heads) and stored == set(heads)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind engine to revision."""
    # Most starts find the store current; Alembic (and what it imports) loads only to migrate.
    if revision == "head" and await at_head(engine):
        return

    from alembic import command

    def run(sync_conn: Any) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_conn
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def current(engine: AsyncEngine) -> str | None:
    """Return the revision the database is at."""
    from alembic.runtime.migration import MigrationContext

    def read(sync_conn: Any) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)
