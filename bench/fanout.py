"""Digest fan-out under Discord's rate limits: N servers whose digests fall in the same minute.

The fake Discord enforces Discord's limits with real 429s and headers (50 requests/s per bot in
all, 5 messages per 5 s per channel). The real bot (BylineBot on discord.py, in this process)
posts every server's 09:00 digest through the path a scheduled firing takes (DigestJobs.fire →
DigestService.run_due → ChannelPoster). Prints the messages per second against the limit and
the 429s the fake served; the bot paces its REST requests (bot/discord_app/pacing.py), and
`--unpaced` shows what discord.py alone does.

    .venv/bin/python -m bench.fanout [--servers 2000] [--unpaced]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.db import guild_settings
from bot.discord_app.api_base import use_api_base
from bot.discord_app.bot import BylineBot
from bot.discord_app.pacing import DISCORD_GLOBAL_PER_S
from bot.domain import GuildConfig, SlotOutcome, SlotStatus
from bot.scheduling.digests import MAX_POSTING
from bot.settings import DatabaseSettings, DiscordSettings, Settings
from tests.clock import FrozenClock
from tests.discord.fake import FakeDiscord, RateLimits

GOLD = Path(__file__).resolve().parents[1] / "tests" / "gold" / "articles"
TOKEN = "fake-bot-token.for-bench-only.0123456789"
BEFORE = datetime(2026, 6, 1, 8, 59, 0, tzinfo=UTC)
AT_NINE = datetime(2026, 6, 1, 9, 0, 5, tzinfo=UTC)


@dataclass
class FanoutRow:
    """One fan-out run."""

    servers: int
    paced: bool
    mode: str
    posted: int
    messages: int
    seconds: float
    global_429: int
    route_429: int

    @property
    def per_s(self) -> float:
        """Messages per second over the whole fan-out."""
        return self.messages / self.seconds if self.seconds else 0.0


async def _store(app: App, fake: FakeDiscord, servers: int) -> None:
    """A few analysed articles, and `servers` servers all scheduled for 09:00 UTC."""
    await app.articles.ingest_paths(sorted(GOLD.glob("0[0-2]_*.txt")))
    async with app.db.writer() as session:
        for n in range(servers):
            guild = fake.add_guild(f"Server {n}")
            channel = fake.add_channel(guild.id, "news")
            await guild_settings.update_config(
                session,
                guild.id,
                app.settings.digest,
                channel_id=channel.id,
                schedule="daily 09:00",
                timezone="UTC",
                max_articles=2,
            )


async def _post_only(app: App, bot: BylineBot) -> list[SlotOutcome]:
    """Send one prebuilt digest to every server's channel (no database work per server)."""
    digest = await app.digests.build(None, max_articles=2)
    posting = asyncio.Semaphore(MAX_POSTING)

    async def one(config: GuildConfig) -> SlotOutcome:
        async with posting:
            sent = await bot.poster(config, digest, None)
        return SlotOutcome(SlotStatus.POSTED, None, messages=sent)

    return list(await asyncio.gather(*(one(c) for c in await app.guilds.all_configs())))


async def measure(servers: int, *, paced: bool = True, posting_only: bool = False) -> FanoutRow:
    """Post `servers` digests due at the same minute; count messages, time and 429s."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = await FakeDiscord(token=TOKEN, rate_limits=RateLimits.discord()).start()
        settings = Settings(
            database=DatabaseSettings(url=f"sqlite+aiosqlite:///{Path(tmp) / 'fanout.db'}"),
            discord=DiscordSettings(api_base=fake.api_base),
        )
        clock = FrozenClock(BEFORE)
        app = await App.open(settings, processes=False, clock=clock)
        try:
            await _store(app, fake, servers)
            use_api_base(fake.api_base)
            bot = BylineBot(settings, app, cogs=())
            if not paced:
                bot.pacer.limit = 1_000_000
            task = asyncio.create_task(bot.start(TOKEN))
            try:
                await fake.wait_until(bot.is_ready, 900.0, "the bot's on_ready")
                await fake.wait_until(lambda: bot._catch_up_task and bot._catch_up_task.done(), 900)
                before = len(fake.ratelimits.hits)
                clock.set(AT_NINE)
                started = time.perf_counter()
                if posting_only:
                    outcomes = await _post_only(app, bot)
                else:
                    # The start-up catch-up and every firing take this path (a task per server).
                    outcomes = await bot.digest_jobs.catch_up()
                seconds = time.perf_counter() - started
            finally:
                await bot.close()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            hits = fake.ratelimits.hits[before:]
            return FanoutRow(
                servers=servers,
                paced=paced,
                mode="posting only" if posting_only else "full run",
                posted=sum(o.status == SlotStatus.POSTED for o in outcomes),
                messages=sum(o.messages for o in outcomes),
                seconds=seconds,
                global_429=sum(h.scope == "global" for h in hits),
                route_429=sum(h.scope != "global" for h in hits),
            )
        finally:
            await app.close()
            await fake.stop()


def table(rows: list[FanoutRow]) -> str:
    """The results as a text table."""
    head = (
        f"{'run':<13} {'servers':>8} {'pacing':>7} {'posted':>7} {'messages':>9} {'seconds':>8} "
        f"{'msgs/s':>7} {'of limit':>8} {'429 global':>10} {'429 route':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.mode:<13} {r.servers:>8} {'on' if r.paced else 'off':>7} {r.posted:>7}"
            f" {r.messages:>9} "
            f"{r.seconds:>8.1f} {r.per_s:>7.1f} {r.per_s / DISCORD_GLOBAL_PER_S:>8.0%} "
            f"{r.global_429:>10} {r.route_429:>9}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the fan-out and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2000)
    parser.add_argument("--unpaced", action="store_true", help="also run with the bot's pacing off")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    rows = []
    for posting_only in (False, True):
        for paced in (True, False) if args.unpaced else (True,):
            rows.append(asyncio.run(measure(args.servers, paced=paced, posting_only=posting_only)))
    print(f"Digest fan-out against Discord's limit of {DISCORD_GLOBAL_PER_S} requests/s")
    print(
        "full run: claim, build, post and record each server's digest; "
        "posting only: one prebuilt digest sent to every channel"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
