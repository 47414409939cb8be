"""Interaction latency and the bot's memory: slash commands at a steady rate via the fake Discord.

The production bot (`python -m bot run`) runs as a subprocess against the fake Discord, over a
store of analysed articles (the gold set ingested here, or `--store` a SQLite file, e.g. one
grown by bench.store_scale). One pending article makes the bot's analysis pool start and load
the model first. Then commands (who, quotes, article search, status, and the person
autocomplete of every keystroke) arrive at `--rate` per second for `--seconds`; the fake records
when each acknowledgement (the interaction callback, a reply or a defer) arrives. Prints
acknowledgement latency p50/p99 per command, whether every one came within Discord's 3 s, and
the peak RSS of the bot and its analysis process.

    .venv/bin/python -m bench.interactions [--rate 50] [--seconds 60] [--store byline.db]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App
from bot.settings import DatabaseSettings, Settings
from tests.discord.fake import FakeDiscord, FakeInteraction, StandardGuild
from tests.discord_app.harness import start_bot
from tests.services.pending import insert_pending

GOLD = Path(__file__).resolve().parents[1] / "tests" / "gold" / "articles"
TOKEN = "fake-bot-token.for-tests-only.0123456789"
DISCORD_ACK_S = 3.0
CALLBACK = re.compile(r"^/interactions/(\d+)/[^/]+/callback$")


@dataclass
class Kind:
    """One kind of command in the mix, and what was measured for it."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    sent: int = 0

    def late(self) -> int:
        """Acknowledged after Discord's 3 s, or never."""
        on_time = sum(1 for ms in self.latencies_ms if ms <= DISCORD_ACK_S * 1000)
        return self.sent - on_time


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _store(workdir: Path, store: Path | None, gold: int | None) -> list[str]:
    """The bot's store (copied or ingested), one pending article; return people to ask for."""
    db = workdir / "byline.db"
    if store is not None:
        shutil.copy(store, db)
    settings = Settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{db}"))
    app = await App.open(settings, processes=False)
    try:
        if store is None:
            await app.articles.ingest_paths(sorted(GOLD.glob("*.txt"))[:gold])
        await insert_pending(app.db, 1)  # the bot analyses it at start: the model is loaded
        names = [name for _, name in await app.people.choices("", None, limit=10)]
    finally:
        await app.close()
    return names or ["Kim"]


def _commands(names: list[str]) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(kind, command, options, focused option for autocomplete) in the order they cycle."""
    mix: list[tuple[str, str, dict[str, Any], str | None]] = []
    for name in names[:5]:
        last = name.split()[-1]
        mix += [
            ("who", "who", {"person": name}, None),
            ("autocomplete", "who", {"person": last[:3].lower()}, "person"),
            ("quotes", "quotes", {"person": name}, None),
            ("article search", "article search", {"text": last}, None),
            ("autocomplete", "quotes", {"person": last[:2].lower()}, "person"),
        ]
    mix.append(("status", "status", {}, None))
    return mix


def _peak_rss_mb(pid: int) -> dict[str, float]:
    """Peak RSS (VmHWM) of a process and of each of its children, in MB."""
    found: dict[str, float] = {}

    def read(p: int, label: str) -> None:
        try:
            status = Path(f"/proc/{p}/status").read_text()
            # Children of every thread: the analysis pool is started from a helper thread.
            children = [
                c
                for task in Path(f"/proc/{p}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]
        except OSError:
            return
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            found[label] = int(match.group(1)) / 1024
        for n, child in enumerate(children):
            read(int(child), f"{label} child {n + 1}")

    read(pid, "bot")
    return found


async def measure(
    rate: float, seconds: float, store: Path | None, gold: int | None = None
) -> tuple[dict[str, Kind], dict[str, float], int]:
    """Drive the commands; return the kinds measured, peak RSS per process, and articles."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        names = await _store(workdir, store, gold)
        with sqlite3.connect(workdir / "byline.db") as conn:
            articles = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        fake = await FakeDiscord(token=TOKEN).start()
        std: StandardGuild = fake.seed_standard_guild()
        bot = await start_bot(fake, workdir, std.guild.id, BYLINE_ANALYSIS__PENDING_POLL_S="1")
        try:
            await _wait_analysed(workdir / "byline.db", bot.process)
            kinds: dict[str, Kind] = {}
            sent: list[tuple[str, FakeInteraction]] = []
            mix = _commands(names)
            loop = asyncio.get_running_loop()
            start = loop.time()
            total = int(rate * seconds)

            async def send(i: int) -> None:
                kind, command, options, focused = mix[i % len(mix)]
                if focused is None:
                    interaction = await fake.send_slash_command(
                        command, options, guild_id=std.guild.id, channel_id=std.general.id
                    )
                else:
                    interaction = await fake.send_autocomplete(
                        command, options, focused, guild_id=std.guild.id
                    )
                sent.append((kind, interaction))

            tasks = []
            for i in range(total):
                await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
                tasks.append(asyncio.create_task(send(i)))
            await asyncio.gather(*tasks)
            await asyncio.sleep(DISCORD_ACK_S + 0.5)  # the last ones' time to answer
            acks: dict[int, float] = {}
            for request in fake.requests:
                match = CALLBACK.match(request.path)
                if match and 200 <= request.status < 300:
                    acks.setdefault(int(match.group(1)), request.at)
            for kind, interaction in sent:
                entry = kinds.setdefault(kind, Kind(kind))
                entry.sent += 1
                if interaction.id in acks:
                    entry.latencies_ms.append(
                        (acks[interaction.id] - interaction.created_at) * 1000
                    )
            memory = _peak_rss_mb(bot.process.pid)
        finally:
            await bot.stop()
            await fake.stop()
    return kinds, memory, articles


async def _wait_analysed(db: Path, process: asyncio.subprocess.Process) -> None:
    """Wait until the bot analysed the pending article (its analysis process holds the model)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError("the bot stopped")
        with sqlite3.connect(db) as conn:
            pending = conn.execute(
                "SELECT count(*) FROM articles WHERE status IN ('pending', 'analyzing')"
            ).fetchone()[0]
        if pending == 0:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("the bot never analysed the pending article")


def table(kinds: dict[str, Kind], rate: float, seconds: float) -> str:
    """Latency per kind of command, and all together."""
    head = (
        f"{'command':<15} {'sent':>5} {'acked':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'all within 3 s':>15}"
    )
    lines = [f"{rate:g} commands/s for {seconds:g} s", head, "-" * len(head)]
    everything = Kind("all")
    for kind in sorted(kinds.values(), key=lambda k: k.name) + [everything]:
        if kind is not everything:
            everything.sent += kind.sent
            everything.latencies_ms += kind.latencies_ms
        ms = kind.latencies_ms
        lines.append(
            f"{kind.name:<15} {kind.sent:>5} {len(ms):>6} {_percentile(ms, 50):>7.1f} "
            f"{_percentile(ms, 99):>7.1f} {max(ms, default=float('nan')):>7.1f} "
            f"{'yes' if kind.late() == 0 else f'no ({kind.late()} late)':>15}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="commands per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--store", type=Path, help="a SQLite store to copy (default: gold set)")
    parser.add_argument("--gold", type=int, help="ingest only the first N gold articles")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    kinds, memory, articles = asyncio.run(measure(args.rate, args.seconds, args.store, args.gold))
    print(f"Interaction acknowledgement latency ({articles} articles in the store)")
    print(table(kinds, args.rate, args.seconds))
    print()
    print("Peak RSS (VmHWM) with the model loaded in the analysis process")
    for label, mb in memory.items():
        print(f"  {label:<20} {mb:>8.1f} MB")
    print(f"  {'total':<20} {sum(memory.values()):>8.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
