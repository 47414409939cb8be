"""Who may see a row, as SQL: every read path filters inside its query, never afterwards.

An article is visible to every server when `is_global` is true (the store contract other
programs write to), else to the servers listed in `article_guilds`. A source with no owning
server (`guild_id` NULL) is global. The CLI, acting for the operator, passes guild None and
sees everything.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Article, ArticleGuild, Mention, Source
from bot.domain import ArticleStatus


def article_visible(guild_id: int | None) -> ColumnElement[bool]:
    """Articles a server may see: global ones and its own."""
    if guild_id is None:
        return true()
    own = exists().where(ArticleGuild.article_id == Article.id, ArticleGuild.guild_id == guild_id)
    return or_(Article.is_global.is_(True), own)


def source_visible(guild_id: int | None) -> ColumnElement[bool]:
    """Sources a server sees: global ones and its own."""
    if guild_id is None:
        return true()
    return or_(Source.guild_id.is_(None), Source.guild_id == guild_id)


def person_visible(
    person_id: ColumnElement[int] | InstrumentedAttribute[int], guild_id: int | None
) -> ColumnElement[bool]:
    """People mentioned in at least one analysed article the server may see."""
    return (
        select(Mention.id)
        .join(Article, Article.id == Mention.article_id)
        .where(
            Mention.person_id == person_id,
            Article.status == ArticleStatus.ANALYZED,
            article_visible(guild_id),
        )
        .exists()
    )


def article_visible_to(
    guild_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    """Articles visible to the server in a column (for queries over many servers at once)."""
    own = exists().where(ArticleGuild.article_id == Article.id, ArticleGuild.guild_id == guild_id)
    return or_(Article.is_global.is_(True), own)
