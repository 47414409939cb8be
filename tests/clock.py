"""A clock the tests set by hand (injected into the App; production never reads it)."""

from __future__ import annotations

from datetime import UTC, datetime


class FrozenClock:
    """Tells the time it was set to."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 6, 1, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The instant the test chose."""
        return self.at

    def set(self, at: datetime) -> None:
        """Move the clock."""
        self.at = at
