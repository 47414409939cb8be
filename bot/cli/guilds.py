"""`byline status` and `byline config ...`: a server's settings, as /config and /status."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.cli import render
from bot.cli.context import run_with_app
from bot.cli.output import show, show_one
from bot.cli.sources import render_sources

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register status and config."""
    guild = argparse.ArgumentParser(add_help=False)
    guild.add_argument("--guild", type=int, required=True, help="the server's id")

    p = sub.add_parser("status", parents=[common, guild], help="a server's digest status")
    p.set_defaults(func=cmd_status)

    config = sub.add_parser("config", help="a server's digest settings (as /config)")
    actions = config.add_subparsers(dest="config_action", required=True, metavar="ACTION")
    p = actions.add_parser("show", parents=[common, guild], help="show the settings")
    p.set_defaults(func=cmd_config_show)
    p = actions.add_parser("channel", parents=[common, guild], help="set the digest channel")
    p.add_argument("--channel", type=int, required=True, help="the channel's id")
    p.set_defaults(func=cmd_config_channel)
    p = actions.add_parser("schedule", parents=[common, guild], help="set when digests post")
    p.add_argument("when", help='"daily 09:00", "weekly mon 09:00", "weekdays 18:30" or cron')
    p.add_argument("--timezone", help="an IANA time zone such as Europe/Berlin")
    p.set_defaults(func=cmd_config_schedule)
    p = actions.add_parser("limits", parents=[common, guild], help="articles and quotes per digest")
    p.add_argument("--articles", type=int)
    p.add_argument("--quotes", type=int)
    p.set_defaults(func=cmd_config_limits)
    p = actions.add_parser("pause", parents=[common, guild], help="stop scheduled digests")
    p.set_defaults(func=cmd_config_pause)
    p = actions.add_parser("resume", parents=[common, guild], help="restart scheduled digests")
    p.set_defaults(func=cmd_config_resume)

    sources = actions.add_parser("sources", help="the server's own feeds and pages")
    src = sources.add_subparsers(dest="sources_action", required=True, metavar="ACTION")
    p = src.add_parser("add", parents=[common, guild], help="follow a feed or page")
    p.add_argument("url")
    p.add_argument("--every", metavar="INTERVAL", help="poll interval such as 15m, 2h or 1d")
    p.set_defaults(func=cmd_config_sources_add)
    p = src.add_parser("remove", parents=[common, guild], help="stop following a source")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_config_sources_remove)
    p = src.add_parser("list", parents=[common, guild], help="the sources this server gets")
    p.set_defaults(func=cmd_config_sources_list)


def cmd_status(args: argparse.Namespace) -> int:
    """A server's digest status."""

    async def work(app: App) -> int:
        show_one(args, await app.guilds.status(args.guild), render.guild_status)
        return 0

    return run_with_app(args, work)


def cmd_config_show(args: argparse.Namespace) -> int:
    """A server's settings."""

    async def work(app: App) -> int:
        show_one(args, await app.guilds.show(args.guild), render.schedule_info)
        return 0

    return run_with_app(args, work)


def _change_then_show(args: argparse.Namespace, change: Callable[[App], Awaitable[object]]) -> int:
    """Apply one change to the server's settings, then print them as `config show` does."""

    async def work(app: App) -> int:
        await change(app)
        show_one(args, await app.guilds.show(args.guild), render.schedule_info)
        return 0

    return run_with_app(args, work)


def cmd_config_channel(args: argparse.Namespace) -> int:
    """Set the digest channel (the bot checks its permissions there when it posts)."""
    return _change_then_show(args, lambda app: app.guilds.set_channel(args.guild, args.channel))


def cmd_config_schedule(args: argparse.Namespace) -> int:
    """Set the schedule."""
    return _change_then_show(
        args, lambda app: app.guilds.set_schedule(args.guild, args.when, args.timezone)
    )


def cmd_config_limits(args: argparse.Namespace) -> int:
    """Set the digest limits."""
    return _change_then_show(
        args, lambda app: app.guilds.set_limits(args.guild, args.articles, args.quotes)
    )


def cmd_config_pause(args: argparse.Namespace) -> int:
    """Pause digests."""
    return _change_then_show(args, lambda app: app.guilds.pause(args.guild))


def cmd_config_resume(args: argparse.Namespace) -> int:
    """Resume digests."""
    return _change_then_show(args, lambda app: app.guilds.resume(args.guild))


def cmd_config_sources_add(args: argparse.Namespace) -> int:
    """Add a source for the server."""

    async def work(app: App) -> int:
        view = await app.sources.add(args.url, guild_id=args.guild, every=args.every)
        show(args, [view], render_sources)
        return 0

    return run_with_app(args, work)


def cmd_config_sources_remove(args: argparse.Namespace) -> int:
    """Remove one of the server's sources."""

    async def work(app: App) -> int:
        view = await app.sources.remove(args.id, guild_id=args.guild)
        show(args, [view], render_sources)
        return 0

    return run_with_app(args, work)


def cmd_config_sources_list(args: argparse.Namespace) -> int:
    """The sources the server gets."""

    async def work(app: App) -> int:
        show(args, await app.sources.for_guild(guild_id=args.guild), render_sources)
        return 0

    return run_with_app(args, work)
