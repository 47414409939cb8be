"""A store written by the previous release (0.1.0) upgrades in place and reads back whole."""

from __future__ import annotations

import shutil
import sqlite3
import warnings
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.exc import SAWarning

from bot.db.engine import Database
from bot.db.migrate import alembic_config, current, upgrade
from bot.db.models import (
    Article,
    ArticleGuild,
    Base,
    DigestArticle,
    GuildSettings,
    Mention,
    Person,
    Quote,
    Summary,
)
from tests.db.conftest import STORE_0_1_0, search_ids, sqlite_url

GUILD = 111111111111111111


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _copy_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    shutil.copyfile(STORE_0_1_0, path)
    return path


# Tables and columns must match the models; indexes may live in migrations only (expression
# and partial indexes the models do not declare), and type spellings differ per dialect.
_SCHEMA_DIFFS_CHECKED = {"add_table", "remove_table", "add_column", "remove_column"}


def _schema_differences(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(sync_conn)
    with warnings.catch_warnings():
        # Expression indexes (newest-first lists) cannot be reflected; they are not compared.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        diffs = compare_metadata(context, Base.metadata)
    found = []
    for diff in _flatten(diffs):
        kind = diff[0]
        if kind == "modify_nullable" or (kind in _SCHEMA_DIFFS_CHECKED and not _is_fts_table(diff)):
            found.append(diff)
    return found


def _flatten(diffs: list[Any]) -> list[tuple[Any, ...]]:
    # Column modifications come grouped in a list per column.
    return [d for item in diffs for d in (item if isinstance(item, list) else [item])]


def _is_fts_table(diff: tuple[Any, ...]) -> bool:
    # The FTS5 virtual table and its shadow tables are created by raw DDL, not by the models.
    return diff[0] == "remove_table" and str(diff[1].name).startswith(
        ("articles_fts", "article_titles_fts", "events_fts")
    )


async def test_the_0_1_0_fixture_is_at_the_first_revision() -> None:
    conn = sqlite3.connect(f"file:{STORE_0_1_0}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    finally:
        conn.close()


async def test_a_0_1_0_store_upgrades_in_place_and_reads_back(tmp_path: Path) -> None:
    path = _copy_fixture(tmp_path)
    db = Database(sqlite_url(path))
    try:
        await upgrade(db.write_engine)
        assert await current(db.engine) == _head()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_schema_differences) == []

        async with db.reader() as session:
            titles = list(await session.scalars(select(Article.title).order_by(Article.id)))
            assert (
                titles[0] == "Trump offered North Korea's Kim a ride home on Air Force One: report"
            )
            assert len(titles) == 5
            names = set(await session.scalars(select(Person.name)))
            assert {"Donald Trump", "Kim Jong Un", "Matthew Pottinger", "John Bolton"} <= names
            bolton = await session.scalar(
                select(Quote)
                .join(Person, Quote.speaker_id == Person.id)
                .where(Person.name == "John Bolton")
            )
            assert bolton is not None
            article = await session.get(Article, bolton.article_id)
            assert article is not None and article.clean_text is not None
            assert article.clean_text[bolton.start : bolton.end] == bolton.text
            assert await session.scalar(select(func.count()).select_from(Mention)) == 12
            assert await session.scalar(select(func.count()).select_from(Summary)) == 4
            pending = await session.scalar(select(Article).where(Article.status == "pending"))
            assert pending is not None and pending.authors == []

            settings = await session.get(GuildSettings, GUILD)
            assert settings is not None
            assert (settings.schedule, settings.timezone) == ("daily 09:00", "Europe/Berlin")
            posted = await session.scalars(
                select(DigestArticle.article_id).where(DigestArticle.guild_id == GUILD)
            )
            assert list(posted) == [1]
            shared = await session.scalars(select(ArticleGuild.article_id))
            assert list(shared) == [4]

        assert await search_ids(sqlite_url(path), "Pottinger") == [1]

        # The upgraded store takes new writes with the current code.
        async with db.writer() as session:
            session.add(Article(title="After the upgrade", raw_text="Body.", authors=[]))
        async with db.reader() as session:
            assert await session.scalar(select(func.count()).select_from(Article)) == 6
    finally:
        await db.dispose()
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        check.close()


async def test_upgrading_twice_is_a_no_op(tmp_path: Path) -> None:
    path = _copy_fixture(tmp_path)
    db = Database(sqlite_url(path))
    try:
        await upgrade(db.write_engine)
        await upgrade(db.write_engine)
        assert await current(db.engine) == _head()
    finally:
        await db.dispose()
