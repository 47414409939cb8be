"""Small pieces every part of the fake shares: JSON helpers, errors, snowflakes, waiting."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

if TYPE_CHECKING:
    from discord.types.user import User


# A JSON object sent by the bot: untrusted input, checked field by field where it is used.
JSONObject = dict[str, Any]
T = TypeVar("T")

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"
UNIMPLEMENTED_STATUS = 599


def now_iso() -> str:
    """Return the current UTC time in Discord's ISO 8601 form."""
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Make increasing Discord snowflakes from the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def user_json(user_id: int, username: str, *, bot: bool = False) -> User:
    """Build a Discord user object."""
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


class DiscordError(Exception):
    """An error answer in Discord's shape."""

    def __init__(self, status: int, message: str, code: int = 0, errors: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSONObject = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


class Unimplemented(Exception):
    """The bot used something the fake does not implement: answered 599 and recorded."""


def form_error(path: str, code: str, message: str) -> DiscordError:
    """Return Discord's 400 Invalid Form Body (50035) for one field."""
    return DiscordError(
        400, "Invalid Form Body", 50035, {path: {"_errors": [{"code": code, "message": message}]}}
    )


def check_fields(payload: JSONObject, supported: frozenset[str], where: str) -> None:
    """Raise Unimplemented for a payload field the fake does not support."""
    unknown = sorted(set(payload) - supported)
    if unknown:
        raise Unimplemented(f"{where}: field(s) {', '.join(unknown)} not implemented")


def int_or_none(value: Any) -> int | None:
    """Return int(value), or None for None."""
    return int(value) if value is not None else None


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Answer JSON with exactly the Content-Type discord.py parses."""
    # discord.py parses JSON only when Content-Type is exactly "application/json" (no charset).
    response = web.Response(status=status, body=json.dumps(body).encode(), headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


async def wait_until(
    predicate: Callable[[], T | None], timeout_s: float = 5.0, what: str = ""
) -> T:
    """Poll predicate until it returns something truthy; raise TimeoutError after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"FakeDiscord: timed out after {timeout_s}s waiting for {what or predicate}"
            )
        await asyncio.sleep(0.01)
