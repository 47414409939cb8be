"""`byline db upgrade|backup|restore|copy`: keep, back up and move the store."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.context import run_with_app, settings_for
from bot.cli.output import emit_json
from bot.errors import InvalidInput

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `byline db ...`."""
    p = sub.add_parser("db", help="database: upgrade, backup, restore, copy")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("upgrade", parents=[common], help="bring the schema up to date")
    a.set_defaults(func=cmd_upgrade)
    a = actions.add_parser(
        "backup", parents=[common], help="back up the store to PATH (safe while the bot runs)"
    )
    a.add_argument("path", type=Path)
    a.set_defaults(func=cmd_backup)
    a = actions.add_parser(
        "restore", parents=[common], help="replace the store with a backup (stop the bot first)"
    )
    a.add_argument("path", type=Path)
    a.set_defaults(func=cmd_restore)
    a = actions.add_parser(
        "copy", parents=[common], help="copy the whole store into an empty one at --to URL"
    )
    a.add_argument("--to", required=True, metavar="URL", help="the target database URL")
    a.set_defaults(func=cmd_copy)


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Run the migrations (opening the App runs them) and say the revision."""

    async def work(app: App) -> int:
        from bot.db.migrate import current

        revision = await current(app.db.engine)
        if args.json:
            emit_json({"revision": revision})
        else:
            print(f"database at revision {revision}")
        return 0

    return run_with_app(args, work)


def cmd_backup(args: argparse.Namespace) -> int:
    """Back up without opening the App: a backup must never migrate the store first."""
    from bot.db.backup import SqliteBackup, backup_store, restore_guidance

    url = settings_for(args).database.url
    result = asyncio.run(backup_store(url, args.path))
    if args.json:
        emit_json(result)
    elif isinstance(result, SqliteBackup):
        print(result.describe())
        print(restore_guidance(url, args.path))
    else:
        print(result.describe())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a SQLite backup in place of the store (the bot must be stopped)."""
    from bot.db.backup import is_sqlite_url, restore_guidance, restore_store

    url = settings_for(args).database.url
    if not is_sqlite_url(url):
        raise InvalidInput(restore_guidance(url, args.path))
    result = asyncio.run(restore_store(args.path, url))
    if args.json:
        emit_json(result)
    else:
        print(f"restored {result.articles} articles from {args.path} (schema {result.revision})")
        print("start the bot again; it upgrades the schema if the backup is older")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy every row into an empty store at --to, with progress and the counts checked."""
    from bot.db.copy import copy_store

    source = settings_for(args).database.url
    quiet = bool(args.json)

    def progress(table: str, copied: int, total: int) -> None:
        if not quiet:
            print(f"  {table}: {copied}/{total}", file=sys.stderr)

    report = asyncio.run(copy_store(source, args.to, progress=progress, upgrade_source=True))
    if args.json:
        emit_json(report)
    else:
        print(report.describe())
        print("point database.url at the new store (BYLINE_DATABASE__URL) and start the bot")
    return 0
