"""The crash suite: kill -9 at random moments during ingest, analysis and a digest, then restart.

Each run starts the real command as a subprocess, sends SIGKILL at a random moment inside the
work (uniform over the time a full run takes, measured first), restarts it to completion and
checks the store and Discord:

- SQLite's `PRAGMA integrity_check` is ok;
- every article the killed process reported as stored is present, none is half-written (an
  article row is stored with its analysis in one transaction; after a re-analysis every
  article has exactly the mentions, quotes, events and summary rows of an uninterrupted run);
- no digest posted twice (an article's title appears in one message of its server's channel),
  none lost (every article marked posted to a server is in one of that server's messages).

    .venv/bin/python -m bench.crash [--runs 50] [--seed 11]

`--runs` is per phase; the table shows, per phase, the runs, how many kills landed while the
command was still working, and the duplicates, losses and integrity failures found.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.settings import Settings
from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord
from tests.discord.fake.ratelimits import RateLimits
from tests.discord_app.harness import all_text

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "articles"
ARTICLES = 6
SERVERS = 3
SLOT = datetime(2026, 6, 1, 9, 0, 5, tzinfo=UTC)
TIMEOUT_S = 300.0


@dataclass
class PhaseResult:
    """What one phase's runs found."""

    phase: str
    runs: int = 0
    kills: int = 0
    duplicates: int = 0
    losses: int = 0
    half_written: int = 0
    integrity_failures: int = 0

    def progress(self, runs: int) -> None:
        """One line on stderr per run: a full suite takes long enough to want to watch it."""
        print(f"{self.phase}: run {self.runs}/{runs}", file=sys.stderr, flush=True)

    @property
    def clean(self) -> bool:
        """Whether every run kept every promise."""
        return not (self.duplicates or self.losses or self.half_written or self.integrity_failures)


# ---- processes -----------------------------------------------------------------------------


def _env(work: Path, **extra: str) -> dict[str, str]:
    config = work / "config.toml"
    if not config.exists():
        config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")}
    env.update(
        BYLINE_CONFIG=str(config),
        BYLINE_DATABASE__URL=f"sqlite+aiosqlite:///{work / 'byline.db'}",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


async def _run(
    args: list[str], env: dict[str, str], kill_after_s: float | None = None
) -> tuple[bool, str]:
    """Run `python ARGS`; SIGKILL it after kill_after_s. Return (killed while working, stdout)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        # Its own process group: kill -9 must take the analysis worker processes too, as a
        # container stop or an OOM kill of the whole service would.
        start_new_session=True,
    )
    reading = asyncio.create_task(process.stdout.read())  # type: ignore[union-attr]
    killed = False
    try:
        await asyncio.wait_for(process.wait(), kill_after_s or TIMEOUT_S)
    except TimeoutError:
        if kill_after_s is None:
            raise
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        killed = True
    # Workers spawned by the command hold its stdout open: end them so reading can finish.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    out = (await reading).decode(errors="replace")
    if not killed and process.returncode != 0:
        raise RuntimeError(f"{args} exited with {process.returncode}: {out[-500:]}")
    return killed, out


async def _timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    await _run(args, env)
    return time.perf_counter() - started


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql))


def _integrity_ok(db: Path) -> bool:
    return _query(db, "PRAGMA integrity_check") == [("ok",)]


# ---- ingest ------------------------------------------------------------------------------


def _articles_dir(work: Path) -> Path:
    folder = work / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(GOLD.glob("*.txt"))[:ARTICLES]:
        shutil.copy(path, folder / path.name)
    return folder


async def ingest_phase(work: Path, runs: int, rng: random.Random) -> PhaseResult:
    """Kill `byline ingest DIR` at random; the restart completes it."""
    result = PhaseResult("ingest")
    folder = _articles_dir(work)
    args = ["-m", "bot", "ingest", str(folder), "--json"]
    reference = work / "reference-ingest"
    reference.mkdir()
    full_s = await _timed(args, _env(reference))
    for run in range(runs):
        here = work / f"ingest-{run}"
        here.mkdir()
        env = _env(here)
        killed, out = await _run(args, env, rng.uniform(0.2, full_s))
        result.runs += 1
        result.progress(runs)
        result.kills += killed
        db = here / "byline.db"
        if not db.exists():
            continue  # killed before the store was created
        result.integrity_failures += not _integrity_ok(db)
        if not _query(db, "SELECT name FROM sqlite_master WHERE name = 'articles'"):
            continue  # killed before the first migration committed: nothing was stored
        reported = {
            int(line["article_id"])
            for line in map(json.loads, re.findall(r"^\{.*\}$", out, re.M))
            if line.get("article_id") is not None and line.get("status") != "failed"
        }
        present = {int(str(r[0])) for r in _query(db, "SELECT id FROM articles")}
        result.losses += len(reported - present)
        result.half_written += len(
            _query(db, "SELECT id FROM articles WHERE status NOT IN ('analyzed', 'failed')")
        )
        await _run(args, env)
        count = int(str(_query(db, "SELECT count(*) FROM articles")[0][0]))
        result.losses += max(0, ARTICLES - count)
        result.duplicates += max(0, count - ARTICLES)
    return result


# ---- analysis of pending rows ------------------------------------------------------------

_DERIVED = ("mentions", "quotes", "events", "summaries")


def _make_pending(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "UPDATE articles SET status = 'pending', raw_text = clean_text WHERE raw_text = ''"
        )
        conn.execute("UPDATE articles SET status = 'pending'")


def _derived_counts(db: Path) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for table in _DERIVED:
        for article_id, n in _query(
            db, f"SELECT article_id, count(*) FROM {table} GROUP BY article_id"
        ):
            counts[(table, int(str(article_id)))] = int(str(n))
    return counts


async def analysis_phase(work: Path, runs: int, rng: random.Random) -> PhaseResult:
    """Kill `byline analyze --pending` at random; the restart completes it."""
    result = PhaseResult("analysis")
    template = work / "reference-ingest" / "byline.db"
    args = ["-m", "bot", "analyze", "--pending", "--json"]
    reference = work / "reference-analysis"
    reference.mkdir()
    shutil.copy(template, reference / "byline.db")
    _make_pending(reference / "byline.db")
    full_s = await _timed(args, _env(reference))
    expected = _derived_counts(reference / "byline.db")
    for run in range(runs):
        here = work / f"analysis-{run}"
        here.mkdir()
        db = here / "byline.db"
        shutil.copy(template, db)
        _make_pending(db)
        env = _env(here)
        killed, _ = await _run(args, env, rng.uniform(0.2, full_s))
        result.runs += 1
        result.progress(runs)
        result.kills += killed
        result.integrity_failures += not _integrity_ok(db)
        # The killed worker's articles stay leased until the lease runs out (2 minutes), so
        # that no other worker takes an article a live worker holds; the bench does not wait:
        # it lets the leases expire, then restarts.
        with contextlib.closing(sqlite3.connect(db)) as conn, conn:
            conn.execute(
                "UPDATE articles SET lease_expires_at = '2000-01-01 00:00:00' "
                "WHERE status = 'analyzing'"
            )
        await _run(args, env)
        result.losses += len(_query(db, "SELECT id FROM articles WHERE status != 'analyzed'"))
        got = _derived_counts(db)
        result.half_written += len(
            {key[1] for key in expected.keys() | got.keys() if expected.get(key) != got.get(key)}
        )
    return result


# ---- a scheduled digest ------------------------------------------------------------------


def _words(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


async def _configure(db: Path, channels: dict[int, int]) -> None:
    app = await App.open(Settings(database={"url": f"sqlite+aiosqlite:///{db}"}), processes=False)
    async with app:
        for guild_id, channel_id in channels.items():
            await app.guilds.update(
                guild_id, channel_id=channel_id, schedule="daily 09:00", timezone="UTC"
            )
            await app.guilds.update(guild_id, max_articles=10)


async def _digest_world(
    work: Path, template: Path
) -> tuple[FakeDiscord, dict[int, int], dict[str, str]]:
    # One message per channel every 0.25 s: a digest's messages go out over a second or two,
    # so kills land between them too.
    fake = FakeDiscord(token=FAKE_TOKEN)
    fake.set_rate_limits(RateLimits().with_bucket("message-create", limit=1, per_s=0.25))
    await fake.start()
    channels = {}
    for _ in range(SERVERS):
        std = fake.seed_standard_guild()
        channels[std.guild.id] = std.news.id
    shutil.copy(template, work / "byline.db")
    await _configure(work / "byline.db", channels)
    env = _env(work, BYLINE_DISCORD__API_BASE=fake.api_base, DISCORD_TOKEN=FAKE_TOKEN)
    return fake, channels, env


def _digest_findings(fake: FakeDiscord, channels: dict[int, int], db: Path) -> tuple[int, int]:
    """(duplicates, losses): posted articles seen in more than one message, or in none."""
    duplicates = losses = 0
    for guild_id, channel_id in channels.items():
        texts = [_words(all_text(m.data)) for m in fake.channel_messages(channel_id)]
        titles = _query(
            db,
            "SELECT a.title FROM digest_articles d JOIN articles a ON a.id = d.article_id "
            f"WHERE d.guild_id = {guild_id}",
        )
        for (title,) in titles:
            key = _words(str(title))[:40]
            seen = sum(key in text for text in texts)
            duplicates += seen > 1
            losses += seen == 0
        # A slot that never finished, or gave up, lost its digest.
        losses += len(
            _query(
                db,
                "SELECT id FROM digest_slots WHERE status NOT IN ('posted', 'nothing') "
                f"AND guild_id = {guild_id}",
            )
        )
    return duplicates, losses


async def digest_phase(work: Path, runs: int, rng: random.Random) -> PhaseResult:
    """Kill a scheduled digest run (three servers) at random; the restart finishes it."""
    result = PhaseResult("digest")
    args = ["-m", "bench.crash_digest", SLOT.isoformat()]
    reference = work / "reference-digest"
    reference.mkdir()
    template = work / "reference-ingest" / "byline.db"
    fake, _, env = await _digest_world(reference, template)
    try:
        full_s = await _timed(args, env)
    finally:
        await fake.stop()
    for run in range(runs):
        here = work / f"digest-{run}"
        here.mkdir()
        fake, channels, env = await _digest_world(here, template)
        try:
            killed, _ = await _run(args, env, rng.uniform(0.2, full_s))
            result.runs += 1
            result.progress(runs)
            result.kills += killed
            db = here / "byline.db"
            result.integrity_failures += not _integrity_ok(db)
            await _run(args, env)
            duplicates, losses = _digest_findings(fake, channels, db)
            result.duplicates += duplicates
            result.losses += losses
        finally:
            await fake.stop()
    return result


# ---- the suite ---------------------------------------------------------------------------


async def run_suite(runs: int, seed: int, work: Path) -> list[PhaseResult]:
    """Every phase, `runs` kills each, with one random generator seeded once."""
    rng = random.Random(seed)
    return [
        await ingest_phase(work, runs, rng),
        await analysis_phase(work, runs, rng),
        await digest_phase(work, runs, rng),
    ]


def table(results: list[PhaseResult]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| phase | runs | kills while working | duplicates | losses | half-written "
        "| integrity failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.phase} | {r.runs} | {r.kills} | {r.duplicates} | {r.losses} | {r.half_written} "
        f"| {r.integrity_failures} |"
        for r in results
    ]
    return "\n".join(lines)


def main() -> int:
    """Run the suite and print the table; exit 1 when any promise was broken."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=50, help="kills per phase")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="byline-crash-") as tmp:
        results = asyncio.run(run_suite(args.runs, args.seed, Path(tmp)))
    print(table(results))
    return 0 if all(r.clean for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
