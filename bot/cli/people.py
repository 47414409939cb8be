"""`byline who | quotes | events | timeline`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import render
from bot.cli.context import run_with_app
from bot.cli.output import show, show_one
from bot.errors import InvalidInput

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the people and event commands."""
    p = sub.add_parser("who", parents=[common], help="what the articles say about a person")
    p.add_argument("name")
    p.add_argument("--guild", type=int, help="only what this server sees")
    p.add_argument("--chart", type=Path, metavar="FILE.png", help="also write a mentions chart")
    p.set_defaults(func=cmd_who)
    p = sub.add_parser("quotes", parents=[common], help="key quotes with speakers")
    p.add_argument("--person")
    p.add_argument("--article", type=int)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--guild", type=int, help="only what this server sees")
    p.set_defaults(func=cmd_quotes)
    p = sub.add_parser("events", parents=[common], help="events: what, when, where, who")
    p.add_argument("query", nargs="?")
    p.add_argument("--guild", type=int, help="only what this server sees")
    p.set_defaults(func=cmd_events)
    p = sub.add_parser("timeline", parents=[common], help="a person's events in date order")
    p.add_argument("name")
    p.add_argument("--guild", type=int, help="only what this server sees")
    p.add_argument("--chart", type=Path, metavar="FILE.png", help="also write a timeline image")
    p.set_defaults(func=cmd_timeline)


def write_chart(path: Path, png: bytes) -> None:
    """Write a chart where the user asked (a directory that is missing is an error, not made)."""
    if path.suffix.lower() != ".png":
        raise InvalidInput(f"{path} should end in .png")
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror}") from exc
    print(f"chart written to {path}", file=sys.stderr)


def cmd_who(args: argparse.Namespace) -> int:
    """Show what the articles say about a person."""

    async def work(app: App) -> int:
        card = await app.people.who(args.name, args.guild)
        show_one(args, card, render.person)
        if args.chart is not None:
            chart = await app.charts.mentions(str(card.id), args.guild)
            write_chart(args.chart, chart.png)
        return 0

    return run_with_app(args, work)


def cmd_quotes(args: argparse.Namespace) -> int:
    """List key quotes."""

    async def work(app: App) -> int:
        found = await app.people.quotes(
            args.guild, person=args.person, article_id=args.article, limit=args.limit
        )
        show(args, found, render.quotes)
        return 0

    return run_with_app(args, work)


def cmd_events(args: argparse.Namespace) -> int:
    """List events, optionally matching words."""

    async def work(app: App) -> int:
        show(args, await app.events.search(args.query, args.guild), render.events)
        return 0

    return run_with_app(args, work)


def cmd_timeline(args: argparse.Namespace) -> int:
    """A person's events in date order."""

    async def work(app: App) -> int:
        name, views = await app.people.timeline(args.name, args.guild)
        if args.chart is not None:
            write_chart(args.chart, (await app.charts.timeline(args.name, args.guild)).png)
        if args.json:
            show(args, views, render.events)
        else:
            print(f"Timeline of {name}")
            print(render.events(views))
        return 0

    return run_with_app(args, work)
