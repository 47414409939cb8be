"""`byline run` and `byline sync`: the composition root of the Discord bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from bot.settings import Settings, discord_token

logger = logging.getLogger(__name__)

NO_TOKEN = "error: DISCORD_TOKEN is not set; export the bot token as DISCORD_TOKEN and try again"


def run_bot(settings: Settings) -> int:
    """Start the bot; return the process exit code."""
    token = discord_token()
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    return asyncio.run(_run(settings, token.get_secret_value()))


async def _run(settings: Settings, token: str) -> int:
    # Imported here so a missing token is reported before anything else loads or logs.
    import discord

    from bot.discord_app.api_base import use_api_base
    from bot.discord_app.bot import BylineBot
    from bot.services import Byline

    use_api_base(settings.discord.api_base)
    services = await Byline.open(settings, processes=True)
    try:
        bot = BylineBot(settings, services)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
        async with bot:
            try:
                await bot.start(token)
            except discord.LoginFailure:
                print("error: Discord refused the token in DISCORD_TOKEN", file=sys.stderr)
                return 1
            except discord.PrivilegedIntentsRequired:
                print("error: Discord refused the bot's intents", file=sys.stderr)
                return 1
    finally:
        await services.close()
    logger.info("bot stopped")
    return 0


def sync_commands(settings: Settings, guild_id: int | None = None) -> int:
    """Register the slash commands globally (or on one server) and exit."""
    token = discord_token()
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    return asyncio.run(_sync(settings, token.get_secret_value(), guild_id))


async def _sync(settings: Settings, token: str, guild_id: int | None) -> int:
    import discord

    from bot.discord_app.api_base import use_api_base
    from bot.discord_app.bot import BylineBot

    use_api_base(settings.discord.api_base)
    bot = BylineBot(settings, None, sync_only=True)
    async with bot:
        try:
            await bot.login(token)
        except discord.LoginFailure:
            print("error: Discord refused the token in DISCORD_TOKEN", file=sys.stderr)
            return 1
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            where = f"server {guild_id}"
        else:
            synced = await bot.tree.sync()
            where = "every server (global)"
    print(f"synced {len(synced)} commands to {where}")
    return 0
