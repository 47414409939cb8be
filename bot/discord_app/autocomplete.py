"""Autocomplete callbacks: guild-scoped, at most 25 choices, never raising."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord_app.render import choices
from bot.errors import BylineError
from bot.scheduling.schedules import timezone_choices

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)


def _app(interaction: discord.Interaction) -> App:
    app: App = interaction.client.app  # type: ignore[attr-defined]
    return app


async def _safe(
    what: str, produce: Callable[[], Awaitable[list[tuple[str, str]]]]
) -> list[tuple[str, str]]:
    try:
        return choices(await produce())
    except BylineError:
        return []
    except Exception:
        logger.exception("autocomplete %s failed", what)
        return []


async def people(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """People in this server's articles."""

    async def produce() -> list[tuple[str, str]]:
        found = await _app(interaction).people.choices(current[:100], interaction.guild_id)
        return [(name, name) for _pid, name in found]

    return [app_commands.Choice(name=n, value=v) for n, v in await _safe("people", produce)]


async def events(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Events in this server's articles (the value is the event id)."""

    async def produce() -> list[tuple[str, str]]:
        found = await _app(interaction).events.choices(current[:100], interaction.guild_id)
        return [(label, str(eid)) for eid, label in found]

    return [app_commands.Choice(name=n, value=v) for n, v in await _safe("events", produce)]


async def articles(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """Articles this server can see (the value is the article id)."""

    async def produce() -> list[tuple[str, str]]:
        found = await _app(interaction).articles.choices(str(current)[:100], interaction.guild_id)
        return [(f"#{aid} {title}", str(aid)) for aid, title in found]

    return [app_commands.Choice(name=n, value=int(v)) for n, v in await _safe("articles", produce)]


async def timezones(
    interaction: discord.Interaction,  # noqa: ARG001 (discord.py's autocomplete signature)
    current: str,
) -> list[app_commands.Choice[str]]:
    """IANA time zone names."""

    async def produce() -> list[tuple[str, str]]:
        return [(name, name) for name in timezone_choices(current)]

    return [app_commands.Choice(name=n, value=v) for n, v in await _safe("timezones", produce)]
