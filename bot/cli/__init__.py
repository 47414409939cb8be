"""The `byline` command line: parse, call a service, print."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.cli import (
    admin,
    articles,
    db,
    digests,
    doctor,
    follows,
    guilds,
    people,
    sources,
    stories,
    worker,
)
from bot.cli.context import settings_for
from bot.errors import BylineError
from bot.observability.logs import setup_logging
from bot.settings import Settings

logger = logging.getLogger("bot")


def _setup_logging(settings: Settings | None, debug: bool) -> None:
    level = "DEBUG" if debug else (settings.logging.level if settings else "WARNING")
    fmt = settings.logging.format if settings else "text"
    # One handler for every line (ours and discord.py's, started with log_handler=None),
    # with the current ids and the token redacted.
    setup_logging(level, fmt)
    # Alembic reports every plugin and migration step at INFO; only its problems matter here.
    logging.getLogger("alembic").setLevel(max(logging.getLevelName(level), logging.WARNING))


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
    articles.add_commands(sub, common)
    people.add_commands(sub, common)
    digests.add_commands(sub, common)
    guilds.add_commands(sub, common)
    sources.add_source_commands(sub, common)
    stories.add_commands(sub, common)
    admin.add_commands(sub, common)
    worker.add_commands(sub, common)
    follows.add_commands(sub, common)
    db.add_commands(sub, common)
    doctor.add_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `byline` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or os.environ.get("BYLINE_DEBUG") == "1"
    try:
        # The doctor reads the settings itself, to list every problem in them.
        settings = None if args.command == "doctor" else settings_for(args)
        _setup_logging(settings if args.command in ("run", "worker") else None, debug)
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
