"""Poll intervals written the way people say them: 15m, 2h, 1d."""

from __future__ import annotations

import re

from bot.errors import InvalidInput

MIN_EVERY_S = 5 * 60
MAX_EVERY_S = 7 * 24 * 3600
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d{1,6})\s*([smhd])")
_WHOLE = re.compile(r"^(?:\s*\d{1,6}\s*[smhd])+\s*$")


def parse_every(text: str) -> int:
    """Read an interval like "15m", "2h", "1d" or "1h30m" into seconds, within the limits."""
    value = (text or "").strip().lower()
    if len(value) > 40 or not _WHOLE.match(value):
        raise InvalidInput(f'cannot read the interval "{value[:40]}"; write it like 15m, 2h or 1d')
    seconds = sum(int(n) * _UNITS[u] for n, u in _PART.findall(value))
    if seconds < MIN_EVERY_S:
        raise InvalidInput(
            f"the interval is too short; poll at most every {format_every(MIN_EVERY_S)}"
        )
    if seconds > MAX_EVERY_S:
        raise InvalidInput(
            f"the interval is too long; poll at least every {format_every(MAX_EVERY_S)}"
        )
    return seconds


def format_every(seconds: int) -> str:
    """Write seconds back as the shortest interval text (1h30m, 15m, 1d)."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
