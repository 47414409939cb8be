"""How long does the bot's event loop stall while its worker pool analyses 200 pending articles?

A 10 ms ticker records how late each tick wakes up (its lateness is the loop's stall) while the
bot's own pending-analysis job (AnalysisJobs.run_once → ArticleService.analyze_pending, which
runs spaCy in worker processes) works through articles inserted as 'pending' in a fresh SQLite
store. Prints a table; the target is a worst stall under 100 ms.

    .venv/bin/python -m bench.loop_stall [--articles 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import App
from bot.db.models import Article
from bot.domain import ArticleStatus
from bot.scheduling.analysis_jobs import AnalysisJobs
from bot.scheduling.jobs import JobScheduler
from bot.settings import Settings
from bot.stories.preload import preload

GOLD = Path(__file__).resolve().parents[1] / "tests" / "gold" / "articles"
TICK_S = 0.010


async def _insert_pending(app: App, count: int) -> None:
    texts = [(p.read_text(encoding="utf-8").split("\n", 1)) for p in sorted(GOLD.glob("*.txt"))]
    async with app.db.writer() as session:
        for i in range(count):
            title, body = texts[i % len(texts)]
            session.add(
                Article(
                    title=f"{title.strip()} ({i})",
                    raw_text=f"{body}\n\nEditor's note {i}: this copy is number {i}.",
                    status=ArticleStatus.PENDING,
                    url=f"https://example.com/bench/{i}",
                )
            )


async def _ticker(lateness: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    expected = loop.time() + TICK_S
    while not stop.is_set():
        await asyncio.sleep(max(0.0, expected - loop.time()))
        now = loop.time()
        lateness.append(max(0.0, now - expected))
        expected = now + TICK_S


async def _measure(articles: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database={"url": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"},
            analysis={"workers": workers},
        )
        app = await App.open(settings, processes=True)
        try:
            await _insert_pending(app, articles)
            # As the bot's setup_hook does before it connects.
            await asyncio.to_thread(preload)
            # The bot's own pending-analysis job body, called directly.
            pending = AnalysisJobs(JobScheduler(), app.articles)
            lateness: list[float] = []
            stop = asyncio.Event()
            ticker = asyncio.create_task(_ticker(lateness, stop))
            await asyncio.sleep(0.2)
            baseline = max(lateness) if lateness else 0.0
            lateness.clear()
            started = time.perf_counter()
            done = await pending.run_once()
            elapsed = time.perf_counter() - started
            stop.set()
            await ticker
        finally:
            await app.close()
    ms = sorted(x * 1000 for x in lateness)
    return {
        "articles": done,
        "workers": workers,
        "seconds": elapsed,
        "per_s": done / elapsed if elapsed else 0.0,
        "ticks": len(ms),
        "idle_max_ms": baseline * 1000,
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
        "p99_ms": ms[int(len(ms) * 0.99) - 1] if ms else 0.0,
        "max_ms": ms[-1] if ms else 0.0,
    }


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = [asyncio.run(_measure(args.articles, w)) for w in args.workers]
    head = (
        f"{'articles':>8} {'workers':>7} {'seconds':>8} {'art/s':>6} {'ticks':>6}"
        f" {'idle max ms':>11} {'mean ms':>8} {'p99 ms':>7} {'max ms':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['articles']:>8} {r['workers']:>7} {r['seconds']:>8.1f} {r['per_s']:>6.1f}"
            f" {r['ticks']:>6} {r['idle_max_ms']:>11.1f} {r['mean_ms']:>8.2f}"
            f" {r['p99_ms']:>7.1f} {r['max_ms']:>7.1f}"
        )
    worst = max(r["max_ms"] for r in rows)
    print(f"\nworst event-loop stall: {worst:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
