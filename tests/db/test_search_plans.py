"""PostgreSQL search picks its plan by how common the words are; both plans answer the same."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.db import dialect
from bot.ingest.readers import build_article

SUMMITS = [
    ("Leaders meet in Hanoi", "Ana Silva met Tom Baker at a summit in Hanoi on Feb. 27, 2019."),
    ("Talks in Geneva", "Envoys held a summit in Geneva on March 3, 2021, Rosa Diaz said."),
    ("Vote delayed", "The council delayed a vote on the budget on May 5, 2022, Ian Cole said."),
    ("Summit ends", "The summit in Lima ended without a deal on June 9, 2023, Tom Baker said."),
]


async def _answers(app: App) -> list[list[int]]:
    return [
        [h.ref.id for h in await app.articles.search("summit")],
        [h.ref.id for h in await app.articles.search("budget vote")],
        [e.id for e in await app.events.search("summ")],
        [e.id for e in await app.events.search("nothing-like-this")],
        [event_id for event_id, _ in await app.events.choices("vo", None)],
    ]


async def test_index_read_and_newest_walk_give_the_same_answers(
    any_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, (title, body) in enumerate(SUMMITS):
        await any_app.articles.ingest_article(
            build_article(f"a{i}", title, body, url=f"https://news.test/{i}")
        )
    # Every word is "common": the newest rows are walked.
    monkeypatch.setattr(dialect, "PG_INDEX_READ_MAX", 1)
    walked = await _answers(any_app)
    # Every word is "rare": the matches are read from the index and sorted.
    monkeypatch.setattr(dialect, "PG_INDEX_READ_MAX", 10**9)
    indexed = await _answers(any_app)
    assert walked == indexed
    summits, budget, events, none, choices = indexed
    assert len(summits) == 3
    assert len(budget) == 1
    assert events and none == []
    assert choices
