"""Migration 0005 creates the follow, alert, filter and post-settings tables as the models say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Base

TABLES = {"follows", "follow_alerts", "filter_rules", "guild_post_settings"}


def _table_of(diff: Any) -> str | None:
    """The table a compare_metadata difference is about (None when it cannot tell)."""
    if isinstance(diff, list):  # column modifications come grouped
        return _table_of(diff[0])
    for part in diff[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if isinstance(part, str) and part in TABLES:
            return part
        if name in TABLES:
            return str(name)
    return None


async def test_migrated_tables_match_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'byline.db'}")
    try:
        await upgrade(db.write_engine)

        def diffs(conn: Any) -> list[Any]:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with db.write_engine.connect() as conn:
            found = await conn.run_sync(diffs)
            names = await conn.run_sync(
                lambda c: {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master")}
            )
    finally:
        await db.dispose()
    assert names >= TABLES
    ours = [d for d in found if _table_of(d) in TABLES]
    assert ours == [], ours
