"""Copies and stories in the store: one article per text with all its links, stories grouped."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select

from bot.app import App
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Article, ArticleLink, ArticleSignature, StoryArticle
from bot.domain import IngestStatus
from bot.ingest.readers import RawArticle, build_article, read_file
from tests.conftest import GOLD_ARTICLES
from tests.stories.scorer import reports_dir

WATER = GOLD_ARTICLES / "01_senate_water_bill.txt"

BODY = """{dateline}Senate leaders {verb} a {adj} vote on the $14 billion Western water package on \
Tuesday, saying they needed another week to win over senators from farm states who want the \
pumping limits phased in more slowly.

The package would repair aging canals, recharge depleted aquifers and cap groundwater pumping \
across seven Western states. It fell four votes short last month.

"We are close, but close does not fill a reservoir," said Sen. Maria Delgado, the New Mexico \
Democrat who wrote the central groundwater provisions. She said she expected a vote next week.

Sen. Curtis Bannerman, an Idaho Republican, said dairy operators in the Magic Valley needed \
more time to retool. "You cannot ask a family dairy to change its whole operation in three \
years," he told reporters outside the chamber.

Farm groups in California and Arizona have lobbied against the bill for months, while water \
districts in Colorado and Utah have urged the Senate to pass it before the spring planting \
season begins."""


def wire_copy(source: str, url: str, *, verb: str, adj: str, dateline: str) -> RawArticle:
    body = BODY.format(verb=verb, adj=adj, dateline=dateline)
    return build_article(
        url, "Senate delays water vote", body, url=url, source=source, published_at="2026-03-03"
    )


async def _count(app: App, model: type) -> int:
    async with app.db.reader() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_edited_wire_copy_from_another_source_is_one_article_with_two_links(
    any_app: App,
) -> None:
    first = wire_copy(
        "Wire One",
        "https://wire-one.test/water",
        verb="postponed",
        adj="scheduled",
        dateline="WASHINGTON (AP) — ",
    )
    second = wire_copy(
        "Daily Paper",
        "https://daily-paper.test/water",
        verb="delayed",
        adj="planned",
        dateline="WASHINGTON — ",
    )
    one = await any_app.articles.ingest_article(first)
    two = await any_app.articles.ingest_article(second)
    assert one.status == IngestStatus.ADDED
    assert two.status == IngestStatus.LINKED and two.article_id == one.article_id
    assert await _count(any_app, Article) == 1
    assert await _count(any_app, ArticleLink) == 2
    digest = await any_app.digests.build(max_articles=5)
    assert len(digest.items) == 1
    assert [s.source for s in digest.items[0].sources] == ["Wire One", "Daily Paper"]


async def test_an_identical_copy_from_another_source_adds_its_link(any_app: App) -> None:
    [raw] = read_file(WATER)
    again = build_article(
        "copy",
        raw.title,
        raw.raw_text,
        url="https://other-paper.test/water",
        source="Other Paper",
        published_at=raw.published_at,
    )
    one = await any_app.articles.ingest_article(raw)
    two = await any_app.articles.ingest_article(again)
    three = await any_app.articles.ingest_article(again)
    assert (two.status, two.article_id) == (IngestStatus.LINKED, one.article_id)
    assert three.status == IngestStatus.UNCHANGED
    detail = await any_app.articles.article(one.article_id or 0)
    assert [c.source for c in detail.ref.copies] == ["Other Paper"]


async def test_outlets_own_reports_of_one_event_are_one_story_apart_from_the_day_before(
    app: App,
) -> None:
    ids = []
    for path in [WATER, *sorted(reports_dir().glob("water-house-vote__*.txt"))]:
        [raw] = read_file(path)
        ids.append((await app.articles.ingest_article(raw)).article_id)
    async with app.db.reader() as session:
        stories = dict(
            (int(a), int(s))
            for a, s in await session.execute(
                select(StoryArticle.article_id, StoryArticle.story_id)
            )
        )
    senate, *house = ids
    assert senate not in stories
    assert len({stories[i] for i in house if i}) == 1 and all(i in stories for i in house)
    views = await app.stories.recent(since_s=10**9)
    assert [len(v.articles) for v in views] == [3]


async def test_upgrading_an_existing_store_backfills_links_and_signatures(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    body = BODY.format(verb="postponed", adj="scheduled", dateline="")
    try:
        await upgrade(db.write_engine, "0002")
        async with db.write_engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO articles (id, url, canonical_url, source, is_global, title,"
                    " authors, raw_text, clean_text, status, created_at) VALUES (7,"
                    " 'https://wire-one.test/water', 'https://wire-one.test/water', 'Wire One',"
                    " 1, 'Senate delays water vote', '[]', :b, :b, 'analyzed',"
                    " '2026-03-03 10:00:00')"
                ),
                {"b": body},
            )
        await upgrade(db.write_engine)
        async with db.reader() as session:
            links = list(await session.execute(select(ArticleLink.article_id, ArticleLink.source)))
            signed = await session.scalar(select(func.count()).select_from(ArticleSignature))
        assert [(int(a), s) for a, s in links] == [(7, "Wire One")]
        assert signed == 1
    finally:
        await db.dispose()


async def test_a_pending_row_copying_a_stored_article_becomes_its_link(any_app: App) -> None:
    first = wire_copy(
        "Wire One", "https://wire-one.test/w", verb="postponed", adj="scheduled", dateline=""
    )
    stored = await any_app.articles.ingest_article(first)
    body = BODY.format(verb="delayed", adj="planned", dateline="WASHINGTON (AP) — ")
    async with any_app.db.writer() as session:
        await session.execute(
            sa.text(
                "INSERT INTO articles (title, raw_text, url, source, status, is_global, authors,"
                " created_at) VALUES ('Vote delayed', :raw, 'https://other.test/w', 'Other',"
                " 'pending', :yes, '[]', CURRENT_TIMESTAMP)"
            ),
            {"raw": body, "yes": True},
        )
    [outcome] = await any_app.articles.analyze_pending()
    assert (outcome.status, outcome.article_id) == (IngestStatus.LINKED, stored.article_id)
    assert await _count(any_app, Article) == 1
    detail = await any_app.articles.article(stored.article_id or 0)
    assert [c.source for c in detail.ref.copies] == ["Other"]
