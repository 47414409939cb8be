"""Interactions: what a test sends (slash commands, autocomplete, components) and the bot's
answers (callbacks, followups and edits through the interaction webhook)."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any, cast

from tests.discord.fake.common import (
    DiscordError,
    JSONObject,
    check_fields,
    form_error,
    user_json,
)
from tests.discord.fake.gateway import Gateway
from tests.discord.fake.models import (
    DM,
    LOADING,
    TEXT,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
)
from tests.discord.fake.payloads import (
    AUTOCOMPLETE_CHOICES_MAX,
    EDIT_FIELDS,
    MESSAGE_FIELDS,
    validate_message_payload,
)
from tests.discord.fake.permissions import DM_PERMISSIONS, permissions_for
from tests.discord.fake.ratelimits import INTERACTION_CALLBACK
from tests.discord.fake.rest import Call, Route
from tests.discord.fake.world import World

if TYPE_CHECKING:
    from discord.types.interactions import InteractionCallback, InteractionType
    from discord.types.message import MessageType


# Which callback types Discord accepts for each interaction type.
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
CALLBACK_FIELDS = frozenset({"type", "data"})
FOLLOWUP_FIELDS = MESSAGE_FIELDS | {"username", "avatar_url"}


class Interactions:
    """Send interactions to the bot and serve its answers."""

    def __init__(
        self,
        world: World,
        gateway: Gateway,
        *,
        callback_deadline_s: float | None = 3.0,
        token_ttl_s: float = 15 * 60,
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.callback_deadline_s = callback_deadline_s
        self.token_ttl_s = token_ttl_s

    def routes(self) -> list[Route]:
        """The interaction routes (no bot token: the interaction token authenticates)."""
        hook = "/webhooks/{application_id}/{token}"
        return [
            Route("POST", INTERACTION_CALLBACK, self.post_callback, auth=False),
            Route("POST", hook, self.post_followup, auth=False),
            Route("GET", hook + "/messages/{message_ref}", self.get_message, auth=False),
            Route("PATCH", hook + "/messages/{message_ref}", self.patch_message, auth=False),
            Route("DELETE", hook + "/messages/{message_ref}", self.delete_message, auth=False),
        ]

    # ------------------------------------------------------------------ sending

    def _find_command(
        self, name: str, guild_id: int | None
    ) -> tuple[JSONObject, int | None] | None:
        for scope in (guild_id, None) if guild_id else (None,):
            for cmd in self.world.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, scope
        return None

    def _build_options(
        self,
        schema: list[JSONObject],
        path: list[str],
        values: dict[str, Any],
        guild: FakeGuild | None,
        resolved: dict[str, dict[str, Any]],
        focused: str | None,
    ) -> list[JSONObject]:
        if path:
            sub = next((o for o in schema if o["name"] == path[0] and o["type"] in (1, 2)), None)
            if sub is None:
                raise ValueError(f"no subcommand or group {path[0]!r} registered")
            options = self._build_options(
                sub.get("options", []), path[1:], values, guild, resolved, focused
            )
            return [{"name": sub["name"], "type": sub["type"], "options": options}]
        by_name = {o["name"]: o for o in schema}
        built = []
        for name, value in values.items():
            spec = by_name.get(name)
            if spec is None:
                raise ValueError(f"option {name!r} is not registered (known: {sorted(by_name)})")
            option: JSONObject = {"name": name, "type": spec["type"], "value": value}
            if spec["type"] in (6, 7, 8, 9) and guild is not None:
                option["value"] = str(value)
                self._resolve(int(value), spec["type"], guild, resolved)
            if name == focused:
                option["focused"] = True
            built.append(option)
        return built

    def _resolve(
        self, target: int, kind: int, guild: FakeGuild, resolved: dict[str, dict[str, Any]]
    ) -> None:
        if kind in (6, 9) and target in guild.members:
            member = guild.members[target]
            resolved.setdefault("users", {})[str(target)] = member.user_json()
            data: JSONObject = dict(member.to_json())
            del data["user"]
            data["permissions"] = str(permissions_for(guild, target))
            resolved.setdefault("members", {})[str(target)] = data
        elif kind in (8, 9) and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].to_json()
        elif kind == 7 and target in guild.channels:
            channel = guild.channels[target]
            resolved.setdefault("channels", {})[str(target)] = {
                "id": str(channel.id),
                "name": channel.name,
                "type": channel.type,
                "parent_id": str(channel.parent_id) if channel.parent_id else None,
                "permissions": str(permissions_for(guild, self.world.bot_id, channel.id)),
            }
        else:
            raise ValueError(f"cannot resolve id {target} for option type {kind}")

    def command_data(
        self,
        command: str,
        options: dict[str, Any] | None,
        guild_id: int | None,
        focused: str | None,
        require_registered: bool,
    ) -> JSONObject:
        """Build the data of a slash command interaction, typed from the registered schema."""
        names = command.strip().lstrip("/").split()
        guild = self.world.guilds.get(guild_id) if guild_id else None
        resolved: dict[str, dict[str, Any]] = {}
        found = self._find_command(names[0], guild_id)
        if found is None:
            if require_registered:
                raise ValueError(
                    f"/{names[0]} is not registered (did the bot sync its commands?); "
                    "pass require_registered=False to send it anyway"
                )
            schema: JSONObject = {"id": str(self.world.snowflake()), "name": names[0]}
            scope = guild_id
            opts: list[JSONObject] = [
                {"name": k, "type": 3, "value": v} for k, v in (options or {}).items()
            ]
            for option in opts:
                if option["name"] == focused:
                    option["focused"] = True
        else:
            schema, scope = found
            opts = self._build_options(
                schema.get("options", []), names[1:], options or {}, guild, resolved, focused
            )
        data: JSONObject = {"id": schema["id"], "name": names[0], "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        return data

    async def send(
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
        """Dispatch a raw INTERACTION_CREATE to the shard that owns the guild."""
        world = self.world
        interaction_id = world.snowflake()
        token = f"aW50ZXJhY3Rpb246{interaction_id}{uuid.uuid4().hex}{uuid.uuid4().hex}"
        payload: JSONObject = {
            "id": str(interaction_id),
            "application_id": str(world.application_id),
            "type": type,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            guild = world.guilds[guild_id]
            if channel_id is None:
                channel_id = next(c.id for c in guild.live_channels() if c.type == TEXT)
            if user_id is None:
                user_id = guild.owner_id
            member = guild.members[user_id]
            channel = guild.channels[channel_id]
            user_perms = str(permissions_for(guild, user_id, channel_id))
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                channel_id=str(channel_id),
                channel={**channel.guild_json(), "permissions": user_perms},
                member={**member.to_json(), "permissions": user_perms},
                app_permissions=str(permissions_for(guild, world.bot_id, channel_id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            uid = user_id or world.snowflake()
            dm_member = world.member(uid)
            user = dm_member.user_json() if dm_member else user_json(uid, "dm-user")
            dm_id = world.dm_channel(uid, channel_id=channel_id, username=user["username"]).id
            payload.update(
                user=user,
                channel_id=str(dm_id),
                channel={"id": str(dm_id), "type": DM, "recipients": [user], "flags": 0},
                app_permissions=str(DM_PERMISSIONS),
                authorizing_integration_owners={"1": str(uid)},
                context=1,
            )
        if message is not None:
            payload["message"] = message.data
        interaction = FakeInteraction(id=interaction_id, token=token, type=type, payload=payload)
        world.interactions[interaction_id] = interaction
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return interaction

    # ------------------------------------------------------------------ answers

    def _channel(self, interaction: FakeInteraction) -> FakeChannel:
        return self.world.channel(interaction.channel_id)

    def _by_token(self, call: Call) -> FakeInteraction:
        if call.id("application_id") != self.world.application_id:
            raise DiscordError(404, "Unknown Webhook", 10015)
        token = call.params["token"]
        interaction = next((i for i in self.world.interactions.values() if i.token == token), None)
        if interaction is None:
            raise DiscordError(404, "Unknown Webhook", 10015)
        if interaction.expired or time.monotonic() - interaction.created_at > self.token_ttl_s:
            raise DiscordError(401, "Invalid Webhook Token", 50027)
        return interaction

    def _create(
        self,
        interaction: FakeInteraction,
        payload: JSONObject,
        files: Any,
        message_type: MessageType = 0,
    ) -> FakeMessage:
        return self.world.create_message(
            self._channel(interaction),
            payload,
            files,
            message_type=message_type,
            interaction=interaction,
        )

    async def post_callback(self, call: Call) -> Any:
        interaction = self.world.interactions.get(call.id("interaction_id"))
        if interaction is None or interaction.token != call.params["token"]:
            raise DiscordError(404, "Unknown interaction", 10062)
        if interaction.callbacks:
            raise DiscordError(400, "Interaction has already been acknowledged.", 40060)
        if (
            self.callback_deadline_s is not None
            and time.monotonic() - interaction.created_at > self.callback_deadline_s
        ):
            raise DiscordError(404, "Unknown interaction", 10062)
        body = call.body
        check_fields(body, CALLBACK_FIELDS, "POST /interactions/{id}/{token}/callback")
        kind = body.get("type")
        data = body.get("data") or {}
        if kind not in ALLOWED_CALLBACKS.get(interaction.type, set()):
            raise form_error(
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Callback type {kind} is not valid for interaction type {interaction.type}",
            )
        reply_type: MessageType = 20 if interaction.type == 2 else 19
        if kind == 4:
            check_fields(data, MESSAGE_FIELDS, "interaction callback data")
            validate_message_payload(data, has_files=bool(call.files), creating=True)
            interaction.original = self._create(interaction, data, call.files, reply_type)
        elif kind == 5:
            check_fields(data, frozenset({"flags"}), "deferred callback data")
            flags = int(data.get("flags") or 0) | LOADING
            interaction.original = self._create(
                interaction, {"content": "", "flags": flags}, [], reply_type
            )
        elif kind in (6, 7):
            target = self.world.messages.get(int(interaction.payload["message"]["id"]))
            if target is None:
                raise DiscordError(404, "Unknown Message", 10008)
            if kind == 7:
                check_fields(data, EDIT_FIELDS, "update-message callback data")
                validate_message_payload(data, has_files=bool(call.files), creating=False)
                self.world.edit_message(target, data, call.files)
            # For a component interaction, @original is the message the component is on.
            interaction.original = target
        elif kind == 8:
            self._check_choices(data)
        interaction.callbacks.append(body)
        if "with_response" not in call.request.query:
            return None
        return self._callback_response(interaction, kind)

    def _check_choices(self, data: JSONObject) -> None:
        choices = data.get("choices")
        if not isinstance(choices, list) or len(choices) > AUTOCOMPLETE_CHOICES_MAX:
            raise form_error(
                "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for i, choice in enumerate(choices):
            if not 1 <= len(str(choice.get("name", ""))) <= 100:
                raise form_error(
                    f"data.choices.{i}.name",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )

    def _callback_response(self, interaction: FakeInteraction, kind: Any) -> InteractionCallback:
        # FakeInteraction.type is a plain int (tests may send any); Discord's are 1-5.
        kind_of_interaction = cast("InteractionType", interaction.type)
        answer: InteractionCallback = {
            "interaction": {"id": str(interaction.id), "type": kind_of_interaction}
        }
        original = interaction.original
        if original is not None:
            answer["interaction"]["response_message_id"] = str(original.id)
            answer["interaction"]["response_message_ephemeral"] = original.ephemeral
        if kind == 5:
            answer["interaction"]["response_message_loading"] = True
        if kind != 8:
            answer["resource"] = {"type": kind}
            if original is not None:
                answer["resource"]["message"] = original.data
        return answer

    async def post_followup(self, call: Call) -> Any:
        interaction = self._by_token(call)
        if not interaction.callbacks:
            raise DiscordError(404, "Unknown Webhook", 10015)
        payload = call.body
        check_fields(payload, FOLLOWUP_FIELDS, "POST /webhooks/{application_id}/{token}")
        validate_message_payload(payload, has_files=bool(call.files), creating=True)
        message = self._create(interaction, payload, call.files)
        interaction.followups.append(message)
        if call.request.query.get("wait", "false").lower() not in ("true", "1"):
            return None
        return message.data

    def _webhook_message(self, call: Call) -> tuple[FakeInteraction, FakeMessage]:
        interaction = self._by_token(call)
        target = call.params["message_ref"]
        message: FakeMessage | None
        if target == "@original":
            message = interaction.original
        else:
            message = next((m for m in interaction.followups if m.id == int(target)), None)
            if message is None and interaction.original and interaction.original.id == int(target):
                message = interaction.original
        if message is None or message.deleted:
            raise DiscordError(404, "Unknown Message", 10008)
        return interaction, message

    async def get_message(self, call: Call) -> Any:
        return self._webhook_message(call)[1].data

    async def patch_message(self, call: Call) -> Any:
        _, message = self._webhook_message(call)
        check_fields(call.body, EDIT_FIELDS, "PATCH /webhooks/{application_id}/{token}/messages")
        validate_message_payload(call.body, has_files=bool(call.files), creating=False)
        data = self.world.edit_message(message, call.body, call.files)
        self.world.end_loading(message)
        return data

    async def delete_message(self, call: Call) -> Any:
        self._webhook_message(call)[1].deleted = True
        return None
