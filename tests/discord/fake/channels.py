"""REST routes for channels: messages (with nonces), threads, forum posts and DMs."""

from __future__ import annotations

from typing import Any

from tests.discord.fake.common import DiscordError, JSONObject, check_fields, form_error
from tests.discord.fake.models import (
    FORUM,
    NEWS,
    NEWS_THREAD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    REQUIRE_TAG,
    TEXT,
    FakeChannel,
    FakeMessage,
    File,
)
from tests.discord.fake.payloads import (
    APPLIED_TAGS_MAX,
    ARCHIVE_DURATIONS,
    CHANNEL_MESSAGE_FIELDS,
    EDIT_FIELDS,
    FORUM_THREAD_FIELDS,
    MESSAGE_FIELDS,
    THREAD_FIELDS,
    THREAD_FROM_MESSAGE_FIELDS,
    THREAD_NAME_MAX,
    validate_message_payload,
    validate_nonce,
)
from tests.discord.fake.permissions import (
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    permissions_for,
)
from tests.discord.fake.rest import Call, Route
from tests.discord.fake.world import World


class ChannelRoutes:
    """Channels, messages, threads, forum posts and DMs, as the bot's token sees them."""

    def __init__(self, world: World) -> None:
        self.world = world

    def routes(self) -> list[Route]:
        """The route table."""
        channel = "/channels/{channel_id}"
        message = channel + "/messages/{message_id}"
        return [
            Route("POST", "/users/@me/channels", self.post_dm_channel),
            Route("GET", channel, self.get_channel),
            Route("POST", channel + "/messages", self.post_message),
            Route("GET", message, self.get_message),
            Route("PATCH", message, self.patch_message),
            Route("DELETE", message, self.delete_message),
            Route("POST", channel + "/threads", self.post_thread),
            Route("POST", message + "/threads", self.post_thread_from_message),
        ]

    async def post_dm_channel(self, call: Call) -> Any:
        check_fields(call.body, frozenset({"recipient_id"}), "POST /users/@me/channels")
        recipient = call.body.get("recipient_id")
        if recipient is None or self.world.member(int(recipient)) is None:
            raise DiscordError(400, "Invalid Recipient(s)", 50033)
        return self.world.dm_channel(int(recipient)).dm_json()

    # ------------------------------------------------------------------ channels and messages

    def _live_channel(self, call: Call) -> FakeChannel:
        try:
            channel = self.world.channel(call.id("channel_id"))
        except KeyError:
            raise DiscordError(404, "Unknown Channel", 10003) from None
        if channel.deleted:
            raise DiscordError(404, "Unknown Channel", 10003)
        return channel

    def _bot_permissions(self, channel: FakeChannel) -> int:
        perms = permissions_for(self.world.guilds[channel.guild_id], self.world.bot_id, channel.id)
        if not perms & VIEW_CHANNEL:
            raise DiscordError(403, "Missing Access", 50001)
        return perms

    async def get_channel(self, call: Call) -> Any:
        channel = self._live_channel(call)
        if not channel.is_dm:
            self._bot_permissions(channel)
        return channel.to_json()

    def _check_can_send(self, channel: FakeChannel, payload: JSONObject, files: list[File]) -> None:
        """Raise what Discord answers when the bot may not post this payload here."""
        if channel.is_dm:
            assert channel.recipient is not None
            member = self.world.member(int(channel.recipient["id"]))
            if member is None or not member.dms_open:
                raise DiscordError(403, "Cannot send messages to this user", 50007)
            return
        if channel.type == FORUM or channel.type not in (TEXT, NEWS) and not channel.is_thread:
            raise DiscordError(400, "Cannot send messages in a non-text channel", 50008)
        perms = self._bot_permissions(channel)
        send = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
        # Discord answers 403 50013 for a send without Send Messages, an embed without
        # Embed Links, or a file without Attach Files (discord-api-docs #2601).
        if (
            not perms & send
            or (payload.get("embeds") and not perms & EMBED_LINKS)
            or (files and not perms & ATTACH_FILES)
        ):
            raise DiscordError(403, "Missing Permissions", 50013)

    async def post_message(self, call: Call) -> Any:
        channel = self._live_channel(call)
        payload = call.body
        check_fields(payload, CHANNEL_MESSAGE_FIELDS, "POST /channels/{channel_id}/messages")
        self._check_can_send(channel, payload, call.files)
        validate_message_payload(payload, has_files=bool(call.files), creating=True)
        nonce = validate_nonce(payload)
        if nonce is not None and payload.get("enforce_nonce"):
            # Discord: a repeated nonce within a few minutes returns the first message and
            # creates nothing (so a retried send cannot post twice).
            existing = self.world.nonce_message(channel.id, nonce)
            if existing is not None:
                existing.nonce_replays += 1
                return existing.data
        if nonce is not None:
            payload = {**payload, "nonce": nonce}
        return self.world.create_message(channel, payload, call.files).data

    def _message(self, call: Call) -> FakeMessage:
        channel = self._live_channel(call)
        message = self.world.messages.get(call.id("message_id"))
        if (
            message is None
            or message.deleted
            or message.channel_id != channel.id
            or message.ephemeral
        ):
            raise DiscordError(404, "Unknown Message", 10008)
        return message

    async def get_message(self, call: Call) -> Any:
        return self._message(call).data

    async def patch_message(self, call: Call) -> Any:
        message = self._message(call)
        check_fields(call.body, EDIT_FIELDS, "PATCH /channels/{channel_id}/messages/{message_id}")
        validate_message_payload(call.body, has_files=bool(call.files), creating=False)
        return self.world.edit_message(message, call.body, call.files)

    async def delete_message(self, call: Call) -> Any:
        self._message(call).deleted = True
        return None

    # ------------------------------------------------------------------ threads and forum posts

    def _thread_name(self, body: JSONObject) -> str:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= THREAD_NAME_MAX:
            raise form_error(
                "name",
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {THREAD_NAME_MAX} in length.",
            )
        return name

    def _archive_minutes(self, body: JSONObject, parent: FakeChannel) -> Any:
        minutes = body.get("auto_archive_duration") or 1440
        if minutes not in ARCHIVE_DURATIONS:
            raise form_error(
                "auto_archive_duration",
                "BASE_TYPE_CHOICES",
                f"Value must be one of {sorted(ARCHIVE_DURATIONS)}.",
            )
        return minutes

    async def post_thread(self, call: Call) -> Any:
        parent = self._live_channel(call)
        if parent.type == FORUM:
            return await self._post_forum_post(call, parent)
        if parent.type not in (TEXT, NEWS):
            raise DiscordError(400, "Cannot execute action on this channel type", 50024)
        body = call.body
        check_fields(body, THREAD_FIELDS, "POST /channels/{channel_id}/threads")
        name = self._thread_name(body)
        minutes = self._archive_minutes(body, parent)
        # The API's default is a private thread; a news channel only has announcement threads.
        kind = int(body.get("type") or PRIVATE_THREAD)
        allowed = {NEWS_THREAD} if parent.type == NEWS else {PUBLIC_THREAD, PRIVATE_THREAD}
        if kind not in allowed:
            raise form_error(
                "type", "BASE_TYPE_CHOICES", f"Value must be one of {sorted(allowed)}."
            )
        perms = self._bot_permissions(parent)
        needed = CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
        if not perms & needed:
            raise DiscordError(403, "Missing Permissions", 50013)
        thread = self.world.add_thread(parent.id, name, type=kind, auto_archive_minutes=minutes)
        return thread.guild_json()

    async def _post_forum_post(self, call: Call, forum: FakeChannel) -> Any:
        body = call.body
        where = "POST /channels/{channel_id}/threads (forum)"
        check_fields(body, FORUM_THREAD_FIELDS, where)
        name = self._thread_name(body)
        minutes = self._archive_minutes(body, forum)
        message = body.get("message")
        if not isinstance(message, dict):
            raise form_error("message", "BASE_TYPE_REQUIRED", "This field is required")
        check_fields(message, MESSAGE_FIELDS, where + " message")
        if body.get("type") not in (None, PUBLIC_THREAD):
            raise form_error("type", "BASE_TYPE_CHOICES", "Forum posts are public threads.")
        tags = [int(t) for t in body.get("applied_tags") or []]
        known = {t.id: t for t in forum.available_tags}
        if len(tags) > APPLIED_TAGS_MAX:
            raise form_error(
                "applied_tags",
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {APPLIED_TAGS_MAX} or fewer in length.",
            )
        for i, tag in enumerate(tags):
            if tag not in known:
                raise form_error(f"applied_tags.{i}", "UNKNOWN_TAG", "Unknown tag.")
        if forum.flags & REQUIRE_TAG and not tags:
            raise DiscordError(
                400, "A tag is required to create a forum post in this channel", 40067
            )
        perms = self._bot_permissions(forum)
        if (
            not perms & SEND_MESSAGES
            or (message.get("embeds") and not perms & EMBED_LINKS)
            or (call.files and not perms & ATTACH_FILES)
        ):
            raise DiscordError(403, "Missing Permissions", 50013)
        validate_message_payload(message, has_files=bool(call.files), creating=True)
        thread = self.world.add_thread(
            forum.id, name, auto_archive_minutes=minutes, applied_tags=tags
        )
        # A forum post's starter message has the thread's id (Discord does the same).
        first = self.world.create_message(thread, message, call.files, message_id=thread.id)
        return {**thread.guild_json(), "message": first.data}

    async def post_thread_from_message(self, call: Call) -> Any:
        message = self._message(call)
        parent = self._live_channel(call)
        if parent.type not in (TEXT, NEWS):
            raise DiscordError(400, "Cannot execute action on this channel type", 50024)
        body = call.body
        check_fields(
            body,
            THREAD_FROM_MESSAGE_FIELDS,
            "POST /channels/{channel_id}/messages/{message_id}/threads",
        )
        name = self._thread_name(body)
        minutes = self._archive_minutes(body, parent)
        if not self._bot_permissions(parent) & CREATE_PUBLIC_THREADS:
            raise DiscordError(403, "Missing Permissions", 50013)
        if any(c.id == message.id for c in self.world.guilds[parent.guild_id].channels.values()):
            raise DiscordError(400, "A thread has already been created for this message", 160004)
        kind = NEWS_THREAD if parent.type == NEWS else PUBLIC_THREAD
        thread = self.world.add_thread(
            parent.id, name, type=kind, auto_archive_minutes=minutes, thread_id=message.id
        )
        return thread.guild_json()
