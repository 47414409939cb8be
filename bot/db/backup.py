"""Backups of the store: SQLite's online backup API, or the pg_dump command for PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import shutil
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)

# Tables every Byline store has; a file without them is not a Byline backup.
_REQUIRED_TABLES = ("alembic_version", "articles")


@dataclass(frozen=True)
class SqliteBackup:
    """A finished SQLite backup: a single self-contained file that passed integrity_check."""

    path: Path
    size_bytes: int
    duration_s: float
    articles: int
    revision: str | None

    def describe(self) -> str:
        """One line for the command line."""
        return (
            f"backed up {self.articles} articles to {self.path} "
            f"({self.size_bytes / 1024:.0f} KiB, {self.duration_s:.2f} s, "
            f"schema {self.revision or 'unknown'}); integrity check ok"
        )


@dataclass(frozen=True)
class PgDumpCommand:
    """The command that backs up a PostgreSQL store (Byline prints it rather than runs it)."""

    argv: tuple[str, ...]
    restore_argv: tuple[str, ...]
    needs_password: bool
    pg_dump_installed: bool

    @property
    def command(self) -> str:
        """The shell-quoted pg_dump command line."""
        return shlex.join(self.argv)

    @property
    def restore_command(self) -> str:
        """The shell-quoted pg_restore command line for an empty database."""
        return shlex.join(self.restore_argv)

    def describe(self) -> str:
        """What to run, in plain words (the password is never part of it)."""
        lines = [
            "PostgreSQL stores are backed up with pg_dump; run:",
            f"  {self.command}",
            "restore into an empty database with:",
            f"  {self.restore_command}",
        ]
        if self.needs_password:
            lines.append("the password is not shown: set PGPASSWORD or use ~/.pgpass")
        if not self.pg_dump_installed:
            lines.append(
                "pg_dump is not installed here; install the PostgreSQL client tools "
                "(Debian: apt-get install postgresql-client) matching the server's version"
            )
        return "\n".join(lines)


def is_sqlite_url(url: str) -> bool:
    """Whether url points at a SQLite store."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL (in-memory databases have none)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise InvalidInput(f"{_safe(url)} is not a SQLite file; only file stores can be backed up")
    return Path(database)


async def backup_store(url: str, target: str | Path) -> SqliteBackup | PgDumpCommand:
    """Back up the store at url to target: done for SQLite, a command to run for PostgreSQL."""
    if not is_sqlite_url(url):
        return pg_dump_command(url, target)
    source = sqlite_path(url)
    if not source.is_file():
        raise NotFound(f"there is no store at {source}; check database.url")
    # The backup API blocks for the whole copy; it runs on a thread, never on the event loop.
    return await asyncio.to_thread(backup_sqlite_file, source, Path(target))


def backup_sqlite_file(source: Path, target: Path) -> SqliteBackup:
    """Copy the SQLite file source to target with the online backup API (safe while it is used)."""
    target = target.expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give the backup a file name such as byline.db")
    if target.resolve() == source.resolve():
        raise InvalidInput("the backup must not overwrite the store itself; choose another path")
    if not target.parent.is_dir():
        raise InvalidInput(f"the folder {target.parent} does not exist; create it first")
    started = time.perf_counter()
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        # Read-write mode (never creating): a read-only handle cannot open a WAL store whose
        # -shm file is missing, which is the normal state of a stopped store.
        src = sqlite3.connect(_file_uri(source, "rw"), uri=True, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                # One step (pages=-1) copies from a single read transaction: in WAL mode that
                # is a consistent snapshot and it never blocks the bot's writers. Step-wise
                # copying would restart after each write and may never finish on a busy bot.
                src.backup(dst, pages=-1)
                # The copy inherits WAL mode from the header; make it one self-contained file.
                dst.execute("PRAGMA journal_mode=DELETE")
                revision, articles = _check_store(dst, partial)
            finally:
                dst.close()
        finally:
            src.close()
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise InvalidInput(f"the backup of {source} failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    duration_s = time.perf_counter() - started
    size = target.stat().st_size
    logger.info(
        "backup of %s to %s: %d bytes, %d articles, %.3f s",
        source,
        target,
        size,
        articles,
        duration_s,
    )
    return SqliteBackup(target, size, duration_s, articles, revision)


async def restore_store(backup: str | Path, url: str) -> SqliteBackup:
    """Replace the SQLite store at url with a backup; stop the bot first."""
    if not is_sqlite_url(url):
        raise InvalidInput(
            "PostgreSQL stores are restored with pg_restore; `byline db backup` prints the command"
        )
    return await asyncio.to_thread(restore_sqlite_file, Path(backup), sqlite_path(url))


def restore_sqlite_file(backup: Path, store: Path) -> SqliteBackup:
    """Write backup over store through SQLite itself, so a stale -wal file cannot survive."""
    backup = backup.expanduser()
    if not backup.is_file():
        raise NotFound(f"there is no backup at {backup}")
    started = time.perf_counter()
    try:
        src = sqlite3.connect(_file_uri(backup, "ro"), uri=True)
        try:
            revision, articles = _check_store(src, backup)
            store.parent.mkdir(parents=True, exist_ok=True)
            dst = sqlite3.connect(store, timeout=1, isolation_level=None)
            try:
                # An exclusive lock is refused while any other connection (a running bot, even
                # idle) has the store open, so a restore never pulls pages from under it.
                dst.execute("PRAGMA locking_mode=EXCLUSIVE")
                dst.execute("BEGIN EXCLUSIVE")
                dst.execute("COMMIT")
                # Going through the backup API (not a file copy) replaces the pages in one
                # transaction, and a stale -wal left by a crash is recovered, then overwritten.
                src.backup(dst, pages=-1)
                check = dst.execute("PRAGMA integrity_check").fetchone()
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise InvalidInput(
                f"the store {store} is in use; stop the bot before restoring a backup"
            ) from None
        raise InvalidInput(f"restoring {backup} failed: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{backup} is not a SQLite backup: {exc}") from None
    if not check or check[0] != "ok":
        raise InvalidInput(f"the restored store fails its integrity check: {check}")
    duration_s = time.perf_counter() - started
    logger.info("restored %s from %s: %d articles, %.3f s", store, backup, articles, duration_s)
    return SqliteBackup(store, store.stat().st_size, duration_s, articles, revision)


async def integrity_problems(url: str) -> list[str]:
    """What SQLite's integrity_check finds wrong in the store at url (empty when it is fine)."""
    path = sqlite_path(url)
    if not path.is_file():
        raise NotFound(f"there is no store at {path}; check database.url")

    def check() -> list[str]:
        conn = sqlite3.connect(_file_uri(path, "rw"), uri=True, timeout=30)
        try:
            rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as exc:  # damage bad enough that the check cannot run
            return [str(exc)]
        finally:
            conn.close()
        return [] if rows == ["ok"] else rows

    return await asyncio.to_thread(check)


def restore_guidance(url: str, backup: str | Path) -> str:
    """How to put a backup back, in plain words, for the store at url."""
    if not is_sqlite_url(url):
        return (
            "to restore: stop the bot, create an empty database, run\n"
            f"  {pg_dump_command(url, backup).restore_command}\n"
            "then start the bot (it upgrades the schema if the backup is older)"
        )
    store = sqlite_path(url)
    return (
        f"to restore: stop the bot, then run `byline db restore {backup}`, or copy {backup} over "
        f"{store} and delete {store}-wal and {store}-shm if they exist; start the bot again "
        "(it upgrades the schema if the backup is older)"
    )


def _check_store(conn: sqlite3.Connection, path: Path) -> tuple[str | None, int]:
    """Return (schema revision, article count) after integrity_check passes, else raise."""
    result = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise InvalidInput(f"{path} fails its integrity check: {'; '.join(result[:5])}")
    tables = {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master")}
    missing = [t for t in _REQUIRED_TABLES if t not in tables]
    if missing:
        raise InvalidInput(f"{path} is not a Byline store (no {', '.join(missing)} table)")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    count = conn.execute("SELECT count(*) FROM articles").fetchone()
    return (str(row[0]) if row else None), int(count[0])


def _file_uri(path: Path, mode: str) -> str:
    # Quoted, so a "?" or "#" in a folder name is part of the path, not of the URI.
    return f"file:{urllib.parse.quote(str(path.absolute()))}?mode={mode}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once its directory is synced (not possible on every platform).
    with contextlib.suppress(OSError):
        _fsync(path)


def pg_dump_command(url: str, target: str | Path) -> PgDumpCommand:
    """The pg_dump and pg_restore commands for a PostgreSQL URL, without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise InvalidInput(f"{_safe(url)} is not a PostgreSQL URL")
    connection = _pg_connection_args(parsed)
    dump = ("pg_dump", "--format=custom", "--no-owner", f"--file={target}", *connection)
    restore = ("pg_restore", "--no-owner", "--exit-on-error", *connection, str(target))
    return PgDumpCommand(
        dump,
        restore,
        needs_password=parsed.password is not None,
        pg_dump_installed=shutil.which("pg_dump") is not None,
    )


def _pg_connection_args(parsed: URL) -> tuple[str, ...]:
    args: list[str] = []
    host = parsed.host or _query_value(parsed, "host")
    if host:
        args.append(f"--host={host}")
    port = parsed.port or _query_value(parsed, "port")
    if port:
        args.append(f"--port={port}")
    if parsed.username:
        args.append(f"--username={parsed.username}")
    if not parsed.database:
        raise InvalidInput("the PostgreSQL URL names no database; add /DBNAME at its end")
    args.append(f"--dbname={parsed.database}")
    return tuple(args)


def _query_value(parsed: URL, key: str) -> str | None:
    value = parsed.query.get(key)
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def _safe(url: str) -> str:
    """A URL fit for messages and logs: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)
