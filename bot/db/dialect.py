"""The only place with SQL that differs between SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

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
    session: AsyncSession, query: str, candidate_ids: list[int] | None, limit: int
) -> list[tuple[int, str]]:
    """Return (article id, snippet) for articles matching all words of the query."""
    terms = fts_terms(query)
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', "") + '"' for t in terms)
        rows = await session.execute(
            text(
                "SELECT rowid, snippet(articles_fts, 1, '**', '**', '…', 24) FROM articles_fts "
                "WHERE articles_fts MATCH :q ORDER BY rank LIMIT :limit"
            ),
            {"q": match, "limit": limit * 4},
        )
        found = [(int(r[0]), str(r[1])) for r in rows]
    else:
        rows = await session.execute(
            text(
                "SELECT id, ts_headline('english', coalesce(clean_text, ''), "
                "plainto_tsquery('english', :q), 'StartSel=**,StopSel=**,MaxWords=30') "
                "FROM articles WHERE to_tsvector('english', coalesce(title, '') || ' ' || "
                "coalesce(clean_text, '')) @@ plainto_tsquery('english', :q) "
                "ORDER BY published_at DESC NULLS LAST LIMIT :limit"
            ),
            {"q": " ".join(terms), "limit": limit * 4},
        )
        found = [(int(r[0]), str(r[1])) for r in rows]
    if candidate_ids is not None:
        allowed = set(candidate_ids)
        found = [f for f in found if f[0] in allowed]
    return found[:limit]
