"""Key terms of an article: the words that say what it is about, for grouping stories."""

from __future__ import annotations

import math
import re
from functools import cache

from bot.stories.text import fold_spelling

TOP_TERMS = 30
# Words every news story uses: they say nothing about which story it is.
_NEWS_WORDS = frozenset(
    """
    said says say told tell according added asked statement news report reported reports
    reporters spokesman spokeswoman official officials people year years month months week
    weeks day days time today yesterday tomorrow night morning afternoon evening monday
    tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december percent per cent million billion
    thousand hundred dozen new first second third last next later earlier early late former
    including include includes just like also would could should might must one two three
    four five six seven eight nine ten many much more most less least several number
    part end set made make makes making take took taken get got going went come came
    called call calls expected plans plan planned since still ago around half lot way
    """.split()
)
_TOKEN = re.compile(r"[$€£]?\d[\d,.\-]*\d%?|[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", re.UNICODE)


@cache
def _stop_words() -> frozenset[str]:
    # Imported on first use: importing spaCy takes most of a second, and the commands that
    # only read the store (`byline who`) import this module without grouping anything.
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _is_term(word: str) -> bool:
    if word[0].isdigit() or word[0] in "$€£":
        return len(word) >= 3  # "268-161", "$14", "4.75": figures a story repeats
    return len(word) >= 3 and word not in _stop_words() and word not in _NEWS_WORDS


def key_terms(title: str, text: str, limit: int = TOP_TERMS) -> dict[str, float]:
    """The article's top terms with weights (title and lede count double)."""
    counts: dict[str, float] = {}
    paragraphs = [p for p in text.split("\n") if p.strip()]
    lede = " ".join(paragraphs[:2])
    rest = " ".join(paragraphs[2:])
    for part, weight in ((title, 2.0), (lede, 2.0), (rest, 1.0)):
        for token in _TOKEN.findall(part):
            word = fold_spelling(token.casefold().replace("\u2019", "'").removesuffix("'s"))
            if _is_term(word):
                counts[word] = counts.get(word, 0.0) + weight
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return {word: 1.0 + math.log(count) for word, count in top}


def term_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted overlap of two term sets: shared weight over the smaller set's weight."""
    if not a or not b:
        return 0.0
    shared = sum(min(a[w], b[w]) for w in a.keys() & b.keys())
    return shared / min(sum(a.values()), sum(b.values()))
