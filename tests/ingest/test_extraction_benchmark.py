"""The HTML extraction benchmark: its metric on hand-made cases, Byline's score on real pages."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.extraction import DEFAULT_DATA, match, run, score, shingles, tokenize

MIN_F1 = 0.96


def test_tokenize_keeps_case_and_drops_punctuation() -> None:
    assert tokenize("Hello, World! It’s 2019.") == ["Hello", "World", "It", "s", "2019"]
    assert tokenize("Café naïve 東京") == ["Café", "naïve", "東京"]
    assert tokenize("") == []


def test_shingles_overlap_by_four_tokens() -> None:
    assert shingles(list("abcdef")) == Counter(
        [("a", "b", "c", "d"), ("b", "c", "d", "e"), ("c", "d", "e", "f")]
    )


def test_short_text_is_one_shingle() -> None:
    assert shingles(["a", "b"]) == Counter([("a", "b")])
    assert shingles(list("abcd")) == Counter([tuple("abcd")])
    assert shingles([]) == Counter()


def test_shingles_are_a_multiset() -> None:
    # "a b c d a b c d" has the shingle (a, b, c, d) twice.
    assert shingles(list("abcdabcd"))[tuple("abcd")] == 2
    # Predicting the repeated text once matches only one of the two copies.
    assert match("a b c d", "a b c d a b c d") == (1, 0, 4)
    # Predicting it twice when the truth has it once is one false positive.
    assert match("a b c d a b c d", "a b c d") == (1, 4, 0)


def test_match_counts_shingles() -> None:
    truth = "one two three four five six"  # 3 shingles
    assert match(truth, truth) == (3, 0, 0)
    # One extra word at the end adds one false shingle.
    assert match(truth + " seven", truth) == (3, 1, 0)
    # A word changed in the middle breaks every shingle that covers it.
    assert match("one two three FOUR five six", truth) == (0, 3, 3)
    # Short texts compare as whole shingles.
    assert match("two words", "two words") == (1, 0, 0)
    assert match("two words", "two other words") == (0, 1, 1)


def test_perfect_prediction_scores_one() -> None:
    truth = {"a": "The quick brown fox jumps over the lazy dog.", "b": "Short text."}
    result = score(dict(truth), truth)
    assert (result.precision, result.recall, result.f1, result.accuracy) == (1.0, 1.0, 1.0, 1.0)
    assert result.pages == result.pages_with_text == 2


def test_punctuation_and_case_in_layout_only() -> None:
    truth = {"a": "Hello, world: it works."}
    assert score({"a": "Hello world\n\nit works"}, truth).accuracy == 1.0
    assert score({"a": "hello world it works"}, truth).accuracy == 0.0


def test_empty_prediction_is_left_out_of_precision_but_counts_in_recall() -> None:
    truth = {"a": "one two three four five", "b": "six seven eight nine ten"}
    result = score({"a": "one two three four five", "b": ""}, truth)
    assert result.pages == 2
    assert result.pages_with_text == 1
    assert result.precision == 1.0  # averaged over page a only
    assert result.recall == 0.5  # page b counts with recall 0
    assert result.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert result.accuracy == 0.5
    # A missing prediction is the same as an empty one; so is one with no word tokens.
    assert score({"a": "one two three four five"}, truth) == result
    assert score({"a": "one two three four five", "b": " -- ! "}, truth) == result


def test_f1_is_harmonic_mean_of_averages_not_mean_of_page_f1() -> None:
    truth = {"a": "a b c d e", "b": "f g h i j"}  # 2 shingles each
    # Page a: perfect. Page b: one right shingle and three wrong ones (p = 1/4, r = 1/2).
    result = score({"a": "a b c d e", "b": "f g h i x y z"}, truth)
    assert result.precision == pytest.approx((1 + 0.25) / 2)
    assert result.recall == pytest.approx((1 + 0.5) / 2)
    p, r = result.precision, result.recall
    assert result.f1 == pytest.approx(2 * p * r / (p + r))


def test_byline_extraction_benchmark() -> None:
    if not (DEFAULT_DATA / "ground-truth.json").is_file():
        pytest.skip(
            f"article-extraction benchmark data not found at {DEFAULT_DATA}; "
            "it lives in ../shared/eval"
        )
    result = run(DEFAULT_DATA, workers=2)
    assert result.pages == 181
    assert result.errors == 0
    assert result.f1 >= MIN_F1, result
