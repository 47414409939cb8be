"""The command tree with Byline's one error handler."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import discord
from discord import app_commands

from bot.db.engine import limit_lock_wait
from bot.discord_app.replies import reply
from bot.errors import BylineError
from bot.observability.logs import log_context
from bot.observability.metrics import Metrics

logger = logging.getLogger(__name__)

# Discord drops a first answer later than 3 s after the interaction: until a command has
# answered (or deferred), its writes wait at most this long from its start for a database
# write lock held elsewhere, leaving time to tell the user the database is busy.
LOCK_WAIT_BEFORE_ANSWER_S = 2.0

PERMISSION_WORDS = {
    "manage_guild": "Manage Server",
    "administrator": "Administrator",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "view_channel": "View Channel",
}


def _permission_names(names: list[str]) -> str:
    return ", ".join(PERMISSION_WORDS.get(n, n.replace("_", " ").title()) for n in names)


def user_message(error: Exception) -> tuple[str, str | None]:
    """The sentence a user sees for an error, and a reference when it was unexpected."""
    original: BaseException = (
        error.original if isinstance(error, app_commands.CommandInvokeError) else error
    )
    if isinstance(original, app_commands.TransformerError):
        original = original.__cause__ or original
    if isinstance(original, BylineError):
        text = original.message
        return (text[:1].upper() + text[1:]).rstrip(".") + ".", None
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works only in a server.", None
    if isinstance(error, app_commands.MissingPermissions):
        return (
            f"You need the {_permission_names(error.missing_permissions)} permission "
            "to use this command.",
            None,
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return (
            f"I need the {_permission_names(error.missing_permissions)} permission here.",
            None,
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} seconds.", None
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here.", None
    if isinstance(error, app_commands.TransformerError):
        return f"“{str(error.value)[:100]}” is not a valid value for this option.", None
    ref = secrets.token_hex(3)
    return f"Something went wrong on our side (ref {ref}).", ref


def command_outcome(error: Exception) -> str:
    """The metrics outcome of a failed command: user_error, forbidden, cooldown or error."""
    original: BaseException = (
        error.original if isinstance(error, app_commands.CommandInvokeError) else error
    )
    if isinstance(original, app_commands.TransformerError):
        original = original.__cause__ or original
    if isinstance(original, BylineError | app_commands.TransformerError):
        return "user_error"
    if isinstance(error, app_commands.CommandOnCooldown):
        return "cooldown"
    if isinstance(error, app_commands.CheckFailure):
        return "forbidden"
    return "error"


def command_name(interaction: discord.Interaction) -> str:
    """The full name of the invoked command ("config sources add"), from the interaction."""
    data: Any = interaction.data or {}
    parts = [str(data.get("name", "?"))]
    options: Any = data.get("options", [])
    while options and options[0].get("type") in (1, 2):  # subcommand, subcommand group
        parts.append(str(options[0].get("name")))
        options = options[0].get("options", [])
    return " ".join(parts)[:100]


class BylineTree(app_commands.CommandTree["discord.Client"]):
    """A command tree whose on_error turns every error into an ephemeral sentence."""

    # Set by the runner; None in tests that run the tree without metrics.
    metrics: Metrics | None = None

    async def _call(self, interaction: discord.Interaction) -> None:
        # discord.py has no public hook around a whole command run; this one place gives every
        # command its log ids, its latency and its outcome (set by on_error).
        name = command_name(interaction)
        received = time.perf_counter()

        def lock_wait() -> float | None:
            if interaction.response.is_done():
                return None  # answered or deferred: the configured busy timeout applies
            return LOCK_WAIT_BEFORE_ANSWER_S - (time.perf_counter() - received)

        with (
            log_context(guild_id=interaction.guild_id, command=name),
            limit_lock_wait(lock_wait),
        ):
            if interaction.type is discord.InteractionType.autocomplete or self.metrics is None:
                await super()._call(interaction)
                return
            started = time.perf_counter()
            try:
                await super()._call(interaction)
            except Exception:
                interaction.extras.setdefault("byline_outcome", "error")
                raise
            finally:
                outcome = interaction.extras.get("byline_outcome", "ok")
                elapsed = time.perf_counter() - started
                self.metrics.command_finished(name, outcome, elapsed)
                logger.info("command /%s: %s in %.2fs", name, outcome, elapsed)

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Reply ephemerally; log unexpected errors with the reference the user sees."""
        text, ref = user_message(error)
        interaction.extras["byline_outcome"] = command_outcome(error)
        command = interaction.command.qualified_name if interaction.command else "?"
        if ref is not None:
            original = getattr(error, "original", error)
            logger.error(
                "command /%s failed (ref %s)",
                command,
                ref,
                exc_info=(type(original), original, original.__traceback__),
            )
        else:
            logger.info("command /%s refused: %s", command, text)
        if interaction.type is discord.InteractionType.autocomplete:
            return
        try:
            await reply(interaction, text, ephemeral=True)
        except discord.HTTPException:
            logger.warning("could not tell the user about an error in /%s (ref %s)", command, ref)
