"""Who counts as a person: names trimmed of roles, bylines and organisations left out."""

from __future__ import annotations

import pytest

from bot.analysis.pipeline import analyze_text


def people_of(text: str) -> set[str]:
    return {p.name for p in analyze_text(text).people}


def test_a_role_or_acronym_before_the_name_is_its_description() -> None:
    text = "Cleveland DL Larry Ogunjobi also received a one-game suspension on Monday."
    result = analyze_text(text)
    assert [p.name for p in result.people] == ["Larry Ogunjobi"]


def test_a_name_ends_at_its_possessive() -> None:
    text = "Jeff Bezos\u2019s Blue Origin will bid for the lander, Jeff Bezos said on Monday."
    assert "Jeff Bezos" in people_of(text)
    assert not any("Blue Origin" in name for name in people_of(text))


@pytest.mark.parametrize(
    ("text", "not_people"),
    [
        (
            "The merger of the newspaper chains Gannett and GateHouse Media became final. "
            "The merged Gannett will own 263 dailies. Gannett will cut costs, and Gannett "
            "expects savings.",
            {"Gannett"},
        ),
        (
            "McClatchy owns the Sacramento Bee, Miami Herald and Kansas City Star.",
            {"Miami Herald"},
        ),
        (
            "Pochettino led the Spurs to the final. The Spurs lost, and the Spurs are 14th.",
            {"Spurs"},
        ),
    ],
)
def test_organisations_newspapers_and_teams_are_not_people(text: str, not_people: set[str]) -> None:
    assert not (people_of(text) & not_people)


def test_a_name_swallowed_into_an_organisation_is_found() -> None:
    text = "The U.S. envoy to Chile Mark Ellis said the talks would resume on Monday."
    assert people_of(text) == {"Mark Ellis"}


def test_a_bracketed_given_name_completes_the_name() -> None:
    text = "Coach (Tom) Reyes said the team was ready. Reyes said it again on Friday."
    assert "Tom Reyes" in people_of(text)
