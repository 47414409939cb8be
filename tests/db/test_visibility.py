"""Visibility is part of each query: a server finds all of its own rows, never another's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.db.models import Article, ArticleGuild
from bot.domain import ArticleStatus

WORD = "zeppelin"


async def _add(app: App, title: str, body: str, *, guild_id: int | None) -> int:
    async with app.db.writer() as session:
        article = Article(
            title=title,
            raw_text=body,
            clean_text=body,
            status=ArticleStatus.ANALYZED,
            is_global=guild_id is None,
            authors=[],
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        session.add(article)
        await session.flush()
        if guild_id is not None:
            session.add(ArticleGuild(article_id=article.id, guild_id=guild_id))
        return article.id


async def test_a_servers_own_article_ranked_below_1000_global_ones_is_still_found(
    any_app: App,
) -> None:
    async with any_app.db.writer() as session:
        loud = f"{WORD} " * 40
        rows = [
            Article(
                title=f"{WORD.title()} news {n}",
                raw_text=loud,
                clean_text=loud,
                status=ArticleStatus.ANALYZED,
                is_global=False,  # other servers' private articles
                authors=[],
                created_at=datetime(2026, 1, 2, tzinfo=UTC),
            )
            for n in range(1000)
        ]
        session.add_all(rows)
        await session.flush()
        session.add_all(ArticleGuild(article_id=r.id, guild_id=1 + r.id % 7) for r in rows)
    mine = await _add(
        any_app,
        "Harbor notes",
        f"The council talked about parking for an hour and mentioned the {WORD} once.",
        guild_id=999,
    )
    hits = await any_app.articles.search(WORD, 999, limit=10)
    assert [h.ref.id for h in hits] == [mine]
    assert await any_app.articles.search(WORD, 12345, limit=10) == []


async def test_search_never_returns_another_servers_article(any_app: App) -> None:
    theirs = await _add(any_app, "Private", f"A {WORD} story.", guild_id=1)
    everyone = await _add(any_app, "Public", f"Another {WORD} story.", guild_id=None)
    assert [h.ref.id for h in await any_app.articles.search(WORD, 2)] == [everyone]
    assert {h.ref.id for h in await any_app.articles.search(WORD, 1)} == {theirs, everyone}
    assert {h.ref.id for h in await any_app.articles.search(WORD, None)} == {theirs, everyone}
