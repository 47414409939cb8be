"""The only place with SQL that differs between SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.db.models import Article, Event

# Revision 0001's search index (SQLite: an FTS5 table holding its own copy of the text).
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

# Revision 0003's search indexes. SQLite: FTS5 tables with external content (the index reads
# the text from articles and events instead of keeping a copy), kept current by triggers so
# every writer (other programs included) updates them in the same transaction.
# detail=column: queries are words, never phrases, so token positions are not stored (half
# the index); columnsize=0 where nothing is ranked by relevance.
_TOKENIZE = "tokenize='unicode61 remove_diacritics 2', detail=column"
_SQLITE_SEARCH = {
    "articles_fts": ("articles", ("title", "clean_text"), ""),
    # Titles alone, with prefix indexes: autocomplete matches the word being typed.
    "article_titles_fts": ("articles", ("title",), ", columnsize=0, prefix='1 2 3'"),
    "events_fts": ("events", ("name", '"where"'), ", columnsize=0"),
}


def _sqlite_search_ddl() -> list[str]:
    statements = []
    for fts, (content, columns, options) in _SQLITE_SEARCH.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        add = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
        remove = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
        statements += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{content}', "
            f"content_rowid='id', {_TOKENIZE}{options})",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {content} BEGIN {add} END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {content} BEGIN {remove} END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {content} BEGIN {remove} {add} END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]
    return statements


# Written as the index expressions are, so PostgreSQL's planner matches queries to the indexes.
_PG_EVENTS_TSV = "to_tsvector('english', {t}name || ' ' || coalesce({t}\"where\", ''))"
_PG_TITLE_TSV = "to_tsvector('simple', {t}title)"


def search_upgrade_ddl(dialect: str) -> list[str]:
    """Statements moving the search indexes from revision 0002 to 0003."""
    if dialect == "sqlite":
        return [SQLITE_FTS_DROP, *_sqlite_search_ddl()]
    return [
        "CREATE INDEX IF NOT EXISTS ix_events_fts ON events USING gin "
        f"({_PG_EVENTS_TSV.format(t='')})",
        "CREATE INDEX IF NOT EXISTS ix_articles_title_fts ON articles USING gin "
        f"({_PG_TITLE_TSV.format(t='')})",
    ]


# Revision 0009 (PostgreSQL): the vectors stored beside the rows they index, so neither a
# GIN recheck nor a newest-first walk recomputes to_tsvector per row.
_PG_ARTICLES_TSV = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(clean_text, ''))"
_PG_STORED_VECTORS = {
    "articles": (_PG_ARTICLES_TSV, "ix_articles_fts"),
    "events": (_PG_EVENTS_TSV.format(t=""), "ix_events_fts"),
}


def stored_vectors_upgrade_ddl(dialect: str) -> list[str]:
    """Statements adding the stored search vectors (none on SQLite, whose FTS5 has its own)."""
    if dialect == "sqlite":
        return []
    statements = []
    for name, (expression, old_index) in _PG_STORED_VECTORS.items():
        statements += [
            f"ALTER TABLE {name} ADD COLUMN search_tsv tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED",
            f"CREATE INDEX ix_{name}_search_tsv ON {name} USING gin (search_tsv)",
            f"DROP INDEX IF EXISTS {old_index}",
        ]
    return statements


def stored_vectors_downgrade_ddl(dialect: str) -> list[str]:
    """Statements moving back to the expression indexes of revision 0003."""
    if dialect == "sqlite":
        return []
    statements = []
    for name, (expression, old_index) in _PG_STORED_VECTORS.items():
        statements += [
            f"CREATE INDEX IF NOT EXISTS {old_index} ON {name} USING gin ({expression})",
            f"ALTER TABLE {name} DROP COLUMN search_tsv",
        ]
    return statements


def search_downgrade_ddl(dialect: str) -> list[str]:
    """Statements moving the search indexes from revision 0003 back to 0002."""
    if dialect != "sqlite":
        return ["DROP INDEX IF EXISTS ix_events_fts", "DROP INDEX IF EXISTS ix_articles_title_fts"]
    statements = []
    for fts in _SQLITE_SEARCH:
        statements += [f"DROP TRIGGER IF EXISTS {fts}_{t}" for t in ("ai", "ad", "au")]
        statements.append(f"DROP TABLE IF EXISTS {fts}")
    return [
        *statements,
        SQLITE_FTS_DDL,
        "INSERT INTO articles_fts(rowid, title, body) SELECT id, title, coalesce(clean_text, '') "
        "FROM articles WHERE status = 'analyzed'",
    ]


def drop_redundant_raw_text(dialect: str) -> str:
    """An UPDATE that empties raw_text where it is the clean text up to surrounding blanks."""
    if dialect == "sqlite":
        blanks = "' ' || char(9) || char(10) || char(13)"
        return (
            "UPDATE articles SET raw_text = '' WHERE clean_text IS NOT NULL AND raw_text != '' "
            f"AND trim(raw_text, {blanks}) = trim(clean_text, {blanks})"
        )
    return (
        "UPDATE articles SET raw_text = '' WHERE clean_text IS NOT NULL AND raw_text != '' "
        "AND btrim(raw_text, E' \\t\\n\\r') = btrim(clean_text, E' \\t\\n\\r')"
    )


# Words as the FTS5 tokenizer cuts them (an underscore separates), so a term is never a phrase.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fts_ddl(dialect: str) -> tuple[str, str]:
    """Return (create, drop) statements for full-text search on this dialect."""
    return (SQLITE_FTS_DDL, SQLITE_FTS_DROP) if dialect == "sqlite" else (PG_FTS_DDL, PG_FTS_DROP)


def insert_ignore(session: AsyncSession, table: Any) -> Insert:
    """An INSERT that silently skips rows violating a unique constraint."""
    # Each dialect's module is imported only on that backend (CLI start time).
    if session.get_bind().dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).prefix_with("OR IGNORE")
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert(table).on_conflict_do_nothing()


def fts_terms(query: str) -> list[str]:
    """Split a user query into plain words (no FTS operators reach the engine)."""
    return _WORD.findall(query)[:12]


def _sqlite_match(terms: list[str], prefix_last: bool) -> str:
    quoted = ['"' + t.replace('"', "") + '"' for t in terms]
    if prefix_last and quoted:
        quoted[-1] += "*"
    return " ".join(quoted)


def _pg_query(terms: list[str], prefix_last: bool) -> str:
    words = list(terms)
    if prefix_last and words:
        words[-1] += ":*"
    return " & ".join(words)


async def article_matches(
    session: AsyncSession, terms: list[str], where: ColumnElement[bool], pool: int
) -> Select[Any]:
    """(id, relevance) of the newest pool articles matching every term among those where holds.

    The candidates are read newest first straight from the full-text index, so a common word
    costs the same as a rare one; the caller ranks the pool by relevance (lower is better).
    """
    if session.get_bind().dialect.name == "sqlite":
        fts = table("articles_fts", column("rowid"), column("rank"))
        return (
            select(Article.id, fts.c.rank.label("relevance"))
            .select_from(fts.join(Article, Article.id == fts.c.rowid))
            .where(text("articles_fts MATCH :q").bindparams(q=_sqlite_match(terms, False)), where)
            .order_by(fts.c.rowid.desc())
            .limit(pool)
        )
    # Ranking would read each candidate's whole vector; newest first is the order here.
    match = literal_column("articles.search_tsv").op("@@")(
        func.plainto_tsquery("english", " ".join(terms))
    )
    newest = await _pg_newest_first(session, Article.__table__, match, Article.id)
    return (
        select(Article.id, (-Article.id).label("relevance"))
        .where(match, where)
        .order_by(newest)
        .limit(pool)
    )


def title_matches(
    session: AsyncSession, terms: list[str], where: ColumnElement[bool], limit: int
) -> Select[Any]:
    """Ids of the newest articles whose title has every term, the last one as a word prefix."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table("article_titles_fts", column("rowid"))
        match = text("article_titles_fts MATCH :q").bindparams(q=_sqlite_match(terms, True))
        return (
            select(Article.id)
            .select_from(fts.join(Article, Article.id == fts.c.rowid))
            .where(match, where)
            .order_by(fts.c.rowid.desc())
            .limit(limit)
        )
    return (
        select(Article.id)
        .where(
            text(f"{_PG_TITLE_TSV.format(t='articles.')} @@ to_tsquery('simple', :q)").bindparams(
                q=_pg_query(terms, True)
            ),
            where,
        )
        .order_by(_gin_first(Article.id))
        .limit(limit)
    )


def _gin_first(key: Any) -> Any:
    """Newest first, in a form PostgreSQL cannot read from the primary key backwards.

    Its planner can price a walk of the whole table newest first below the GIN index for a
    word of a few rows (seconds at 100,000 articles); ordering on an expression leaves it the
    index, whose cost follows the matches.
    """
    return (key + 0).desc()


# Rows a word may match and still be read from the GIN index and sorted (a few milliseconds);
# a commoner word is found faster by walking the newest rows, where its matches are dense.
PG_INDEX_READ_MAX = 2000


async def _pg_newest_first(
    session: AsyncSession, source: Any, match: ColumnElement[bool], key: Any
) -> Any:
    """The newest-first order whose plan suits how many rows match (counted up to a cap)."""
    capped: Select[Any] = (
        select(literal_column("1")).select_from(source).where(match).limit(PG_INDEX_READ_MAX)
    )
    matching = int(await session.scalar(select(func.count()).select_from(capped.subquery())) or 0)
    return _gin_first(key) if matching < PG_INDEX_READ_MAX else key.desc()


async def event_matches(
    session: AsyncSession, terms: list[str], where: ColumnElement[bool], limit: int
) -> Select[Any]:
    """Ids of the newest events whose name or place has every term (the last as a prefix)."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table("events_fts", column("rowid"))
        match = text("events_fts MATCH :q").bindparams(q=_sqlite_match(terms, True))
        return (
            select(Event.id)
            .select_from(
                fts.join(Event, Event.id == fts.c.rowid).join(
                    Article, Article.id == Event.article_id
                )
            )
            .where(match, where)
            .order_by(fts.c.rowid.desc())
            .limit(limit)
        )
    vector_match = literal_column("events.search_tsv").op("@@")(
        func.to_tsquery("english", _pg_query(terms, True))
    )
    newest = await _pg_newest_first(session, Event.__table__, vector_match, Event.id)
    return (
        select(Event.id)
        .join(Article, Article.id == Event.article_id)
        .where(vector_match, where)
        .order_by(newest)
        .limit(limit)
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
