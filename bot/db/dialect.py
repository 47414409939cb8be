"""The only place with SQL that differs between SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.db.models import Article

SQLITE_FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
    "title, body, tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_FTS_DROP = "DROP TABLE IF EXISTS articles_fts"
PG_FTS_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_articles_fts ON articles USING gin "
    "(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(clean_text, '')))"
)
PG_FTS_DROP = "DROP INDEX IF EXISTS ix_articles_fts"

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_ddl(dialect: str) -> tuple[str, str]:
    """Return (create, drop) statements for full-text search on this dialect."""
    return (SQLITE_FTS_DDL, SQLITE_FTS_DROP) if dialect == "sqlite" else (PG_FTS_DDL, PG_FTS_DROP)


def insert_ignore(session: AsyncSession, table: Any) -> Insert:
    """An INSERT that silently skips rows violating a unique constraint."""
    if session.get_bind().dialect.name == "sqlite":
        return sqlite_insert(table).prefix_with("OR IGNORE")
    return pg_insert(table).on_conflict_do_nothing()


def fts_terms(query: str) -> list[str]:
    """Split a user query into plain words (no FTS operators reach the engine)."""
    return _WORD.findall(query)[:12]


async def fts_index(session: AsyncSession, article_id: int, title: str, body: str) -> None:
    """(Re)index one article for full-text search."""
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL indexes the articles table itself (expression index).
    await session.execute(text("DELETE FROM articles_fts WHERE rowid = :id"), {"id": article_id})
    await session.execute(
        text("INSERT INTO articles_fts(rowid, title, body) VALUES (:id, :title, :body)"),
        {"id": article_id, "title": title, "body": body},
    )


async def fts_delete(session: AsyncSession, article_id: int) -> None:
    """Remove one article from the full-text index."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            text("DELETE FROM articles_fts WHERE rowid = :id"), {"id": article_id}
        )


async def fts_search(
    session: AsyncSession, query: str, visible: ColumnElement[bool], limit: int
) -> list[tuple[int, str]]:
    """(article id, snippet) of visible articles matching all words, best first."""
    terms = fts_terms(query)
    if not terms:
        return []
    stmt: Select[Any]
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', "") + '"' for t in terms)
        fts = table("articles_fts", column("rowid"))
        stmt = (
            select(Article.id, literal_column("snippet(articles_fts, 1, '**', '**', '…', 24)"))
            .select_from(fts.join(Article, Article.id == fts.c.rowid))
            .where(text("articles_fts MATCH :q").bindparams(q=match), visible)
            .order_by(literal_column("articles_fts.rank"))
            .limit(limit)
        )
    else:
        english: ColumnElement[str] = literal_column("'english'")
        stmt = (
            select(
                Article.id,
                func.ts_headline(
                    english,
                    func.coalesce(Article.clean_text, ""),
                    func.plainto_tsquery(english, " ".join(terms)),
                    "StartSel=**,StopSel=**,MaxWords=30",
                ),
            )
            .where(
                text(
                    "to_tsvector('english', coalesce(articles.title, '') || ' ' || "
                    "coalesce(articles.clean_text, '')) @@ plainto_tsquery('english', :q)"
                ).bindparams(q=" ".join(terms)),
                visible,
            )
            .order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
            .limit(limit)
        )
    rows = await session.execute(stmt)
    return [(int(r[0]), str(r[1])) for r in rows]


async def fts_index_range(conn: AsyncConnection, first_id: int, end_id: int) -> None:
    """Index the analysed articles with first_id <= id < end_id (bulk loads)."""
    if conn.dialect.name != "sqlite":
        return
    await conn.execute(
        text(
            "INSERT INTO articles_fts(rowid, title, body) SELECT id, title, "
            "coalesce(clean_text, '') FROM articles WHERE id >= :lo AND id < :hi"
        ),
        {"lo": first_id, "hi": end_id},
    )


async def sync_id_sequence(conn: AsyncConnection, table_name: str) -> None:
    """After rows were inserted with explicit ids, move PostgreSQL's id sequence past them."""
    if conn.dialect.name == "sqlite":
        return  # SQLite takes the next rowid from the table itself.
    await conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table_name}), 1))"
        )
    )


async def analyze(conn: AsyncConnection) -> None:
    """Refresh the planner's statistics (after a bulk load)."""
    await conn.execute(text("ANALYZE"))
    if conn.in_transaction():
        await conn.commit()


async def store_bytes(conn: AsyncConnection) -> int:
    """Bytes the store takes: the SQLite file's pages, or the PostgreSQL database's size."""
    if conn.dialect.name == "sqlite":
        pages = await conn.scalar(text("PRAGMA page_count"))
        size = await conn.scalar(text("PRAGMA page_size"))
        freelist = await conn.scalar(text("PRAGMA freelist_count"))
        return (int(pages or 0) - int(freelist or 0)) * int(size or 0)
    return int(await conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)
