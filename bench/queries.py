"""p50/p99 of every read path, through the services in-process, on the store at --db.

Grow a store first (`python -m bench.store_scale`); the operations are asked as the bot asks
them: for a server (one of bench.store_scale.GUILDS) unless the row says "CLI". Inputs vary
per call (people, articles, words and prefixes drawn from the store), so caches do not flatter.
Wall-clock times depend on what else the machine runs; the CPU columns (this process, which
on SQLite includes the driver's thread doing the query) show the work itself.

    .venv/bin/python -m bench.queries --db sqlite+aiosqlite:///data/scale.db [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bench.store_scale import GUILDS
from bot.db.engine import Database
from bot.db.models import Article, Event, Person
from bot.domain import ArticleStatus
from bot.services.articles import ArticleService
from bot.services.digests import DigestService
from bot.services.events import EventService
from bot.services.guilds import GuildService
from bot.services.people import PeopleService
from bot.settings import DatabaseSettings, Settings

_WORD = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True, slots=True)
class Timing:
    """The latencies of one operation."""

    name: str
    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float
    cpu_p99_ms: float
    calls: int


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the operations ask for, drawn from the store."""

    people: list[str]
    prefixes: list[str]
    articles: list[int]
    common_words: list[str]
    rare_words: list[str]
    event_words: list[str]
    titles: list[str]


class _Services:
    """The read services over one database, without the analyzer or the fetcher."""

    def __init__(self, settings: Settings, db: Database) -> None:
        from bot.clock import SystemClock

        clock = SystemClock()
        self.people = PeopleService(db)
        self.events = EventService(db)
        self.guilds = GuildService(settings, db, clock)
        self.digests = DigestService(settings, db, self.guilds, clock)
        self.articles = ArticleService(settings, db, None, None)  # type: ignore[arg-type]


async def _inputs(db: Database, rng: random.Random, calls: int) -> Inputs:
    async with db.reader() as session:
        max_person = int(await session.scalar(select(func.max(Person.id))) or 0)
        ids = [rng.randint(1, max_person) for _ in range(calls * 2)]
        people = [
            str(n) for n in await session.scalars(select(Person.name).where(Person.id.in_(ids)))
        ]
        max_article = int(await session.scalar(select(func.max(Article.id))) or 0)
        articles = [rng.randint(1, max_article) for _ in range(calls)]
        templates = list(
            await session.execute(
                select(Article.title, Article.clean_text)
                .where(Article.status == ArticleStatus.ANALYZED)
                .order_by(Article.id)
                .limit(60)
            )
        )
        event_names = list(await session.scalars(select(Event.name).order_by(Event.id).limit(300)))
    df = Counter[str]()
    for _, text in templates:
        df.update(set(_WORD.findall((text or "").lower())))
    ranked = [w for w, _ in df.most_common()]
    common = [w for w in ranked if df[w] >= len(templates) // 3][:20] or ranked[:20]
    rare = [w for w in ranked if df[w] == 1 and len(w) > 6][:40]
    event_words = list(dict.fromkeys(w for n in event_names for w in _WORD.findall(n.lower())))[:40]
    prefixes = [n.lower()[:k] for n in people for k in (1, 2, 3)]
    titles = [t.lower().split()[0][:4] for t, _ in templates if t.split()]
    return Inputs(
        people=people or ["Kim"],
        prefixes=prefixes or ["k"],
        articles=articles,
        common_words=common or ["said"],
        rare_words=rare or ["said"],
        event_words=event_words or ["said"],
        titles=titles or ["a"],
    )


def _operations(
    s: _Services, i: Inputs, rng: random.Random
) -> dict[str, Callable[[], Awaitable[Any]]]:
    def guild() -> int:
        return rng.choice(GUILDS)

    async def ignore_missing(call: Awaitable[Any]) -> Any:
        from bot.errors import NotFound

        try:
            return await call
        except NotFound:
            return None

    async def floor() -> None:
        from sqlalchemy import text

        async with s.people.db.reader() as session:
            await session.execute(text("SELECT 1"))

    return {
        "floor: one SELECT 1 unit of work": floor,
        "who (person, server)": lambda: ignore_missing(s.people.who(rng.choice(i.people), guild())),
        "who (person, CLI)": lambda: ignore_missing(s.people.who(rng.choice(i.people))),
        "quotes by person": lambda: ignore_missing(
            s.people.quotes(guild(), person=rng.choice(i.people), limit=20)
        ),
        "quotes by article": lambda: ignore_missing(
            s.people.quotes(None, article_id=rng.choice(i.articles), limit=20)
        ),
        "timeline": lambda: ignore_missing(s.people.timeline(rng.choice(i.people), guild())),
        "events QUERY": lambda: s.events.search(rng.choice(i.event_words), guild()),
        "events (newest)": lambda: s.events.search(None, guild()),
        "article": lambda: ignore_missing(s.articles.article(rng.choice(i.articles), None)),
        "search common word, server": lambda: s.articles.search(
            rng.choice(i.common_words), guild()
        ),
        "search rare word, server": lambda: s.articles.search(rng.choice(i.rare_words), guild()),
        "search two words, CLI": lambda: s.articles.search(
            f"{rng.choice(i.common_words)} {rng.choice(i.rare_words)}"
        ),
        "newest articles": lambda: s.articles.recent(guild()),
        "digest candidates/preview": lambda: s.digests.build(guild(), unposted_only=True),
        "status": lambda: s.guilds.status(guild()),
        "autocomplete person": lambda: s.people.choices(rng.choice(i.prefixes), guild()),
        "autocomplete event": lambda: s.events.choices(rng.choice(i.event_words)[:3], guild()),
        "autocomplete article": lambda: s.articles.choices(rng.choice(i.titles), guild()),
    }


def _p50_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def measure(url: str, calls: int = 200, seed: int = 11) -> list[Timing]:
    """Time every operation calls times on the store at url."""
    rng = random.Random(seed)
    settings = Settings(database=DatabaseSettings(url=url))
    db = Database(url)
    try:
        services = _Services(settings, db)
        inputs = await _inputs(db, rng, calls)
        timings = []
        for name, op in _operations(services, inputs, rng).items():
            for _ in range(min(5, calls)):
                await op()  # warm the page cache and the statement cache
            samples = []
            cpu = []
            for _ in range(calls):
                started, started_cpu = time.perf_counter(), time.process_time()
                await op()
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            timings.append(Timing(name, *_p50_p99(samples), *_p50_p99(cpu), calls))
        return timings
    finally:
        await db.dispose()


async def _article_count(url: str) -> int:
    db = Database(url)
    try:
        async with db.reader() as session:
            return int(await session.scalar(select(func.count()).select_from(Article)) or 0)
    finally:
        await db.dispose()


def table(timings: list[Timing], articles: int, backend: str) -> str:
    """The timings as a Markdown table."""
    lines = [
        f"| operation ({backend}, {articles:,} articles) "
        "| p50 ms | p99 ms | CPU p50 ms | CPU p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {t.name} | {t.p50_ms:.2f} | {t.p99_ms:.2f} | {t.cpu_p50_ms:.2f} | {t.cpu_p99_ms:.2f} |"
        for t in timings
    ]
    return "\n".join(lines)


def main() -> None:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    timings = asyncio.run(measure(args.db, args.calls))
    articles = asyncio.run(_article_count(args.db))
    backend = "SQLite" if args.db.startswith("sqlite") else "PostgreSQL"
    print(table(timings, articles, backend))


if __name__ == "__main__":
    main()
