"""`byline source add|list|remove|poll`: the operator's view of every source."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.cli.context import run_with_app
from bot.cli.output import emit_json, show
from bot.domain import PollOutcome, PollStatus, SourceView
from bot.scheduling.intervals import format_every

if TYPE_CHECKING:
    from bot.app import App


def add_source_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the `source` command and its actions to the byline parser."""
    parser = sub.add_parser("source", help="feeds and pages polled for articles")
    actions = parser.add_subparsers(dest="source_action", required=True, metavar="ACTION")

    p = actions.add_parser(
        "add", parents=[common], help="add a feed or page (checked by one fetch)"
    )
    p.add_argument("url")
    p.add_argument("--every", metavar="INTERVAL", help="poll interval such as 15m, 2h or 1d")
    p.add_argument("--guild", type=int, help="add it for one server (default: global)")
    p.set_defaults(func=cmd_source_add)

    p = actions.add_parser("list", parents=[common], help="list sources with their health")
    p.add_argument("--guild", type=int, help="only what this server sees (global + its own)")
    p.set_defaults(func=cmd_source_list)

    p = actions.add_parser("remove", parents=[common], help="remove a source by id")
    p.add_argument("id", type=int)
    p.add_argument("--guild", type=int, help="act as this server (it can remove only its own)")
    p.set_defaults(func=cmd_source_remove)

    p = actions.add_parser("poll", parents=[common], help="poll one source now, or all due ones")
    p.add_argument("id", type=int, nargs="?")
    p.set_defaults(func=cmd_source_poll)


def cmd_source_add(args: argparse.Namespace) -> int:
    """Add a source."""

    async def work(app: App) -> int:
        view = await app.sources.add(args.url, guild_id=args.guild, every=args.every)
        if args.json:
            emit_json(view)
        else:
            title = f' "{view.title}"' if view.title else ""
            print(
                f"added source #{view.id}: {view.kind}{title}, polled every "
                f"{format_every(view.every_s)} ({_scope(view)})"
            )
        return 0

    return run_with_app(args, work)


def cmd_source_list(args: argparse.Namespace) -> int:
    """List sources."""

    async def work(app: App) -> int:
        show(args, await app.sources.for_guild(guild_id=args.guild), render_sources)
        return 0

    return run_with_app(args, work)


def cmd_source_remove(args: argparse.Namespace) -> int:
    """Remove a source."""

    async def work(app: App) -> int:
        view = await app.sources.remove(args.id, guild_id=args.guild)
        if args.json:
            emit_json(view)
        else:
            print(f"removed source #{view.id}: {view.url}")
        return 0

    return run_with_app(args, work)


def cmd_source_poll(args: argparse.Namespace) -> int:
    """Poll one source, or every due one."""

    async def work(app: App) -> int:
        if args.id is not None:
            outcomes = [await app.sources.poll(args.id)]
        else:
            outcomes = await app.sources.poll_due()
        for outcome in outcomes:
            if args.json:
                emit_json(outcome)
            else:
                print(render_poll(outcome))
        if not outcomes and not args.json:
            print("no source is due; give an id to poll one now")
        failed = [o for o in outcomes if o.status in (PollStatus.FAILED, PollStatus.DISABLED)]
        for outcome in failed:
            print(f"error: source #{outcome.source_id}: {outcome.message}", file=sys.stderr)
        return 1 if failed else 0

    return run_with_app(args, work)


def _scope(view: SourceView) -> str:
    return "global" if view.guild_id is None else f"server {view.guild_id}"


def render_sources(views: Sequence[SourceView]) -> str:
    """Sources as text, one block each."""
    if not views:
        return "no sources yet; add one with: byline source add URL"
    lines = []
    for v in views:
        title = f" {v.title}" if v.title else ""
        lines.append(
            f"#{v.id} {v.kind} every {format_every(v.every_s)} [{_scope(v)}]{title}\n    {v.url}"
        )
        polled = v.last_polled_at.isoformat(timespec="seconds") if v.last_polled_at else "never"
        nxt = v.next_poll_at.isoformat(timespec="seconds") if v.next_poll_at else "-"
        state = f"    last polled {polled}, next {nxt}"
        if v.failures:
            state += f", {v.failures} failure(s) in a row: {v.last_error}"
        lines.append(state)
        if v.disabled_reason:
            lines.append(f"    disabled: {v.disabled_reason}")
    return "\n".join(lines)


def render_poll(outcome: PollOutcome) -> str:
    """One poll's outcome as text."""
    head = f"source #{outcome.source_id}: {outcome.status.replace('_', ' ')}"
    if outcome.status in (PollStatus.OK, PollStatus.NOT_MODIFIED):
        head += f", {outcome.new_items} new, {len(outcome.stored)} stored"
        if outcome.skipped_items:
            head += f", {outcome.skipped_items} older item(s) marked seen"
    elif outcome.message:
        head += f": {outcome.message}"
    lines = [head]
    for article in outcome.articles:
        if article.status == "failed":
            lines.append(f"    failed {article.path}: {article.message}")
        else:
            lines.append(f"    {article.status} #{article.article_id} {article.title or ''}")
    return "\n".join(lines)
