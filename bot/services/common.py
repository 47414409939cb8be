"""Small rules every service applies to what users type."""

from __future__ import annotations

from bot.errors import InvalidInput

MAX_QUERY_CHARS = 200
MAX_URL_CHARS = 2048


def bounded(text: str | None, what: str, limit: int = MAX_QUERY_CHARS) -> str:
    """Strip user text and refuse it when too long, before it reaches any regex or SQL."""
    value = (text or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"the {what} is too long; use at most {limit} characters")
    return value
