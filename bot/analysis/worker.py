"""Run the analysis off the event loop, in worker processes that load the model once."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import TYPE_CHECKING

from bot.errors import AnalysisInterrupted, InvalidInput

if TYPE_CHECKING:
    from bot.analysis.types import Analysis

logger = logging.getLogger(__name__)


# spaCy is imported where an analysis runs (a worker process, or the first one-shot run), not
# with this module: the commands that only read the store build an App without waiting for it.


def _warm(model: str) -> None:
    from bot.analysis.nlp import load_model

    load_model(model)


def _run(text: str, published_at: datetime | None, hints: dict[str, str], model: str) -> Analysis:
    from bot.analysis.pipeline import analyze_text

    return analyze_text(text, published_at=published_at, name_hints=hints, model=model)


class Analyzer:
    """Analyses articles in a process pool (or threads, for small one-shot CLI runs)."""

    def __init__(
        self,
        model: str,
        *,
        workers: int = 1,
        timeout_s: float = 120.0,
        max_chars: int = 200_000,
        processes: bool = True,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_chars = max_chars
        self._workers = workers
        self._processes = processes
        self._pool: Executor | None = None
        # Called when a dead worker process made us rebuild the pool (counted as a metric).
        self.on_restart: Callable[[], None] | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            # The model must load in the worker before the first article, so a missing
            # model fails here with its one-line message rather than deep in a job.
            if not self._processes:
                _warm(self.model)
            if self._processes:
                # spawn: forking a process that runs an event loop and threads is unsafe.
                self._pool = ProcessPoolExecutor(
                    max_workers=self._workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm,
                    initargs=(self.model,),
                )
            else:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="analysis"
                )
        return self._pool

    async def start(self) -> None:
        """Create the pool and load the model in it without blocking the event loop."""
        if self._pool is not None:
            return
        loop = asyncio.get_running_loop()
        # Spawning worker processes takes tens of milliseconds: do it on a helper thread.
        pool = await loop.run_in_executor(None, self._executor)
        if self._processes:
            # Submitting from helper threads too: a submit may spawn a worker process.
            await asyncio.gather(
                *(
                    loop.run_in_executor(None, lambda: pool.submit(_warm, self.model).result())
                    for _ in range(self._workers)
                )
            )

    async def analyze(
        self, text: str, published_at: datetime | None = None, hints: dict[str, str] | None = None
    ) -> Analysis:
        """Analyse one article's clean text without blocking the event loop."""
        if len(text) > self.max_chars:
            raise InvalidInput(
                f"the article is longer than {self.max_chars:,} characters; "
                "raise analysis.max_chars to analyse it"
            )
        await self.start()
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(
                self._executor(), _run, text, published_at, hints or {}, self.model
            )
            async with asyncio.timeout(self.timeout_s):
                return await future
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory): the pool is unusable until rebuilt.
            self._discard_pool()
            raise AnalysisInterrupted("the analysis worker process stopped") from exc

    def _discard_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            logger.warning("an analysis worker process died; the pool is rebuilt")
            if self.on_restart is not None:
                self.on_restart()

    async def close(self) -> None:
        """Shut the pool down."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: pool.shutdown(wait=True, cancel_futures=True)
            )
