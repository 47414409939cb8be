"""Point discord.py at a Discord-compatible server (the test fake, or a self-hosted one).

Where discord.py 2.7 takes its addresses from (read in its source):

- REST: every request, including interaction callbacks and webhook followups
  (``webhook/async_.py`` builds them with ``http.Route`` too), is ``Route.BASE + path``.
  ``Route.BASE`` is a class attribute read when each ``Route`` is built, so changing it
  redirects all later requests.
- Gateway: a plain ``Client``/``commands.Bot`` never asks ``GET /gateway/bot``; it connects to
  ``DiscordWebSocket.DEFAULT_GATEWAY`` (also the fallback after a non-resumable
  INVALID_SESSION) and resumes at READY's ``resume_gateway_url``.

``use_api_base`` must stay synchronous and work before an event loop exists, while the
gateway address is only known by asking the server. Asking with a blocking request here
would deadlock a test whose fake server runs on the same event loop, so instead the
question is asked on the first asynchronous step every client takes before connecting:
``HTTPClient.static_login`` (the ``GET /users/@me`` of ``Client.login``) is wrapped to
then ask ``GET /gateway/bot`` with the bot's token and store the answer in
``DEFAULT_GATEWAY``.

Not redirected, because Byline never requests them: CDN assets (``Asset.BASE``),
``Webhook.url``/``Webhook.from_url`` and ``jump_url`` links, which are only text.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route

logger = logging.getLogger(__name__)

API_VERSION = 10
_StaticLogin = Callable[[HTTPClient, str], Awaitable[Any]]
_original_static_login: _StaticLogin | None = None


def use_api_base(api_base: str | None) -> None:
    """Send discord.py's REST and gateway traffic to the server at api_base (None: real Discord)."""
    if api_base is None:
        return
    base = api_base.rstrip("/")
    Route.BASE = f"{base}/api/v{API_VERSION}"
    _ask_gateway_after_login()
    logger.info("Discord REST base set to %s; gateway asked from it after login", Route.BASE)


def _ask_gateway_after_login() -> None:
    """Wrap HTTPClient.static_login once so each login also learns the gateway address."""
    global _original_static_login
    if _original_static_login is not None:
        return
    original: _StaticLogin = HTTPClient.static_login
    _original_static_login = original

    @functools.wraps(original)
    async def static_login_then_find_gateway(self: HTTPClient, token: str) -> Any:
        user = await original(self, token)
        _shards, url, _limits = await self.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        logger.info("Discord gateway is %s", url)
        return user

    HTTPClient.static_login = static_login_then_find_gateway  # type: ignore[method-assign]
