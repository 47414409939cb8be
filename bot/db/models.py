"""ORM tables of the article store; only repositories touch these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime
from bot.domain import ArticleStatus

# A naming convention keeps constraint names identical on SQLite and PostgreSQL,
# which Alembic batch mode needs to alter them later.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Article(Base):
    """One article: its text, metadata and analysis status."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    source: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    is_global: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    title: Mapped[str] = mapped_column(String(1000), default="", nullable=False)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    raw_text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    clean_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ArticleStatus.PENDING, index=True)
    error: Mapped[str | None] = mapped_column(String(500))
    # Analysis starts so far; a row that keeps killing its worker stops at analysis.max_attempts.
    attempts: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), nullable=False
    )
    similarity_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The analysis worker holding the article and until when (renewed while it works); an
    # expired lease is a stopped worker, and the article is claimed again (bot/db/articles.py).
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    analysis_attempts: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", nullable=False
    )


class ArticleGuild(Base):
    """A server that may see a non-global article (it came from that server's source)."""

    __tablename__ = "article_guilds"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


class Person(Base):
    """One person across articles."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_key: Mapped[str] = mapped_column(String(200), index=True, nullable=False)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    descriptions: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)


class PersonName(Base):
    """A key a person is found by: the name, each alias, and each tail from a word on."""

    __tablename__ = "person_names"
    __table_args__ = (Index("ix_person_names_name_key", "name_key", "person_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    name_key: Mapped[str] = mapped_column(String(200), primary_key=True)


class Mention(Base):
    """A person as one article names and describes them."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("article_id", "person_id"),
        # A person's articles, counted and listed from the index alone.
        Index("ix_mentions_person_article", "person_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique (article_id, person_id) index serves lookups by article.
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    )
    count: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    descriptions: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    first_offset: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Quote(Base):
    """A direct quote: exact text with offsets into the article's clean text."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, nullable=False
    )
    text: Mapped[str] = mapped_column(Text, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    speaker_text: Mapped[str | None] = mapped_column(String(300))
    speaker_kind: Mapped[str | None] = mapped_column(String(20))
    cue: Mapped[str | None] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    score: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)


class Event(Base):
    """Something that happened, as one article tells it."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(50), nullable=False)
    when_text: Mapped[str | None] = mapped_column(String(200))
    when_start: Mapped[date | None] = mapped_column(Date)
    when_end: Mapped[date | None] = mapped_column(Date)
    where: Mapped[str | None] = mapped_column(String(200))
    merge_key: Mapped[str] = mapped_column(String(400), index=True, nullable=False)
    sentence_start: Mapped[int] = mapped_column(Integer, nullable=False)
    sentence_end: Mapped[int] = mapped_column(Integer, nullable=False)


class EventPerson(Base):
    """A person taking part in an event."""

    __tablename__ = "event_people"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ArticleEntity(Base):
    """A place or organization named in an article."""

    __tablename__ = "article_entities"
    __table_args__ = (UniqueConstraint("article_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique (article_id, kind, name) index serves lookups by article.
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # "place" | "organization"
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    count: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class Summary(Base):
    """An article's extractive summary."""

    __tablename__ = "summaries"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    sentences: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)


class Source(Base):
    """A feed or page polled for articles; guild_id 0 means global (from config.toml)."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("guild_id", "canonical_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL: a global source (config.toml) that every server gets.
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    canonical_url: Mapped[str] = mapped_column(String(2048), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), default="unknown", nullable=False)
    title: Mapped[str | None] = mapped_column(String(500))
    every_s: Mapped[int] = mapped_column(Integer, default=1800, nullable=False)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(String(500))
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)


class SourceItem(Base):
    """An item of a feed that was seen (ingested, skipped as backfill, or failing for now)."""

    __tablename__ = "source_items"
    __table_args__ = (UniqueConstraint("source_id", "item_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True, nullable=False
    )
    item_key: Mapped[str] = mapped_column(String(2048), nullable=False)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    # Transient failures so far (timeouts, 5xx): the item is tried again on the next polls
    # until sources.max_item_failures, then given up (a row with 0 is done).
    failures: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), nullable=False
    )


class GuildSettings(Base):
    """A server's digest configuration."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    schedule: Mapped[str] = mapped_column(String(100), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    max_articles: Mapped[int] = mapped_column(Integer, nullable=False)
    max_quotes: Mapped[int] = mapped_column(Integer, nullable=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    problem: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)


class DigestSlot(Base):
    """The exactly-once claim of one scheduled digest."""

    __tablename__ = "digest_slots"
    __table_args__ = (UniqueConstraint("guild_id", "channel_id", "slot_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    channel_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # claimed|posted|skipped|failed
    claimed_by: Mapped[str] = mapped_column(String(100), nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    detail: Mapped[str | None] = mapped_column(String(500))


class DigestArticle(Base):
    """An article already posted to a server, so it is never posted twice."""

    __tablename__ = "digest_articles"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("digest_slots.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)


Index("ix_articles_published", Article.published_at)


class Follow(Base):
    """A server channel or a member's DMs following one person."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("guild_id", "person_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True, nullable=False)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True, nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # channel | dm
    # The channel id for a channel follow, the member's user id for a DM follow.
    target_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, nullable=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(String(300))


class FollowAlertClaim(Base):
    """The exactly-once claim of one (follow, article) alert."""

    __tablename__ = "follow_alerts"

    follow_id: Mapped[int] = mapped_column(
        ForeignKey("follows.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    claimed_by: Mapped[str] = mapped_column(String(100), nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, nullable=False)
    detail: Mapped[str | None] = mapped_column(String(300))


class FilterRuleRow(Base):
    """One filter rule of a server (source_id set: only for that source's articles)."""

    __tablename__ = "filter_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True, nullable=False)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, nullable=False)


class GuildPostSettings(Base):
    """How a server's digests are posted: style, people shown, role ping, thread."""

    __tablename__ = "guild_post_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    style: Mapped[str] = mapped_column(String(10), default="full", nullable=False)
    max_people: Mapped[int] = mapped_column(Integer, default=8, nullable=False)
    ping_role_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_per_digest: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class ArticleLink(Base):
    """One place an article was published: its own link and each copy's (syndication)."""

    __tablename__ = "article_links"
    __table_args__ = (UniqueConstraint("article_id", "link_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # The canonical URL, else "source:<name>", else "text:<content hash>": one link per place.
    link_key: Mapped[str] = mapped_column(String(2048), index=True, nullable=False)
    url: Mapped[str | None] = mapped_column(String(2048))
    source: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(1000), default="", nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)


class ArticleSignature(Base):
    """An article's MinHash signature (bot/stories/copies.py), to confirm LSH candidates."""

    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    shingle_count: Mapped[int] = mapped_column(Integer, nullable=False)


class ArticleBand(Base):
    """One LSH band key of an article: articles sharing a key are copy candidates."""

    __tablename__ = "article_bands"
    __table_args__ = (Index("ix_article_bands_band_key", "band_key", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class Story(Base):
    """Several articles (write-ups by different outlets) about one happening."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, index=True)


class StoryArticle(Base):
    """An article's story (each article is in at most one)."""

    __tablename__ = "story_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), index=True, nullable=False
    )
    score: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
