"""What Discord accepts in a message payload: its limits, and the fields the fake implements."""

from __future__ import annotations

from typing import Any

from tests.discord.fake.common import DiscordError, JSONObject
from tests.discord.fake.common import form_error as _form_error

# Discord's limits for a message (content and embeds), as documented for the API.
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_FIELDS_MAX = 25
EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}
AUTOCOMPLETE_CHOICES_MAX = 25
NONCE_MAX = 25
THREAD_NAME_MAX = 100
APPLIED_TAGS_MAX = 5

# Fields of a message payload the fake understands. Anything else (polls, stickers, replies,
# ...) is answered 599 and recorded, so a bot that starts using it fails its tests loudly.
MESSAGE_FIELDS = frozenset(
    {"content", "embeds", "allowed_mentions", "components", "flags", "tts", "attachments"}
)
CHANNEL_MESSAGE_FIELDS = MESSAGE_FIELDS | {"nonce", "enforce_nonce"}
# discord.py sends "tts" on edits too (handle_message_parameters always sets it); Discord ignores it.
EDIT_FIELDS = MESSAGE_FIELDS
FORUM_THREAD_FIELDS = frozenset(
    {"name", "auto_archive_duration", "rate_limit_per_user", "applied_tags", "message", "type"}
)
THREAD_FIELDS = frozenset(
    {"name", "auto_archive_duration", "rate_limit_per_user", "type", "invitable"}
)
THREAD_FROM_MESSAGE_FIELDS = frozenset({"name", "auto_archive_duration", "rate_limit_per_user"})
ARCHIVE_DURATIONS = frozenset({60, 1440, 4320, 10080})


def validate_nonce(payload: JSONObject) -> str | None:
    """Return the nonce as Discord compares it, or raise 50035 for an invalid one."""
    nonce: Any = payload.get("nonce")
    if nonce is None:
        return None
    if isinstance(nonce, bool) or not isinstance(nonce, str | int):
        raise _form_error("nonce", "BASE_TYPE_BAD_TYPE", "Must be a string or an integer.")
    if isinstance(nonce, str) and len(nonce) > NONCE_MAX:
        raise _form_error(
            "nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_MAX} or fewer in length."
        )
    return str(nonce)


def validate_message_payload(payload: JSONObject, *, has_files: bool, creating: bool) -> None:
    """Raise the DiscordError Discord would answer for an invalid message payload."""
    content = payload.get("content") or ""
    if len(content) > CONTENT_MAX:
        raise _form_error(
            "content", "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_MAX} or fewer in length."
        )
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        raise _form_error(
            "embeds", "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length."
        )
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in EMBED_TEXT_LIMITS.items():
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                raise _form_error(
                    f"embeds.{i}.{key}",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            text = (embed.get(key) or {}).get(sub) or ""
            total += len(text)
            if len(text) > limit:
                raise _form_error(
                    f"embeds.{i}.{key}.{sub}",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            raise _form_error(
                f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = fld.get(key) or ""
                total += len(text)
                if not text.strip():
                    raise _form_error(
                        f"embeds.{i}.fields.{j}.{key}",
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                if len(text) > limit:
                    raise _form_error(
                        f"embeds.{i}.fields.{j}.{key}",
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
    if total > EMBED_TOTAL_MAX:
        raise _form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    if creating and not (
        content
        or embeds
        or has_files
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        raise DiscordError(400, "Cannot send an empty message", 50006)
