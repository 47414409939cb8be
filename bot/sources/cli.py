"""`byline source add|list|remove|poll`: parse, call a sources service, print."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.sources.fetching import close_fetcher
from bot.sources.intervals import format_every
from bot.sources.types import PollOutcome, SourceView

if TYPE_CHECKING:
    from bot.services import Byline


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


def _run(args: argparse.Namespace, work: Callable[[Byline], Awaitable[int]]) -> int:
    async def main() -> int:
        from bot.services import Byline
        from bot.settings import load_settings

        overrides: dict[str, Any] = {"database": {"url": args.db}} if args.db else {}
        services = await Byline.open(load_settings(**overrides), processes=False)
        try:
            return await work(services)
        finally:
            await close_fetcher()
            await services.close()

    return asyncio.run(main())


def _emit(obj: Any) -> None:
    from bot.cli import emit_json

    emit_json(obj)


def cmd_source_add(args: argparse.Namespace) -> int:
    """Add a source."""
    from bot.sources.service import add_source

    async def work(services: Byline) -> int:
        view = await add_source(services, args.url, guild_id=args.guild, every=args.every)
        if args.json:
            _emit(view)
        else:
            title = f' "{view.title}"' if view.title else ""
            print(
                f"added source #{view.id}: {view.kind}{title}, polled every "
                f"{format_every(view.every_s)} ({_scope(view)})"
            )
        return 0

    return _run(args, work)


def cmd_source_list(args: argparse.Namespace) -> int:
    """List sources."""
    from bot.sources.service import list_sources

    async def work(services: Byline) -> int:
        views = await list_sources(services, guild_id=args.guild)
        if args.json:
            for view in views:
                _emit(view)
        else:
            print(render_sources(views))
        return 0

    return _run(args, work)


def cmd_source_remove(args: argparse.Namespace) -> int:
    """Remove a source."""
    from bot.sources.service import remove_source

    async def work(services: Byline) -> int:
        view = await remove_source(services, args.id, guild_id=args.guild)
        if args.json:
            _emit(view)
        else:
            print(f"removed source #{view.id}: {view.url}")
        return 0

    return _run(args, work)


def cmd_source_poll(args: argparse.Namespace) -> int:
    """Poll one source, or every due one."""
    from bot.sources.service import poll_due, poll_source

    async def work(services: Byline) -> int:
        if args.id is not None:
            outcomes = [await poll_source(services, args.id)]
        else:
            outcomes = await poll_due(services)
        for outcome in outcomes:
            if args.json:
                _emit(outcome)
            else:
                print(render_poll(outcome))
        if not outcomes and not args.json:
            print("no source is due; give an id to poll one now")
        failed = [o for o in outcomes if o.status in ("failed", "disabled")]
        for outcome in failed:
            print(f"error: source #{outcome.source_id}: {outcome.message}", file=sys.stderr)
        return 1 if failed else 0

    return _run(args, work)


def _scope(view: SourceView) -> str:
    return "global" if view.guild_id is None else f"server {view.guild_id}"


def render_sources(views: list[SourceView]) -> str:
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
    if outcome.status in ("ok", "not_modified"):
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
