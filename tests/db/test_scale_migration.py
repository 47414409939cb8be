"""Revision 0003 upgrades a store in place, and its search indexes follow every write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.db.articles import stored_raw_text
from bot.db.migrate import alembic_config, current, head_revisions, upgrade
from bot.db.models import Article, Event, Mention, Person, PersonName, Quote
from bot.ingest.readers import build_article, read_file
from tests.conftest import GOLD_ARTICLES, SEED

ARTICLES = [
    SEED,
    GOLD_ARTICLES / "01_senate_water_bill.txt",
    GOLD_ARTICLES / "04_hurricane_celia.txt",
]
TABLES = (Article, Mention, Quote, Event, Person, PersonName)


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    def run(sync_conn: Any) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_conn
        command.downgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def _counts(app: App) -> list[int]:
    async with app.db.reader() as session:
        return [int(await session.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES]


async def test_a_0002_store_upgrades_in_place_keeping_its_data(any_app: App) -> None:
    await any_app.articles.ingest_paths(ARTICLES)
    before = await _counts(any_app)
    await _downgrade(any_app.db.write_engine, "0002")
    async with any_app.db.reader() as session:
        raw = list(await session.scalars(select(Article.raw_text)))
        assert all(raw)  # back to a full copy of the text in every row
        if any_app.db.dialect == "sqlite":
            indexed = await session.scalar(text("SELECT count(*) FROM articles_fts"))
            assert indexed == len(ARTICLES)
    await upgrade(any_app.db.write_engine)
    assert await current(any_app.db.engine) in head_revisions()
    assert await _counts(any_app) == before
    async with any_app.db.reader() as session:
        for raw_text, clean_text in await session.execute(
            select(Article.raw_text, Article.clean_text)
        ):
            assert raw_text == "" or raw_text.strip() != (clean_text or "").strip()
    [hit] = await any_app.articles.search("hurricane celia")
    assert "Celia" in hit.ref.title
    assert await any_app.events.search("hanoi")
    titles = [title for _, title in await any_app.articles.choices("wat", None)]
    assert any("water" in t.lower() for t in titles)


async def test_search_follows_a_changed_and_a_deleted_article(any_app: App) -> None:
    first = build_article("a", "Zoo news", "A zebra escaped on Monday.", url="https://z.test/a")
    second = build_article("a", "Zoo news", "A giraffe escaped on Monday.", url="https://z.test/a")
    stored = await any_app.articles.ingest_article(first)
    assert [h.ref.id for h in await any_app.articles.search("zebra")] == [stored.article_id]
    await any_app.articles.ingest_article(second)
    assert await any_app.articles.search("zebra") == []
    assert [h.ref.id for h in await any_app.articles.search("giraffe")] == [stored.article_id]
    async with any_app.db.writer() as session:
        await session.execute(delete(Article).where(Article.id == stored.article_id))
    assert await any_app.articles.search("giraffe") == []
    assert await any_app.articles.choices("zoo", None) == []


def test_raw_text_is_kept_only_when_cleaning_would_not_give_it_back() -> None:
    plain = build_article("p", "Plain", "\nOne paragraph of text.\n\nAnother one.\n")
    assert stored_raw_text(plain) == ""
    [copied] = read_file(SEED)  # a page copy with hover cards the cleaning takes out
    assert copied.raw_text.strip() != copied.clean_text.strip()
    assert stored_raw_text(copied) == copied.raw_text
