"""Key quotes are ranked by the documented rule, and the summary leaves the shown ones out."""

from __future__ import annotations

from bot.analysis.pipeline import analyze_text
from bot.analysis.summary import rank_quotes
from bot.analysis.types import PersonResult, QuoteResult


def quote(
    text: str, start: int, speaker: str | None = None, described: bool = False
) -> QuoteResult:
    return QuoteResult(
        text=text,
        start=start,
        end=start + len(text),
        speaker=speaker,
        speaker_kind="person" if speaker else "unnamed",
        speaker_text=speaker or ("a neighbor" if described else None),
    )


LONG = "We have been working on this plan for years and we finally have the votes to pass it"


def test_a_named_speaker_outranks_an_unnamed_one() -> None:
    quotes = [quote(LONG, 0), quote(LONG.replace("plan", "bill"), 200, "Ana Ruiz")]
    rank_quotes(quotes, [PersonResult("Ana Ruiz", mentions=2)])
    assert quotes[1].rank == 0 and quotes[0].rank == 1


def test_fragments_rank_below_substantial_quotes() -> None:
    quotes = [quote("a blank check", 0, "Ana Ruiz"), quote(LONG, 100, "Ana Ruiz")]
    rank_quotes(quotes, [])
    assert quotes[1].rank == 0
    assert quotes[0].score < quotes[1].score - 2


def test_a_nested_quote_ranks_below_its_outer_quote() -> None:
    outer = quote(LONG + " as they say 'finally'", 0, "Ana Ruiz")
    inner = quote("the votes to pass it as they say", 60, "Ana Ruiz")
    quotes = [outer, inner]
    rank_quotes(quotes, [])
    assert outer.rank == 0 and inner.score < outer.score


def test_a_near_duplicate_is_pushed_down() -> None:
    quotes = [
        quote(LONG, 0, "Ana Ruiz"),
        quote(LONG + " now", 300, "Ana Ruiz"),
        quote("The budget will be balanced by the end of next year, the mayor promised", 600),
    ]
    rank_quotes(quotes, [])
    # one of the two near-identical quotes falls below the unnamed third one
    assert sorted([quotes[0].rank, quotes[1].rank]) == [0, 2]


def test_ties_go_to_the_speaker_mentioned_most() -> None:
    quotes = [quote(LONG, 0, "Ana Ruiz"), quote(LONG.replace("votes", "money"), 200, "Tom Park")]
    rank_quotes(
        quotes, [PersonResult("Ana Ruiz", mentions=1), PersonResult("Tom Park", mentions=5)]
    )
    assert quotes[1].rank == 0


def test_the_summary_leaves_out_the_sentence_of_a_key_quote() -> None:
    text = (
        "The city council approved a new budget for the harbor district on Tuesday night.\n\n"
        "\u201cThis budget finally puts the harbor first after a decade of neglect,\u201d Mayor "
        "Ana Ruiz said after the vote.\n\n"
        "The plan sets aside money for dredging, a new ferry terminal and flood walls.\n\n"
        "Work on the flood walls is expected to begin in the spring of next year."
    )
    result = analyze_text(text)
    top = min(result.quotes, key=lambda q: q.rank)
    assert all(top.text not in sentence for sentence in result.summary)
    assert result.summary[0].startswith("The city council approved")
