"""Events are happenings a reader would name, dated by the words that date them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analysis.pipeline import analyze_text
from bot.analysis.types import EventResult

# Tuesday 19 November 2019.
TUESDAY = datetime(2019, 11, 19, 14, 0, tzinfo=UTC)


def _events(text: str) -> list[EventResult]:
    return analyze_text(text, published_at=TUESDAY).events


def _names(text: str) -> list[str]:
    return [e.name.lower() for e in _events(text)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # a news outlet's reporting is sourcing
        ("The New York Times reported on Sunday that the company would cut jobs.", "reported"),
        # 'announced that …' carries the happening in its clause; the verb is sourcing
        ("A year ago, NASA announced that nine companies could bid for contracts.", "announced"),
        # a participle hung on another clause describes it
        ("The bond weakened on Monday, hitting a record low of 60 cents.", "hitting"),
        # an aim is not a happening
        ("In July, NASA awarded contracts to three companies to send robotic landers.", "send"),
        # idioms with an event word
        ("Johnson is under fire for failing to take Britain out of the EU on Oct. 31.", "fire"),
        # an undated interview only tells where a quote was given
        ("Ms. Reyes said in an interview that the plan was sound.", "interview"),
    ],
)
def test_fragments_and_sourcing_are_not_events(text: str, fragment: str) -> None:
    assert not any(fragment in name for name in _names(text)), _names(text)


def test_a_decision_is_not_an_event_word() -> None:
    # what was decided is; "criticised the decision" is told by its clause
    assert not any(name.startswith("decision") for name in _names("The decision came Thursday."))


def test_an_agency_publishing_its_figures_is_an_event() -> None:
    events = _events(
        "Employers added 74,000 jobs in January, the Labor Department reported on Friday."
    )
    reported = [e for e in events if "reported" in e.name]
    assert reported and reported[0].when == "2019-11-15"


def test_a_verb_of_planning_keeps_its_infinitive() -> None:
    events = _events("Secretary Paul Whitmore is scheduled to travel to Cairo on Wednesday.")
    travel = [e for e in events if "travel" in e.name]
    assert travel and travel[0].when == "2019-11-20"


def test_a_span_of_days_is_told_at_its_month() -> None:
    events = _events("The Office of Inspector General released two critical reports last week.")
    assert {e.when for e in events if "reports" in e.name} == {"2019-11"}


def test_a_house_number_is_not_a_year() -> None:
    events = _events("Officers arrested Maria Lopez, 41, of 1119 Eighth St. on Monday.")
    arrests = [e for e in events if "arrested" in e.name]
    assert arrests and arrests[0].when == "2019-11-18"


def test_a_lone_date_belonging_to_another_event_word_is_not_taken() -> None:
    events = _events(
        "The report lands two weeks after the bank held rates steady at its January meeting."
    )
    assert not any("report" in e.name and e.when == "2019-01" for e in events)


def test_a_relative_clause_dates_the_event_it_describes() -> None:
    events = _events(
        "The merger of the newspaper chains Gannett and GateHouse Media, which became final"
        " Tuesday, will create the largest chain in the country."
    )
    assert [e.when for e in events if "merger" in e.name] == ["2019-11-19"]


def test_a_weekday_before_a_date_is_resolved_to_that_date() -> None:
    events = _events("The company will hold its annual meeting on Friday, December 6th.")
    assert {e.when for e in events if "meeting" in e.name} == {"2019-12-06"}
