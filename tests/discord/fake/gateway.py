"""The gateway: HELLO, IDENTIFY (with shards), READY, RESUME, heartbeats, and dispatch to shards.

Facts about discord.py 2.7.1 this relies on: the client asks for ``compress=zlib-stream`` but
decompresses only binary frames and reads text frames as plain JSON, so every frame here is an
uncompressed text frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.discord.fake.common import JSONObject, wait_until
from tests.discord.fake.permissions import (
    DM_MESSAGES_INTENT,
    GUILD_MESSAGES_INTENT,
    PRIVILEGED_INTENTS,
)
from tests.discord.fake.world import World, shard_for

if TYPE_CHECKING:
    from discord.types.gateway import ReadyEvent
    from discord.types.user import User


MESSAGE_EVENTS = frozenset({"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"})
EVENT_BUFFER = 1000


@dataclass
class GatewaySession:
    """A gateway session: its shard, sequence, event buffer (for RESUME) and socket."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    sent_seq: int = 0
    ready_seq: int = 0
    events: list[JSONObject] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    request: web.Request | None = None
    valid: bool = True
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    writer: asyncio.Task[None] | None = None
    # What READY announced, and which guilds got a GUILD_CREATE on this session.
    guild_ids: list[int] = field(default_factory=list)
    # Heartbeats received (with the last sequence the client reported), and whether the fake
    # plays a zombie connection: no ACKs and no events until the client reconnects.
    heartbeats: int = 0
    last_heartbeat_seq: int | None = None
    silent: bool = False

    @property
    def shard_id(self) -> int:
        return self.shard[0] if self.shard else 0

    @property
    def shard_count(self) -> int:
        return self.shard[1] if self.shard else 1

    @property
    def ready(self) -> bool:
        """Connected, and READY (or RESUMED) with everything before it was written."""
        return self.ws is not None and self.sent_seq >= self.ready_seq

    def owns(self, guild_id: int | None) -> bool:
        """Whether Discord would send this guild's events on this shard (DMs go to shard 0)."""
        if guild_id is None:
            return self.shard_id == 0
        return shard_for(guild_id, self.shard_count) == self.shard_id

    def dispatched(self, event: str) -> list[JSONObject]:
        """The payloads of the DISPATCH frames of one event sent on this session."""
        return [f["d"] for f in self.events if f.get("t") == event]


def _redact(frame: JSONObject) -> JSONObject:
    """Drop the token from a received gateway frame before keeping it."""
    data = frame.get("d")
    if isinstance(data, dict) and "token" in data:
        return {**frame, "d": {**data, "token": "<redacted>"}}
    return frame


class Gateway:
    """Websocket sessions, one active per shard, fed from the world's events."""

    def __init__(
        self,
        world: World,
        *,
        check_token: Callable[[str | None], bool],
        url: Callable[[], str],
        bot_user: Callable[[], User],
        heartbeat_interval_ms: int,
        allowed_privileged_intents: int,
    ) -> None:
        self.world = world
        self._check_token = check_token
        self._url = url
        self._bot_user = bot_user
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged_intents = allowed_privileged_intents
        self.sessions: dict[str, GatewaySession] = {}
        self.shards: dict[int, GatewaySession] = {}
        # The session that identified or resumed last (what single-shard tests look at).
        self.session: GatewaySession | None = None
        self.received: list[JSONObject] = []
        self.identify_count = 0
        self.resume_count = 0

    # ------------------------------------------------------------------ dispatch

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The active session whose shard owns this guild (None: DMs, shard 0)."""
        for session in self.shards.values():
            if session.valid and session.owns(guild_id):
                return session
        return None

    def _enqueue(self, session: GatewaySession, event: str, data: Any) -> JSONObject:
        """Give a DISPATCH the session's next sequence number and queue it, in call order."""
        session.seq += 1
        frame: JSONObject = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        del session.events[:-EVENT_BUFFER]
        session.wake.set()
        return frame

    def _wants(self, session: GatewaySession, event: str, guild_id: int | None) -> bool:
        if event in MESSAGE_EVENTS:
            needed = GUILD_MESSAGES_INTENT if guild_id is not None else DM_MESSAGES_INTENT
            return bool(session.intents & needed)
        return True

    def emit(self, event: str, guild_id: int | None, build: Callable[[], Any]) -> None:
        """Queue a world event on the owning shard, if one is connected (or resumable)."""
        session = self.session_for(guild_id)
        if session is not None and self._wants(session, event, guild_id):
            self._enqueue(session, event, build())

    async def dispatch(
        self, event: str, data: JSONObject, *, guild_id: int | None = None, timeout_s: float = 5.0
    ) -> GatewaySession:
        """Send a DISPATCH to the owning shard and wait until it is written.

        While that client is disconnected (or the connection plays a zombie) the event is only
        buffered; RESUME replays it.
        """
        if guild_id is None and data.get("guild_id") is not None:
            guild_id = int(data["guild_id"])
        session = self.session_for(guild_id)
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: no client has identified for it")
        frame = self._enqueue(session, event, data)
        await wait_until(
            lambda: session.ws is None or session.silent or session.sent_seq >= frame["s"],
            timeout_s,
            f"sending {event}",
        )
        return session

    async def _write_events(self, session: GatewaySession, ws: web.WebSocketResponse) -> None:
        """Write the session's events in sequence order while ws is its connection."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            while session.ws is ws and not ws.closed:
                session.wake.clear()
                pending = [] if session.silent else session.events
                for frame in [f for f in pending if f["s"] > session.sent_seq]:
                    await ws.send_str(json.dumps(frame))
                    session.sent_seq = frame["s"]
                await session.wake.wait()

    # ------------------------------------------------------------------ test controls

    async def wait_for_ready(
        self, timeout_s: float = 10.0, *, shard_id: int | None = None
    ) -> GatewaySession:
        """Wait until a client (of this shard) identified and got READY and its GUILD_CREATEs."""

        def ready() -> GatewaySession | None:
            session = self.session if shard_id is None else self.shards.get(shard_id)
            return session if session is not None and session.ready else None

        what = "a gateway session" if shard_id is None else f"shard {shard_id}"
        return await wait_until(ready, timeout_s, what)

    async def disconnect(self, code: int | None = 4000, *, shard_id: int | None = None) -> None:
        """Drop a gateway connection: close with `code`, or abort the TCP connection if None."""
        session = await self.wait_for_ready(shard_id=shard_id)
        ws, request = session.ws, session.request
        session.ws = None
        session.wake.set()
        if ws is None:
            return
        if code is None and request is not None and request.transport is not None:
            request.transport.abort()
        else:
            await ws.close(code=code or 4000, message=b"FakeDiscord disconnect")

    async def invalidate_session(
        self, *, resumable: bool = False, shard_id: int | None = None
    ) -> None:
        """Send INVALID_SESSION (op 9); a non-resumable one forgets the session."""
        session = await self.wait_for_ready(shard_id=shard_id)
        if not resumable:
            session.valid = False
        if session.ws is not None:
            await session.ws.send_str(json.dumps({"op": 9, "d": resumable}))

    async def request_reconnect(self, *, shard_id: int | None = None) -> None:
        """Send RECONNECT (op 7); discord.py then resumes."""
        session = await self.wait_for_ready(shard_id=shard_id)
        if session.ws is not None:
            await session.ws.send_str(json.dumps({"op": 7, "d": None}))

    async def stop_responding(self, *, shard_id: int | None = None) -> GatewaySession:
        """Turn the connection into a zombie: no heartbeat ACKs, no events (buffered for RESUME).

        discord.py notices after its heartbeat_timeout and reconnects with RESUME.
        """
        session = await self.wait_for_ready(shard_id=shard_id)
        session.silent = True
        return session

    async def close_all(self) -> None:
        """Close every open socket (server shutdown)."""
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                with contextlib.suppress(Exception):
                    await session.ws.close(code=1001)

    # ------------------------------------------------------------------ the websocket

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one gateway connection."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        hello = {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        await ws.send_str(json.dumps({**hello, "s": None, "t": None}))
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        self.world.record_error(
                            "gateway received a binary frame (ETF/compressed sends are not implemented)"
                        )
                    continue
                frame = json.loads(msg.data)
                self.received.append(_redact(frame))
                op = frame.get("op")
                if op == 1:
                    if session is not None:
                        session.heartbeats += 1
                        session.last_heartbeat_seq = frame.get("d")
                    if session is None or not session.silent:
                        await ws.send_str(json.dumps({"op": 11, "d": None}))
                elif op == 2:
                    session = await self._identify(ws, request, frame["d"])
                elif op == 6:
                    session = await self._resume(ws, request, frame["d"])
                elif op in (3, 4, 8):
                    pass  # presence, voice state and member requests are accepted and ignored
                else:
                    self.world.record_error(f"gateway op {op} is not implemented")
                    await ws.close(code=4001, message=b"Unknown opcode")
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
                session.wake.set()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, request: web.Request, data: JSONObject
    ) -> GatewaySession | None:
        self.identify_count += 1
        if not self._check_token(data.get("token")):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard")
        if shard is not None and (
            not isinstance(shard, list) or len(shard) != 2 or not 0 <= int(shard[0]) < int(shard[1])
        ):
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        shard_ids = [int(shard[0]), int(shard[1])] if shard is not None else None
        session = GatewaySession(id=uuid.uuid4().hex, intents=intents, shard=shard_ids)
        owned = [g for g in self.world.guilds.values() if session.owns(g.id)]
        session.guild_ids = [g.id for g in owned]
        ready: ReadyEvent = {
            "v": 10,
            "user": self._bot_user(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in owned],
            "session_id": session.id,
            "resume_gateway_url": self._url(),
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(self.world.application_id), "flags": 0},
        }
        if shard_ids is None:
            del ready["shard"]  # type: ignore[misc]  # Discord omits it for unsharded sessions
        self.sessions[session.id] = session
        self.shards[session.shard_id] = session
        self.session = session
        self._enqueue(session, "READY", ready)
        for guild in owned:
            self._enqueue(session, "GUILD_CREATE", guild.create_json())
        self._attach(session, ws, request)
        return session

    def _attach(
        self, session: GatewaySession, ws: web.WebSocketResponse, request: web.Request
    ) -> None:
        session.ready_seq = session.seq
        session.silent = False
        session.ws, session.request = ws, request
        session.writer = asyncio.create_task(self._write_events(session, ws))

    async def _resume(
        self, ws: web.WebSocketResponse, request: web.Request, data: JSONObject
    ) -> GatewaySession | None:
        self.resume_count += 1
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.valid or not self._check_token(data.get("token")):
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        self.session = session
        self.shards[session.shard_id] = session
        # Replay what the client missed (everything after its last seq), then RESUMED.
        session.sent_seq = int(data.get("seq") or 0)
        self._enqueue(session, "RESUMED", {"_trace": ["fake-discord"]})
        self._attach(session, ws, request)
        return session
