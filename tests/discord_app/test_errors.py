"""The tree's error handler: domain errors as sentences, unexpected ones as a reference."""

from __future__ import annotations

from discord import app_commands

from bot.discord_app.tree import user_message
from bot.errors import NotConfigured, NotFound


def _invoke_error(exc: Exception) -> app_commands.CommandInvokeError:
    error = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    error.original = exc
    error.command = None  # type: ignore[assignment]
    return error


def test_domain_errors_become_their_message() -> None:
    text, ref = user_message(_invoke_error(NotFound('no person matching "x"; did you mean Y?')))
    assert (text, ref) == ('No person matching "x"; did you mean Y?.', None)
    text, _ = user_message(
        _invoke_error(NotConfigured("no digest channel is set. Use /config channel first"))
    )
    assert text == "No digest channel is set. Use /config channel first."


def test_missing_permissions_are_named_in_plain_words() -> None:
    text, ref = user_message(app_commands.MissingPermissions(["manage_guild"]))
    assert text == "You need the Manage Server permission to use this command." and ref is None


def test_unexpected_errors_get_a_reference_and_no_details() -> None:
    text, ref = user_message(_invoke_error(ZeroDivisionError("secret detail")))
    assert ref is not None and len(ref) == 6
    assert text == f"Something went wrong on our side (ref {ref})."
    assert "secret" not in text and "Traceback" not in text
