"""Run FakeDiscord standalone: ``python -m tests.discord.fake --port 8123 --guilds 1``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from tests.discord.fake.ratelimits import RateLimits
from tests.discord.fake.server import FakeDiscord


async def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description="Run FakeDiscord standalone.")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--guilds", type=int, default=1, help="how many standard guilds to seed")
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--shards", type=int, default=1, help="shard count /gateway/bot gives")
    parser.add_argument("--no-rate-limits", action="store_true", help="turn rate limits off")
    args = parser.parse_args(argv)
    limits = RateLimits.off() if args.no_rate_limits else RateLimits.discord()
    fake = FakeDiscord(token=args.token, rate_limits=limits, shard_count=args.shards)
    for _ in range(args.guilds):
        seeded = fake.seed_standard_guild()
        print(f"guild {seeded.guild.id}: general={seeded.general.id} news={seeded.news.id}")
    await fake.start(args.port)
    print(
        f"FakeDiscord on {fake.api_base} (gateway {fake.gateway_url}); Ctrl-C to stop", flush=True
    )
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
