"""Backups: consistent while the bot writes, restorable, and the pg_dump command without secrets."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db.backup import (
    PgDumpCommand,
    SqliteBackup,
    backup_store,
    integrity_problems,
    pg_dump_command,
    restore_guidance,
    restore_store,
)
from bot.db.engine import Database
from bot.errors import InvalidInput, NotFound
from tests.db.conftest import migrated_copy_of_fixture, sqlite_url


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _exists(path: str) -> bool:
    return Path(path).exists()


def _size(path: str) -> int:
    return Path(path).stat().st_size


def _unlink(path: str) -> None:
    Path(path).unlink(missing_ok=True)


async def _write_articles(
    db: Database, stop: asyncio.Event, warmed_up: asyncio.Event, written: list[int]
) -> None:
    """Write like the bot: short transactions, each an article with its summary."""
    n = 0
    while not stop.is_set():
        n += 1
        async with db.writer() as session:
            result = await session.execute(
                text(
                    "INSERT INTO articles (title, raw_text, clean_text, status, is_global, authors,"
                    " created_at) VALUES (:t, :body, :body, 'analyzed', 1, '[]', CURRENT_TIMESTAMP)"
                    " RETURNING id"
                ),
                {"t": f"written during backup {n}", "body": "word " * 2000},
            )
            article_id = int(result.scalar_one())
            await session.execute(
                text("INSERT INTO summaries (article_id, sentences) VALUES (:id, '[\"s\"]')"),
                {"id": article_id},
            )
        written.append(article_id)
        if len(written) >= 20:
            warmed_up.set()
        await asyncio.sleep(0)


async def test_a_backup_taken_while_the_bot_writes_is_consistent_and_whole(
    populated_store: str, tmp_path: Path
) -> None:
    db = Database(populated_store)
    stop, warmed_up = asyncio.Event(), asyncio.Event()
    written: list[int] = []
    writer = asyncio.create_task(_write_articles(db, stop, warmed_up, written))
    try:
        await warmed_up.wait()
        backups: list[tuple[SqliteBackup, int]] = []
        overlapped = 0
        # Back up until some backups have run while the writer committed (usually the first).
        while overlapped < 2 and len(backups) < 20:
            before = len(written)
            result = await backup_store(populated_store, tmp_path / f"backup-{len(backups)}.db")
            assert isinstance(result, SqliteBackup)
            backups.append((result, before))
            overlapped += len(written) > before
    finally:
        stop.set()
        await writer
        await db.dispose()

    assert overlapped == 2, "the writer kept committing while backups ran"
    for result, committed_before in backups:
        path = result.path
        assert _rows(path, "PRAGMA integrity_check") == [("ok",)]
        assert _rows(path, "PRAGMA journal_mode") == [("delete",)]
        assert not _exists(f"{path}-wal")
        # Every transaction the writer had committed before the backup started is in it, and
        # every article in it has its summary: no transaction is half in the copy.
        (count,) = _rows(path, "SELECT count(*) FROM articles WHERE title LIKE 'written%'")[0]
        assert isinstance(count, int) and count >= committed_before
        assert _rows(
            path,
            "SELECT count(*) FROM articles a LEFT JOIN summaries s ON s.article_id = a.id "
            "WHERE s.article_id IS NULL AND a.status = 'analyzed'",
        ) == [(0,)]
        assert result.articles == 5 + count
        assert result.revision is not None
        # The fixture's own rows are there too.
        assert _rows(path, "SELECT name FROM people WHERE name = 'Matthew Pottinger'")


async def test_restore_while_stopped_brings_the_rows_back(
    populated_store: str, tmp_path: Path
) -> None:
    store = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    backup = await backup_store(populated_store, tmp_path / "backup.db")
    assert isinstance(backup, SqliteBackup)
    people = _rows(store, "SELECT id, name FROM people ORDER BY id")

    # The store is damaged by a bad run and the bot stops (its pool is closed).
    db = Database(populated_store)
    async with db.writer() as session:
        await session.execute(text("DELETE FROM articles"))
        await session.execute(text("DELETE FROM people"))
    await db.dispose()
    assert _rows(store, "SELECT count(*) FROM articles") == [(0,)]

    restored = await restore_store(backup.path, populated_store)
    assert restored.articles == 5
    assert _rows(store, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(store, "SELECT id, name FROM people ORDER BY id") == people
    # The bot starts again on the restored store, in WAL mode as always.
    db = Database(populated_store)
    try:
        async with db.reader() as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            hits = await session.execute(
                text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Pottinger'")
            )
            assert hits.all()
    finally:
        await db.dispose()


async def test_restore_over_a_store_with_a_stale_wal_from_a_crash(
    populated_store: str, tmp_path: Path
) -> None:
    store = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    backup = await backup_store(populated_store, tmp_path / "backup.db")
    assert isinstance(backup, SqliteBackup)
    # A crashed bot leaves committed frames in the -wal file that were never checkpointed.
    crashed = sqlite3.connect(store, isolation_level=None)
    crashed.execute("PRAGMA journal_mode=WAL")
    crashed.execute("PRAGMA wal_autocheckpoint=0")
    crashed.execute("DELETE FROM quotes")
    frozen = tmp_path / "crash"
    frozen.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{store}{suffix}", frozen / f"store.db{suffix}")
    crashed.close()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(frozen / f"store.db{suffix}", f"{store}{suffix}")
    assert _size(f"{store}-wal") > 0

    await restore_store(backup.path, populated_store)
    assert _rows(store, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(store, "SELECT count(*) FROM quotes") == [(19,)]


async def test_restore_refuses_while_the_bot_has_the_store_open(
    populated_store: str, tmp_path: Path
) -> None:
    backup = await backup_store(populated_store, tmp_path / "backup.db")
    assert isinstance(backup, SqliteBackup)
    db = Database(populated_store)
    try:
        async with db.reader() as session:  # the pool keeps this connection open, idle
            await session.execute(text("SELECT 1"))
        with pytest.raises(InvalidInput, match="stop the bot"):
            await restore_store(backup.path, populated_store)
    finally:
        await db.dispose()


async def test_the_documented_manual_restore_copy_and_drop_wal_works(
    populated_store: str, tmp_path: Path
) -> None:
    """README: stop the bot, copy the backup over the store, delete its -wal and -shm files."""
    store = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    backup = await backup_store(populated_store, tmp_path / "backup.db")
    assert isinstance(backup, SqliteBackup)
    shutil.copyfile(backup.path, store)
    for suffix in ("-wal", "-shm"):
        _unlink(f"{store}{suffix}")
    assert _rows(store, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(store, "SELECT count(*) FROM articles") == [(5,)]


async def test_backup_refuses_bad_targets_and_missing_stores(
    populated_store: str, tmp_path: Path
) -> None:
    store = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    with pytest.raises(InvalidInput, match="is a folder"):
        await backup_store(populated_store, tmp_path)
    with pytest.raises(InvalidInput, match="must not overwrite the store"):
        await backup_store(populated_store, store)
    with pytest.raises(InvalidInput, match="does not exist"):
        await backup_store(populated_store, tmp_path / "nope" / "b.db")
    with pytest.raises(NotFound, match="no store at"):
        await backup_store(sqlite_url(tmp_path / "missing.db"), tmp_path / "b.db")
    not_a_store = tmp_path / "other.db"
    sqlite3.connect(not_a_store).execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(InvalidInput, match="not a Byline store"):
        await restore_store(not_a_store, populated_store)
    assert not (tmp_path / "b.db").exists()


def test_postgres_backup_is_a_pg_dump_command_without_the_password() -> None:
    url = "postgresql+asyncpg://byline:s3cret-pw@db.internal:5433/news"
    command = pg_dump_command(url, "/backups/byline.dump")
    assert isinstance(command, PgDumpCommand)
    assert command.argv == (
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--file=/backups/byline.dump",
        "--host=db.internal",
        "--port=5433",
        "--username=byline",
        "--dbname=news",
    )
    assert command.restore_argv[0] == "pg_restore"
    assert "--dbname=news" in command.restore_argv
    assert "s3cret-pw" not in command.describe()
    assert "PGPASSWORD" in command.describe()


async def test_backup_store_on_postgres_returns_the_command(tmp_path: Path) -> None:
    result = await backup_store(
        "postgresql+asyncpg://byline@/news?host=/run/postgresql", tmp_path / "x.dump"
    )
    assert isinstance(result, PgDumpCommand)
    assert "--host=/run/postgresql" in result.argv
    assert not result.needs_password
    assert "PGPASSWORD" not in result.describe()
    with pytest.raises(InvalidInput, match="restored with pg_restore"):
        await restore_store(tmp_path / "x.dump", "postgresql+asyncpg://byline@/news")


def test_restore_guidance_names_the_files_and_the_command() -> None:
    sqlite = restore_guidance("sqlite+aiosqlite:///data/byline.db", "/backups/b.db")
    assert "stop the bot" in sqlite
    assert "data/byline.db-wal" in sqlite and "data/byline.db-shm" in sqlite
    pg = restore_guidance("postgresql+asyncpg://u:pw-secret@h/news", "/backups/b.dump")
    assert "pg_restore" in pg and "--dbname=news" in pg and "pw-secret" not in pg


async def test_paths_with_uri_characters_back_up_and_restore(tmp_path: Path) -> None:
    odd = tmp_path / "odd #%20 dir"
    odd.mkdir()
    url = await migrated_copy_of_fixture(odd / "store.db")
    backup = await backup_store(url, odd / "backup #1.db")
    assert isinstance(backup, SqliteBackup) and backup.articles == 5
    restored = await restore_store(backup.path, url)
    assert restored.articles == 5


async def test_rows_still_only_in_the_wal_are_in_the_backup(
    populated_store: str, tmp_path: Path
) -> None:
    store = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    bot = sqlite3.connect(store, isolation_level=None)
    try:
        bot.execute("PRAGMA journal_mode=WAL")
        bot.execute("PRAGMA wal_autocheckpoint=0")  # as between two checkpoints of a busy bot
        bot.execute("DELETE FROM quotes WHERE article_id = 1")
        assert _size(f"{store}-wal") > 0
        # Copying only the main file (what `cp` of a running store gets) misses the commit...
        shutil.copyfile(store, tmp_path / "cp.db")
        assert _rows(tmp_path / "cp.db", "SELECT count(*) FROM quotes") == [(19,)]
        # ...the backup API reads through SQLite and has it.
        backup = await backup_store(populated_store, tmp_path / "backup.db")
        assert isinstance(backup, SqliteBackup)
        (remaining,) = _rows(backup.path, "SELECT count(*) FROM quotes")[0]
        assert isinstance(remaining, int) and remaining < 19
    finally:
        bot.close()


async def test_integrity_problems_is_empty_for_a_sound_store_and_names_damage(
    populated_store: str, tmp_path: Path
) -> None:
    assert await integrity_problems(populated_store) == []
    damaged = tmp_path / "damaged.db"
    shutil.copyfile(Path(populated_store.removeprefix("sqlite+aiosqlite:///")), damaged)
    conn = sqlite3.connect(damaged)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_quotes_article_id'")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with damaged.open("r+b") as f:  # scribble over one index page
        f.seek((root[0] - 1) * page_size + 8)
        f.write(b"\xff" * 64)
    problems = await integrity_problems(sqlite_url(damaged))
    assert problems and problems != ["ok"]
    with pytest.raises(InvalidInput, match="integrity check|malformed"):
        await backup_store(sqlite_url(damaged), tmp_path / "b.db")
    assert not _exists(str(tmp_path / "b.db"))
