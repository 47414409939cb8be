"""Per-server cooldowns on the commands that fetch or post, so one server cannot make the bot
an amplifier (RELIABILITY §8): the tree's error handler answers ephemerally with the wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

T = TypeVar("T")

# (uses, per seconds) for each server; generous for people, tight for scripts.
ARTICLE_ADD = (5, 60.0)
DIGEST_NOW = (5, 600.0)
SOURCES_ADD = (5, 300.0)


def server_key(interaction: discord.Interaction) -> int:
    """Cooldowns count per server (per user in a DM, where these commands do not run)."""
    return interaction.guild_id or interaction.user.id


def per_server(limit: tuple[int, float]) -> Callable[[T], T]:
    """A cooldown of limit[0] uses per limit[1] seconds shared by everyone in a server."""
    rate, per = limit
    return app_commands.checks.cooldown(rate, per, key=server_key)
