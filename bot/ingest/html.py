"""Main-text and metadata extraction from HTML pages (trafilatura)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What trafilatura found on a page."""

    title: str | None
    text: str
    url: str | None
    date: str | None
    author: str | None
    sitename: str | None


def extract_html(html: str, url: str | None = None) -> ExtractedPage | None:
    """Extract the article body (paragraphs separated by blank lines) and metadata."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        # Some pages (sports standings, older CMS layouts) hold the whole article in <table>s;
        # without tables trafilatura returns nothing or half of them (benchmark F1 0.957 -> 0.966).
        include_tables=True,
        with_metadata=True,
    )
    if document is None:
        return None
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = str(data.get("text") or "")
    # trafilatura puts one paragraph per line; our text format separates them by blank lines.
    body = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    return ExtractedPage(
        title=data.get("title"),
        text=body,
        url=data.get("url"),
        date=data.get("date"),
        author=data.get("author"),
        sitename=data.get("sitename"),
    )
