"""Event search and its autocomplete over really ingested articles."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.events import event_label
from tests.services.conftest import OpenPeopleApp


@pytest.mark.parametrize("typed", ["", "s", "vot", "senate", "summit", "wa", "no such event"])
async def test_autocomplete_names_what_search_finds(
    open_people_app: OpenPeopleApp, typed: str
) -> None:
    app = await open_people_app()
    views = await app.events.search(typed, limit=10)
    expected = [(v.id, event_label(v.name, v.when_start, v.when_end)) for v in views]
    assert await app.events.choices(typed, None, limit=10) == expected
    if typed in ("", "senate", "summit"):
        assert expected  # the three articles have these events: the comparison is not empty


def test_label_shows_a_day_or_a_month() -> None:
    assert event_label("vote", date(2026, 3, 4), None) == "vote · 2026-03-04"
    assert event_label("talks", date(2026, 3, 1), date(2026, 3, 31)) == "talks · 2026-03"
    assert event_label("x" * 120, None, None) == "x" * 100
