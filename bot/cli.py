"""The `byline` command line: parse, call a service, print."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime
from typing import Any

from bot import render_text
from bot.errors import BylineError, InvalidInput
from bot.settings import Settings, load_settings

logger = logging.getLogger("bot")


def jsonable(value: Any) -> Any:
    """Turn dataclasses, dates and tuples into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def emit_json(obj: Any) -> None:
    """Print one JSON object on its own line."""
    sys.stdout.write(json.dumps(jsonable(obj), ensure_ascii=False) + "\n")


def show(args: argparse.Namespace, items: list[Any], render: Callable[[Any], str]) -> None:
    """Print a list: one JSON object per item with --json, else the readable rendering."""
    if args.json:
        for item in items:
            emit_json(item)
    else:
        print(render(items))


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "db", None):
        overrides["database"] = {"url": args.db}
    return load_settings(**overrides)


def _setup_logging(settings: Settings | None, debug: bool) -> None:
    level = (
        logging.DEBUG
        if debug
        else getattr(logging, settings.logging.level if settings else "WARNING")
    )
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


async def _with_services(
    args: argparse.Namespace, work: Callable[[Any], Awaitable[int]], *, processes: bool = False
) -> int:
    from bot.services import Byline

    services = await Byline.open(_settings(args), processes=processes)
    try:
        return await work(services)
    finally:
        await services.close()


# ---- commands ------------------------------------------------------------------------------


def read_inputs(paths: list[str], failures: list[str]) -> Iterator[Any]:
    """Articles of every file named; a bad file is reported on stderr and the rest go on."""
    from bot.ingest.paths import expand_inputs
    from bot.ingest.readers import read_file

    for path in expand_inputs(paths):
        try:
            articles = read_file(path)
        except BylineError as exc:
            failures.append(exc.message)
            print(f"error: {exc.message}", file=sys.stderr)
            continue
        yield from articles


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the cleaned text and metadata of files, without NLP."""
    failures: list[str] = []
    for article in read_inputs(args.paths, failures):
        record = {
            "path": article.origin,
            "title": article.title,
            "text": article.clean_text,
            "url": article.url,
            "published_at": article.published_at,
            "authors": article.authors,
        }
        if args.json:
            emit_json(record)
        else:
            print(render_text.extracted(record))
    return 1 if failures else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse files (no database needed) or the store's pending rows."""
    if args.pending:

        async def pending(services: Any) -> int:
            await services.reset_stale_analyzing()
            outcomes = await services.analyze_pending()
            for outcome in outcomes:
                emit_json(outcome) if args.json else print(render_text.outcome(outcome))
            if not args.json:
                print(render_text.outcome_summary(outcomes))
            return 1 if any(o.status == "failed" for o in outcomes) else 0

        return asyncio.run(_with_services(args, pending))
    if not args.paths:
        raise InvalidInput(
            "give files to analyse, or --pending to analyse the store's pending articles"
        )
    from bot.analysis.nlp import load_model
    from bot.analysis.pipeline import analyze_doc

    settings = load_settings()
    nlp = load_model(settings.analysis.model)  # once, for every file of this call
    failures: list[str] = []
    for article in read_inputs(args.paths, failures):
        result = analyze_doc(nlp(article.clean_text), article.published_at, article.name_hints)
        record = {
            "path": article.origin,
            "title": article.title,
            "text": article.clean_text,
            **result.to_json(),
        }
        emit_json(record) if args.json else print(render_text.analysis(record))
    return 1 if failures else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Store and analyse files and article URLs."""
    from bot.ingest.paths import expand_inputs

    urls = [p for p in args.paths if p.startswith(("http://", "https://"))]
    files = (
        expand_inputs([p for p in args.paths if p not in urls])
        if len(urls) < len(args.paths)
        else []
    )

    async def work(services: Any) -> int:
        from tqdm import tqdm

        bar = tqdm(
            total=len(files),
            unit="file",
            disable=args.json or not sys.stderr.isatty(),
            file=sys.stderr,
        )

        def progress(outcome: Any) -> None:
            bar.update(1) if "[" not in outcome.path else None
            if args.json:
                emit_json(outcome)
            else:
                tqdm.write(render_text.outcome(outcome), file=sys.stdout)

        outcomes = await services.ingest_paths(files, progress)
        if urls:
            outcomes += await _ingest_urls(services, urls, progress)
        bar.close()
        if not args.json:
            print(render_text.outcome_summary(outcomes))
        failed = [o for o in outcomes if o.status == "failed"]
        for outcome in failed:
            print(f"error: {outcome.message}", file=sys.stderr)
        return 1 if failed else 0

    return asyncio.run(_with_services(args, work, processes=len(files) > 8))


async def _ingest_urls(
    services: Any, urls: list[str], progress: Callable[[Any], None]
) -> list[Any]:
    from bot.sources import close_fetcher, ingest_url

    outcomes = []
    try:
        for url in urls:
            outcome = await ingest_url(services, url)
            outcomes.append(outcome)
            progress(outcome)
    finally:
        await close_fetcher()  # its aiohttp session must close before asyncio.run ends
    return outcomes


def cmd_who(args: argparse.Namespace) -> int:
    """Show what the articles say about a person."""

    async def work(services: Any) -> int:
        card = await services.who(args.name)
        emit_json(card) if args.json else print(render_text.person(card))
        return 0

    return asyncio.run(_with_services(args, work))


def cmd_quotes(args: argparse.Namespace) -> int:
    """List key quotes."""

    async def work(services: Any) -> int:
        found = await services.quotes(person=args.person, article_id=args.article, limit=args.limit)
        show(args, found, render_text.quotes)
        return 0

    return asyncio.run(_with_services(args, work))


def cmd_events(args: argparse.Namespace) -> int:
    """List events, optionally matching words."""

    async def work(services: Any) -> int:
        show(args, await services.events(args.query), render_text.events)
        return 0

    return asyncio.run(_with_services(args, work))


def cmd_articles(args: argparse.Namespace) -> int:
    """List or search articles."""

    async def work(services: Any) -> int:
        if args.search:
            show(
                args, await services.search(args.search, limit=args.limit), render_text.search_hits
            )
            return 0
        rows = await services.recent_articles(limit=args.limit)
        if args.json:
            for ref, status in rows:
                emit_json({**jsonable(ref), "status": status})
        else:
            print(render_text.article_list(rows))
        return 0

    return asyncio.run(_with_services(args, work))


def cmd_digest(args: argparse.Namespace) -> int:
    """Show the digest of the newest articles."""

    async def work(services: Any) -> int:
        digest = await services.digest(
            None, max_articles=args.articles, max_quotes=args.quotes, unposted_only=False
        )
        emit_json(digest) if args.json else print(render_text.digest(digest))
        return 0

    return asyncio.run(_with_services(args, work))


def cmd_db(args: argparse.Namespace) -> int:
    """Database maintenance."""

    async def work(services: Any) -> int:
        from bot.db.migrate import current

        revision = await current(services.db.engine)
        print(f"database at revision {revision}")
        return 0

    return asyncio.run(_with_services(args, work))


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Discord bot."""
    from bot.discord_app.runner import run_bot

    settings = _settings(args)
    return run_bot(settings)


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync slash commands globally (or to one server)."""
    from bot.discord_app.runner import sync_commands

    settings = _settings(args)
    return sync_commands(settings, guild_id=args.guild)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: database.url from config)"
    )
    common.add_argument("--json", action="store_true", help="one JSON object per line")
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser = argparse.ArgumentParser(
        prog="byline", description="Byline reads news articles: people, quotes, events, digests."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        parents=[common],
        help="store and analyse articles from files, directories or globs",
    )
    p.add_argument("paths", nargs="+", metavar="PATH|GLOB|URL")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("extract", parents=[common], help="print cleaned text and metadata (no NLP)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser(
        "analyze", parents=[common], help="analyse files (no database) or --pending store rows"
    )
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument(
        "--pending", action="store_true", help="analyse rows other programs inserted as pending"
    )
    p.set_defaults(func=cmd_analyze)
    p = sub.add_parser("who", parents=[common], help="what the articles say about a person")
    p.add_argument("name")
    p.set_defaults(func=cmd_who)
    p = sub.add_parser("quotes", parents=[common], help="key quotes with speakers")
    p.add_argument("--person")
    p.add_argument("--article", type=int)
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_quotes)
    p = sub.add_parser("events", parents=[common], help="events: what, when, where, who")
    p.add_argument("query", nargs="?")
    p.set_defaults(func=cmd_events)
    p = sub.add_parser("articles", parents=[common], help="list or search articles")
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_articles)
    p = sub.add_parser(
        "digest", parents=[common], help="what a digest of the newest articles would hold"
    )
    p.add_argument(
        "--preview", action="store_true", help="show without posting (the only mode here)"
    )
    p.add_argument("--articles", type=int, default=None)
    p.add_argument("--quotes", type=int, default=None)
    p.set_defaults(func=cmd_digest)
    p = sub.add_parser("db", parents=[common], help="database maintenance")
    p.add_argument("action", choices=["upgrade"])
    p.set_defaults(func=cmd_db)
    p = sub.add_parser(
        "run", parents=[common], help="start the Discord bot (token from DISCORD_TOKEN)"
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "sync", parents=[common], help="sync slash commands globally (or --guild ID)"
    )
    p.add_argument("--guild", type=int)
    p.set_defaults(func=cmd_sync)
    from bot.sources.cli import add_source_commands

    add_source_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `byline` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or os.environ.get("BYLINE_DEBUG") == "1"
    try:
        settings = _settings(args)
        _setup_logging(settings if args.command == "run" else None, debug)
        code = int(args.func(args))
    except BylineError as exc:
        if debug:
            logger.exception("failed")
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
