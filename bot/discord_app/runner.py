"""`byline run`, `byline sync` and `byline digest now`: the bot's entry points."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

import discord

from bot.app import App
from bot.discord_app.api_base import use_api_base
from bot.discord_app.bot import BylineBot
from bot.discord_app.observability import BotObservability
from bot.discord_app.poster import ChannelPoster
from bot.domain import SlotOutcome
from bot.errors import NotConfigured
from bot.observability.metrics import http_trace_config
from bot.settings import Settings, discord_token

logger = logging.getLogger(__name__)

NO_TOKEN = "DISCORD_TOKEN is not set; export the bot token as DISCORD_TOKEN and try again"
REFUSED = "Discord refused the token in DISCORD_TOKEN"

# Called with the bot after it is built and before it connects (tests add their clock here).
BotHook = Callable[[BylineBot], Awaitable[None]]


def token_or_exit() -> str | None:
    """The token from the environment, or None after saying on stderr how to set it."""
    token = discord_token()
    if token is None:
        print(f"error: {NO_TOKEN}", file=sys.stderr)
        return None
    return token.get_secret_value()


async def run_bot(app: App, token: str, *, before_start: BotHook | None = None) -> int:
    """Run the bot on an open App until it is stopped; return the process exit code."""
    use_api_base(app.settings.discord.api_base)
    bot = BylineBot(app.settings, app, http_trace=http_trace_config(app.metrics, "discord"))
    bot.tree.metrics = app.metrics  # type: ignore[attr-defined]
    observability = BotObservability(app, bot, bot.jobs.scheduler)
    await observability.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    if before_start is not None:
        await before_start(bot)
    try:
        async with bot:
            try:
                await bot.start(token)
            except discord.LoginFailure:
                print(f"error: {REFUSED}", file=sys.stderr)
                return 1
            except discord.PrivilegedIntentsRequired:
                print("error: Discord refused the bot's intents", file=sys.stderr)
                return 1
    finally:
        await observability.stop()
    logger.info("bot stopped")
    return 0


async def sync_commands(settings: Settings, token: str, guild_id: int | None = None) -> str:
    """Register the slash commands globally (or on one server); say where."""
    use_api_base(settings.discord.api_base)
    bot = BylineBot(settings, None, sync_only=True)
    async with bot:
        try:
            await bot.login(token)
        except discord.LoginFailure:
            raise NotConfigured(REFUSED) from None
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            where = f"server {guild_id}"
        else:
            synced = await bot.tree.sync()
            where = "every server (global)"
    return f"synced {len(synced)} commands to {where}"


async def post_digest_now(app: App, token: str, guild_id: int) -> SlotOutcome:
    """Post a server's digest now over REST (no gateway), with the same slot claim as the bot."""
    use_api_base(app.settings.discord.api_base)
    client = discord.Client(
        intents=discord.Intents.none(), allowed_mentions=discord.AllowedMentions.none()
    )
    async with client:
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise NotConfigured(REFUSED) from None
        return await app.digests.post_now(
            guild_id, ChannelPoster(client, gateway=False, settings_of=app.posting.get)
        )
