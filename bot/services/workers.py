"""Analysis workers: claim pending articles under a lease, analyse them, store each result once.

Any number of workers (the bot's pending job, `byline worker` processes on other machines)
share one database. A claim leases articles to one worker for `lease`; the worker renews the
lease while it analyses, and writes each result in one transaction that first checks it still
holds the lease. A worker that is killed stops renewing, its lease runs out, and the next claim
by any worker takes the article again; a worker that lost its lease (it stalled past the lease)
writes nothing, so every article is stored exactly once. Lease times come from the App's clock:
machines running workers need synchronised clocks (NTP), well within a lease of minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import platform
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.analysis.types import Analysis
from bot.clock import Clock
from bot.db import articles as article_store
from bot.db import links as link_store
from bot.db.engine import Database
from bot.domain import IngestOutcome, IngestStatus
from bot.errors import AnalysisInterrupted, BylineError, InvalidInput
from bot.ingest.cleaning import clean_with_hints
from bot.stories.copies import signature
from bot.stories.preload import preload

logger = logging.getLogger(__name__)

# Longer than one article's analysis timeout needs, since the lease is renewed while it runs;
# short enough that a killed worker's article waits only a couple of minutes.
DEFAULT_LEASE = timedelta(minutes=2)

LOST_LEASE = "another worker took it over (this worker's lease ran out); not stored twice"


class TextAnalyzer(Protocol):
    """What a worker needs of the analyzer (bot.analysis.worker.Analyzer)."""

    async def analyze(
        self, text: str, published_at: datetime | None = None, hints: dict[str, str] | None = None
    ) -> Analysis:
        """Analyse one article's clean text."""
        ...


def worker_name() -> str:
    """A name for this worker in lease rows: host, pid and a random part (pids get reused)."""
    return f"{platform.node()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class AnalysisWorker:
    """Claims, analyses and stores pending articles, `batch` at a time (one per analysis slot)."""

    def __init__(
        self,
        db: Database,
        analyzer: TextAnalyzer,
        clock: Clock,
        *,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        batch: int = 1,
        renew_every_s: float | None = None,
        max_attempts: int = article_store.MAX_ANALYSIS_ATTEMPTS,
    ) -> None:
        self.db = db
        self.analyzer = analyzer
        self.clock = clock
        self.owner = owner or worker_name()
        self.lease = lease
        self.batch = max(1, batch)
        # Stopped starts (the worker or its analysis process died) before an article fails.
        self.max_attempts = max_attempts
        # Three renewals per lease: one late renewal (a slow database) does not lose it.
        self.renew_every_s = renew_every_s or lease.total_seconds() / 3
        self._in_flight: set[int] = set()
        self._preloaded = False

    async def run_once(self, limit: int | None = None) -> list[IngestOutcome]:
        """Claim up to one batch and finish it; an empty list when nothing is claimable."""
        size = self.batch if limit is None else max(0, min(self.batch, limit))
        if size == 0:
            return []
        if not self._preloaded:
            # Storing an analysis computes its copy signature and key terms here, in this
            # process: their libraries load once, on a helper thread, not on the event loop.
            await asyncio.to_thread(preload)
            self._preloaded = True
        async with self.db.writer() as session:
            claimed = await article_store.claim_pending(
                session,
                size,
                owner=self.owner,
                now=self.clock.now(),
                lease=self.lease,
                max_attempts=self.max_attempts,
            )
        if not claimed:
            return []
        batch = {a.id for a in claimed}
        self._in_flight |= batch
        renewer = asyncio.create_task(self._keep_leases())
        try:
            return list(await asyncio.gather(*(self._finish(a) for a in claimed)))
        except asyncio.CancelledError:
            # Stopping cleanly: give the unfinished articles back now rather than after the
            # lease runs out. Shielded so the release itself is not cancelled.
            await asyncio.shield(self._release(sorted(batch & self._in_flight)))
            raise
        finally:
            self._in_flight -= batch
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    async def run_until_idle(self, limit: int | None = None) -> list[IngestOutcome]:
        """Analyse claimable articles until none is left (or limit were handled)."""
        outcomes: list[IngestOutcome] = []
        while limit is None or len(outcomes) < limit:
            batch = await self.run_once(None if limit is None else limit - len(outcomes))
            if not batch:
                break
            outcomes.extend(batch)
        return outcomes

    async def run_forever(
        self,
        stop: asyncio.Event,
        *,
        poll_s: float,
        report: Callable[[IngestOutcome], object] | None = None,
    ) -> int:
        """Work until stop is set, looking for new articles every poll_s when idle."""
        handled = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                outcomes = await self.run_once()
            except Exception:  # a database hiccup: leases protect the articles; try again
                logger.exception("worker %s: claiming or storing failed", self.owner)
                outcomes = []
            if outcomes:
                handled += len(outcomes)
                for outcome in outcomes:
                    if report is not None:
                        report(outcome)
                failed = sum(o.status == IngestStatus.FAILED for o in outcomes)
                logger.info(
                    "worker %s: %d articles (%d failed) in %.2fs",
                    self.owner,
                    len(outcomes),
                    failed,
                    time.perf_counter() - started,
                )
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_s)
        return handled

    async def reclaim_expired(self) -> int:
        """Put articles whose worker's lease ran out back to 'pending'; return how many."""
        async with self.db.writer() as session:
            count = await article_store.reset_analyzing(session, self.clock.now())
        if count:
            logger.info("%d articles with an expired analysis lease are pending again", count)
        return count

    async def renew(self) -> set[int]:
        """Extend the leases of the articles being analysed; return the ones still held."""
        ids = sorted(self._in_flight)
        if not ids:
            return set()
        async with self.db.writer() as session:
            held = await article_store.renew_leases(
                session, ids, self.owner, self.clock.now() + self.lease
            )
        lost = (set(ids) - held) & self._in_flight  # finished meanwhile is not lost
        if lost:
            logger.warning("worker %s lost the lease of articles %s", self.owner, sorted(lost))
        return held

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every_s)
            try:
                await self.renew()
            except Exception:  # the next renewal tries again; the write checks the lease
                logger.exception("renewing analysis leases failed")

    async def _release(self, ids: list[int]) -> None:
        if not ids:
            return
        async with self.db.writer() as session:
            count = await article_store.release_leases(session, ids, self.owner)
        logger.info("worker %s stopping: gave %d articles back", self.owner, count)

    async def _finish(self, row: article_store.PendingArticle) -> IngestOutcome:
        try:
            outcome = await self._analyze_and_store(row)
        except Exception as exc:  # the database failed us: the lease will hand it on
            logger.exception("worker %s: storing article #%d failed", self.owner, row.id)
            outcome = IngestOutcome(
                f"article #{row.id}",
                IngestStatus.FAILED,
                row.id,
                row.title,
                f"storing failed ({type(exc).__name__}); another claim retries it after the lease",
            )
        # Not on cancellation: a cancelled article is still unfinished and is given back.
        self._in_flight.discard(row.id)
        return outcome

    async def _analyze_and_store(self, row: article_store.PendingArticle) -> IngestOutcome:
        origin = f"article #{row.id}"
        body, hints = clean_with_hints(row.raw_text or row.clean_text or "")
        if body:
            # A copy of a stored article is folded into it as a link, before any analysis.
            async with self.db.writer() as session:
                original = await link_store.fold_pending_copy(session, row.id, signature(body))
            if original is not None:
                return IngestOutcome(origin, IngestStatus.LINKED, original, row.title)
        try:
            if not body:
                raise InvalidInput("no article text in raw_text")
            # The NLP runs before the write transaction opens, never inside it.
            analysis = await self.analyzer.analyze(body, row.published_at, hints)
        except AnalysisInterrupted as exc:
            # The process died, maybe not because of this article: it goes back to the pool
            # (the claim gives up on it after analysis.max_attempts stopped starts).
            async with self.db.writer() as session:
                held = await article_store.give_back_interrupted(session, row.id, self.owner)
            reason = f"{exc.message}; it is tried again" if held else LOST_LEASE
            return IngestOutcome(origin, IngestStatus.FAILED, row.id, row.title, reason)
        except Exception as exc:  # one bad article must not stop the rest
            reason = (
                exc.message
                if isinstance(exc, BylineError)
                else f"analysis failed: {type(exc).__name__}"
            )
            if not isinstance(exc, BylineError):
                logger.exception("analysis of %s failed", origin)
            async with self.db.writer() as session:
                held = await article_store.take_lease(session, row.id, self.owner)
                if held:
                    await article_store.mark_failed(session, row.id, reason)
            if not held:
                return IngestOutcome(origin, IngestStatus.UNCHANGED, row.id, row.title, LOST_LEASE)
            return IngestOutcome(origin, IngestStatus.FAILED, row.id, row.title, reason)
        async with self.db.writer() as session:
            held = await article_store.take_lease(session, row.id, self.owner)
            stored = held and await article_store.store_analysis(
                session, row.id, body, row.title, row.url, analysis
            )
        if not held:
            logger.warning("worker %s: %s %s", self.owner, origin, LOST_LEASE)
            return IngestOutcome(origin, IngestStatus.UNCHANGED, row.id, row.title, LOST_LEASE)
        if not stored:
            return IngestOutcome(
                origin, IngestStatus.FAILED, row.id, row.title, "the row was deleted meanwhile"
            )
        return IngestOutcome(origin, IngestStatus.ADDED, row.id, row.title)
