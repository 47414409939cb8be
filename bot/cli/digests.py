"""`byline digest [preview|now]`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli import render
from bot.cli.context import run_with_app
from bot.cli.output import show_one
from bot.domain import SlotStatus
from bot.errors import InvalidInput, NotConfigured

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the digest commands."""
    p = sub.add_parser(
        "digest",
        parents=[common],
        help="preview a digest, or post one now to a server (through the bot's token)",
    )
    p.add_argument("action", nargs="?", choices=["preview", "now"], default="preview")
    p.add_argument("--preview", action="store_true", help="the same as the action preview")
    p.add_argument("--guild", type=int, help="the server (needed for now)")
    p.add_argument("--articles", type=int, default=None)
    p.add_argument("--quotes", type=int, default=None)
    p.set_defaults(func=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    """Show a digest, or post one now."""
    if args.action == "now" and not args.preview:
        return _post_now(args)

    async def work(app: App) -> int:
        digest, dropped = await app.digests.preview(
            args.guild,
            max_articles=args.articles,
            max_quotes=args.quotes,
            unposted_only=args.guild is not None,
        )
        show_one(args, digest, render.digest)
        if dropped and not args.json:
            print("\nDropped by the server's filters:")
            for gone in dropped:
                print(f"  #{gone.ref.id} {gone.ref.title} — {gone.reason}")
        return 0

    return run_with_app(args, work)


def _post_now(args: argparse.Namespace) -> int:
    if args.guild is None:
        raise InvalidInput("give the server: byline digest now --guild ID")
    from bot.settings import discord_token

    token = discord_token()
    if token is None:
        raise NotConfigured(
            "DISCORD_TOKEN is not set; export the bot token as DISCORD_TOKEN and try again"
        )

    async def work(app: App) -> int:
        # Imported here: only this command talks to Discord.
        from bot.discord_app.runner import post_digest_now

        outcome = await post_digest_now(app, token.get_secret_value(), args.guild)
        show_one(args, outcome, render.slot_outcome)
        return 0 if outcome.status in (SlotStatus.POSTED, SlotStatus.NOTHING) else 1

    return run_with_app(args, work)
