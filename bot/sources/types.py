"""Plain records the sources services return (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.domain import IngestOutcome

SourceKind = Literal["feed", "page", "unknown"]
PollStatus = Literal["ok", "not_modified", "failed", "disabled", "skipped"]


@dataclass(frozen=True, slots=True)
class SourceView:
    """A feed or page Byline polls; guild_id None means global (every server)."""

    id: int
    guild_id: int | None
    url: str
    kind: str
    title: str | None
    every_s: int
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    failures: int
    last_error: str | None
    disabled_reason: str | None

    @property
    def enabled(self) -> bool:
        """Whether the source is still polled."""
        return self.disabled_reason is None


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll of one source did."""

    source_id: int
    status: PollStatus
    articles: list[IngestOutcome] = field(default_factory=list)
    new_items: int = 0
    skipped_items: int = 0
    message: str | None = None
    next_poll_at: datetime | None = None
    duration_s: float = 0.0

    @property
    def stored(self) -> list[IngestOutcome]:
        """The items that ended as stored articles (added, updated or already there)."""
        return [a for a in self.articles if a.status != "failed"]
