"""Extractive summaries and the ranking of key quotes."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from bot.analysis.types import EventResult, PersonResult, QuoteResult

_WORDS = re.compile(r"\w+")


def rank_quotes(quotes: list[QuoteResult], people: list[PersonResult]) -> None:
    """Score and rank quotes for digests (rule documented in README: 'Key quotes')."""
    mentions = {p.name: p.mentions for p in people}
    for quote in quotes:
        words = len(_WORDS.findall(quote.text))
        score = 0.0
        score += 3.0 if quote.speaker else (0.5 if quote.speaker_text else 0.0)
        score += min(words, 40) / 10  # substance, up to a point
        if words < 6:
            score -= 2.0  # fragments and partial quotes read badly on their own
        if any(o is not quote and o.start <= quote.start and quote.end <= o.end for o in quotes):
            score -= 3.0  # nested inside a quote we already show
        score += 0.05 * mentions.get(quote.speaker or "", 0)
        quote.score = round(score, 3)
    order = sorted(range(len(quotes)), key=lambda i: (-quotes[i].score, quotes[i].start))
    shown: list[set[str]] = []
    rank = 0
    for i in order:
        quote = quotes[i]
        tokens = set(_WORDS.findall(quote.text.lower()))
        duplicate = any(tokens and len(tokens & s) / max(1, len(tokens | s)) > 0.7 for s in shown)
        if duplicate:
            quote.score -= 5.0
        shown.append(tokens)
    order = sorted(range(len(quotes)), key=lambda i: (-quotes[i].score, quotes[i].start))
    for rank, i in enumerate(order):
        quotes[i].rank = rank


def _open_quotes(text: str) -> bool:
    straight = text.count('"') % 2 == 1
    curly = text.count("\u201c") > text.count("\u201d")
    return straight or curly


def _quote_whole_sentences(doc: Doc) -> list[Span]:
    """spaCy's sentences, re-joined where one ends inside a quotation ('… customers.' + '"')."""
    out: list[Span] = []
    pending: Span | None = None
    for sent in doc.sents:
        span = sent if pending is None else doc[pending.start : sent.end]
        if _open_quotes(span.text) and "\n\n" not in span.text and len(span) < 120:
            pending = span
            continue
        out.append(span)
        pending = None
    if pending is not None:
        out.append(pending)
    return out


# The digest shows this many key quotes beside the summary; the summary leaves their sentences out.
DIGEST_QUOTES = 2


def summarize(
    doc: Doc, quotes: list[QuoteResult], events: list[EventResult], max_sentences: int = 3
) -> list[str]:
    """Lead sentence, the main event's sentence, then the next lead sentences; sentences that
    hold a key quote the digest shows anyway are left out, so the digest never repeats itself."""
    shown = sorted(quotes, key=lambda q: (q.speaker is None, q.rank))[:DIGEST_QUOTES]

    def holds_shown_quote(sent: Span) -> bool:
        return any(sent.start_char < q.end and q.start < sent.end_char for q in shown)

    sentences = [
        s
        for s in _quote_whole_sentences(doc)
        if len(_WORDS.findall(s.text)) >= 6 and not holds_shown_quote(s)
    ]
    if not sentences:
        return [s.text.strip() for s in list(doc.sents)[:max_sentences] if s.text.strip()]
    chosen = [sentences[0]]
    if events:
        for sent in sentences:
            if sent.start_char == events[0].sentence_start and sent not in chosen:
                if len(_WORDS.findall(sent.text)) <= 60:
                    chosen.append(sent)
                break
    for sent in sentences[1:]:
        if len(chosen) >= max_sentences or sum(len(_WORDS.findall(s.text)) for s in chosen) > 70:
            break
        if sent not in chosen:
            chosen.append(sent)
    chosen = chosen[:max_sentences]
    chosen.sort(key=lambda s: s.start_char)
    return [_one_line(s.text) for s in chosen]


def _one_line(sentence: str) -> str:
    """A sentence never runs across paragraphs, and reads on one line."""
    return " ".join(sentence.strip().split("\n\n", 1)[0].split())
