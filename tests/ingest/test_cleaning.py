"""Cleaning removes hover cards and boilerplate and nothing else."""

from __future__ import annotations

import pytest

from bot.ingest.cleaning import clean_text, clean_with_hints, is_boilerplate
from tests.conftest import SEED


def test_seed_hover_cards_are_removed_and_sentences_join_up() -> None:
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    text, hints = clean_with_hints(body)
    assert (
        "Former President Trump made an unprecedented offer to North Korea's Kim Jong Un after"
        in text
    )
    assert "former national security adviser John Bolton told the BBC." in text
    assert "MORE" not in text and "Kushner" not in text and "Sullivan" not in text
    assert hints["Trump"] == "Donald Trump"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # surname card with quotes, colon and pipe in the headlines
        (
            "Sen. Maria DelgadoMaria DelgadoSenate passes 'historic' bill: Report | "
            "Delgado says no MORE said on Friday.",
            "Sen. Maria Delgado said on Friday.",
        ),
        # full-name card separated by a space, hyphenated name
        (
            "Gov. Ana Ruiz-Ortega Ana Ruiz-OrtegaRuiz-Ortega: 'We will rebuild' MORE "
            "toured the site.",
            "Gov. Ana Ruiz-Ortega toured the site.",
        ),
        # full name repeated glued, headline starts with a name
        (
            "He met Dr. Grace OkaforGrace OkaforOkafor wins prize MORE on Monday.",
            "He met Dr. Grace Okafor on Monday.",
        ),
        # the card's cut point is the latest equal candidate (The Hill's "Gov." case)
        (
            "South Dakota Gov. Kristi NoemKristi Lynn NoemSouth Dakota governor says 'no' MORE "
            "(R) is defending the law.",
            "South Dakota Gov. Kristi Noem (R) is defending the law.",
        ),
    ],
)
def test_hover_card_variants_are_removed(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ford Motor said it would hire MORE workers.",
        "The MORE the merrier, said Ann Lee.",
        'McDonald\'s and YouTube said "We want MORE," Dana Ruiz told reporters.',
        "“I can get you home in two hours if you want,” the president said.",
    ],
)
def test_real_text_with_capitals_and_more_is_kept_verbatim(text: str) -> None:
    assert clean_text(text) == text


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Story continues below gallery",
        "Share this article",
        "Subscribe to our newsletter",
        "Sign up for our morning briefing",
        "Follow us on Twitter",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert is_boilerplate(line)
    assert (
        clean_text(f"First paragraph.\n\n{line}\n\nSecond paragraph.")
        == "First paragraph.\n\nSecond paragraph."
    )


def test_a_sentence_that_mentions_sharing_is_not_boilerplate() -> None:
    text = "Share prices rose 4 percent after the company said it would subscribe to the new rules."
    assert not is_boilerplate(text)
    assert clean_text(text) == text


def test_invisible_and_control_characters_are_removed_but_text_is_nfc() -> None:
    assert clean_text("Jose\u0301 said ev\u200ber\u0000ything") == "José said everything"


def test_a_headline_repeated_at_the_top_of_the_body_is_removed() -> None:
    title = "Browns player on fight with Garrett: He asked for it"
    raw = (
        "Browns player on fight with Garrett:\n\nHe asked for it\n\n"
        "One member of the defense spoke."
    )
    assert clean_with_hints(raw, title)[0] == "One member of the defense spoke."


@pytest.mark.parametrize(
    "trailer",
    [
        "(Reporting by Greg Roe, Joshua Lane; editing by Martin Howe.)",
        "Fox News' Jessica Napp contributed to this report.",
        "Contributing: Kristine Phelps",
        "Additional reporting by Joseph Hale",
        "Reach the reporters at news@example.com.",
        "Email Tariq Mann at tmann@example.com or follow him @tmann.",
        "[Related: Five things to know about the vote]",
        "Originally published on Live Science.",
        "Follow NBC Latino on Facebook, Twitter and Instagram.",
        "Pick Six Newsletter",
        "Dana Whitlow, BBC diplomatic correspondent",
        "Omar Reyes, senior political writer",
    ],
)
def test_credit_lines_and_promotions_are_removed(trailer: str) -> None:
    raw = f"The council voted on Tuesday to approve the plan.\n\n{trailer}"
    assert clean_with_hints(raw)[0] == "The council voted on Tuesday to approve the plan."


def test_promo_lines_after_a_closing_trailer_go_too_but_lists_in_the_story_stay() -> None:
    raw = (
        "The council voted on Tuesday.\n\n- England (Group A): 10th appearance\n\n"
        "Pick Six Newsletter\n\nGet the day's big stories and fun stuff you love."
    )
    assert clean_with_hints(raw)[0] == (
        "The council voted on Tuesday.\n\n- England (Group A): 10th appearance"
    )


def test_related_link_bullets_closing_the_story_are_removed() -> None:
    raw = (
        "NASA picked five companies.\n\n- Moon Rush: Private Lunar Lander Plans\n\n"
        "- Here's Where Commercial Landers Will Land on the Moon"
    )
    assert clean_with_hints(raw)[0] == "NASA picked five companies."


def test_a_paragraph_that_names_a_reporter_in_a_sentence_stays() -> None:
    text = "Dana Whitlow, a former correspondent, said the talks had stalled."
    assert clean_with_hints(f"First paragraph.\n\n{text}")[0] == f"First paragraph.\n\n{text}"
