"""Results of analysing one article: plain data, picklable across processes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class PersonResult:
    """One person in one article."""

    name: str
    aliases: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    mentions: int = 0
    first_offset: int = 0


@dataclass(slots=True)
class QuoteResult:
    """A direct quote: text is clean_text[start:end] exactly."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    # "person" (speaker is a person's canonical name), "organization" (speaker is the
    # organisation as written) or "unnamed" (speaker is None: "an officer", "a spokesperson").
    speaker_kind: str = "unnamed"
    speaker_text: str | None = None
    cue: str | None = None
    score: float = 0.0
    rank: int = 0


@dataclass(slots=True)
class EventResult:
    """An event as this article tells it."""

    name: str
    kind: str
    when_text: str | None
    when_start: date | None
    when_end: date | None
    where: str | None
    people: list[str]
    sentence_start: int
    sentence_end: int

    @property
    def when(self) -> str | None:
        """The normalized date (YYYY, YYYY-MM or YYYY-MM-DD) or the phrase as written."""
        if self.when_start is None:
            return self.when_text
        if self.when_end is None or self.when_end == self.when_start:
            return self.when_start.isoformat()
        same_year = self.when_start.year == self.when_end.year
        if (
            same_year
            and (self.when_start.month, self.when_start.day) == (1, 1)
            and (
                self.when_end.month,
                self.when_end.day,
            )
            == (12, 31)
        ):
            return str(self.when_start.year)
        if (
            self.when_start.day == 1
            and self.when_start.year == self.when_end.year
            and (self.when_start.month == self.when_end.month)
        ):
            return self.when_start.strftime("%Y-%m")
        return f"{self.when_start.isoformat()}/{self.when_end.isoformat()}"


@dataclass(slots=True)
class Analysis:
    """Everything Byline reads out of one article."""

    people: list[PersonResult]
    quotes: list[QuoteResult]
    events: list[EventResult]
    places: list[str]
    organizations: list[str]
    summary: list[str]

    def to_json(self) -> dict[str, Any]:
        """The `byline analyze --json` shape (without path/title/text)."""
        return {
            "summary": list(self.summary),
            "people": [
                {
                    "name": p.name,
                    "aliases": p.aliases,
                    "descriptions": p.descriptions,
                    "mentions": p.mentions,
                }
                for p in self.people
            ],
            "quotes": [
                {
                    "text": q.text,
                    "speaker": q.speaker,
                    "speaker_kind": q.speaker_kind,
                    "cue": q.cue,
                    "start": q.start,
                    "end": q.end,
                }
                for q in self.quotes
            ],
            "events": [
                {"name": e.name, "when": e.when, "where": e.where, "people": e.people}
                for e in self.events
            ],
            "places": list(self.places),
            "organizations": list(self.organizations),
        }

    def as_dict(self) -> dict[str, Any]:
        """Full dataclass dump (for debugging)."""
        return asdict(self)
