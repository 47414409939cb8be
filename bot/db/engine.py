"""Engine and session factories with the SQLite settings Byline relies on."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import ConfigError, DatabaseBusy

logger = logging.getLogger(__name__)

# The execution option that sets one write's SQLite busy timeout (ms) before its BEGIN.
BUSY_TIMEOUT_OPTION = "byline_busy_timeout_ms"
# Seconds a write may wait for the write lock now (None: the configured busy timeout).
_lock_wait: ContextVar[Callable[[], float | None] | None] = ContextVar(
    "byline_lock_wait", default=None
)


@contextmanager
def limit_lock_wait(limit: Callable[[], float | None]) -> Iterator[None]:
    """Bound how long writes in this context wait for another connection's write lock.

    A slash command that has not answered yet must answer within Discord's 3 s: its writes
    give up early (DatabaseBusy, told to the user) instead of waiting out the busy timeout.
    """
    token = _lock_wait.set(limit)
    try:
        yield
    finally:
        _lock_wait.reset(token)


def _prepare_sqlite_path(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the database folder {path.parent}: {exc.strerror}; "
                "set database.url to a writable place"
            ) from None


def _sqlite_engine(url: str, busy_timeout_ms: int, echo: bool, immediate: bool) -> AsyncEngine:
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        mode = cursor.fetchone()
        if mode and str(mode[0]).lower() not in ("wal", "memory"):
            logger.warning("SQLite refused WAL mode (got %s); concurrency will suffer", mode[0])
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        wanted = int(conn.get_execution_options().get(BUSY_TIMEOUT_OPTION, busy_timeout_ms))
        if conn.info.get(BUSY_TIMEOUT_OPTION, busy_timeout_ms) != wanted:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={wanted}")
            conn.info[BUSY_TIMEOUT_OPTION] = wanted
        # A deferred transaction that later writes gets SQLITE_BUSY without waiting;
        # writers take the lock up front so the busy timeout applies.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Holds the engines and hands out sessions for units of work."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            _prepare_sqlite_path(url)
            self.engine = _sqlite_engine(url, busy_timeout_ms, echo, immediate=False)
            self.write_engine = _sqlite_engine(url, busy_timeout_ms, echo, immediate=True)
        else:
            try:
                import asyncpg  # noqa: F401
            except ImportError:
                raise ConfigError(
                    "PostgreSQL needs the asyncpg driver; run: pip install 'byline[postgres]'"
                ) from None
            self.engine = create_async_engine(url, echo=echo, pool_pre_ping=True, pool_recycle=1800)
            self.write_engine = self.engine
        self._read = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work."""
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that commits on success and rolls back on error.

        Raises DatabaseBusy when another connection held SQLite's write lock too long.
        """
        limit = _lock_wait.get()
        wait_s = limit() if limit is not None and self.dialect == "sqlite" else None
        try:
            async with self._write() as session, session.begin():
                if wait_s is not None:
                    # Procures the connection (and so runs BEGIN) with this write's timeout.
                    options = {BUSY_TIMEOUT_OPTION: max(0, int(wait_s * 1000))}
                    await session.connection(execution_options=options)
                yield session
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            raise DatabaseBusy(
                "the database is busy right now; try again in a few seconds"
            ) from exc

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
