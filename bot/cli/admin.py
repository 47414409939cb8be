"""`byline run` and `byline sync`."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.cli.context import settings_for
from bot.errors import InvalidInput
from bot.settings import DiscordSettings, Settings

if TYPE_CHECKING:
    pass


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register run and sync (`byline db` lives in bot/cli/db.py)."""
    p = sub.add_parser(
        "run", parents=[common], help="start the Discord bot (token from DISCORD_TOKEN)"
    )
    p.add_argument(
        "--shard-count",
        type=int,
        metavar="N",
        help="how many shards the bot has in all, over every process (default: Discord's advice)",
    )
    p.add_argument(
        "--shard-ids",
        type=shard_ids,
        metavar="IDS",
        help="the shards this process runs, e.g. 0,1 or 0-3 (default: all of them)",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "sync", parents=[common], help="sync slash commands globally (or --guild ID)"
    )
    p.add_argument("--guild", type=int)
    p.set_defaults(func=cmd_sync)


def shard_ids(text: str) -> list[int]:
    """Parse "0,1" or "0-3" (or a mix) into shard numbers."""
    ids: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            ids.extend(range(int(low), int(high or low) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of shard numbers such as 0,1 or 0-3"
        ) from None
    return ids


def with_shards(settings: Settings, count: int | None, ids: list[int] | None) -> Settings:
    """The settings with --shard-count / --shard-ids applied (and checked) over the config."""
    if count is None and ids is None:
        return settings
    changes: dict[str, Any] = {}
    if count is not None:
        changes["shard_count"] = count
    if ids is not None:
        changes["shard_ids"] = ids
    try:
        discord = DiscordSettings(**{**settings.discord.model_dump(), **changes})
    except ValidationError as exc:
        raise InvalidInput(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    return settings.model_copy(update={"discord": discord})


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Discord bot (one process, or some shards of a bot run by several)."""
    from bot.discord_app.runner import run_bot, token_or_exit

    settings = with_shards(settings_for(args), args.shard_count, args.shard_ids)
    token = token_or_exit()
    if token is None:
        return 2

    async def main() -> int:
        from bot.app import App

        app = await App.open(settings, processes=True)
        async with app:
            return await run_bot(app, token)

    return asyncio.run(main())


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync slash commands globally (or to one server)."""
    from bot.discord_app.runner import sync_commands, token_or_exit

    token = token_or_exit()
    if token is None:
        return 2
    print(asyncio.run(sync_commands(settings_for(args), token, args.guild)))
    return 0
