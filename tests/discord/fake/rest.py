"""REST: the route table and its plumbing (auth, rate limits, injected failures, recording),
and the routes for the application, users, guilds, channels, messages, threads and DMs.

Facts about discord.py 2.7.1 this relies on: a body is parsed as JSON only when Content-Type is
exactly ``application/json`` (``http.json_or_text``), and a 429 without a ``Via`` header is
treated as a Cloudflare ban (``HTTPException``, no retry).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from tests.discord.fake.common import (
    API_PREFIX,
    UNIMPLEMENTED_STATUS,
    DiscordError,
    JSONObject,
    Unimplemented,
    check_fields,
    form_error,
    json_response,
    user_json,
)
from tests.discord.fake.models import (
    FORUM,
    NEWS,
    NEWS_THREAD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    REQUIRE_TAG,
    TEXT,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    File,
    RecordedRequest,
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
from tests.discord.fake.ratelimits import VIA, RateLimiter
from tests.discord.fake.world import World

if TYPE_CHECKING:
    from discord.types.gateway import GatewayBot
    from discord.types.user import User


logger = logging.getLogger(__name__)

# Default bodies for injected failures, shaped like Discord's.
DEFAULT_ERROR_BODIES: dict[int, JSONObject] = {
    400: {"message": "400: Bad Request", "code": 0},
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "404: Not Found", "code": 0},
    500: {"message": "500: Internal Server Error", "code": 0},
    502: {"message": "502: Bad Gateway", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
}


@dataclass
class Call:
    """One matched request: its parameters (from the route template), body and files."""

    request: web.Request
    params: dict[str, str]
    record: RecordedRequest

    @property
    def body(self) -> JSONObject:
        return self.record.json if isinstance(self.record.json, dict) else {}

    @property
    def files(self) -> list[File]:
        return self.record.files

    def id(self, name: str) -> int:
        return int(self.params[name])


RouteHandler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    """A route template like "/channels/{channel_id}/messages" and its handler."""

    method: str
    template: str
    handler: RouteHandler
    auth: bool = True
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        def group(match: re.Match[str]) -> str:
            name = match.group(1)
            body = {"token": r"[^/]+", "message_ref": r"@original|\d+"}.get(name, r"\d+")
            return f"(?P<{name}>{body})"

        parts = re.split(r"(\{\w+\})", self.template)
        regex = "".join(
            group(re.fullmatch(r"\{(\w+)\}", p)) if p.startswith("{") else re.escape(p)  # type: ignore[arg-type]
            for p in parts
        )
        self.pattern = re.compile(regex)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclass
class FailureRule:
    """An injected failure for the next matching request(s)."""

    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


async def read_body(request: web.Request) -> tuple[Any, list[File]]:
    """Read a JSON or multipart (payload_json + files[n]) body."""
    files: list[File] = []
    if not request.can_read_body:
        return None, files
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            else:
                files.append((part.name or "", part.filename or "", bytes(await part.read())))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, files
    try:
        return json.loads(raw), files
    except ValueError:
        return raw.decode(errors="replace"), files


class RestApi:
    """Match a request to a route, apply auth, failures and rate limits, record it, answer it."""

    def __init__(
        self,
        world: World,
        limiter: RateLimiter,
        routes: list[Route],
        *,
        check_token: Callable[[str | None], bool],
    ) -> None:
        self.world = world
        self.limiter = limiter
        self.routes = routes
        self._check_token = check_token
        self.failures: list[FailureRule] = []

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests matching method and path (fullmatch, no /api/v10)."""
        if body is None:
            if status == 429:
                body = {"message": "You are being rate limited.", "retry_after": 0.2}
                body["global"] = False
            else:
                body = DEFAULT_ERROR_BODIES.get(status, {"message": f"{status}", "code": 0})
        all_headers: dict[str, str] = {}
        if status == 429:
            retry_after = float(body.get("retry_after", 0.2)) if isinstance(body, dict) else 0.2
            all_headers = {
                "Via": VIA,
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Bucket": "fakebucket",
                "X-RateLimit-Scope": "user",
            }
            if isinstance(body, dict) and body.get("global"):
                all_headers["X-RateLimit-Global"] = "true"
        all_headers.update(headers or {})
        self.failures.append(
            FailureRule(method.upper(), re.compile(path_regex), status, body, all_headers, times)
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one REST request."""
        full_path = request.path
        path = full_path[len(API_PREFIX) :] if full_path.startswith(API_PREFIX + "/") else full_path
        body, files = await read_body(request)
        record = RecordedRequest(
            method=request.method, path=path, query=dict(request.query), json=body, files=files
        )
        self.world.requests.append(record)
        response = await self._answer(request, path, record)
        record.status = response.status
        record.headers = dict(response.headers)
        return response

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            match = route.pattern.fullmatch(path)
            if match is not None and route.method == method:
                return route, match.groupdict()
        return None

    async def _answer(
        self, request: web.Request, path: str, record: RecordedRequest
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return self._unimplemented(f"{request.method} {request.path} is outside {API_PREFIX}")
        found = self._match(request.method, path)
        if found is not None:
            record.route = found[0].key
        for rule in self.failures:
            if rule.method == request.method and rule.path.fullmatch(path):
                rule.times -= 1
                if rule.times <= 0:
                    self.failures.remove(rule)
                logger.info("FakeDiscord: injected %s for %s %s", rule.status, request.method, path)
                if rule.status == 429:
                    retry = (
                        rule.body.get("retry_after", 0.0) if isinstance(rule.body, dict) else 0.0
                    )
                    self.limiter.record(record.route or path, "injected", float(retry))
                return json_response(rule.body, status=rule.status, headers=rule.headers)
        if found is None:
            return self._unimplemented(f"{request.method} {path} is not implemented")
        route, params = found
        if route.auth and not self._authorized(request):
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        verdict = self.limiter.check(route.method, route.template, params)
        if verdict.refusal is not None:
            return json_response(verdict.refusal, status=429, headers=verdict.headers)
        try:
            result = await route.handler(Call(request, params, record))
        except DiscordError as exc:
            return json_response(exc.body, status=exc.status, headers=verdict.headers)
        except Unimplemented as exc:
            return self._unimplemented(str(exc))
        if result is None:
            return web.Response(status=204, headers=verdict.headers)
        return json_response(result, headers=verdict.headers)

    def _unimplemented(self, message: str) -> web.Response:
        self.world.record_error(message)
        return json_response(
            {"message": f"FakeDiscord: {message}", "code": 0}, status=UNIMPLEMENTED_STATUS
        )

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bot ") and self._check_token(header[4:])


class ResourceRoutes:
    """The bot-authenticated routes: application, users, gateway, guilds, channels, messages."""

    def __init__(
        self,
        world: World,
        *,
        gateway_url: Callable[[], str],
        bot_user: Callable[[], User],
    ) -> None:
        self.world = world
        self._gateway_url = gateway_url
        self._bot_user = bot_user

    def routes(self) -> list[Route]:
        """The route table."""
        return [
            Route("GET", "/gateway", self.get_gateway, auth=False),
            Route("GET", "/gateway/bot", self.get_gateway_bot),
            Route("GET", "/users/@me", self.get_me),
            Route("GET", "/users/{user_id}", self.get_user),
            Route("POST", "/users/@me/channels", self.post_dm_channel),
            Route("GET", "/oauth2/applications/@me", self.get_application),
            Route("GET", "/applications/{application_id}/commands", self.get_commands),
            Route("PUT", "/applications/{application_id}/commands", self.put_commands),
            Route(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.get_commands,
            ),
            Route(
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.put_commands,
            ),
            Route("GET", "/channels/{channel_id}", self.get_channel),
            Route("POST", "/channels/{channel_id}/messages", self.post_message),
            Route("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            Route("PATCH", "/channels/{channel_id}/messages/{message_id}", self.patch_message),
            Route("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            Route("POST", "/channels/{channel_id}/threads", self.post_thread),
            Route(
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self.post_thread_from_message,
            ),
            Route("GET", "/guilds/{guild_id}", self.get_guild),
            Route("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            Route("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member),
        ]

    # ------------------------------------------------------------------ app, users, gateway

    async def get_gateway(self, call: Call) -> Any:
        return {"url": self._gateway_url()}

    async def get_gateway_bot(self, call: Call) -> GatewayBot:
        return {
            "url": self._gateway_url(),
            "shards": self.world.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def get_me(self, call: Call) -> User:
        return self._bot_user()

    async def get_user(self, call: Call) -> User:
        member = self.world.member(call.id("user_id"))
        if member is None:
            raise DiscordError(404, "Unknown User", 10013)
        return member.user_json()

    async def post_dm_channel(self, call: Call) -> Any:
        check_fields(call.body, frozenset({"recipient_id"}), "POST /users/@me/channels")
        recipient = call.body.get("recipient_id")
        if recipient is None or self.world.member(int(recipient)) is None:
            raise DiscordError(400, "Invalid Recipient(s)", 50033)
        return self.world.dm_channel(int(recipient)).dm_json()

    async def get_application(self, call: Call) -> Any:
        return {
            "id": str(self.world.application_id),
            "name": self.world.bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self._bot_user(),
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_json(self.world.snowflake(), "app-owner"),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }

    def _command_scope(self, call: Call) -> int | None:
        if call.id("application_id") != self.world.application_id:
            raise DiscordError(404, "Unknown Application", 10002)
        if "guild_id" in call.params:
            guild_id = call.id("guild_id")
            if guild_id not in self.world.guilds:
                raise DiscordError(403, "Missing Access", 50001)
            return guild_id
        return None

    async def get_commands(self, call: Call) -> Any:
        return self.world.guild_commands(self._command_scope(call))

    async def put_commands(self, call: Call) -> Any:
        scope = self._command_scope(call)
        if not isinstance(call.record.json, list):
            raise form_error("_root", "BASE_TYPE_ARRAY", "Must be an array.")
        old = {(c["name"], c.get("type", 1)): c for c in self.world.commands.get(scope, [])}
        stored = []
        for cmd in call.record.json:
            name = cmd.get("name", "")
            if not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
                raise form_error(
                    "name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            previous = old.get((name, cmd.get("type", 1)))
            data = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "id": previous["id"] if previous else str(self.world.snowflake()),
                "application_id": str(self.world.application_id),
                "version": str(self.world.snowflake()),
            }
            if scope is not None:
                data["guild_id"] = str(scope)
            stored.append(data)
        self.world.commands[scope] = stored
        return stored

    # ------------------------------------------------------------------ guilds

    def _guild(self, call: Call) -> FakeGuild:
        guild = self.world.guilds.get(call.id("guild_id"))
        if guild is None:
            raise DiscordError(404, "Unknown Guild", 10004)
        return guild

    async def get_guild(self, call: Call) -> Any:
        return self._guild(call).base_json()

    async def get_guild_channels(self, call: Call) -> Any:
        return [c.guild_json() for c in self._guild(call).live_channels()]

    async def get_guild_member(self, call: Call) -> Any:
        member = self._guild(call).members.get(call.id("user_id"))
        if member is None:
            raise DiscordError(404, "Unknown Member", 10007)
        return member.to_json()

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

    def _new_thread(
        self,
        parent: FakeChannel,
        name: str,
        kind: int,
        minutes: Any,
        *,
        thread_id: int | None = None,
        applied_tags: list[int] | None = None,
    ) -> FakeChannel:
        guild = self.world.guilds[parent.guild_id]
        thread = FakeChannel(
            id=thread_id or self.world.snowflake(),
            guild_id=parent.guild_id,
            name=name,
            type=kind,
            parent_id=parent.id,
            owner_id=self.world.bot_id,
            auto_archive_duration=minutes,
            applied_tags=applied_tags or [],
        )
        guild.channels[thread.id] = thread
        return thread

    def _announce_thread(self, thread: FakeChannel) -> None:
        self.world.emit(
            "THREAD_CREATE", thread.guild_id, lambda: {**thread.guild_json(), "newly_created": True}
        )

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
        thread = self._new_thread(parent, name, kind, minutes)
        self._announce_thread(thread)
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
        thread = self._new_thread(forum, name, PUBLIC_THREAD, minutes, applied_tags=tags)
        self._announce_thread(thread)
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
        thread = self._new_thread(parent, name, kind, minutes, thread_id=message.id)
        self._announce_thread(thread)
        return thread.guild_json()
