"""`byline worker`: analyse pending articles, on this machine or any other sharing the database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.cli import render
from bot.cli.context import run_with_app
from bot.cli.output import emit_json
from bot.domain import IngestOutcome
from bot.errors import InvalidInput

if TYPE_CHECKING:
    from bot.app import App


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register worker."""
    p = sub.add_parser(
        "worker",
        parents=[common],
        help="analyse pending articles until stopped (run any number, on any machine)",
    )
    p.add_argument(
        "--lease-s",
        type=float,
        default=120.0,
        help="seconds a stopped worker's article waits before another takes it (default 120)",
    )
    p.add_argument(
        "--poll-s",
        type=float,
        default=5.0,
        help="seconds between looks for new articles when idle (default 5)",
    )
    p.add_argument(
        "--until-idle", action="store_true", help="exit when no article is left to analyse"
    )
    p.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    """Claim, analyse and store pending articles; SIGTERM gives unfinished ones back."""
    if args.lease_s < 10:
        raise InvalidInput("--lease-s must be at least 10 seconds")

    async def work(app: App) -> int:
        from bot.services.workers import AnalysisWorker

        worker = AnalysisWorker(
            app.db,
            app.analyzer,
            app.clock,
            lease=timedelta(seconds=args.lease_s),
            batch=app.settings.analysis.workers,
        )

        def report(outcome: IngestOutcome) -> None:
            emit_json(outcome) if args.json else print(render.outcome(outcome), flush=True)

        await app.analyzer.start()  # the model loads once, before the first claim
        if args.until_idle:
            outcomes = await worker.run_until_idle()
            for outcome in outcomes:
                report(outcome)
            if not args.json:
                print(render.outcome_summary(outcomes))
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        task = asyncio.create_task(worker.run_forever(stop, poll_s=args.poll_s, report=report))
        await stop.wait()
        # Cancelling mid-article gives the unfinished articles back at once (no lease wait).
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return 0

    return run_with_app(args, work, processes=True)
