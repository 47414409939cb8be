"""REST: the route table and its plumbing (auth, rate limits, injected failures, recording),
and the routes for the application, users, guilds, channels, messages, threads and DMs.

Facts about discord.py 2.7.1 this relies on: a body is parsed as JSON only when Content-Type is
exactly ``application/json`` (``http.json_or_text``), and a 429 without a ``Via`` header is
treated as a Cloudflare ban (``HTTPException``, no retry).
"""

from __future__ import annotations

import asyncio
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
    form_error,
    json_response,
    user_json,
)
from tests.discord.fake.models import (
    FakeGuild,
    File,
    RecordedRequest,
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
        def group(name: str) -> str:
            body = {"token": r"[^/]+", "message_ref": r"@original|\d+"}.get(name, r"\d+")
            return f"(?P<{name}>{body})"

        parts = re.split(r"(\{\w+\})", self.template)
        regex = "".join(group(p[1:-1]) if p.startswith("{") else re.escape(p) for p in parts)
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


@dataclass
class HeldRequests:
    """Matching requests wait, recorded but unanswered ("in flight"), until released."""

    method: str
    path: re.Pattern[str]
    after: int
    held: int = 0
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Answer the held requests and stop holding new ones."""
        self._released.set()

    async def hold(self, method: str, path: str) -> None:
        """Wait for release when this request matches (after the first `after` matches)."""
        if self._released.is_set() or method != self.method or not self.path.fullmatch(path):
            return
        if self.after > 0:
            self.after -= 1
            return
        self.held += 1
        await self._released.wait()


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
        self.holds: list[HeldRequests] = []

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

    def hold(self, method: str, path_regex: str, *, after: int = 0) -> HeldRequests:
        """Hold matching requests (fullmatch, no /api/v10) after the first `after`."""
        held = HeldRequests(method.upper(), re.compile(path_regex), after)
        self.holds.append(held)
        return held

    def release_all(self) -> None:
        """Release every hold (server shutdown)."""
        for held in self.holds:
            held.release()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one REST request."""
        full_path = request.path
        path = full_path[len(API_PREFIX) :] if full_path.startswith(API_PREFIX + "/") else full_path
        body, files = await read_body(request)
        record = RecordedRequest(
            method=request.method, path=path, query=dict(request.query), json=body, files=files
        )
        self.world.requests.append(record)
        for held in list(self.holds):
            await held.hold(request.method, path)
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
    """The routes for the application, its commands, users, the gateway address and guilds."""

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
        app = "/applications/{application_id}"
        return [
            Route("GET", "/gateway", self.get_gateway, auth=False),
            Route("GET", "/gateway/bot", self.get_gateway_bot),
            Route("GET", "/users/@me", self.get_me),
            Route("GET", "/users/{user_id}", self.get_user),
            Route("GET", "/oauth2/applications/@me", self.get_application),
            Route("GET", app + "/commands", self.get_commands),
            Route("PUT", app + "/commands", self.put_commands),
            Route("GET", app + "/guilds/{guild_id}/commands", self.get_commands),
            Route("PUT", app + "/guilds/{guild_id}/commands", self.put_commands),
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
