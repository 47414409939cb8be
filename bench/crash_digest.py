"""`python -m bench.crash_digest SLOT_ISO`: one scheduled digest run (the crash suite kills it).

The production path of a digest firing, `DigestService.catch_up` → `run_due`, over REST like
`byline digest now`, with the clock fixed at the instant given (so every restart sees the same
slot). Settings and the token come from the environment, as for `byline run`.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import discord

from bot.app import App
from bot.discord_app.api_base import use_api_base
from bot.discord_app.poster import ChannelPoster
from bot.settings import discord_token, load_settings


class FixedClock:
    """Always the same instant."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """The instant given on the command line."""
        return self.at


async def main(at: datetime) -> int:
    """Run every server's due digest once."""
    settings = load_settings()
    token = discord_token()
    assert token is not None
    app = await App.open(settings, processes=False, clock=FixedClock(at))
    async with app:
        use_api_base(settings.discord.api_base)
        client = discord.Client(
            intents=discord.Intents.none(), allowed_mentions=discord.AllowedMentions.none()
        )
        async with client:
            await client.login(token.get_secret_value())
            outcomes = await app.digests.catch_up(ChannelPoster(client, gateway=False))
    print(" ".join(o.status for o in outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(datetime.fromisoformat(sys.argv[1]))))
