"""The seed article comes out exactly as the project was designed around."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analysis.pipeline import analyze_text
from bot.analysis.types import Analysis
from bot.ingest.readers import RawArticle, read_file

SEED = Path(__file__).resolve().parents[1] / "gold" / "articles" / "00_seed.txt"


@pytest.fixture(scope="module")
def seed() -> tuple[RawArticle, Analysis]:
    article = read_file(SEED)[0]
    return article, analyze_text(
        article.clean_text, published_at=article.published_at, name_hints=article.name_hints
    )


def test_seed_people_are_exactly_the_four_real_people(seed: tuple[RawArticle, Analysis]) -> None:
    _, result = seed
    assert {p.name for p in result.people} == {
        "Donald Trump",
        "Kim Jong Un",
        "Matthew Pottinger",
        "John Bolton",
    }


def test_seed_trump_aliases_are_merged_into_one_person(seed: tuple[RawArticle, Analysis]) -> None:
    _, result = seed
    trump = next(p for p in result.people if p.name == "Donald Trump")
    assert {"Trump", "President Trump", "Former President Trump"} <= set(trump.aliases)


def test_seed_quotes_have_the_right_speakers(seed: tuple[RawArticle, Analysis]) -> None:
    article, result = seed
    by_start = {q.text[:30]: q.speaker for q in result.quotes}
    assert by_start["President Trump offered Kim a "] == "Matthew Pottinger"
    assert by_start["I can get you home in two hour"] == "Donald Trump"
    assert by_start["Trump thought he had a new bes"] == "John Bolton"
    for quote in result.quotes:
        assert article.clean_text[quote.start : quote.end] == quote.text


def test_seed_events_include_hanoi_february_2019_and_singapore(
    seed: tuple[RawArticle, Analysis],
) -> None:
    _, result = seed
    hanoi = [e for e in result.events if e.where == "Hanoi" and "summit" in e.name]
    assert hanoi and hanoi[0].when == "2019-02"
    assert {"Donald Trump", "Kim Jong Un"} <= set(hanoi[0].people)
    assert any(e.where == "Singapore" and "summit" in e.name for e in result.events)
    assert any("Demilitarized Zone" in (e.where or "") for e in result.events)


def test_seed_text_has_no_hover_card_junk(seed: tuple[RawArticle, Analysis]) -> None:
    article, result = seed
    for junk in ("MORE", "Ivanka", "Kushner", "Sullivan", "Biden", "TrumpDonald"):
        assert junk not in article.clean_text
    assert not {"Ivanka Trump", "Kushner", "Sullivan", "Biden", "Putin"} & {
        p.name for p in result.people
    }
