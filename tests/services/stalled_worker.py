"""`python -m tests.services.stalled_worker URL MARKER`: a worker that never finishes its article.

It claims one pending article like any `byline worker`, writes MARKER once the analysis has
started, and then hangs there until the test kills it (SIGKILL: no clean release).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.analysis.types import Analysis
from bot.clock import SystemClock
from bot.db.engine import Database
from bot.services.workers import AnalysisWorker

OWNER = "stalled-worker"


class Hangs:
    """An analyzer that announces it started and never returns."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    async def analyze(
        self, text: str, published_at: datetime | None = None, hints: dict[str, str] | None = None
    ) -> Analysis:
        self.marker.write_text("analysing", encoding="utf-8")
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def main(url: str, marker: Path) -> None:
    db = Database(url)
    await AnalysisWorker(db, Hangs(marker), SystemClock(), owner=OWNER).run_once()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
