"""The scale benchmarks run (at a small size only: no timings are asserted)."""

from __future__ import annotations

from sqlalchemy import func, select, text

from bench.queries import measure, table
from bench.store_scale import grow, realistic_names, store_size
from bot.app import App
from bot.db.models import Article, ArticleGuild, Mention, Person
from tests.conftest import GOLD_ARTICLES, SEED


async def test_store_scale_grows_a_store_keeping_every_constraint(any_app: App) -> None:
    await any_app.articles.ingest_paths([SEED, GOLD_ARTICLES / "04_hurricane_celia.txt"])
    done = await grow(any_app.db.url, 120, people=50, quiet=True)
    assert done["added"] == 118
    assert (await grow(any_app.db.url, 120, quiet=True))["added"] == 0  # already that big
    async with any_app.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Article)) == 120
        guilds = await session.scalar(select(func.count(func.distinct(ArticleGuild.guild_id))))
        assert guilds is not None and guilds > 1
        shared = await session.scalar(select(func.count()).where(Article.is_global.is_(True)))
        assert shared is not None and shared > 0
        mentioned = await session.scalar(select(func.count(func.distinct(Mention.person_id))))
        assert mentioned is not None and mentioned > 50
        if any_app.db.dialect == "sqlite":
            assert list(await session.execute(text("PRAGMA foreign_key_check"))) == []
    async with any_app.db.writer() as session:  # new rows still get fresh ids
        session.add(Person(name="Ada Example", name_key="ada example"))
        session.add(Article(title="After the copies", raw_text="Text."))
        await session.flush()
    articles, size = await store_size(any_app.db.url)
    assert articles == 121 and size > 0


async def test_bench_queries_times_every_read_path(app: App) -> None:
    await app.articles.ingest_paths([SEED])
    await grow(app.db.url, 30, quiet=True)
    timings = await measure(app.db.url, calls=2)
    names = {t.name for t in timings}
    assert {"who (person, server)", "search rare word, server", "autocomplete person"} <= names
    assert all(t.p50_ms >= 0 and t.p99_ms >= t.p50_ms for t in timings)
    rendered = table(timings, 30, "SQLite")
    assert rendered.count("\n") == len(timings) + 1


def test_generated_names_are_real_first_and_last_names_and_distinct() -> None:
    names = realistic_names(500, taken={"kim jong un"})
    assert len({n.casefold() for n in names}) == 500
    assert all(len(n.split()) >= 2 and not any(c.isdigit() for c in n) for n in names)
    assert realistic_names(20, set()) == realistic_names(20, set())  # seeded: same every run
