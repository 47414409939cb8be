"""Read paths stay correct past the sizes that broke them: every person found, every hit seen.

Each check runs on SQLite (a copy of one store grown once per run) and, in one test that grows
the store once, on PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from bench.store_scale import GUILDS
from bot.app import App
from bot.db.models import Article, ArticleGuild, Mention, Person
from bot.db.visibility import article_visible
from bot.domain import ArticleStatus
from bot.settings import DatabaseSettings, Settings
from tests.conftest import POSTGRES_URL_ENV, reset_postgres
from tests.db.scale_store import build_sqlite_store, copy_store, grown_store, sqlite_url

# A word of one template only (the hurricane), so its copies are the only matches.
RARE_WORD = "celia"


@pytest.fixture(scope="session")
def grown_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One grown SQLite store for the whole run (each test works on a copy)."""
    return build_sqlite_store(tmp_path_factory.mktemp("scale") / "grown.db")


@pytest.fixture()
async def scale_app(grown_sqlite: Path, tmp_path: Path, isolated_env: Path) -> AsyncIterator[App]:
    """The app over a private copy of the grown store."""
    url = sqlite_url(copy_store(grown_sqlite, tmp_path / "store.db"))
    app = await App.open(Settings(database=DatabaseSettings(url=url)), processes=False)
    async with app:
        yield app


async def _mentioned_people(app: App) -> list[tuple[int, str, int]]:
    """(id, name, mentions) of every person an analysed article names, fewest mentions first."""
    async with app.db.reader() as session:
        mentions = func.count(Mention.id)
        rows = await session.execute(
            select(Person.id, Person.name, mentions)
            .join(Mention, Mention.person_id == Person.id)
            .join(Article, Article.id == Mention.article_id)
            .where(Article.status == ArticleStatus.ANALYZED)
            .group_by(Person.id, Person.name)
            .order_by(mentions, Person.id)
        )
        return [(int(i), str(n), int(c)) for i, n, c in rows]


async def _visible_matches(app: App, guild_id: int | None, word: str) -> set[int]:
    """Ids of the analysed articles a server sees whose text has word (read the slow way)."""
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    async with app.db.reader() as session:
        rows = await session.execute(
            select(Article.id, Article.title, Article.clean_text).where(
                article_visible(guild_id), Article.status == ArticleStatus.ANALYZED
            )
        )
        return {int(i) for i, t, c in rows if pattern.search(f"{t}\n{c or ''}")}


async def check_every_mentioned_person_is_found_by_who_and_autocomplete(app: App) -> None:
    people = await _mentioned_people(app)
    assert len(people) > 5_000  # past the old "5,000 most mentioned" cut
    # The least mentioned are the ones a top-N list drops; the most mentioned must stay right.
    for person_id, name, mentions in people[:150] + people[-5:]:
        card = await app.people.who(name)
        assert card.id == person_id and card.article_count == mentions
        choices = await app.people.choices(name, None)
        assert person_id in [pid for pid, _ in choices], name


async def check_autocomplete_pages_through_a_crowded_prefix(app: App) -> None:
    choices = await app.people.choices("", None, limit=25)
    assert len(choices) == 25 and len({pid for pid, _ in choices}) == 25
    for typed in ("a", "ma", "mar"):
        found = await app.people.choices(typed, GUILDS[0], limit=25)
        assert len(found) == 25
        for _, name in found:
            assert any(word.casefold().startswith(typed) for word in name.split()), name


async def check_a_server_sees_all_of_its_own_search_hits(app: App) -> None:
    for guild_id in GUILDS[:2]:
        expected = await _visible_matches(app, guild_id, RARE_WORD)
        assert len(expected) > 100
        hits = await app.articles.search(RARE_WORD, guild_id, limit=len(expected) + 50)
        assert {h.ref.id for h in hits} == expected


async def check_a_word_mostly_in_other_servers_articles_still_finds_the_servers_own(
    app: App,
) -> None:
    mine, other = GUILDS[0], GUILDS[1]
    matches = sorted(await _visible_matches(app, None, RARE_WORD))
    own = matches[:5]  # the oldest: a newest-first pool would reach them last
    async with app.db.writer() as session:
        await session.execute(
            update(Article).where(Article.id.in_(matches)).values(is_global=False)
        )
        await session.execute(delete(ArticleGuild).where(ArticleGuild.article_id.in_(matches)))
        await session.execute(
            insert(ArticleGuild),
            [{"article_id": a, "guild_id": other} for a in matches]
            + [{"article_id": a, "guild_id": mine} for a in own],
        )
    assert await _visible_matches(app, mine, RARE_WORD) == set(own)
    hits = await app.articles.search(RARE_WORD, mine)
    assert {h.ref.id for h in hits} == set(own)
    assert all("**" in h.snippet for h in hits)


async def check_the_person_card_counts_every_article_of_a_much_mentioned_person(app: App) -> None:
    person_id, name, mentions = (await _mentioned_people(app))[-1]
    assert mentions > 100
    card = await app.people.who(name)
    assert card.article_count == mentions
    assert len(card.co_mentioned) == 5 and card.quotes
    for guild_id in GUILDS[:2]:
        async with app.db.reader() as session:
            seen = await session.scalar(
                select(func.count())
                .select_from(Mention)
                .join(Article, Article.id == Mention.article_id)
                .where(Mention.person_id == person_id, article_visible(guild_id))
            )
        assert (await app.people.who(name, guild_id)).article_count == seen


async def check_events_are_found_by_word_and_by_the_start_of_a_word(app: App) -> None:
    found = await app.events.search("hanoi", GUILDS[0])
    assert found and all("hanoi" in (e.name + " " + (e.where or "")).lower() for e in found)
    assert await app.events.choices("han", GUILDS[0])
    assert all(s.sentence for e in found for s in e.sources)
    assert len(await app.events.search(None, GUILDS[0], limit=10)) == 10


CHECKS: list[Callable[[App], Awaitable[None]]] = [
    check_every_mentioned_person_is_found_by_who_and_autocomplete,
    check_autocomplete_pages_through_a_crowded_prefix,
    check_a_server_sees_all_of_its_own_search_hits,
    check_the_person_card_counts_every_article_of_a_much_mentioned_person,
    check_events_are_found_by_word_and_by_the_start_of_a_word,
    check_a_word_mostly_in_other_servers_articles_still_finds_the_servers_own,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
async def test_on_sqlite(scale_app: App, check: Callable[[App], Awaitable[None]]) -> None:
    await check(scale_app)


async def test_on_postgresql(tmp_path: Path, isolated_env: Path) -> None:
    url = os.environ.get(POSTGRES_URL_ENV, "")
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set; .ci/run starts a PostgreSQL")
    await reset_postgres(url)
    app = await App.open(Settings(database=DatabaseSettings(url=url)), processes=False)
    async with app:
        await grown_store(app)
        for check in CHECKS:  # the one that changes visibility runs last
            await check(app)
