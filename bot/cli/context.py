"""What every command shares: settings from --db and the config, and one App per run."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.app import App


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings, with --db overriding database.url."""
    overrides: dict[str, Any] = {}
    if getattr(args, "db", None):
        overrides["database"] = {"url": args.db}
    return load_settings(**overrides)


def run_with_app(
    args: argparse.Namespace,
    work: Callable[[App], Awaitable[int]],
    *,
    processes: bool = False,
) -> int:
    """Open the App (the one composition root), run a command's work, close it."""
    # The App (and spaCy behind the analyzer) is imported only by commands that use it, so
    # `byline --help` and the config checks stay fast.
    from bot.app import App

    async def main() -> int:
        app = await App.open(settings_for(args), processes=processes)
        async with app:
            return await work(app)

    return asyncio.run(main())
