"""`byline run` and `byline sync`."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from bot.cli.context import run_with_app, settings_for

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register run and sync (`byline db` lives in bot/cli/db.py)."""
    p = sub.add_parser(
        "run", parents=[common], help="start the Discord bot (token from DISCORD_TOKEN)"
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "sync", parents=[common], help="sync slash commands globally (or --guild ID)"
    )
    p.add_argument("--guild", type=int)
    p.set_defaults(func=cmd_sync)


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Discord bot."""
    from bot.discord_app.runner import run_bot, token_or_exit

    token = token_or_exit()
    if token is None:
        return 2

    async def work(app: App) -> int:
        return await run_bot(app, token)

    return run_with_app(args, work, processes=True)


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync slash commands globally (or to one server)."""
    from bot.discord_app.runner import sync_commands, token_or_exit

    token = token_or_exit()
    if token is None:
        return 2
    print(asyncio.run(sync_commands(settings_for(args), token, args.guild)))
    return 0
