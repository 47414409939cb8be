"""One quote, several sources: the same words quoted by two articles are shown once."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.domain import QuoteView
from bot.text_keys import name_key

# A quote one outlet trimmed is still the same quote when this many words remain.
MIN_SHARED_WORDS = 6


def quote_key(text: str) -> str:
    """The words of a quote without case, punctuation or quote marks."""
    return name_key(text)


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short.split()) >= MIN_SHARED_WORDS and f" {short} " in f" {long} "


def merge_quotes(quotes: Sequence[QuoteView]) -> list[QuoteView]:
    """Quotes in their order, each once: later articles quoting it join its `also_in`."""
    merged: list[QuoteView] = []
    keys: list[str] = []
    for quote in quotes:
        key = quote_key(quote.text)
        for i, seen in enumerate(keys):
            if not _same(key, seen):
                continue
            first = merged[i]
            known = {first.article.id, *(r.id for r in first.also_in)}
            others = [quote.article, *quote.also_in]
            extra = tuple(r for r in others if r.id not in known)
            speaker = first.speaker or quote.speaker
            merged[i] = dataclasses.replace(
                first,
                also_in=first.also_in + extra,
                speaker=speaker,
                speaker_id=first.speaker_id if first.speaker else quote.speaker_id,
            )
            break
        else:
            merged.append(quote)
            keys.append(key)
    return merged
