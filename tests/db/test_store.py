"""The article store: round trips, idempotent re-ingest, atomic replacement, pending rows."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.app import App
from bot.db.engine import Database
from bot.db.migrate import current, upgrade
from bot.db.models import Article, Mention, Quote
from bot.errors import NotFound
from bot.ingest.readers import build_article, read_file
from tests.conftest import GOLD_ARTICLES, SEED


async def _count(app: App, model: type) -> int:
    async with app.db.reader() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app: App) -> None:
    async with app.db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert ((await conn.execute(text("PRAGMA busy_timeout"))).scalar() or 0) >= 5000
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() in (1, 2)


async def test_ingest_round_trip_stores_people_quotes_events(any_app: App) -> None:
    [outcome] = await any_app.articles.ingest_paths([SEED])
    assert outcome.status == "added" and outcome.article_id is not None
    detail = await any_app.articles.article(outcome.article_id)
    assert {"Donald Trump", "Kim Jong Un", "Matthew Pottinger", "John Bolton"} == set(detail.people)
    assert any(q.speaker == "John Bolton" for q in detail.quotes)
    assert any(e.where == "Hanoi" for e in detail.events)
    assert len(detail.summary) in (2, 3)
    async with any_app.db.reader() as session:
        article = await session.get(Article, outcome.article_id)
        assert article is not None and article.clean_text is not None
        assert article.raw_text != article.clean_text
        for quote in await session.scalars(select(Quote)):
            assert article.clean_text[quote.start : quote.end] == quote.text


async def test_reingesting_the_same_content_is_a_no_op(any_app: App) -> None:
    await any_app.articles.ingest_paths([SEED])
    before = (
        await _count(any_app, Article),
        await _count(any_app, Quote),
        await _count(any_app, Mention),
    )
    [again] = await any_app.articles.ingest_paths([SEED])
    assert again.status == "unchanged"
    assert (
        await _count(any_app, Article),
        await _count(any_app, Quote),
        await _count(any_app, Mention),
    ) == before


async def test_a_changed_article_at_a_known_url_replaces_its_analysis(any_app: App) -> None:
    first = build_article(
        "a", "Title", '"We will win," said Maria Delgado, a senator.', url="https://news.test/a"
    )
    second = build_article(
        "a", "Title", '"We lost," said Tom Baker, a senator.', url="https://news.test/a"
    )
    added = await any_app.articles.ingest_article(first)
    updated = await any_app.articles.ingest_article(second)
    assert (added.status, updated.status, added.article_id) == (
        "added",
        "updated",
        updated.article_id,
    )
    quotes = await any_app.people.quotes(article_id=added.article_id)
    assert [q.speaker for q in quotes] == ["Tom Baker"]
    assert await _count(any_app, Article) == 1


async def test_the_same_person_across_articles_is_one_row(any_app: App) -> None:
    paths = [
        GOLD_ARTICLES / "04_hurricane_celia.txt",
        GOLD_ARTICLES / "24_mount_vernon_funding.txt",
    ]
    await any_app.articles.ingest_paths(paths)
    card = await any_app.people.who("Alan Whitfield")
    assert card.article_count == 2


async def test_people_sharing_a_surname_in_different_articles_stay_apart(
    any_app: App,
) -> None:
    await any_app.articles.ingest_paths(
        [GOLD_ARTICLES / "02_grocery_merger.txt", GOLD_ARTICLES / "06_exoplanet_water.txt"]
    )
    chens = [name for _, name in await any_app.people.choices("Chen", None)]
    assert len(chens) >= 2 and len(set(chens)) == len(chens)


async def test_pending_rows_from_another_program_are_analyzed(any_app: App) -> None:
    async with any_app.db.writer() as session:
        await session.execute(
            text(
                "INSERT INTO articles "
                "(title, raw_text, url, status, is_global, authors, created_at) "
                "VALUES (:title, :raw, :url, 'pending', :yes, '[]', CURRENT_TIMESTAMP)"
            ),
            {
                "title": "Seed",
                "raw": SEED.read_text(encoding="utf-8").split("\n", 1)[1],
                "url": "https://x.test/seed",
                "yes": True,
            },
        )
    outcomes = await any_app.articles.analyze_pending()
    assert [o.status for o in outcomes] == ["added"]
    card = await any_app.people.who("Pottinger")
    assert card.name == "Matthew Pottinger"


async def test_a_pending_row_without_text_is_marked_failed_and_the_rest_go_on(
    any_app: App,
) -> None:
    async with any_app.db.writer() as session:
        await session.execute(
            text(
                "INSERT INTO articles (title, raw_text, status, is_global, authors, created_at) "
                "VALUES ('Empty', '   ', 'pending', :yes, '[]', CURRENT_TIMESTAMP)"
            ),
            {"yes": True},
        )
    [outcome] = await any_app.articles.analyze_pending()
    assert outcome.status == "failed"
    async with any_app.db.reader() as session:
        assert await session.scalar(select(Article.status)) == "failed"


async def test_full_text_search_finds_words_and_ignores_operators(any_app: App) -> None:
    await any_app.articles.ingest_paths([SEED, GOLD_ARTICLES / "04_hurricane_celia.txt"])
    hits = await any_app.articles.search("Air Force One")
    assert [h.ref.title for h in hits][0].startswith("Trump offered")
    # Operators reach neither engine as syntax: this is searched as plain words and never raises.
    await any_app.articles.search('" OR * NEAR(')
    assert [h.ref.title for h in await any_app.articles.search("landfall")][0].startswith(
        "Hurricane Celia"
    )


async def test_unknown_person_offers_close_matches(any_app: App) -> None:
    await any_app.articles.ingest_paths([SEED])
    with pytest.raises(NotFound, match="did you mean.*Matthew Pottinger"):
        await any_app.people.who("Pottinjer")


async def test_one_server_never_sees_another_servers_articles(any_app: App) -> None:
    raw = read_file(GOLD_ARTICLES / "06_exoplanet_water.txt")[0]
    stored = await any_app.articles.ingest_article(raw, guild_id=111)
    assert stored.article_id is not None
    assert (await any_app.articles.article(stored.article_id, 111)).ref.id == stored.article_id
    with pytest.raises(NotFound):
        await any_app.articles.article(stored.article_id, 222)
    assert await any_app.articles.search("exoplanet", 222) == []
    assert await any_app.people.choices("Okafor", 222) == []
    with pytest.raises(NotFound):
        await any_app.people.who("Okafor", 222)


async def test_migrations_run_from_empty_and_down_again(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await upgrade(db.write_engine)
        head = await current(db.engine)
        assert head is not None
        await upgrade(db.write_engine)  # a second start is a no-op
        assert await current(db.engine) == head
    finally:
        await db.dispose()


async def test_concurrent_writers_do_not_hit_database_is_locked(any_app: App) -> None:
    raws = [
        build_article(f"a{i}", f"Title {i}", f"Body number {i} says something new.")
        for i in range(20)
    ]

    async def write(raw: object) -> None:
        async with any_app.db.writer() as session:
            from bot.db.articles import store_article

            await store_article(session, raw, None)  # type: ignore[arg-type]

    await asyncio.gather(*(write(r) for r in raws))
    assert await _count(any_app, Article) == 20


async def test_the_same_event_across_articles_is_one_event_with_both_sources(
    any_app: App,
) -> None:
    first = build_article(
        "a",
        "Leaders meet in Hanoi",
        "President Ana Silva met Prime Minister Tom Baker at a summit in Hanoi on Feb. 27, 2019.",
        url="https://news.test/a",
    )
    second = build_article(
        "b",
        "Hanoi talks end early",
        "The summit in Hanoi on Feb. 27, 2019 ended without a deal, Tom Baker said later.",
        url="https://other.test/b",
    )
    await any_app.articles.ingest_article(first)
    await any_app.articles.ingest_article(second)
    events = [e for e in await any_app.events.search("summit") if e.where == "Hanoi"]
    assert len(events) == 1
    assert {s.article.title for s in events[0].sources} == {
        "Leaders meet in Hanoi",
        "Hanoi talks end early",
    }
