"""Copy detection and story grouping on the labelled pair set, with the figures printed."""

from __future__ import annotations

import json
import random

import pytest

from tests.stories import scorer
from tests.stories.pairs import generate


@pytest.fixture(scope="module")
def copies() -> scorer.Score:
    return scorer.copy_score()


@pytest.fixture(scope="module")
def stories() -> scorer.Score:
    return scorer.story_score()


def test_the_pair_set_holds_at_least_300_labelled_pairs_of_every_kind() -> None:
    kinds = [str(p["kind"]) for p in scorer.pairs()]
    assert len(kinds) >= 300
    assert {"copy", "copy-of-copy", "same-story", "same-people", "other"} <= set(kinds)
    assert kinds.count("same-story") >= 30 and kinds.count("same-people") >= 30


def test_the_copies_are_what_the_committed_generator_makes() -> None:
    records = [json.loads(x) for x in generate.OUT.read_text(encoding="utf-8").splitlines()]
    path = sorted(generate.GOLD.glob("*.txt"))[3]
    title, _, paragraphs = generate.read_gold(path)
    rng = random.Random(f"copies:{path.stem}")
    first = generate.make_copy(title, paragraphs, rng)
    record = next(r for r in records if r["id"] == f"{path.stem}~copy0")
    assert (record["title"], record["text"], record["edits"]) == first


def test_copy_detection_precision_is_at_least_0_99_and_recall_at_least_0_95(
    copies: scorer.Score,
) -> None:
    print("\n" + copies.line("copies"))
    assert copies.precision >= 0.99, copies.errors[:10]
    assert copies.recall >= 0.95, copies.errors[:10]


def test_story_grouping_precision_is_at_least_0_95(stories: scorer.Score) -> None:
    print("\n" + stories.line("stories"))
    assert stories.precision >= 0.95, stories.errors[:10]


def test_story_grouping_recall_stays_above_its_floor(stories: scorer.Score) -> None:
    # Precision first: a floor a little under today's 0.79, so a change that loses recall fails.
    assert stories.recall >= 0.7, stories.errors[:10]


def test_different_stories_with_the_same_people_stay_apart() -> None:
    hard = scorer.story_score(("same-story", "same-people"))
    print("\n" + hard.line("stories, same people"))
    assert hard.fp == 0, [e for e in hard.errors if e.startswith("false yes")]


def test_no_different_write_up_of_one_story_is_taken_for_a_copy(copies: scorer.Score) -> None:
    wrong = [e for e in copies.errors if "same-story" in e or "same-people" in e]
    assert wrong == []
