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


@pytest.mark.parametrize(
    ("text", "person"),
    [
        # NER leaves the pair untagged or calls it an organisation; the given name tells.
        ("Wild 4, Sabres 1: Tomas Varga scored twice and Minnesota beat Buffalo.", "Tomas Varga"),
        ("Rhys Okonjo added three assists to lead Boston past the Devils.", "Rhys Okonjo"),
        ("The Australian Timothy Banks and the American Kevin Lord were freed.", "Timothy Banks"),
        # A hyphenated given name stays whole.
        (
            "Prosecutor Eva-Marie Lindqvist took the decision. Ms Lindqvist said it was final.",
            "Eva-Marie Lindqvist",
        ),
        # Korean names put the surname Park first.
        ("The trade minister, Park Ji-hoon, said the fund would grow.", "Park Ji-hoon"),
    ],
)
def test_a_known_given_name_starts_a_name_ner_missed(text: str, person: str) -> None:
    assert person in people_of(text)


def test_coordinated_given_names_share_the_surname() -> None:
    text = "The club is owned by brothers Lyle and Grant Morrow, who bought it in 2009."
    assert {"Lyle Morrow", "Grant Morrow"} <= people_of(text)


def test_a_nickname_in_quote_marks_sits_inside_the_full_name() -> None:
    text = 'The keeper denied Callum "Cal" Brennock twice. Brennock said he was unlucky.'
    assert "Callum Brennock" in people_of(text)


def test_a_person_after_a_preposition_is_still_a_person() -> None:
    text = "The label reps the likes of Justin Harlow and Demi Castell, the report said."
    assert {"Justin Harlow", "Demi Castell"} <= people_of(text)


@pytest.mark.parametrize(
    ("text", "not_people"),
    [
        # Firms named after people, listed with firms or as an employer.
        (
            "Dana Holt, who covers banks for Morgan Stanley, said JPMorgan Chase or "
            "Wells Fargo would follow.",
            {"Morgan Stanley", "Wells Fargo"},
        ),
        # A firm named in the possessive ("Lowe's was up").
        ("Rival Lowe's was also up 2% after the opening bell.", {"Rival Lowe", "Lowe"}),
        # Teams in a line of results.
        ("Senators 4, Red Wings 3: Anthony Duval had two goals.", {"Red Wings", "Senators"}),
        # Places and venues.
        ("July 22 \u2013 Cuyahoga Falls, OH @ Blossom Music Center", {"Cuyahoga Falls"}),
        ("June 24 \u2013 Bristow, VA @ Jiffy Lube Live", {"Jiffy Lube Live", "Lube Live"}),
        ("He made a trip to Walter Reed hospital on Saturday.", {"Walter Reed"}),
        ("Jordan High won the title, and Jordan High will host the final.", {"Jordan High"}),
        (
            "Penn State quarterback Sean Clifford said the team was ready.",
            {"Penn State"},
        ),
        ("The northern Sierra Nevada has seen a fraction of its usual snow.", {"Sierra Nevada"}),
        # A thing named after the kind of thing it is.
        (
            "She plays with the music ensemble Hollow Oak, whose director said it was sold out.",
            {"Hollow Oak"},
        ),
        ("One friend has labeled herself a Grocery Store on the app.", {"Grocery Store"}),
        # A question's auxiliary is not a given name.
        ("Will Warren continue to face attacks? Elizabeth Warren said she would.", {"Will Warren"}),
        # A plural subject is a team or a group.
        ("Spurs have won just five of their games. Spurs have lost ten.", {"Spurs"}),
    ],
)
def test_things_named_like_people_are_not_people(text: str, not_people: set[str]) -> None:
    assert not (people_of(text) & not_people), people_of(text)


def test_a_first_name_beside_a_role_is_a_person() -> None:
    text = "He said that his wife, Kimberly, had suffered a miscarriage. Kimberly was fine."
    assert "Kimberly" in people_of(text)
