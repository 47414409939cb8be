"""Plain data the services return: never ORM objects, safe to render anywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Enough of an article to cite it."""

    id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class QuoteView:
    """A verbatim quote with its speaker and the article it came from."""

    id: int
    text: str
    speaker: str | None
    speaker_id: int | None
    cue: str | None
    article: ArticleRef


@dataclass(frozen=True, slots=True)
class PersonCard:
    """What Byline knows about one person, within what a server may see."""

    id: int
    name: str
    aliases: list[str]
    descriptions: list[str]
    article_count: int
    quotes: list[QuoteView]
    co_mentioned: list[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class EventSource:
    """The sentence an event was read from."""

    article: ArticleRef
    sentence: str


@dataclass(frozen=True, slots=True)
class EventView:
    """One event: what, when, where, who, and where we read it."""

    id: int
    name: str
    kind: str
    when_text: str | None
    when_start: date | None
    when_end: date | None
    where: str | None
    people: list[str]
    sources: list[EventSource]


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """One article with its analysis."""

    ref: ArticleRef
    authors: list[str]
    summary: list[str]
    people: list[str]
    quotes: list[QuoteView]
    events: list[EventView]
    places: list[str]
    organizations: list[str]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An article that matched a search, with a snippet."""

    ref: ArticleRef
    snippet: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One article as a digest shows it."""

    ref: ArticleRef
    summary: list[str]
    quotes: list[QuoteView]
    people: list[str]
    also_at: list[ArticleRef] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Digest:
    """A digest document, independent of how it is rendered."""

    items: list[DigestItem]
    generated_at: datetime
    more_count: int = 0


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """A server's digest configuration."""

    guild_id: int
    channel_id: int | None
    schedule: str
    timezone: str
    max_articles: int
    max_quotes: int
    paused: bool
    last_digest_at: datetime | None
    problem: str | None


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What happened to one input during ingest."""

    path: str
    status: str  # "added", "updated", "unchanged", "failed"
    article_id: int | None
    title: str | None
    message: str | None = None
