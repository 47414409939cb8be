"""Stories: different outlets' own write-ups of one happening, grouped precision first.

Two articles are one story when they were published within STORY_WINDOW of each other and
their key terms overlap enough, over the whole text and over the headline and lede (where an
outlet says what happened). Names of people, places and events count through the terms; they
also pick the candidates (bot/db/stories.py), so an article is only compared with recent
articles sharing a person, a place or an organization. Different stories with the same people
(two rulings by one judge in one week, a rate decision and the governor's testimony the next
day) share names but not the words of what happened: that is what the lede term keeps apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.stories.terms import key_terms, term_similarity

# Tuned on tests/stories/pairs (README: Copies and stories): every same-story pair there was
# published within a day; hard different-story pairs with the same people a day to three days apart.
STORY_WINDOW = timedelta(hours=36)
# Sum of the two overlaps (each 0..1). The hardest different-story pair of the set scores
# 0.66; most same-story pairs score above 0.7, and the rest join through a third article.
STORY_THRESHOLD = 0.70
LEDE_TERMS = 20


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What story grouping compares of one article."""

    article_id: int
    at: datetime | None
    terms: dict[str, float]
    lede: dict[str, float]


def features(article_id: int, title: str, text: str, at: datetime | None) -> StoryFeatures:
    """The features of one article (title, cleaned text, publication time)."""
    first = next((p for p in text.split("\n") if p.strip()), "")
    return StoryFeatures(
        article_id, at, key_terms(title, text), key_terms(title, first, limit=LEDE_TERMS)
    )


def within_window(a: datetime | None, b: datetime | None) -> bool:
    """Whether two publication times are close enough for one story (unknown: not)."""
    return a is not None and b is not None and abs(a - b) <= STORY_WINDOW


def story_score(a: StoryFeatures, b: StoryFeatures) -> float:
    """How much two articles read as one happening (0..2)."""
    return term_similarity(a.terms, b.terms) + term_similarity(a.lede, b.lede)


def same_story(a: StoryFeatures, b: StoryFeatures) -> bool:
    """Whether two articles report one happening."""
    return within_window(a.at, b.at) and story_score(a, b) >= STORY_THRESHOLD


def best_match(new: StoryFeatures, candidates: Iterable[StoryFeatures]) -> tuple[int, float] | None:
    """The candidate the new article belongs with (id, score), or None."""
    best: tuple[float, int] | None = None
    for other in candidates:
        if other.article_id == new.article_id or not within_window(new.at, other.at):
            continue
        score = story_score(new, other)
        if score >= STORY_THRESHOLD and (best is None or (score, -other.article_id) > best):
            best = (score, -other.article_id)
    return None if best is None else (-best[1], best[0])
