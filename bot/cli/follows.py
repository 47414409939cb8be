"""`byline follow add | remove | list` and `byline filter add | remove | list | test`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.cli.context import run_with_app
from bot.cli.output import emit_json, show
from bot.domain import FilterAction, FilterKind, FilterRule, FollowKind, FollowView

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the follow and filter commands."""
    follow = sub.add_parser("follow", parents=[common], help="follow a person in a server channel")
    fsub = follow.add_subparsers(dest="follow_command", required=True, metavar="ACTION")
    p = fsub.add_parser("add", parents=[common], help="alert a channel about a person")
    p.add_argument("person")
    p.add_argument("--guild", type=int, required=True)
    p.add_argument("--channel", type=int, required=True)
    p.set_defaults(func=cmd_follow_add)
    p = fsub.add_parser("remove", parents=[common], help="stop a follow")
    p.add_argument("id", type=int)
    p.add_argument("--guild", type=int, required=True)
    p.set_defaults(func=cmd_follow_remove)
    p = fsub.add_parser("list", parents=[common], help="follows of a server (or of all)")
    p.add_argument("--guild", type=int)
    p.set_defaults(func=cmd_follow_list)

    rules = sub.add_parser("filter", parents=[common], help="which articles a server gets")
    rsub = rules.add_subparsers(dest="filter_command", required=True, metavar="ACTION")
    p = rsub.add_parser("add", parents=[common], help="add an include or exclude rule")
    p.add_argument("action", choices=[a.value for a in FilterAction])
    p.add_argument("kind", choices=[k.value for k in FilterKind])
    p.add_argument("value")
    p.add_argument("--guild", type=int, required=True)
    p.add_argument("--source", type=int, help="only for this source's articles")
    p.set_defaults(func=cmd_filter_add)
    p = rsub.add_parser("remove", parents=[common], help="remove a rule")
    p.add_argument("id", type=int)
    p.add_argument("--guild", type=int, required=True)
    p.set_defaults(func=cmd_filter_remove)
    p = rsub.add_parser("list", parents=[common], help="a server's rules")
    p.add_argument("--guild", type=int, required=True)
    p.set_defaults(func=cmd_filter_list)
    p = rsub.add_parser("test", parents=[common], help="would this text be posted?")
    p.add_argument("text")
    p.add_argument("--guild", type=int, required=True)
    p.set_defaults(func=cmd_filter_test)


def render_follows(views: Sequence[FollowView]) -> str:
    """Follows as lines."""
    lines = []
    for v in views:
        where = f"channel {v.target_id}" if v.kind == FollowKind.CHANNEL else f"DM {v.target_id}"
        state = f"  OFF: {v.disabled_reason}" if v.disabled_reason else ""
        state += f"  last error: {v.last_error}" if v.last_error and not v.disabled_reason else ""
        lines.append(f"#{v.id}  guild {v.guild_id}  {v.person} -> {where}{state}")
    return "\n".join(lines) or "No follows."


def render_rules(rules: Sequence[FilterRule]) -> str:
    """Rules as lines."""
    return "\n".join(f"#{r.id}  {r.describe()}" for r in rules) or "No filters."


def cmd_follow_add(args: argparse.Namespace) -> int:
    """Follow a person in a channel."""

    async def work(app: App) -> int:
        view, _ = await app.follows.follow_in_channel(args.guild, args.person, args.channel)
        show(args, [view], render_follows)
        return 0

    return run_with_app(args, work)


def cmd_follow_remove(args: argparse.Namespace) -> int:
    """Remove a follow."""

    async def work(app: App) -> int:
        show(args, [await app.follows.remove(args.guild, args.id)], render_follows)
        return 0

    return run_with_app(args, work)


def cmd_follow_list(args: argparse.Namespace) -> int:
    """List follows."""

    async def work(app: App) -> int:
        show(args, await app.follows.of_guild(args.guild), render_follows)
        return 0

    return run_with_app(args, work)


def cmd_filter_add(args: argparse.Namespace) -> int:
    """Add a filter rule."""

    async def work(app: App) -> int:
        rule = await app.filters.add(
            args.guild, args.action, args.kind, args.value, source_id=args.source
        )
        show(args, [rule], render_rules)
        return 0

    return run_with_app(args, work)


def cmd_filter_remove(args: argparse.Namespace) -> int:
    """Remove a filter rule."""

    async def work(app: App) -> int:
        show(args, [await app.filters.remove(args.guild, args.id)], render_rules)
        return 0

    return run_with_app(args, work)


def cmd_filter_list(args: argparse.Namespace) -> int:
    """List a server's filter rules."""

    async def work(app: App) -> int:
        show(args, await app.filters.rules(args.guild), render_rules)
        return 0

    return run_with_app(args, work)


def cmd_filter_test(args: argparse.Namespace) -> int:
    """Judge a text by a server's filters; exit 0 when it would be posted, 3 when dropped."""

    async def work(app: App) -> int:
        verdict, matched = await app.filters.test(args.guild, args.text)
        if args.json:
            emit_json({"keep": verdict.keep, "reason": verdict.reason, "matched": matched})
        else:
            print(
                ("posted" if verdict.keep else "dropped")
                + (f": {verdict.reason}" if verdict.reason else "")
            )
            if matched:
                print("matching rules: " + ", ".join(f"#{r.id}" for r in matched))
        return 0 if verdict.keep else 3

    return run_with_app(args, work)
