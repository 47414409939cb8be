"""Pending articles as another program would insert them, and the stores the worker tests use."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Article
from tests.conftest import POSTGRES_URL_ENV, reset_postgres

FIRST = ["Ana", "Bruno", "Chiara", "Dmitri", "Efua", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
LAST = ["Lopez", "Okafor", "Rossi", "Ivanov", "Mensah", "Haddad", "Berg", "Tanaka", "Silva"]
TOWNS = ["Fairview", "Riverton", "Oakdale", "Milltown", "Lakeside"]


_WORDS = (
    "harbor budget ferry school water clinic library market tunnel garden rail depot museum "
    "stadium orchard canal bakery tower pier factory chapel meadow quarry bus lighthouse dam "
    "airport theater bridge farm station mill archive plaza dock forest reservoir"
).split()


def _details(n: int) -> str:
    """A sentence of its own for article n, so no two short items read as copies of each other."""
    picks, state = [], n * 7919 + 17
    for _ in range(24):
        state = (state * 1103515245 + 12345) % 2**31
        picks.append(_WORDS[state % len(_WORDS)])
    return "Residents listed " + ", ".join(picks) + f" as concerns number {n}."


def short_article(n: int) -> tuple[str, str]:
    """(title, text) of a short news item with a person, a quote and a place."""
    first, last, town = FIRST[n % len(FIRST)], LAST[n // 10 % len(LAST)], TOWNS[n % len(TOWNS)]
    title = f"{town} council approves bridge plan {n}"
    text = (
        f"{title}\n\n"
        f"The {town} city council approved plan number {n} for a new bridge on Tuesday. "
        f'"We have waited long enough," said {first} {last}, the mayor of {town}.\n\n'
        f"{_details(n)}\n\n"
        f"{last} said work would start in May."
    )
    return title, text


async def insert_pending(db: Database, count: int) -> list[int]:
    """Insert count pending rows (raw text only, as other programs do); return their ids."""
    async with db.writer() as session:
        rows = []
        for n in range(count):
            title, text = short_article(n)
            rows.append(
                Article(
                    title=title,
                    raw_text=text,
                    status="pending",
                    is_global=True,
                    authors=[],
                    created_at=datetime.now(UTC),
                )
            )
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows]


async def article_row(db: Database, article_id: int) -> Article:
    """One article row as stored now."""
    async with db.reader() as session:
        row = await session.scalar(select(Article).where(Article.id == article_id))
        assert row is not None
        return row


def store_url(kind: str, tmp_path: os.PathLike[str]) -> str:
    """A fresh store of this kind: a SQLite file, or the test PostgreSQL (skipped when unset)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/byline.db"
    url = os.environ.get(POSTGRES_URL_ENV, "")
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set; scripts/start-postgres.sh starts one")
    return url


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[Database]:
    """A migrated, empty store at url."""
    if not url.startswith("sqlite"):
        await reset_postgres(url)
    db = Database(url)
    try:
        await upgrade(db.write_engine)
        yield db
    finally:
        await db.dispose()
