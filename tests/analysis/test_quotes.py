"""Quote spans, scare quotes and slogans, and who said it (person, organisation or unnamed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analysis.pipeline import analyze_text
from bot.analysis.quotes import find_spans
from bot.analysis.types import QuoteResult

PUBLISHED = datetime(2019, 11, 19, tzinfo=UTC)


def quotes_of(text: str) -> dict[str, QuoteResult]:
    result = analyze_text(text, published_at=PUBLISHED)
    for quote in result.quotes:
        assert text[quote.start : quote.end] == quote.text
    return {q.text: q for q in result.quotes}


def test_spans_cover_the_characters_inside_the_marks() -> None:
    text = 'He said "we will win," then left.\n\n\u201cNot today.\u201d'
    spans = [(s.start, s.end) for s in find_spans(text)]
    assert [text[a:b] for a, b in spans] == ["we will win,", "Not today."]


def test_a_quote_left_open_at_a_paragraph_end_is_continued_by_the_next_paragraph() -> None:
    text = '"The first part.\n\n"The second part," Maria Lopez said.'
    pieces = [text[s.start : s.end] for s in find_spans(text)]
    assert pieces == ["The first part.", "The second part,"]


@pytest.mark.parametrize(
    "text",
    [
        "The state launched a campaign with the slogan \u201cMeth, we\u2019re on it.\u201d",
        "She described the \u201cphysical fight\u201d for her daughter's life.",
        "The council called it \u201creform\u201d and moved on.",
        "He starred in \u201cThe Long Goodbye\u201d last year.",
    ],
)
def test_slogans_scare_quotes_and_titles_are_not_quotes(text: str) -> None:
    assert quotes_of(text) == {}


def test_a_short_whole_utterance_is_a_quote() -> None:
    quotes = quotes_of("\u201cIncredible,\u201d Dana Moore said after the race.")
    assert quotes["Incredible,"].speaker == "Dana Moore"


def test_dash_attribution_names_the_speaker() -> None:
    text = (
        "Readers wrote in after the vote.\n\n"
        "\u201cThis is the best news I have heard all year.\u201d \u2015 Maria Lopez\n\n"
        '"I never thought the city would do it." \u2014 Tom Baker, retired teacher'
    )
    quotes = quotes_of(text)
    assert quotes["This is the best news I have heard all year."].speaker == "Maria Lopez"
    assert quotes["I never thought the city would do it."].speaker == "Tom Baker"
    assert quotes["I never thought the city would do it."].speaker_kind == "person"


def test_an_organisation_speaks_as_itself() -> None:
    text = (
        "Big Machine Records said in a statement: \u201cWe never said that Taylor could "
        "not perform.\u201d\n\n"
        "\u201cWe reject these claims entirely,\u201d the French foreign ministry said."
    )
    quotes = quotes_of(text)
    label = quotes["We never said that Taylor could not perform."]
    assert (label.speaker, label.speaker_kind) == ("Big Machine Records", "organization")
    ministry = quotes["We reject these claims entirely,"]
    assert (ministry.speaker, ministry.speaker_kind) == ("French foreign ministry", "organization")


def test_an_unnamed_speaker_stays_null() -> None:
    quotes = quotes_of("\u201cGet down, get down!\u201d an officer shouted.")
    quote = quotes["Get down, get down!"]
    assert (quote.speaker, quote.speaker_kind) == (None, "unnamed")


def test_a_trailing_participle_does_not_take_the_quote_from_the_main_verb() -> None:
    text = (
        "Prime Minister Scott Morrison said in a statement, \u201cWe are profoundly pleased "
        "and relieved\u201d at the release, adding that the family had asked for privacy."
    )
    quote = quotes_of(text)["We are profoundly pleased and relieved"]
    assert quote.speaker == "Scott Morrison"


def test_speech_framed_by_other_verbs_is_attributed() -> None:
    text = "Senator Ray Ortiz sang to the crowd, \u201cWe are going to win this thing.\u201d"
    assert quotes_of(text)["We are going to win this thing."].speaker == "Ray Ortiz"


def test_analyze_json_carries_the_speaker_kind() -> None:
    result = analyze_text("\u201cWe will appeal,\u201d Acme Corp. said.", published_at=PUBLISHED)
    quote = result.to_json()["quotes"][0]
    assert quote["speaker_kind"] in {"person", "organization", "unnamed"}
    assert set(quote) >= {"text", "speaker", "speaker_kind", "start", "end"}
