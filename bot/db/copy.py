"""Copy a whole store from one database to another (SQLite to PostgreSQL and back)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Table, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator, TypeEngine

from bot.db.engine import Database
from bot.db.migrate import alembic_config, current, upgrade
from bot.db.models import Base
from bot.errors import BylineError, InvalidInput, NotFound

logger = logging.getLogger(__name__)

DEFAULT_BATCH_ROWS = 500
# Tables the migrations own besides the models: Alembic's marker and SQLite's FTS5 index.
_MIGRATION_TABLES = ("alembic_version",)
_FTS_PREFIXES = ("articles_fts", "article_titles_fts", "events_fts")
_DRIVER_CLASS = re.compile(r"^<class '[\w.]+'>:\s*")


class StoreCopyError(BylineError):
    """The copy could not be made or did not check out; the target is left empty."""


@dataclass(frozen=True)
class TableCount:
    """Rows of one table in the source and, after the copy, in the target."""

    table: str
    source_rows: int
    target_rows: int

    @property
    def matches(self) -> bool:
        """Whether the target holds exactly the source's rows."""
        return self.source_rows == self.target_rows


@dataclass(frozen=True)
class CopyReport:
    """What a finished copy moved, per table, with the counts checked."""

    source: str
    target: str
    revision: str
    tables: tuple[TableCount, ...]
    search_index_rows: int | None
    duration_s: float

    @property
    def total_rows(self) -> int:
        """Rows copied over all tables."""
        return sum(t.target_rows for t in self.tables)

    def describe(self) -> str:
        """A table of the counts for the command line."""
        width = max(len(t.table) for t in self.tables)
        lines = [f"{'table':<{width}}  {'source':>8}  {'target':>8}"]
        lines += [
            f"{t.table:<{width}}  {t.source_rows:>8}  {t.target_rows:>8}" for t in self.tables
        ]
        if self.search_index_rows is not None:
            lines.append(f"search index rebuilt: {self.search_index_rows} articles")
        lines.append(
            f"copied {self.total_rows} rows from {self.source} to {self.target} in "
            f"{self.duration_s:.1f} s; every table's count matches (schema {self.revision})"
        )
        return "\n".join(lines)


ProgressCallback = Callable[[str, int, int], None]


async def copy_store(
    source_url: str,
    target_url: str,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: ProgressCallback | None = None,
    upgrade_source: bool = False,
) -> CopyReport:
    """Copy every row of the store at source_url into the empty store at target_url.

    The source must be at this version's schema; upgrade_source=True migrates it first (as
    every start of the bot would). progress(table, rows_copied, rows_in_table) is called after
    each batch.
    """
    started = time.perf_counter()
    _check_urls(source_url, target_url)
    head = _head_revision()
    source = Database(source_url)
    target = Database(target_url)
    try:
        if upgrade_source:
            await upgrade(source.write_engine)
        revision = await current(source.engine)
        if revision != head:
            raise StoreCopyError(
                f"the source store is at schema {revision or 'none'} and this Byline writes "
                f"{head}; run `byline db upgrade --db SOURCE` with this version first"
            )
        await _refuse_a_used_target(target)
        await upgrade(target.write_engine)
        await _refuse_a_used_target(target)
        tables = Base.metadata.sorted_tables  # parents before children (foreign-key order)
        source_counts: dict[str, int] = {}
        async with _snapshot(source) as src, target.write_engine.connect() as dst, dst.begin():
            for table in tables:
                source_counts[table.name] = await _count(src, table)
                copied = await _copy_table(
                    src, dst, table, source_counts[table.name], batch_rows, progress
                )
                if copied != source_counts[table.name]:
                    raise StoreCopyError(
                        f"{table.name}: read {copied} rows but the source counts "
                        f"{source_counts[table.name]}; nothing was copied"
                    )
            if dst.dialect.name == "postgresql":
                await _reset_sequences(dst, tables)
            search_rows = await _rebuild_search_index(src, dst)
            await _check_counts(dst, tables, source_counts, when="before commit")
        counts = await _check_counts_after_commit(target, tables, source_counts)
    finally:
        await source.dispose()
        await target.dispose()
    report = CopyReport(
        source=_safe(source_url),
        target=_safe(target_url),
        revision=head,
        tables=counts,
        search_index_rows=search_rows,
        duration_s=time.perf_counter() - started,
    )
    logger.info(
        "copied store %s to %s: %d rows in %.2f s",
        report.source,
        report.target,
        report.total_rows,
        report.duration_s,
    )
    return report


def _check_urls(source_url: str, target_url: str) -> None:
    for url in (source_url, target_url):
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise InvalidInput(
                f"{_safe(url)}: a store URL starts with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
    source, target = make_url(source_url), make_url(target_url)
    if source.get_backend_name() == "sqlite":
        path = Path(source.database or "")
        if not source.database or source.database == ":memory:" or not path.is_file():
            raise NotFound(f"there is no store at {source.database}; check the source URL")
    same = (
        source.get_backend_name() == target.get_backend_name() == "sqlite"
        and Path(source.database or "").resolve() == Path(target.database or "").resolve()
    ) or (
        source.get_backend_name() == target.get_backend_name() == "postgresql"
        and (source.host, source.port, source.database)
        == (target.host, target.port, target.database)
    )
    if same:
        raise InvalidInput("the source and the target are the same store; name another target")


def _head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise StoreCopyError("this Byline has no migrations")
    return head


class _snapshot:
    """A read-only connection whose reads all see one moment of the source (safe while it runs)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> AsyncConnection:
        conn = await self._db.engine.connect()
        if conn.dialect.name == "postgresql":
            conn = await conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        # SQLite in WAL mode: one read transaction is one snapshot; writers go on meanwhile.
        await conn.begin()
        self._conn = conn
        return conn

    async def __aexit__(self, *exc: object) -> None:
        if self._conn is not None:
            await self._conn.rollback()
            await self._conn.close()


async def _table_names(conn: AsyncConnection) -> list[str]:
    return await conn.run_sync(lambda sync_conn: inspect(sync_conn).get_table_names())


async def _refuse_a_used_target(target: Database) -> None:
    """Stop unless the target is empty: no foreign tables, no rows in Byline's tables."""
    known = {t.name: t for t in Base.metadata.sorted_tables}
    async with target.engine.connect() as conn:
        names = await _table_names(conn)
        foreign = sorted(
            n
            for n in names
            if n not in known and n not in _MIGRATION_TABLES and not n.startswith(_FTS_PREFIXES)
        )
        if foreign:
            raise StoreCopyError(
                f"the target database holds other tables ({', '.join(foreign[:5])}); "
                "copy into a new, empty database"
            )
        used = [(n, await _count(conn, known[n])) for n in names if n in known]
        filled = [f"{n} ({rows} rows)" for n, rows in used if rows]
        if filled:
            raise StoreCopyError(
                f"the target store is not empty: {', '.join(filled[:5])}; "
                "copy only into an empty database (create a new one, or drop these tables)"
            )


async def _count(conn: AsyncConnection, table: Table) -> int:
    return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def _copy_table(
    src: AsyncConnection,
    dst: AsyncConnection,
    table: Table,
    total: int,
    batch_rows: int,
    progress: ProgressCallback | None,
) -> int:
    """Stream one table in primary-key order and insert it in batches; return the rows copied."""
    started = time.perf_counter()
    aware = [c.name for c in table.columns if _is_aware_datetime(c.type)]
    statement = select(table).order_by(*table.primary_key.columns)
    copied = 0
    result = await src.stream(statement.execution_options(yield_per=batch_rows))
    async for partition in result.partitions(batch_rows):
        rows = [_utc_row(dict(row._mapping), aware) for row in partition]
        await _insert_batch(dst, table, rows)
        copied += len(rows)
        if progress is not None:
            progress(table.name, copied, total)
    logger.info("copied %s: %d rows in %.2f s", table.name, copied, time.perf_counter() - started)
    return copied


def _is_aware_datetime(column_type: TypeEngine[Any]) -> bool:
    impl = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    return isinstance(impl, DateTime) and bool(impl.timezone)


def _utc_row(row: dict[str, Any], aware: Sequence[str]) -> dict[str, Any]:
    # SQLite keeps aware times as naive UTC text; PostgreSQL would read a naive value in the
    # server's local zone, so each one is made explicitly UTC on the way through.
    for name in aware:
        value = row.get(name)
        if isinstance(value, datetime):
            row[name] = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return row


async def _insert_batch(dst: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    try:
        async with dst.begin_nested():
            await dst.execute(table.insert(), rows)
    except DBAPIError as exc:
        # Find the row the target refuses (a too-long value, a NUL byte, a dangling reference)
        # so the message names it; each try runs in its own savepoint.
        for row in rows:
            try:
                async with dst.begin_nested():
                    await dst.execute(table.insert(), [row])
            except DBAPIError as row_exc:
                raise StoreCopyError(
                    f"{table.name} row {_key(table, row)} cannot be written to the target: "
                    f"{_reason(row_exc)}; nothing was copied"
                ) from None
        raise StoreCopyError(
            f"{table.name} cannot be written to the target: {_reason(exc)}; nothing was copied"
        ) from None


def _key(table: Table, row: dict[str, Any]) -> str:
    return ", ".join(f"{c.name}={row.get(c.name)!r}" for c in table.primary_key.columns)


def _reason(exc: DBAPIError) -> str:
    kind = "a constraint fails" if isinstance(exc, IntegrityError) else "the database refused it"
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    detail = _DRIVER_CLASS.sub("", detail)  # asyncpg's adapter prefixes "<class '...'>: "
    if "0x00" in detail:
        detail += "; PostgreSQL text cannot hold NUL characters, remove them in the source first"
    return f"{kind} ({detail[:300]})" if detail else kind


async def _reset_sequences(dst: AsyncConnection, tables: Sequence[Table]) -> None:
    """Move each serial sequence past the copied ids, or the next insert would collide."""
    for table in tables:
        column = table.autoincrement_column  # None for composite or natural keys
        if column is None:
            continue
        await dst.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": table.name, "column": column.name},
        )


async def _rebuild_search_index(src: AsyncConnection, dst: AsyncConnection) -> int | None:
    """Rebuild SQLite's FTS5 indexes from the copied rows; PostgreSQL's indexes keep themselves."""
    del src  # the indexes read the copied tables themselves (external content)
    if dst.dialect.name != "sqlite":
        return None
    for fts in _FTS_PREFIXES:
        await dst.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))
    await dst.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')"))
    # What search can find: the analysed articles (the index holds every row's text).
    return int(
        await dst.scalar(text("SELECT count(*) FROM articles WHERE status = 'analyzed'")) or 0
    )


async def _check_counts(
    conn: AsyncConnection, tables: Sequence[Table], source_counts: dict[str, int], *, when: str
) -> tuple[TableCount, ...]:
    counts: list[TableCount] = []
    for table in tables:
        counts.append(TableCount(table.name, source_counts[table.name], await _count(conn, table)))
    wrong = [c for c in counts if not c.matches]
    if wrong:
        listed = ", ".join(f"{c.table} {c.target_rows} of {c.source_rows}" for c in wrong)
        raise StoreCopyError(f"row counts differ {when}: {listed}")
    return tuple(counts)


async def _check_counts_after_commit(
    target: Database, tables: Sequence[Table], source_counts: dict[str, int]
) -> tuple[TableCount, ...]:
    async with target.engine.connect() as conn:
        try:
            return await _check_counts(conn, tables, source_counts, when="after commit")
        except StoreCopyError as exc:  # pragma: no cover - the commit itself was checked
            raise StoreCopyError(f"{exc}; the target holds a partial copy, drop it") from None


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
