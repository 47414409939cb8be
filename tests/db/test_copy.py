"""Moving a whole store: SQLite to SQLite always, SQLite to PostgreSQL and back when one is set."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.db.copy import CopyReport, StoreCopyError, copy_store
from bot.db.engine import Database
from bot.db.models import Article, Base, Person, Summary
from bot.errors import InvalidInput, NotFound
from tests.db.conftest import STORE_0_1_0, search_ids, sqlite_url


async def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model table, in key order, with times as aware UTC."""
    db = Database(url)
    try:
        dump: dict[str, list[tuple[Any, ...]]] = {}
        async with db.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
                dump[table.name] = [tuple(_utc(v) for v in row) for row in rows]
        return dump
    finally:
        await db.dispose()


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


async def _add_article(url: str, title: str) -> int:
    db = Database(url)
    try:
        async with db.writer() as session:
            article = Article(title=title, raw_text="Body.", authors=[])
            session.add(article)
            await session.flush()
            return article.id
    finally:
        await db.dispose()


def _check_report(report: CopyReport, source: dict[str, list[tuple[Any, ...]]]) -> None:
    assert [t.table for t in report.tables] == [t.name for t in Base.metadata.sorted_tables]
    for count in report.tables:
        assert count.source_rows == count.target_rows == len(source[count.table])
    assert report.total_rows == sum(len(rows) for rows in source.values())
    assert "every table's count matches" in report.describe()


async def test_sqlite_to_sqlite_copies_every_row_and_the_search_index(
    populated_store: str, tmp_path: Path
) -> None:
    target = sqlite_url(tmp_path / "moved" / "byline.db")
    seen: list[tuple[str, int, int]] = []
    report = await copy_store(
        populated_store, target, batch_rows=4, progress=lambda *a: seen.append(a)
    )
    original = await _dump(populated_store)
    _check_report(report, original)
    assert await _dump(target) == original
    assert report.search_index_rows == 4
    assert (
        await search_ids(target, "Pottinger")
        == await search_ids(populated_store, "Pottinger")
        == [1]
    )
    # Batches of 4: the 12 people arrive in three steps.
    assert [s for s in seen if s[0] == "people"] == [
        ("people", 4, 12),
        ("people", 8, 12),
        ("people", 12, 12),
    ]
    assert await _add_article(target, "next") == 6
    conn = sqlite3.connect(tmp_path / "moved" / "byline.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


async def test_a_copy_taken_while_the_bot_writes_is_one_consistent_moment(
    populated_store: str, tmp_path: Path
) -> None:
    db = Database(populated_store)
    stop, copying = asyncio.Event(), asyncio.Event()
    during_copy = 0

    async def write() -> None:
        nonlocal during_copy
        while not stop.is_set():
            async with db.writer() as session:
                article = Article(title="written during the copy", raw_text="x", authors=[])
                session.add(article)
                await session.flush()
                session.add(Summary(article_id=article.id, sentences=["s"]))
            during_copy += copying.is_set()
            await asyncio.sleep(0)

    writer = asyncio.create_task(write())
    try:
        copying.set()
        report = await copy_store(populated_store, sqlite_url(tmp_path / "t.db"), batch_rows=2)
        copying.clear()
    finally:
        stop.set()
        await writer
        await db.dispose()
    assert during_copy > 0, "the writer committed while the copy ran"
    counts = {t.table: t.target_rows for t in report.tables}
    # Each written article came with its summary in one transaction: a consistent snapshot
    # holds both or neither.
    assert counts["articles"] - 5 == counts["summaries"] - 4


async def test_a_target_that_is_not_empty_is_refused_and_left_alone(
    populated_store: str, tmp_path: Path
) -> None:
    target = sqlite_url(tmp_path / "used.db")
    await copy_store(populated_store, target)
    before = await _dump(target)
    with pytest.raises(StoreCopyError, match=r"not empty: .*\(\d+ rows\)"):
        await copy_store(populated_store, target)
    assert await _dump(target) == before


async def test_a_database_of_another_program_is_refused_before_migrating(
    populated_store: str, tmp_path: Path
) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreCopyError, match=r"other tables \(invoices\)"):
        await copy_store(populated_store, sqlite_url(path))
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        conn.close()
    assert names == ["invoices"]


async def test_a_row_the_target_refuses_is_named_and_nothing_is_copied(
    populated_store: str, tmp_path: Path
) -> None:
    # Another program wrote a quote whose speaker does not exist (foreign keys were off).
    path = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(
        'INSERT INTO quotes (id, article_id, text, start, "end", speaker_id, rank, score) '
        "VALUES (500, 1, 'x', 0, 1, 999, 0, 0)"
    )
    conn.commit()
    conn.close()
    target = sqlite_url(tmp_path / "target.db")
    with pytest.raises(StoreCopyError, match=r"quotes row id=500 cannot be written.*constraint"):
        await copy_store(populated_store, target, batch_rows=7)
    dump = await _dump(target)
    assert all(rows == [] for rows in dump.values())


async def test_the_source_must_be_at_this_versions_schema(
    populated_store: str, tmp_path: Path
) -> None:
    path = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0000'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreCopyError, match="schema 0000.*byline db upgrade"):
        await copy_store(populated_store, sqlite_url(tmp_path / "t.db"))


async def test_a_store_of_the_previous_release_is_upgraded_first_when_asked(
    tmp_path: Path,
) -> None:
    source = tmp_path / "old.db"
    shutil.copyfile(STORE_0_1_0, source)
    target = sqlite_url(tmp_path / "t.db")
    report = await copy_store(sqlite_url(source), target, upgrade_source=True)
    assert {t.table: t.target_rows for t in report.tables}["articles"] == 5
    assert await search_ids(target, "Bolton") == [1]


async def test_bad_urls_are_refused(populated_store: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="same store"):
        await copy_store(populated_store, populated_store)
    with pytest.raises(NotFound, match="no store at"):
        await copy_store(sqlite_url(tmp_path / "missing.db"), sqlite_url(tmp_path / "t.db"))
    with pytest.raises(InvalidInput, match="starts with sqlite"):
        await copy_store(populated_store, "mysql://x/y")


async def test_sqlite_to_postgres_and_back_keeps_every_row(
    populated_store: str, postgres_url: str, tmp_path: Path
) -> None:
    original = await _dump(populated_store)
    to_pg = await copy_store(populated_store, postgres_url, batch_rows=5)
    _check_report(to_pg, original)
    assert to_pg.search_index_rows is None
    assert await _dump(postgres_url) == original
    assert await search_ids(postgres_url, "Pottinger") == [1]

    back = sqlite_url(tmp_path / "back.db")
    to_sqlite = await copy_store(postgres_url, back)
    _check_report(to_sqlite, original)
    assert await _dump(back) == original
    # From PostgreSQL every article with clean text is searchable (as it was there).
    assert await search_ids(back, "Pottinger") == [1]
    assert to_sqlite.search_index_rows == 4

    # The sequences were moved past the copied ids, so new rows do not collide.
    assert await _add_article(postgres_url, "after the move") == 6
    db = Database(postgres_url)
    try:
        async with db.writer() as session:
            person = Person(name="New Person", name_key="new person", aliases=[], descriptions=[])
            session.add(person)
            await session.flush()
            assert person.id == 13
        async with db.reader() as session:
            # Times came through as the same instants in UTC.
            stamp = await session.scalar(text("SELECT slot_at FROM digest_slots WHERE id = 1"))
            assert stamp == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    finally:
        await db.dispose()


async def test_postgres_target_that_is_not_empty_is_refused(
    populated_store: str, postgres_url: str
) -> None:
    await copy_store(populated_store, postgres_url)
    with pytest.raises(StoreCopyError, match="not empty"):
        await copy_store(populated_store, postgres_url)


async def test_values_postgres_refuses_are_named_and_nothing_is_copied(
    populated_store: str, postgres_url: str
) -> None:
    # SQLite keeps what PostgreSQL refuses: a NUL character, a name longer than its column.
    path = Path(populated_store.removeprefix("sqlite+aiosqlite:///"))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET raw_text = ? WHERE id = 3", ("a\x00b",))
    conn.commit()
    with pytest.raises(StoreCopyError, match=r"articles row id=3 .*cannot hold NUL") as info:
        await copy_store(populated_store, postgres_url)
    assert "<class" not in str(info.value)
    assert all(rows == [] for rows in (await _dump(postgres_url)).values())
    conn.execute("UPDATE articles SET raw_text = 'ab' WHERE id = 3")
    conn.execute("UPDATE people SET name = ? WHERE id = 2", ("x" * 300,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreCopyError, match=r"people row id=2 .*too long"):
        await copy_store(populated_store, postgres_url)
    assert all(rows == [] for rows in (await _dump(postgres_url)).values())
