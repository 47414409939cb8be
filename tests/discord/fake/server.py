"""FakeDiscord: wires the world, the gateway, REST, interactions and rate limits on 127.0.0.1."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.discord.fake.channels import ChannelRoutes
from tests.discord.fake.common import JSONObject, SnowflakeFactory, user_json, wait_until
from tests.discord.fake.gateway import Gateway, GatewaySession
from tests.discord.fake.interactions import Interactions
from tests.discord.fake.models import (
    PUBLIC_THREAD,
    TEXT,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    RecordedRequest,
    StandardGuild,
)
from tests.discord.fake.permissions import DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS
from tests.discord.fake.ratelimits import RateLimiter, RateLimits
from tests.discord.fake.rest import HeldRequests, ResourceRoutes, RestApi
from tests.discord.fake.world import NONCE_WINDOW_S, World

if TYPE_CHECKING:
    from discord.types.user import User


logger = logging.getLogger(__name__)


class FakeDiscord:
    """A Discord-compatible REST + gateway server on 127.0.0.1 for the real discord.py client.

    ``rate_limits`` defaults to Discord's (``RateLimits.discord()``); pass ``RateLimits.off()``
    for none. ``shard_count`` is what ``GET /gateway/bot`` recommends.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int | None = None,
        bot_name: str = "Byline",
        heartbeat_interval_ms: int = 41250,
        allowed_privileged_intents: int = 0,
        callback_deadline_s: float | None = 3.0,
        token_ttl_s: float = 15 * 60,
        rate_limits: RateLimits | None = None,
        shard_count: int = 1,
        nonce_window_s: float = NONCE_WINDOW_S,
    ) -> None:
        snowflake = SnowflakeFactory()
        self.token = token
        self.world = World(
            snowflake=snowflake,
            bot_id=bot_id or snowflake(),
            bot_name=bot_name,
            shard_count=shard_count,
            nonce_window_s=nonce_window_s,
        )
        self.gateway = Gateway(
            self.world,
            check_token=self._check_token,
            url=lambda: self.gateway_url,
            bot_user=lambda: self.bot_user,
            heartbeat_interval_ms=heartbeat_interval_ms,
            allowed_privileged_intents=allowed_privileged_intents,
        )
        self.world.emit = self.gateway.emit
        self.interactions_api = Interactions(
            self.world,
            self.gateway,
            callback_deadline_s=callback_deadline_s,
            token_ttl_s=token_ttl_s,
        )
        self.ratelimits = RateLimiter(rate_limits or RateLimits.discord())
        resources = ResourceRoutes(
            self.world, gateway_url=lambda: self.gateway_url, bot_user=lambda: self.bot_user
        )
        self.rest = RestApi(
            self.world,
            self.ratelimits,
            [
                *resources.routes(),
                *ChannelRoutes(self.world).routes(),
                *self.interactions_api.routes(),
            ],
            check_token=self._check_token,
        )
        self._runner: web.AppRunner | None = None
        self.port = 0

    def _check_token(self, token: str | None) -> bool:
        return bool(token) and (self.token is None or token == self.token)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> FakeDiscord:
        """Start serving on 127.0.0.1 (port 0 picks a free one)."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.world.api_base = self.api_base
        logger.info("FakeDiscord listening on %s", self.api_base)
        return self

    async def stop(self) -> None:
        """Close gateway sockets and stop the server."""
        self.rest.release_all()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """The value for BYLINE_DISCORD__API_BASE / use_api_base()."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def bot_user(self) -> User:
        data = user_json(self.world.bot_id, self.world.bot_name, bot=True)
        data["verified"] = True
        data["flags"] = 0
        data["mfa_enabled"] = False
        return data

    # ------------------------------------------------------------------ state tests read

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def guilds(self) -> dict[int, FakeGuild]:
        return self.world.guilds

    @property
    def messages(self) -> dict[int, FakeMessage]:
        return self.world.messages

    @property
    def interactions(self) -> dict[int, FakeInteraction]:
        return self.world.interactions

    @property
    def commands(self) -> dict[int | None, list[JSONObject]]:
        return self.world.commands

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.world.requests

    @property
    def errors(self) -> list[str]:
        return self.world.errors

    @property
    def gateway_received(self) -> list[JSONObject]:
        return self.gateway.received

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def session(self) -> GatewaySession | None:
        """The gateway session that identified or resumed last."""
        return self.gateway.session

    @property
    def shards(self) -> dict[int, GatewaySession]:
        """The active gateway session of each shard id."""
        return self.gateway.shards

    @property
    def callback_deadline_s(self) -> float | None:
        return self.interactions_api.callback_deadline_s

    @callback_deadline_s.setter
    def callback_deadline_s(self, value: float | None) -> None:
        self.interactions_api.callback_deadline_s = value

    @property
    def token_ttl_s(self) -> float:
        return self.interactions_api.token_ttl_s

    @token_ttl_s.setter
    def token_ttl_s(self, value: float) -> None:
        self.interactions_api.token_ttl_s = value

    # ------------------------------------------------------------------ building the world

    def add_guild(
        self,
        name: str = "Test guild",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        shard_id: int | None = None,
    ) -> FakeGuild:
        """Create a guild with @everyone, an owner, and the bot (with a managed role).

        shard_id picks an id that this shard (of the world's shard_count) owns.
        """
        return self.world.add_guild(
            name,
            guild_id=guild_id,
            owner_id=owner_id,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
            shard_id=shard_id,
        )

    def bot_role(self, guild_id: int) -> FakeRole:
        """Return the bot's managed role in a guild."""
        return self.world.bot_role(guild_id)

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> FakeRole:
        """Add a role to a guild."""
        return self.world.add_role(guild_id, name, permissions)

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions (dispatches GUILD_ROLE_UPDATE when connected)."""
        self.world.set_role_permissions(guild_id, role_id, permissions)

    def add_member(
        self,
        guild_id: int,
        username: str,
        *,
        user_id: int | None = None,
        roles: Iterable[int] = (),
        permissions: int | None = None,
        dms_open: bool = True,
    ) -> FakeMember:
        """Add a member; permissions (if given) come from a new role named after them."""
        return self.world.add_member(
            guild_id,
            username,
            user_id=user_id,
            roles=roles,
            permissions=permissions,
            dms_open=dms_open,
        )

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        channel_id: int | None = None,
        type: int = TEXT,
        parent_id: int | None = None,
        topic: str | None = None,
    ) -> FakeChannel:
        """Add a channel (type 0 text, 2 voice, 4 category, 5 news, 15 forum)."""
        return self.world.add_channel(
            guild_id, name, channel_id=channel_id, type=type, parent_id=parent_id, topic=topic
        )

    def add_forum(
        self,
        guild_id: int,
        name: str,
        tags: Iterable[str] = (),
        *,
        require_tag: bool = False,
        moderated: Iterable[str] = (),
    ) -> FakeChannel:
        """Add a forum channel (type 15) with these tags; require_tag sets REQUIRE_TAG."""
        return self.world.add_forum(
            guild_id, name, tags, require_tag=require_tag, moderated=moderated
        )

    def add_thread(
        self,
        parent_id: int,
        name: str,
        *,
        type: int = PUBLIC_THREAD,
        applied_tags: Iterable[int] = (),
    ) -> FakeChannel:
        """Add a thread under a channel (dispatches THREAD_CREATE when connected)."""
        return self.world.add_thread(parent_id, name, type=type, applied_tags=applied_tags)

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a channel overwrite for a role or member (dispatches CHANNEL_UPDATE)."""
        self.world.set_overwrite(channel_id, target_id, allow=allow, deny=deny)

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Deny the bot some permissions in one channel via a member overwrite."""
        self.world.deny_bot(channel_id, permissions)

    def delete_channel(self, channel_id: int) -> None:
        """Delete a channel: later requests to it get 404 Unknown Channel (10003)."""
        self.world.delete_channel(channel_id)

    def remove_guild(self, guild_id: int) -> None:
        """Remove the bot from a guild (GUILD_DELETE without unavailable)."""
        self.world.remove_guild(guild_id)

    def close_dms(self, user_id: int, closed: bool = True) -> None:
        """Make DMs to this user fail with 403 50007, or open them again."""
        self.world.close_dms(user_id, closed)

    def channel(self, channel_id: int) -> FakeChannel:
        """Return a channel (guild channel, thread or DM), deleted or not."""
        return self.world.channel(channel_id)

    def seed_standard_guild(self) -> StandardGuild:
        """A guild with #general, #news, #no-send, #no-embeds, an admin and a plain member."""
        return self.world.seed_standard_guild()

    # ------------------------------------------------------------------ failures and expiry

    def set_rate_limits(self, limits: RateLimits) -> None:
        """Change the world's rate limits from now on (counters and open windows are kept)."""
        self.ratelimits.config = limits

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
        self.rest.fail_next(method, path_regex, status, body, headers, times=times)

    def hold_requests(self, method: str, path_regex: str, *, after: int = 0) -> HeldRequests:
        """Keep matching requests in flight (recorded, unanswered) until .release().

        The first `after` matches are answered; `.held` counts the requests waiting.
        """
        return self.rest.hold(method, path_regex, after=after)

    def expire_interaction(self, interaction: FakeInteraction) -> None:
        """Make the interaction's token invalid, as after Discord's 15 minutes."""
        interaction.expired = True

    # ------------------------------------------------------------------ reading back

    def channel_messages(
        self, channel_id: int, *, include_deleted: bool = False
    ) -> list[FakeMessage]:
        """Messages visible in a channel (channel sends and non-ephemeral interaction replies)."""
        return self.world.channel_messages(channel_id, include_deleted=include_deleted)

    def threads_of(self, channel_id: int) -> list[FakeChannel]:
        """Threads (and forum posts) whose parent is this channel."""
        return self.world.threads_of(channel_id)

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches and whose path fullmatches path_regex."""
        pattern = re.compile(path_regex)
        return [
            r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)
        ]

    def guild_commands(self, guild_id: int | None) -> list[JSONObject]:
        """The commands the bot registered for a guild (None: global)."""
        return self.world.guild_commands(guild_id)

    def assert_no_errors(self) -> None:
        """Raise AssertionError if any request hit something the fake does not implement."""
        if self.errors:
            raise AssertionError("FakeDiscord errors:\n" + "\n".join(self.errors))

    # ------------------------------------------------------------------ waiting

    async def wait_until(
        self, predicate: Callable[[], Any], timeout_s: float = 5.0, what: str = ""
    ) -> Any:
        """Poll predicate until it returns something truthy; raise TimeoutError after timeout_s."""
        return await wait_until(predicate, timeout_s, what)

    async def wait_for_request(
        self, method: str, path_regex: str, *, count: int = 1, timeout_s: float = 5.0
    ) -> RecordedRequest:
        """Wait until `count` matching requests were answered; return the last one."""

        def found() -> list[RecordedRequest] | None:
            matching = self.requests_to(method, path_regex)
            return matching if len(matching) >= count else None

        return (await wait_until(found, timeout_s, f"{count}x {method} {path_regex}"))[count - 1]

    async def wait_for_callback(
        self, interaction: FakeInteraction, timeout_s: float = 5.0
    ) -> JSONObject:
        """Wait for the interaction's callback; return its body ({"type": ..., "data": ...})."""
        return await wait_until(
            lambda: interaction.callback, timeout_s, f"callback of interaction {interaction.id}"
        )

    async def wait_for_followups(
        self, interaction: FakeInteraction, count: int = 1, timeout_s: float = 5.0
    ) -> list[FakeMessage]:
        """Wait for `count` followup messages of an interaction."""
        return await wait_until(
            lambda: list(interaction.followups) if len(interaction.followups) >= count else None,
            timeout_s,
            f"{count} followups of interaction {interaction.id}",
        )

    async def wait_for_original(
        self, interaction: FakeInteraction, *, edited: bool = False, timeout_s: float = 5.0
    ) -> FakeMessage:
        """Wait for the interaction's original response (edited: after an edit, e.g. post-defer)."""
        return await wait_until(
            lambda: (
                interaction.original
                if interaction.original and (not edited or interaction.original.edits)
                else None
            ),
            timeout_s,
            f"original response of interaction {interaction.id}",
        )

    async def wait_for_message(
        self, channel_id: int, count: int = 1, timeout_s: float = 5.0
    ) -> list[FakeMessage]:
        """Wait until a channel holds `count` messages; return them."""

        def found() -> list[FakeMessage] | None:
            messages = self.channel_messages(channel_id)
            return messages if len(messages) >= count else None

        return await wait_until(found, timeout_s, f"{count} messages in channel {channel_id}")

    async def wait_for_ready(
        self, timeout_s: float = 10.0, *, shard_id: int | None = None
    ) -> GatewaySession:
        """Wait until a client (of this shard) identified and got READY and its GUILD_CREATEs."""
        return await self.gateway.wait_for_ready(timeout_s, shard_id=shard_id)

    # ------------------------------------------------------------------ gateway controls

    async def dispatch(
        self, event: str, data: JSONObject, *, guild_id: int | None = None, timeout_s: float = 5.0
    ) -> GatewaySession:
        """Send a DISPATCH to the shard that owns the guild and wait until it is written."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id, timeout_s=timeout_s)

    async def disconnect(self, code: int | None = 4000, *, shard_id: int | None = None) -> None:
        """Drop a gateway connection: close with `code`, or abort the TCP connection if None."""
        await self.gateway.disconnect(code, shard_id=shard_id)

    async def invalidate_session(
        self, *, resumable: bool = False, shard_id: int | None = None
    ) -> None:
        """Send INVALID_SESSION (op 9); a non-resumable one forgets the session."""
        await self.gateway.invalidate_session(resumable=resumable, shard_id=shard_id)

    async def stop_responding(self, *, shard_id: int | None = None) -> GatewaySession:
        """Play a zombie connection (no heartbeat ACKs, no events) until the client reconnects."""
        return await self.gateway.stop_responding(shard_id=shard_id)

    async def request_reconnect(self, *, shard_id: int | None = None) -> None:
        """Send RECONNECT (op 7); discord.py then resumes."""
        await self.gateway.request_reconnect(shard_id=shard_id)

    # ------------------------------------------------------------------ interactions

    async def send_slash_command(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        require_registered: bool = True,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Dispatch a slash command ("feed add") with options typed from the registered schema."""
        api = self.interactions_api
        data = api.command_data(command, options, guild_id, None, require_registered)
        return await api.send(
            2, data, guild_id=guild_id, channel_id=channel_id, user_id=user_id, locale=locale
        )

    async def send_autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        focused: str,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        require_registered: bool = True,
    ) -> FakeInteraction:
        """Dispatch an autocomplete request (type 4) with `focused` as the option being typed."""
        if focused not in options:
            raise ValueError(f"focused option {focused!r} must be in options")
        api = self.interactions_api
        data = api.command_data(command, options, guild_id, focused, require_registered)
        data.pop("resolved", None)
        return await api.send(4, data, guild_id=guild_id, channel_id=channel_id, user_id=user_id)

    async def send_component(
        self,
        custom_id: str,
        message: FakeMessage,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        guild_id: int | None = None,
        user_id: int | None = None,
    ) -> FakeInteraction:
        """Dispatch a component click (type 3) on a message the bot sent."""
        data: JSONObject = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        message_guild = message.data.get("guild_id")
        return await self.interactions_api.send(
            3,
            data,
            guild_id=guild_id or (int(message_guild) if message_guild else None),
            channel_id=message.channel_id,
            user_id=user_id,
            message=message,
        )

    async def send_interaction(
        self,
        type: int,
        data: JSONObject,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        message: FakeMessage | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Dispatch a raw INTERACTION_CREATE (member, permissions and app_permissions filled in)."""
        return await self.interactions_api.send(
            type,
            data,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            message=message,
            locale=locale,
        )
