"""Grow a store of real analysed articles to N articles by replicating its rows with SQL.

The store at --db must already hold analysed articles (e.g. `byline ingest samples/
tests/gold/articles/`); they are the templates. Every copy keeps every constraint: its own
article, mentions, quotes, events, event people, places, summary and search index rows. The
people of a copy are mostly new people with realistic names (first and last names from
Faker's name lists for several locales), drawn so each appears in several articles; a quarter
of the time a copy keeps the template's real people, so a few people are mentioned very often.
Visibility is mixed: 60% of the copies are global, the rest belong to one of five servers
(some to two). Works on SQLite and PostgreSQL.

    .venv/bin/python -m bench.store_scale --articles 100000 --db sqlite+aiosqlite:///data/scale.db
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import dialect
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Article,
    ArticleEntity,
    ArticleGuild,
    Event,
    EventPerson,
    Mention,
    Person,
    PersonName,
    Quote,
    Summary,
)
from bot.db.types import UTCDateTime
from bot.domain import ArticleStatus
from bot.text_keys import name_key, name_lookup_keys

# The servers private copies belong to; bench.queries reads them from here.
GUILDS = (1001, 1002, 1003, 1004, 1005)
GLOBAL_SHARE = 0.6
SECOND_GUILD_SHARE = 0.05
PEOPLE_PER_ARTICLE = 0.2
KEEP_REAL_PEOPLE_EVERY = 4
NAME_LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_BR", "pl_PL", "nl_NL")
# Multipliers of the person mapping: coprime with the pool size, small enough for int4.
_SPREAD = 7919
_SHIFT = 31
BATCH = 5000

_meta = MetaData()
slots = Table(
    "scale_slots",
    _meta,
    Column("article_id", Integer, primary_key=True),
    Column("template_id", Integer, nullable=False),
    Column("copy_no", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("is_global", Boolean, nullable=False),
    prefixes=["TEMPORARY"],
)
slot_guilds = Table(
    "scale_slot_guilds",
    _meta,
    Column("article_id", Integer, primary_key=True),
    Column("guild_id", BigInteger, primary_key=True),
    prefixes=["TEMPORARY"],
)
template_people = Table(
    "scale_template_people",
    _meta,
    Column("person_id", Integer, primary_key=True),
    Column("rank", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
template_events = Table(
    "scale_template_events",
    _meta,
    Column("event_id", Integer, primary_key=True),
    Column("rank", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True, slots=True)
class Plan:
    """Where the copies go: id ranges, the people pool and the template ranks."""

    templates: list[int]
    first_article: int
    first_event: int
    template_event_count: int
    first_person: int
    pool: int


def realistic_names(count: int, taken: set[str], seed: int = 7) -> list[str]:
    """count distinct "First Last" names from real first- and last-name lists."""
    from faker import Faker

    rng = random.Random(seed)
    lists = []
    for locale in NAME_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        firsts = sorted({fake.first_name() for _ in range(600)})
        lasts = sorted({fake.last_name() for _ in range(600)})
        lists.append((firsts, lasts))
    names: list[str] = []
    seen = set(taken)
    while len(names) < count:
        firsts, lasts = rng.choice(lists)
        name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        key = name_key(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


async def _scalar(conn: AsyncConnection, stmt: Any) -> int:
    return int((await conn.scalar(stmt)) or 0)


async def _plan(conn: AsyncConnection, target: int, people: int | None) -> Plan | None:
    templates = list(
        await conn.scalars(
            select(Article.id).where(Article.status == ArticleStatus.ANALYZED).order_by(Article.id)
        )
    )
    if not templates:
        raise SystemExit(
            "the store holds no analysed article; run: byline ingest samples/ "
            "tests/gold/articles/ --db URL"
        )
    have = await _scalar(conn, select(func.count()).select_from(Article))
    if have >= target:
        return None
    events = list(
        await conn.scalars(
            select(Event.id).where(Event.article_id.in_(templates)).order_by(Event.id)
        )
    )
    template_ids = list(
        await conn.scalars(
            select(Mention.person_id).where(Mention.article_id.in_(templates)).distinct()
        )
    )
    await conn.run_sync(_meta.create_all)
    for table in (slots, slot_guilds, template_people, template_events):
        await conn.execute(table.delete())
    if template_ids:
        await conn.execute(
            insert(template_people),
            [{"person_id": p, "rank": i} for i, p in enumerate(template_ids)],
        )
    if events:
        await conn.execute(
            insert(template_events), [{"event_id": e, "rank": i} for i, e in enumerate(events)]
        )
    # More people than template people, so one copy never maps two of them to one person.
    pool = max(people or int(target * PEOPLE_PER_ARTICLE), len(template_ids) * 2)
    # Coprime with the multipliers and with the keep-real cycle, so the copies reach everyone.
    while math.gcd(pool, _SPREAD * _SHIFT * KEEP_REAL_PEOPLE_EVERY) != 1:
        pool += 1
    return Plan(
        templates=templates,
        first_article=await _scalar(conn, select(func.max(Article.id))) + 1,
        first_event=await _scalar(conn, select(func.max(Event.id))) + 1,
        template_event_count=len(events),
        first_person=await _scalar(conn, select(func.max(Person.id))) + 1,
        pool=pool,
    )


async def _add_people(conn: AsyncConnection, plan: Plan) -> None:
    taken = set(await conn.scalars(select(Person.name_key)))
    names = realistic_names(plan.pool, taken)
    rows: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        pid = plan.first_person + i
        last = name.split()[-1]
        rows.append(
            {"id": pid, "name": name, "name_key": name_key(name), "aliases": [name, last]}
            | {"descriptions": []}
        )
        keys.extend({"person_id": pid, "name_key": k} for k in sorted(name_lookup_keys(name)))
    for start in range(0, len(rows), BATCH):
        await conn.execute(insert(Person), rows[start : start + BATCH])
    for start in range(0, len(keys), BATCH * 3):
        await conn.execute(insert(PersonName), keys[start : start + BATCH * 3])
    await dialect.sync_id_sequence(conn, "people")


def _slot_rows(plan: Plan, have: int, target: int, rng: random.Random) -> list[dict[str, Any]]:
    count = target - have
    now = datetime.now(UTC).replace(microsecond=0)
    step = timedelta(days=365) / max(count, 1)
    out = []
    for i in range(count):
        out.append(
            {
                "article_id": plan.first_article + i,
                "template_id": plan.templates[i % len(plan.templates)],
                "copy_no": i // len(plan.templates) + 1,
                "at": now - step * (count - i),
                "is_global": rng.random() < GLOBAL_SHARE,
            }
        )
    return out


def _guild_rows(slot_rows: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for row in slot_rows:
        if row["is_global"]:
            continue
        first = rng.choice(GUILDS)
        out.append({"article_id": row["article_id"], "guild_id": first})
        if rng.random() < SECOND_GUILD_SHARE:
            second = rng.choice([g for g in GUILDS if g != first])
            out.append({"article_id": row["article_id"], "guild_id": second})
    return out


def _person_of(plan: Plan, person: Any, rank: Any, copy_no: Any) -> Any:
    """A template person in a copy: the real person one copy in four, else one of the pool."""
    synthetic = plan.first_person + (rank * _SPREAD + copy_no * _SHIFT) % plan.pool
    return case(((rank + copy_no) % KEEP_REAL_PEOPLE_EVERY == 0, person), else_=synthetic)


async def _copy_batch(conn: AsyncConnection, plan: Plan, lo: int, hi: int) -> None:
    s = slots.c
    in_batch = and_(s.article_id >= lo, s.article_id < hi)
    a = Article.__table__.c
    suffix = "#copy-" + cast(s.copy_no, String)
    await conn.execute(
        insert(Article).from_select(
            [
                "id", "url", "canonical_url", "content_hash", "source", "is_global", "title",
                "authors", "published_at", "raw_text", "clean_text", "status", "similarity_key",
                "created_at", "analyzed_at",
            ],
            select(
                s.article_id,
                a.url + suffix,
                a.canonical_url + suffix,
                "scale-" + cast(s.article_id, String),
                a.source,
                s.is_global,
                a.title,
                a.authors,
                case((a.published_at.is_(None), None), else_=s.at),
                a.raw_text,
                a.clean_text,
                literal(ArticleStatus.ANALYZED.value),
                func.substr(a.similarity_key, 1, 24) + "-" + cast(s.article_id, String),
                s.at,
                s.at,
            )
            .select_from(slots.join(Article.__table__, a.id == s.template_id))
            .where(in_batch),
        )
    )  # fmt: skip
    g = slot_guilds.c
    await conn.execute(
        insert(ArticleGuild).from_select(
            ["article_id", "guild_id"],
            select(g.article_id, g.guild_id).where(g.article_id >= lo, g.article_id < hi),
        )
    )
    m = Mention.__table__.c
    tp = template_people.c
    await conn.execute(
        insert(Mention).from_select(
            ["article_id", "person_id", "count", "aliases", "descriptions", "first_offset"],
            select(
                s.article_id,
                _person_of(plan, m.person_id, tp.rank, s.copy_no),
                m.count,
                m.aliases,
                m.descriptions,
                m.first_offset,
            )
            .select_from(
                slots.join(Mention.__table__, m.article_id == s.template_id).join(
                    template_people, tp.person_id == m.person_id
                )
            )
            .where(in_batch),
        )
    )
    q = Quote.__table__.c
    await conn.execute(
        insert(Quote).from_select(
            ["article_id", "text", "start", "end", "speaker_id", "speaker_text", "speaker_kind"]
            + ["cue", "rank", "score"],
            select(
                s.article_id,
                q.text,
                q.start,
                q.end,
                case(
                    (q.speaker_id.is_(None), None),
                    else_=_person_of(plan, q.speaker_id, tp.rank, s.copy_no),
                ),
                q.speaker_text,
                q.speaker_kind,
                q.cue,
                q.rank,
                q.score,
            )
            .select_from(
                slots.join(Quote.__table__, q.article_id == s.template_id).outerjoin(
                    template_people, tp.person_id == q.speaker_id
                )
            )
            .where(in_batch),
        )
    )
    e = Event.__table__.c
    te = template_events.c
    event_id = plan.first_event + (s.copy_no - 1) * plan.template_event_count + te.rank
    await conn.execute(
        insert(Event).from_select(
            ["id", "article_id", "name", "kind", "when_text", "when_start", "when_end", "where"]
            + ["merge_key", "sentence_start", "sentence_end"],
            select(
                event_id,
                s.article_id,
                e.name,
                e.kind,
                e.when_text,
                e.when_start,
                e.when_end,
                e.where,
                # Copies three at a time tell the same event (it merges across articles).
                func.substr(e.merge_key, 1, 380) + "|" + cast(s.copy_no / 3, String),
                e.sentence_start,
                e.sentence_end,
            )
            .select_from(
                slots.join(Event.__table__, e.article_id == s.template_id).join(
                    template_events, te.event_id == e.id
                )
            )
            .where(in_batch),
        )
    )
    ep = EventPerson.__table__.c
    await conn.execute(
        insert(EventPerson).from_select(
            ["event_id", "person_id"],
            select(event_id, _person_of(plan, ep.person_id, tp.rank, s.copy_no))
            .select_from(
                slots.join(Event.__table__, e.article_id == s.template_id)
                .join(template_events, te.event_id == e.id)
                .join(EventPerson.__table__, ep.event_id == e.id)
                .join(template_people, tp.person_id == ep.person_id)
            )
            .where(in_batch),
        )
    )
    ae = ArticleEntity.__table__.c
    await conn.execute(
        insert(ArticleEntity).from_select(
            ["article_id", "kind", "name", "count"],
            select(s.article_id, ae.kind, ae.name, ae.count)
            .select_from(slots.join(ArticleEntity.__table__, ae.article_id == s.template_id))
            .where(in_batch),
        )
    )
    su = Summary.__table__.c
    await conn.execute(
        insert(Summary).from_select(
            ["article_id", "sentences"],
            select(s.article_id, su.sentences)
            .select_from(slots.join(Summary.__table__, su.article_id == s.template_id))
            .where(in_batch),
        )
    )


async def grow(
    url: str, target: int, *, people: int | None = None, seed: int = 7, quiet: bool = False
) -> dict[str, Any]:
    """Grow the store at url to target articles; return what was done and how long it took.

    The copies name `people` new people (default: one per five articles).
    """
    started = time.perf_counter()
    db = Database(url)
    try:
        await upgrade(db.write_engine)
        async with db.write_engine.connect() as conn:
            await conn.begin()
            have = await _scalar(conn, select(func.count()).select_from(Article))
            plan = await _plan(conn, target, people)
            if plan is None:
                await conn.commit()
                return {"articles": have, "added": 0, "seconds": 0.0}
            rng = random.Random(seed)
            await _add_people(conn, plan)
            slot_rows = _slot_rows(plan, have, target, rng)
            for start in range(0, len(slot_rows), BATCH * 4):
                await conn.execute(insert(slots), slot_rows[start : start + BATCH * 4])
            guild_rows = _guild_rows(slot_rows, rng)
            for start in range(0, len(guild_rows), BATCH * 4):
                await conn.execute(insert(slot_guilds), guild_rows[start : start + BATCH * 4])
            await conn.commit()
            last = plan.first_article + len(slot_rows)
            for lo in range(plan.first_article, last, BATCH):
                await conn.begin()
                await _copy_batch(conn, plan, lo, min(lo + BATCH, last))
                await conn.commit()
                if not quiet:
                    done = min(lo + BATCH, last) - plan.first_article
                    print(
                        f"  {done:>9,} / {len(slot_rows):,} articles "
                        f"({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
            await conn.begin()
            for table in ("articles", "events"):
                await dialect.sync_id_sequence(conn, table)
            await conn.commit()
            await dialect.analyze(conn)
        return {
            "articles": target,
            "added": len(slot_rows),
            "people": plan.pool,
            "seconds": time.perf_counter() - started,
        }
    finally:
        await db.dispose()


async def store_size(url: str) -> tuple[int, int]:
    """(articles, bytes on disk) of the store at url."""
    db = Database(url)
    try:
        async with db.write_engine.connect() as conn:
            articles = await _scalar(conn, select(func.count()).select_from(Article))
            size = await dialect.store_bytes(conn)
        return articles, size
    finally:
        await db.dispose()


def main() -> None:
    """Command line: grow the store and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True, help="articles to reach")
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--people", type=int, help="new people to name (default: articles / 5)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    done = asyncio.run(grow(args.db, args.articles, people=args.people, seed=args.seed))
    articles, size = asyncio.run(store_size(args.db))
    print(
        f"added {done['added']:,} articles in {done['seconds']:.1f} s; the store holds "
        f"{articles:,} articles in {size / 1e6:,.1f} MB ({size / max(articles, 1):,.0f} bytes "
        "per article)"
    )


if __name__ == "__main__":
    main()
