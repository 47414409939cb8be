"""Checks shared by the cogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

T = TypeVar("T")


def _has_manage_guild(interaction: discord.Interaction) -> bool:
    # default_permissions only sets who sees the command by default; a server can override
    # it in Integrations, so the member's resolved permissions are checked on every call.
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    perms = interaction.permissions
    if not (perms.manage_guild or perms.administrator):
        raise app_commands.MissingPermissions(["manage_guild"])
    return True


def in_guild(interaction: discord.Interaction) -> int:
    """The server of an interaction (commands are guild-only, so it is always there)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def require_manage_guild() -> Callable[[T], T]:
    """The runtime Manage Server check alone (for subcommands of a group whose default is set)."""
    return app_commands.check(_has_manage_guild)
