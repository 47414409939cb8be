"""Main-text and metadata extraction from HTML pages (trafilatura)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

# A paragraph that reads as prose: several words and a sentence end.
_PROSE = re.compile(r"[.!?\u201d\"')\]]\s*$")
_WORD = re.compile(r"\w+")
# Fall back when precision mode keeps less than this share of the prose another mode finds.
_FALLBACK_SHARE = 0.5
_FALLBACK_MIN_WORDS = 120


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What trafilatura found on a page."""

    title: str | None
    text: str
    url: str | None
    date: str | None
    author: str | None
    sitename: str | None


def prose_words(text: str) -> int:
    """Words in paragraphs that read as sentences (not menus, links or notices)."""
    total = 0
    for paragraph in text.split("\n\n"):
        words = len(_WORD.findall(paragraph))
        if words >= 8 and _PROSE.search(paragraph):
            total += words
    return total


def _paragraphs(text: str) -> str:
    # trafilatura puts one paragraph per line; our text format separates them by blank lines.
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def _extract(html: str, url: str | None, *, recall: bool) -> ExtractedPage | None:
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=not recall,
        favor_recall=recall,
        include_comments=False,
        # Some pages (sports standings, older CMS layouts) hold the whole article in <table>s;
        # without tables trafilatura returns nothing or half of them (benchmark F1 0.957 -> 0.966).
        include_tables=True,
        with_metadata=True,
    )
    if document is None:
        return None
    data: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return ExtractedPage(
        title=data.get("title"),
        text=_paragraphs(str(data.get("text") or "")),
        url=data.get("url"),
        date=data.get("date"),
        author=data.get("author"),
        sitename=data.get("sitename"),
    )


def _baseline(html: str) -> str:
    import trafilatura

    _, text, _ = trafilatura.baseline(html)
    return _paragraphs(str(text or ""))


def extract_html(html: str, url: str | None = None) -> ExtractedPage | None:
    """Extract the article body (paragraphs separated by blank lines) and metadata.

    Precision mode first; when what it keeps is boilerplate or far less prose than the page
    holds (a reprint notice and a link, one paragraph of a long story), recall mode and then
    trafilatura's baseline are tried, and the text that reads most like an article is kept."""
    page = _extract(html, url, recall=False)
    found = prose_words(page.text) if page is not None else 0
    alternatives: list[str] = []
    recall = _extract(html, url, recall=True)
    if recall is not None:
        alternatives.append(recall.text)
        if page is None:
            page = recall
    best = max(alternatives, key=prose_words, default="")
    if prose_words(best) < 2 * _FALLBACK_MIN_WORDS and found < _FALLBACK_MIN_WORDS:
        baseline = _baseline(html)
        if prose_words(baseline) > prose_words(best):
            best = baseline
    if page is None:
        return ExtractedPage(None, best, url, None, None, None) if best else None
    more = prose_words(best)
    if more >= _FALLBACK_MIN_WORDS and found < _FALLBACK_SHARE * more:
        return replace(page, text=best)
    return page
