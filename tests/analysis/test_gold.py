"""Analysis quality on the hand-annotated gold set, with the thresholds from the quality issue."""

from __future__ import annotations

import pytest

from tests.analysis.scorer import Counts, report, run


@pytest.fixture(scope="module")
def counts() -> Counts:
    totals = run()
    print("\n" + report(totals))
    return totals


def test_every_quote_is_a_verbatim_substring_of_the_clean_text(counts: Counts) -> None:
    assert counts.verbatim_failures == []


def test_people_f1_is_at_least_0_95(counts: Counts) -> None:
    assert counts.people_f1()[2] >= 0.95, report(counts)


def test_quote_precision_and_recall_are_at_least_0_95(counts: Counts) -> None:
    precision, recall = counts.quote_pr()
    assert precision >= 0.95, report(counts)
    assert recall >= 0.95, report(counts)


def test_speaker_accuracy_is_at_least_0_92(counts: Counts) -> None:
    assert counts.speaker_accuracy() >= 0.92, report(counts)


def test_event_recall_is_at_least_0_85(counts: Counts) -> None:
    assert counts.event_recall() >= 0.85, report(counts)
