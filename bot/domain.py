"""Plain data the services return: never ORM objects, safe to render anywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ArticleStatus(StrEnum):
    """Values of articles.status (part of the store's documented contract)."""

    PENDING = "pending"
    ANALYZING = "analyzing"
    ANALYZED = "analyzed"
    FAILED = "failed"


class IngestStatus(StrEnum):
    """What happened to one input during ingest."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    LINKED = "linked"  # a copy of a stored article: one more link of that article


class SlotStatus(StrEnum):
    """How one digest slot (scheduled or by hand) ended."""

    POSTED = "posted"
    NOTHING = "nothing"
    CLAIMED_ELSEWHERE = "claimed-elsewhere"
    SKIPPED = "skipped"
    PROBLEM = "problem"
    FAILED = "failed"
    IDLE = "idle"


class SourceKind(StrEnum):
    """What a source is, found by its first fetch."""

    FEED = "feed"
    PAGE = "page"
    UNKNOWN = "unknown"


class PollStatus(StrEnum):
    """How one poll of one source ended."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    DISABLED = "disabled"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Enough of an article to cite it."""

    id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    # Other places the same text was published (syndicated copies), beyond the one above.
    copies: tuple[SourceLink, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteView:
    """A verbatim quote with its speaker and the article it came from."""

    id: int
    text: str
    speaker: str | None
    speaker_id: int | None
    cue: str | None
    article: ArticleRef
    # Other articles quoting the same words (one quote, several sources).
    also_in: tuple[ArticleRef, ...] = ()


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
    # Other articles of the same story (other outlets' own write-ups).
    same_story: tuple[ArticleRef, ...] = ()


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
    story_id: int | None = None
    # Every source reporting the item's story: copies and other write-ups, best article first.
    sources: tuple[SourceLink, ...] = ()
    # A story already posted here that gained a new event or new quotes.
    update: bool = False


@dataclass(frozen=True, slots=True)
class Digest:
    """A digest document, independent of how it is rendered."""

    items: list[DigestItem]
    generated_at: datetime
    more_count: int = 0
    # Articles that joined a story already posted without a new event or quote: marked as
    # posted with the digest, never shown again.
    absorbed: list[int] = field(default_factory=list)


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
    status: IngestStatus
    article_id: int | None
    title: str | None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class SourceView:
    """A feed or page Byline polls; guild_id None means global (every server)."""

    id: int
    guild_id: int | None
    url: str
    kind: SourceKind
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
        return [a for a in self.articles if a.status != IngestStatus.FAILED]


@dataclass(frozen=True, slots=True)
class SlotOutcome:
    """How one digest slot ended."""

    status: SlotStatus
    slot_at: datetime | None
    articles: int = 0
    messages: int = 0
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """A server's schedule as people read it, with its next slot."""

    config: GuildConfig
    description: str
    next_at: datetime | None


@dataclass(frozen=True, slots=True)
class GuildStatus:
    """What /status and `byline status` show for one server."""

    config: GuildConfig
    schedule: str
    next_at: datetime | None
    waiting: int
    problems: list[str]


# ---- follows, filters, post styles (issue 12) --------------------------------------------


class FollowKind(StrEnum):
    """Where a follow's alerts go: a server channel or a member's DMs."""

    CHANNEL = "channel"
    DM = "dm"


class AlertStatus(StrEnum):
    """How one (follow, article) alert claim ended."""

    CLAIMED = "claimed"
    SENT = "sent"
    FILTERED = "filtered"
    PAUSED = "paused"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FollowView:
    """A server (channel) or a member (DM) following one merged person."""

    id: int
    guild_id: int
    person_id: int
    person: str
    kind: FollowKind
    target_id: int
    created_by: int | None
    created_at: datetime
    disabled_reason: str | None
    last_error: str | None

    @property
    def enabled(self) -> bool:
        """Whether alerts are still sent."""
        return self.disabled_reason is None


@dataclass(frozen=True, slots=True)
class FollowMatch:
    """One followed person in one article: the quote they said, or the sentence naming them."""

    follow_id: int
    person: str
    quote: str | None
    sentence: str | None


@dataclass(frozen=True, slots=True)
class FollowAlert:
    """One message: every follow of one destination that one article matches."""

    guild_id: int
    kind: FollowKind
    target_id: int
    article: ArticleRef
    matches: list[FollowMatch]

    @property
    def nonce(self) -> str:
        """Discord's message nonce for this alert (at most 25 characters), so a retry dedups."""
        return f"f{self.article.id:x}.{self.target_id:x}"[:25]


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    """What one alerts run did."""

    sent: int = 0
    filtered: int = 0
    paused: int = 0
    failed: int = 0
    disabled: list[int] = field(default_factory=list)


class FilterAction(StrEnum):
    """Whether a rule lets matching articles in or keeps them out."""

    INCLUDE = "include"
    EXCLUDE = "exclude"


class FilterKind(StrEnum):
    """What a filter rule looks at."""

    KEYWORD = "keyword"
    REGEX = "regex"
    PERSON = "person"
    SOURCE = "source"
    MIN_QUOTES = "min_quotes"


@dataclass(frozen=True, slots=True)
class FilterRule:
    """One filter rule of a server, for all its articles or for one source's (source_id)."""

    id: int
    guild_id: int
    action: FilterAction
    kind: FilterKind
    value: str
    source_id: int | None = None

    def describe(self) -> str:
        """The rule in words, for lists and for why an article was dropped."""
        scope = f" (source #{self.source_id})" if self.source_id is not None else ""
        if self.kind == FilterKind.MIN_QUOTES:
            return f"at least {self.value} quotes{scope}"
        return f"{self.action} {self.kind} “{self.value}”{scope}"


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What filters look at in one article."""

    article_id: int
    title: str
    text: str
    source: str | None
    source_id: int | None
    people: list[str]
    person_ids: list[int]
    quote_count: int


@dataclass(frozen=True, slots=True)
class FilterVerdict:
    """Whether an article passes a server's filters, and which rule decided."""

    keep: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DroppedArticle:
    """An article the filters kept out of a digest, and why."""

    ref: ArticleRef
    reason: str


class PostStyle(StrEnum):
    """How digest articles look: everything, or headline, one quote and the link."""

    FULL = "full"
    COMPACT = "compact"


@dataclass(frozen=True, slots=True)
class PostSettings:
    """How and where a server's digests are posted, beyond the channel and schedule."""

    guild_id: int
    style: PostStyle = PostStyle.FULL
    max_people: int = 8
    ping_role_id: int | None = None
    thread_per_digest: bool = False


@dataclass(frozen=True, slots=True)
class WeeklyCount:
    """Articles naming a person in one week (starting Monday, UTC)."""

    week_start: date
    articles: int


@dataclass(frozen=True, slots=True)
class Chart:
    """A rendered PNG with its alt text."""

    png: bytes
    alt_text: str
    filename: str


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One place an article was published: a source's name and its link."""

    article_id: int
    source: str | None
    url: str | None
    title: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoryView:
    """One story: the articles (each with its links) that report one happening."""

    id: int
    title: str
    first_at: datetime | None
    last_at: datetime | None
    articles: list[ArticleRef]
    people: list[str]
    events: list[str]

    @property
    def sources(self) -> list[SourceLink]:
        """Every place the story was published, one per link."""
        out: list[SourceLink] = []
        for ref in self.articles:
            out.append(SourceLink(ref.id, ref.source, ref.url, ref.title, ref.published_at))
            out.extend(ref.copies)
        return out
