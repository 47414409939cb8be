"""Analysis quality on the hand-annotated gold sets.

The core set (articles 00-24) carries the thresholds of the quality issue. The held-out set
(25 and later, written afterwards by another hand to test generalization) carries floors a
little under today's figures, so a change that makes the rules generalize worse fails too.
The real set (tests/gold/real/: real news pages of the public article-extraction benchmark,
read through Byline's own HTML path) is scored strictly: full speaker names and kinds, and
the share of emitted events that are a real happening with the right date. Where its figures
are still under the issue's targets, the gates sit a small margin under today's figures.
"""

from __future__ import annotations

import pytest

from tests.analysis.scorer import Counts, real_data_present, report, run


@pytest.fixture(scope="module")
def core() -> Counts:
    totals = run(group="core")
    print("\ncore gold set\n" + report(totals))
    return totals


@pytest.fixture(scope="module")
def held_out() -> Counts:
    totals = run(group="held-out")
    print("\nheld-out gold set\n" + report(totals))
    return totals


@pytest.fixture(scope="module")
def real() -> Counts:
    if not real_data_present():
        pytest.skip("the article-extraction benchmark is not next to the repository")
    totals = run(group="real")
    print("\nreal-news gold set\n" + report(totals))
    return totals


def test_every_quote_is_a_verbatim_substring_of_the_clean_text(
    core: Counts, held_out: Counts
) -> None:
    assert core.verbatim_failures == [] and held_out.verbatim_failures == []


def test_people_f1_is_at_least_0_95(core: Counts) -> None:
    assert core.people_f1()[2] >= 0.95, report(core)


def test_quote_precision_and_recall_are_at_least_0_95(core: Counts) -> None:
    precision, recall = core.quote_pr()
    assert precision >= 0.95, report(core)
    assert recall >= 0.95, report(core)


def test_speaker_accuracy_is_at_least_0_92(core: Counts) -> None:
    assert core.speaker_accuracy() >= 0.92, report(core)


def test_event_recall_is_at_least_0_85(core: Counts) -> None:
    assert core.event_recall() >= 0.85, report(core)


def test_held_out_articles_stay_above_their_floors(held_out: Counts) -> None:
    precision, recall = held_out.quote_pr()
    assert held_out.people_f1()[2] >= 0.94, report(held_out)
    assert precision >= 0.95 and recall >= 0.95, report(held_out)
    assert held_out.speaker_accuracy() >= 0.89, report(held_out)
    assert held_out.event_recall() >= 0.60, report(held_out)


def test_real_news_quotes_are_verbatim_substrings(real: Counts) -> None:
    assert real.verbatim_failures == [], real.verbatim_failures


def test_real_news_bylines_are_never_people(real: Counts) -> None:
    assert real.authors_as_people == 0, report(real)


def test_real_news_stays_above_its_floors(real: Counts) -> None:
    # Targets: people F1 0.95, quotes 0.98/0.97, speakers 0.95, event precision 0.90.
    # Today's figures are under them; these floors sit a small margin under today's.
    precision, recall = real.quote_pr()
    assert real.people_f1()[2] >= 0.96, report(real)
    assert precision >= 0.95 and recall >= 0.93, report(real)
    assert real.speaker_accuracy() >= 0.91, report(real)
    assert real.event_precision() >= 0.41, report(real)
