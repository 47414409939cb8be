"""`byline stories [--since 24h]`: stories with their articles and every source's link."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from bot.cli import render
from bot.cli.context import run_with_app
from bot.cli.output import show
from bot.errors import InvalidInput

if TYPE_CHECKING:
    from bot.app import App

_SPAN = re.compile(r"^\s*(\d{1,5})\s*([mhdw])\s*$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_span(text: str) -> int:
    """A time span like 90m, 24h, 3d or 2w in seconds."""
    match = _SPAN.match(text or "")
    if match is None or int(match.group(1)) == 0:
        raise InvalidInput(
            f'cannot read the time span "{(text or "")[:20]}"; write it like 24h or 3d'
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the story commands."""
    p = sub.add_parser(
        "stories",
        parents=[common],
        help="stories (several sources on one happening) and their links",
    )
    p.add_argument(
        "--since", default="24h", metavar="SPAN", help="stories that grew within it (24h)"
    )
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--guild", type=int, help="only what this server sees")
    p.set_defaults(func=cmd_stories)


def cmd_stories(args: argparse.Namespace) -> int:
    """List recent stories with their articles."""
    since_s = parse_span(args.since)

    async def work(app: App) -> int:
        views = await app.stories.recent(args.guild, since_s=since_s, limit=args.limit)
        show(args, views, render.stories)
        return 0

    return run_with_app(args, work)
