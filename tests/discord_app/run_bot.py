"""`python -m tests.discord_app.run_bot CLOCK_FILE`: the production bot with a test clock.

End-to-end tests cannot wait for 09:00. This runner builds the App exactly as `byline run` does
but hands it a clock read from a file the test rewrites, and adds one job that runs the
start-up catch-up (the same "latest due slot" path as a real firing) whenever the file
changes. Production code knows nothing of it: the clock is injected through the App.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.cli import _setup_logging
from bot.discord_app.bot import BylineBot
from bot.discord_app.runner import run_bot, token_or_exit
from bot.settings import load_settings

CLOCK_JOB_ID = "test:clock"


class FileClock:
    """The instant written in a file (ISO 8601); the system clock until the file exists."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        """The file's instant, aware UTC."""
        try:
            value = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return datetime.now(UTC)
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


async def main(clock_file: Path) -> int:
    """Run the bot until it is stopped."""
    token = token_or_exit()
    if token is None:
        return 2
    settings = load_settings()
    _setup_logging(settings, debug=False)
    clock = FileClock(clock_file)
    seen: list[datetime] = []

    async def on_clock_step(bot: BylineBot) -> None:
        current = clock.now()
        if seen and seen[-1] == current:
            return
        seen.append(current)
        await bot.digest_jobs.catch_up()

    async def add_clock_job(bot: BylineBot) -> None:
        async def step() -> None:
            if bot.is_ready():
                await on_clock_step(bot)

        bot.jobs.every(CLOCK_JOB_ID, step, 0.2)

    app = await App.open(settings, processes=True, clock=clock)
    async with app:
        return await run_bot(app, token, before_start=add_clock_job)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]))))
