"""The clock the digest scheduler reads, controllable from the test suite.

Production reads the system clock. End-to-end tests cannot wait for 09:00, so when the
environment variable BYLINE_TEST_CLOCK_FILE names a file, `now()` returns the ISO-8601 instant
written in it (a frozen clock the test moves by rewriting the file), and the bot watches the
file: each change runs the same "latest due slot" path that runs at start and at every
scheduled firing. The variable is meant only for the test suite; nothing sets it otherwise.
The scheduling logic itself is unit-tested with an injected `now` (tests/scheduling/).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

CLOCK_ENV = "BYLINE_TEST_CLOCK_FILE"


def clock_file() -> Path | None:
    """The test clock file, when the test suite set one."""
    value = os.environ.get(CLOCK_ENV, "").strip()
    return Path(value) if value else None


def read_clock_file(path: Path) -> datetime | None:
    """The instant written in a clock file (None when missing or unreadable)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
        value = datetime.fromisoformat(text)
    except (OSError, ValueError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def now() -> datetime:
    """The current time (aware UTC): the test clock when set, else the system clock."""
    path = clock_file()
    if path is not None:
        frozen = read_clock_file(path)
        if frozen is not None:
            return frozen.astimezone(UTC)
    return datetime.now(UTC)
